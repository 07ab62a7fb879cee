// `npm start`: the desktop app. Needs a machine where Electron can fetch its binary.
// better-sqlite3 is a native module: it is rebuilt for Electron's ABI here, and `npm test`
// rebuilds it for Node again when it finds the other ABI.
import { spawnSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { buildIfNeeded } from './build-if-needed.mjs'

const root = new URL('..', import.meta.url).pathname
process.chdir(root)
buildIfNeeded()
const electronVersion = JSON.parse(readFileSync('node_modules/electron/package.json', 'utf8')).version
const rebuild = spawnSync('npm', ['rebuild', 'better-sqlite3'], {
  stdio: 'inherit',
  env: {
    ...process.env,
    npm_config_runtime: 'electron',
    npm_config_target: electronVersion,
    npm_config_disturl: 'https://electronjs.org/headers'
  }
})
if (rebuild.status !== 0) {
  process.stderr.write('Could not rebuild better-sqlite3 for Electron; see the output above.\n')
  process.exit(1)
}
const r = spawnSync(process.execPath, ['node_modules/electron-vite/bin/electron-vite.js', 'preview'], { stdio: 'inherit' })
process.exit(r.status ?? 1)
