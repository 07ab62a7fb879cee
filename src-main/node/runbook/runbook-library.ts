import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { RunbookSchema } from '../../contract'
import { continueProblems, type Runbook } from '../../core/runbook/model'
import { AppError } from '../store/app-error'
import { parseYamlWith } from '../yaml'

export function parseRunbookYaml(text: string): { runbook: Runbook } | { problems: string[] } {
  const r = parseYamlWith(RunbookSchema, text)
  return 'problems' in r ? r : { runbook: r.value as Runbook }
}

/** The runbooks shipped in resources/runbooks, validated; a broken file is reported, not fatal. */
export class RunbookLibrary {
  constructor(private readonly dir: string) {}

  list(): { runbooks: Runbook[]; problems: { file: string; message: string }[] } {
    const runbooks: Runbook[] = []
    const problems: { file: string; message: string }[] = []
    let files: string[] = []
    try {
      files = readdirSync(this.dir).filter((f) => /\.ya?ml$/.test(f)).sort()
    } catch {
      return { runbooks, problems: [{ file: this.dir, message: 'the runbooks folder cannot be read' }] }
    }
    for (const f of files) {
      const r = parseRunbookYaml(readFileSync(join(this.dir, f), 'utf8'))
      if ('problems' in r) problems.push(...r.problems.map((message) => ({ file: f, message })))
      else if (runbooks.some((x) => x.id === r.runbook.id)) problems.push({ file: f, message: `runbook id "${r.runbook.id}" is used twice` })
      else runbooks.push(r.runbook)
    }
    for (const p of continueProblems(runbooks)) problems.push({ file: files.find((f) => f.startsWith(p.runbookId)) ?? p.runbookId, message: p.message })
    return { runbooks, problems }
  }

  get(id: string): Runbook {
    const rb = this.list().runbooks.find((r) => r.id === id)
    if (!rb) throw new AppError('not_found', `There is no runbook "${id}".`)
    return rb
  }
}
