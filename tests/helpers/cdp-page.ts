// A page in Debian's Chromium driven over the DevTools protocol directly (--remote-debugging-pipe), for the
// benchmarks that measure the page itself. Playwright enables the Network domain on every page it drives, and
// then Chromium copies every WebSocket frame, base64-encoded, to the driver: with a terminal streaming 10+ MB/s
// that instrumentation took ~40% of the throughput of a plain xterm.js page fed over a WebSocket (18–22 MB/s
// under Playwright, 31.7 MB/s in the same Chromium without it, on this machine). This driver uses only Target,
// Runtime, Input and HeapProfiler: what the page does is what a user's browser does.
import { spawn, type ChildProcess } from 'node:child_process'
import type { Readable, Writable } from 'node:stream'
import { chromiumArgs } from './browser'

interface Reply {
  id?: number
  sessionId?: string
  method?: string
  result?: unknown
  error?: { message: string }
  params?: unknown
}

export interface CdpPage {
  /** Evaluates an expression in the page (promises awaited) and returns its JSON value. */
  evaluate<T>(expression: string): Promise<T>
  /** Polls `expression` until it is truthy. */
  waitFor(expression: string, timeoutMs: number, everyMs?: number): Promise<void>
  send<T>(method: string, params?: Record<string, unknown>): Promise<T>
  /** A browser-level command (no page session: Tracing, Browser). */
  sendBrowser<T>(method: string, params?: Record<string, unknown>): Promise<T>
  /** Events of the browser and the page, by method name. */
  on(method: string, listener: (params: unknown) => void): void
  /** Types text as one input event, as a paste or an IME would (xterm.js sends it to the shell as it is). */
  insertText(text: string): Promise<void>
  /** A key press: 'Enter', or 'Control+C'. */
  press(key: 'Enter' | 'Control+C'): Promise<void>
  close(): Promise<void>
}

const keys = {
  Enter: { key: 'Enter', code: 'Enter', windowsVirtualKeyCode: 13, text: '\r', modifiers: 0 },
  'Control+C': { key: 'c', code: 'KeyC', windowsVirtualKeyCode: 67, modifiers: 2 }
} as const

export async function openCdpPage(url: string, viewport: { width: number; height: number }): Promise<CdpPage> {
  const child: ChildProcess = spawn(
    '/usr/bin/chromium',
    [
      '--headless',
      ...chromiumArgs,
      '--remote-debugging-pipe',
      `--window-size=${viewport.width},${viewport.height}`,
      'about:blank'
    ],
    { stdio: ['ignore', 'ignore', 'pipe', 'pipe', 'pipe'] }
  )
  let stderr = ''
  child.stderr?.on('data', (d) => (stderr = (stderr + String(d)).slice(-4000)))
  const toBrowser = child.stdio[3] as Writable
  const fromBrowser = child.stdio[4] as Readable
  const waiting = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void; method: string }>()
  let next = 1
  let buffered = Buffer.alloc(0)
  const listeners = new Map<string, ((params: unknown) => void)[]>()
  fromBrowser.on('data', (d: Buffer) => {
    buffered = Buffer.concat([buffered, d])
    for (let nul = buffered.indexOf(0); nul >= 0; nul = buffered.indexOf(0)) {
      const msg = JSON.parse(buffered.subarray(0, nul).toString('utf8')) as Reply
      buffered = buffered.subarray(nul + 1)
      if (msg.id === undefined) {
        if (msg.method) for (const l of listeners.get(msg.method) ?? []) l(msg.params)
        continue
      }
      const w = waiting.get(msg.id)
      waiting.delete(msg.id)
      if (msg.error) w?.reject(new Error(`${w.method}: ${msg.error.message}`))
      else w?.resolve(msg.result)
    }
  })
  child.once('exit', () => {
    for (const w of waiting.values()) w.reject(new Error(`Chromium exited during ${w.method}: ${stderr}`))
    waiting.clear()
  })
  const raw = <T>(method: string, params: Record<string, unknown> = {}, sessionId?: string): Promise<T> =>
    new Promise<unknown>((resolve, reject) => {
      const id = next++
      waiting.set(id, { resolve, reject, method })
      toBrowser.write(JSON.stringify({ id, method, params, ...(sessionId ? { sessionId } : {}) }) + '\0')
    }) as Promise<T>

  const { targetId } = await raw<{ targetId: string }>('Target.createTarget', { url: 'about:blank', width: viewport.width, height: viewport.height })
  const { sessionId } = await raw<{ sessionId: string }>('Target.attachToTarget', { targetId, flatten: true })
  const send = <T>(method: string, params: Record<string, unknown> = {}) => raw<T>(method, params, sessionId)
  await send('Emulation.setDeviceMetricsOverride', { width: viewport.width, height: viewport.height, deviceScaleFactor: 1, mobile: false })
  await send('Page.navigate', { url })

  const evaluate = async <T>(expression: string): Promise<T> => {
    const r = await send<{ result: { value?: unknown }; exceptionDetails?: { text: string; exception?: { description?: string } } }>('Runtime.evaluate', { expression, awaitPromise: true, returnByValue: true })
    if (r.exceptionDetails) throw new Error(`in the page: ${r.exceptionDetails.exception?.description ?? r.exceptionDetails.text}`)
    return r.result.value as T
  }
  return {
    evaluate,
    send,
    sendBrowser: raw,
    on(method, listener) {
      listeners.set(method, [...(listeners.get(method) ?? []), listener])
    },
    async waitFor(expression, timeoutMs, everyMs = 50) {
      const end = Date.now() + timeoutMs
      for (;;) {
        try {
          if (await evaluate<boolean>(`!!(${expression})`)) return
        } catch {
          // The page is still loading.
        }
        if (Date.now() > end) throw new Error(`the page did not show ${expression} in ${timeoutMs} ms`)
        await new Promise((r) => setTimeout(r, everyMs))
      }
    },
    async insertText(text) {
      await send('Input.insertText', { text })
    },
    async press(name) {
      const k = keys[name]
      await send('Input.dispatchKeyEvent', { type: 'keyDown', ...k })
      await send('Input.dispatchKeyEvent', { type: 'keyUp', key: k.key, code: k.code, windowsVirtualKeyCode: k.windowsVirtualKeyCode, modifiers: k.modifiers })
    },
    async close() {
      try {
        await raw('Browser.close')
      } catch {
        // Already gone.
      }
      if (child.exitCode === null) child.kill('SIGKILL')
    }
  }
}
