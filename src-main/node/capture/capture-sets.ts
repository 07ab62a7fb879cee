import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { CaptureSetSchema, type CaptureSetFileProblem, type CaptureSetInfo } from '../../contract'
import type { CaptureSet } from '../../core/capture/capture-set'
import { AppError } from '../store/app-error'
import { parseYamlWith } from '../yaml'

/** Reads a capture set from YAML: the set, or every problem with its line or field. */
export function parseCaptureSetYaml(text: string): { set: CaptureSet } | { problems: string[] } {
  const r = parseYamlWith(CaptureSetSchema, text)
  return 'problems' in r ? r : { set: r.value as CaptureSet }
}

/** The shipped sets (resources/capture-sets, read-only) and the user's own (data dir), by id. */
export class CaptureSetLibrary {
  constructor(
    private readonly builtinDir: string,
    private readonly userDir: string
  ) {}

  list(): { sets: CaptureSetInfo[]; problems: CaptureSetFileProblem[] } {
    const sets: CaptureSetInfo[] = []
    const problems: CaptureSetFileProblem[] = []
    for (const [dir, builtin] of [[this.builtinDir, true], [this.userDir, false]] as const) {
      let files: string[] = []
      try {
        files = readdirSync(dir).filter((f) => /\.ya?ml$/.test(f)).sort()
      } catch {
        continue
      }
      for (const f of files) {
        const file = join(dir, f)
        let text: string
        try {
          text = readFileSync(file, 'utf8')
        } catch (err) {
          problems.push({ file, message: `cannot read: ${(err as Error).message}` })
          continue
        }
        const r = parseCaptureSetYaml(text)
        if ('problems' in r) {
          problems.push(...r.problems.map((message) => ({ file, message })))
          continue
        }
        if (sets.some((s) => s.set.id === r.set.id)) {
          problems.push({ file, message: `a set with id "${r.set.id}" is already loaded; this file is ignored` })
          continue
        }
        sets.push({ set: r.set, builtin, yaml: text })
      }
    }
    return { sets, problems }
  }

  get(id: string): CaptureSetInfo {
    const hit = this.list().sets.find((s) => s.set.id === id)
    if (!hit) throw new AppError('not_found', `There is no capture set "${id}". Reload the list of sets.`)
    return hit
  }

  /** Saves a user set (new or replacing the user's own set of that id); shipped sets cannot be overwritten. */
  save(yamlText: string): CaptureSetInfo {
    const r = parseCaptureSetYaml(yamlText)
    if ('problems' in r) {
      throw new AppError('invalid_input', `The capture set has ${r.problems.length} problem(s): ${r.problems.slice(0, 5).join('; ')}`, r.problems.map((message) => ({ path: 'yaml', message })))
    }
    const existing = this.list().sets.find((s) => s.set.id === r.set.id)
    if (existing?.builtin) {
      throw new AppError('conflict', `"${r.set.id}" is a set shipped with the workbench and cannot be changed. Give your copy another id.`, [{ path: 'yaml', message: 'Change the id.' }])
    }
    mkdirSync(this.userDir, { recursive: true })
    const file = join(this.userDir, `${r.set.id}.yaml`)
    const tmp = `${file}.tmp-${process.pid}`
    writeFileSync(tmp, yamlText)
    renameSync(tmp, file)
    return { set: r.set, builtin: false, yaml: yamlText }
  }

  delete(id: string): void {
    const hit = this.get(id)
    if (hit.builtin) throw new AppError('conflict', `"${id}" is shipped with the workbench and cannot be deleted.`)
    // The file may have any name: remove the one that holds this id.
    for (const f of readdirSync(this.userDir).filter((n) => /\.ya?ml$/.test(n))) {
      const file = join(this.userDir, f)
      const r = parseCaptureSetYaml(readFileSync(file, 'utf8'))
      if ('set' in r && r.set.id === id) rmSync(file, { force: true })
    }
  }
}
