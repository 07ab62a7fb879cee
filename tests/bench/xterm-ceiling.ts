// The ceiling the terminal bench is measured against: xterm.js alone (the same version and DOM renderer, the same
// size, the same Chromium and window), fed 100-column text over a loopback WebSocket in 128 KB frames with a 1 MB
// acknowledgement window — no SSH, no backend, no workbench UI. What the page can parse and draw here bounds what
// any `cat` into the workbench's terminal can reach on this machine. With `frameGapMs`, frames are at least that
// far apart, as the workbench draws them while a terminal is flooded (src-renderer/src/lib/frame-governor.ts).
import { readFileSync } from 'node:fs'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { fileURLToPath } from 'node:url'
import { WebSocketServer } from 'ws'
import { openCdpPage } from '../helpers/cdp-page'

const xtermDir = fileURLToPath(new URL('../../node_modules/@xterm/xterm/', import.meta.url))

const page = (cols: number, rows: number, frameGapMs: number) => `<!doctype html><html><head><meta charset="utf-8">
<link rel="stylesheet" href="/xterm.css"><script src="/xterm.js"></script></head>
<body style="margin:0;background:#101216"><div id="t" style="position:absolute;inset:0"></div><script>
if (${frameGapMs} > 0) {
  const raf = window.requestAnimationFrame.bind(window)
  let last = -1e9
  window.requestAnimationFrame = (cb) => raf(function tick(ts) { if (ts - last < ${frameGapMs}) return raf(tick); last = ts; cb(ts) })
}
const term = new Terminal({ fontFamily: "'DejaVu Sans Mono', monospace", fontSize: 13, scrollback: 10000, cols: ${cols}, rows: ${rows} })
term.open(document.getElementById('t'))
const ws = new WebSocket('ws://' + location.host + '/ws'); ws.binaryType = 'arraybuffer'
let got = 0, t0 = 0
ws.onmessage = (m) => {
  if (typeof m.data === 'string') { window.result = (got / 1e6) / ((performance.now() - t0) / 1000); return }
  if (!t0) t0 = performance.now()
  const d = new Uint8Array(m.data); got += d.length
  term.write(d, () => ws.send(String(d.length)))
}
</script></body></html>`

export async function xtermCeiling(opts: { cols: number; rows: number; mb: number; viewport: { width: number; height: number }; frameGapMs?: number }): Promise<number> {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'
  let text = ''
  for (let seed = 1; text.length < 128 * 1024; ) {
    let line = ''
    for (let i = 0; i < 100; i++) {
      seed = (seed * 1103515245 + 12345) % 2 ** 31
      line += alphabet[seed % 64]
    }
    text += line + '\r\n'
  }
  const frame = Buffer.from(text)
  const http = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0]
    if (path === '/') res.end(page(opts.cols, opts.rows, opts.frameGapMs ?? 0))
    else if (path === '/xterm.js') res.end(readFileSync(`${xtermDir}lib/xterm.js`))
    else if (path === '/xterm.css') res.end(readFileSync(`${xtermDir}css/xterm.css`))
    else res.writeHead(404).end()
  })
  const wss = new WebSocketServer({ server: http, path: '/ws' })
  wss.on('connection', (ws) => {
    let sent = 0
    let unacked = 0
    const total = opts.mb * 1e6
    const pump = () => {
      while (sent < total && unacked < 1024 * 1024) {
        ws.send(frame)
        sent += frame.length
        unacked += frame.length
      }
      if (sent >= total && unacked === 0) ws.send('done')
    }
    ws.on('message', (m) => {
      unacked -= Number(String(m))
      pump()
    })
    pump()
  })
  await new Promise<void>((r) => http.listen(0, '127.0.0.1', r))
  const { port } = http.address() as AddressInfo
  const p = await openCdpPage(`http://127.0.0.1:${port}/`, opts.viewport)
  try {
    await p.waitFor('typeof window.result === "number"', 300_000, 250)
    return await p.evaluate<number>('window.result')
  } finally {
    await p.close()
    wss.close()
    http.close()
  }
}
