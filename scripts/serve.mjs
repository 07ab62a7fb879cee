// `npm run serve`: build the UI if needed, then run the backend with the loopback server (browser mode).
import { buildIfNeeded } from './build-if-needed.mjs'

process.chdir(new URL('..', import.meta.url).pathname)
try {
  buildIfNeeded()
} catch (err) {
  process.stderr.write(`Cannot start browser mode: ${err.message}\n`)
  process.exit(1)
}
const { register } = await import('tsx/esm/api')
register()
await import('../src-main/node/cli/serve.ts')
