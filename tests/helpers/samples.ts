import { readFileSync, readdirSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

/** ../shared/samples, beside the repository (CI puts it there too). */
export const samplesDir = resolve(dirname(fileURLToPath(import.meta.url)), '../../../shared/samples')

export function sample(rel: string): string {
  return readFileSync(join(samplesDir, rel), 'utf8')
}

export function sampleFiles(dir: string, filter: RegExp): string[] {
  return readdirSync(join(samplesDir, dir))
    .filter((f) => filter.test(f))
    .map((f) => `${dir}/${f}`)
}
