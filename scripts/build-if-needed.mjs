// Builds the app with electron-vite when out/ is missing or older than any source it is built from.
import { spawnSync } from 'node:child_process'
import { existsSync, readdirSync, statSync } from 'node:fs'
import { join } from 'node:path'

const root = new URL('..', import.meta.url).pathname
const sources = ['src-renderer', 'src-main/contract', 'src-main/core', 'src-main/electron', 'electron.vite.config.ts', 'svelte.config.js', 'package.json']
const outputs = ['out/renderer/index.html', 'out/main/index.js', 'out/preload/index.cjs']

function newest(path) {
  const st = statSync(path)
  if (!st.isDirectory()) return st.mtimeMs
  let max = st.mtimeMs
  for (const name of readdirSync(path)) max = Math.max(max, newest(join(path, name)))
  return max
}

export function buildIfNeeded({ force = false, quiet = false } = {}) {
  const outs = outputs.map((o) => join(root, o))
  const builtAt = outs.every((o) => existsSync(o)) ? Math.min(...outs.map((o) => statSync(o).mtimeMs)) : 0
  const srcAt = Math.max(...sources.map((s) => join(root, s)).filter((s) => existsSync(s)).map(newest))
  if (!force && builtAt > srcAt) return
  if (!quiet) process.stderr.write('Building the UI (electron-vite build)…\n')
  const r = spawnSync(process.execPath, [join(root, 'node_modules/electron-vite/bin/electron-vite.js'), 'build'], {
    cwd: root,
    stdio: quiet ? 'pipe' : ['ignore', 'inherit', 'inherit']
  })
  if (r.status !== 0) {
    if (quiet) process.stderr.write(String(r.stdout) + String(r.stderr))
    throw new Error('electron-vite build failed')
  }
}

if (import.meta.url === `file://${process.argv[1]}`) buildIfNeeded({ force: process.argv.includes('--force') })
