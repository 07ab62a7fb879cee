import { spawn, type ChildProcess } from 'node:child_process'
import { resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

export interface ServeProcess {
  url: string
  origin: string
  child: ChildProcess
  stderr: () => string
  stop: () => Promise<void>
}

/** Starts browser mode exactly as `npm run serve` does, and waits for the URL it prints. */
export function startServe(args: string[], timeoutMs = 120_000): Promise<ServeProcess> {
  const root = fileURLToPath(new URL('../..', import.meta.url))
  const child = spawn(process.execPath, [resolve(root, 'scripts/serve.mjs'), ...args], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] })
  let out = ''
  let err = ''
  child.stderr.on('data', (d) => (err += d))
  return new Promise((resolveStart, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL')
      reject(new Error(`serve did not print its URL in ${timeoutMs} ms.\nstdout: ${out}\nstderr: ${err}`))
    }, timeoutMs)
    child.once('exit', (code) => {
      clearTimeout(timer)
      reject(new Error(`serve exited with ${code} before printing its URL.\nstdout: ${out}\nstderr: ${err}`))
    })
    child.stdout.on('data', (d) => {
      out += d
      const m = /^Open (http:\/\/\S+)$/m.exec(out)
      if (!m?.[1]) return
      clearTimeout(timer)
      child.removeAllListeners('exit')
      const url = m[1]
      resolveStart({
        url,
        origin: new URL(url).origin,
        child,
        stderr: () => err,
        stop: () =>
          new Promise((done) => {
            if (child.exitCode !== null || child.signalCode !== null) return done()
            child.once('exit', () => done())
            child.kill('SIGTERM')
          })
      })
    })
  })
}
