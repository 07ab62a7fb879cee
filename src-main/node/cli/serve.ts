import { resolve } from 'node:path'
import { parseArgs } from 'node:util'
import { Backend } from '../backend/backend'
import { stderrLogger } from '../log'
import { defaultCasesDir, defaultDataDir } from '../paths'
import { startBrowserServer } from '../server/browser-server'
import { appVersion } from '../version'

const usage = `Usage: npm run serve -- [--port N] [--host 127.0.0.1] [--data-dir DIR] [--cases-dir DIR]

Starts the SDN Workbench backend and serves the UI on a loopback address, for a browser.
  --port N         port to listen on (default: a free port)
  --host ADDR      127.0.0.1 (default), ::1 or localhost; other addresses are refused
  --data-dir DIR   settings and recent cases (default: ${defaultDataDir()})
  --cases-dir DIR  where new cases are created (default: DATA-DIR/cases)
  --renderer DIR   built UI to serve (default: out/renderer)`

async function main(): Promise<number> {
  let args
  try {
    args = parseArgs({
      options: {
        port: { type: 'string', default: '0' },
        host: { type: 'string', default: '127.0.0.1' },
        'data-dir': { type: 'string' },
        'cases-dir': { type: 'string' },
        renderer: { type: 'string', default: 'out/renderer' },
        help: { type: 'boolean', short: 'h' }
      },
      strict: true
    }).values
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n\n${usage}\n`)
    return 2
  }
  if (args.help) {
    process.stdout.write(usage + '\n')
    return 0
  }
  const port = Number(args.port)
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    process.stderr.write(`--port must be a number from 0 to 65535, got "${args.port}".\n`)
    return 2
  }
  const log = stderrLogger()
  const dataDir = resolve(args['data-dir'] ?? defaultDataDir())
  const casesDir = resolve(args['cases-dir'] ?? defaultCasesDir(dataDir))
  const backend = new Backend({ version: appVersion(), mode: 'browser', dataDir, casesDir, log })
  let server
  try {
    server = await startBrowserServer({
      host: args.host,
      port,
      rendererDir: resolve(args.renderer),
      dispatch: backend.dispatch,
      attach: (send) => backend.attachClient(send),
      log
    })
  } catch (err) {
    backend.close()
    process.stderr.write(`Cannot start browser mode: ${(err as Error).message}\n`)
    return 1
  }
  process.stdout.write(`SDN Workbench ${appVersion()} (browser mode)\n  data:  ${dataDir}\n  cases: ${casesDir}\nOpen ${server.url}\n`)
  const stop = async () => {
    await server.close()
    backend.close()
    process.exit(0)
  }
  process.on('SIGINT', () => void stop())
  process.on('SIGTERM', () => void stop())
  return -1
}

void main().then((code) => {
  if (code >= 0) process.exit(code)
})
