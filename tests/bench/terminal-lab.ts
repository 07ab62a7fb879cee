// `npm run bench:terminal [-- --mb 200 --tries 20]` (root, starts its own lab): a terminal in the real UI
// (Chromium, browser mode) to node1 through the jump host. Prints, one per line: cat throughput, Ctrl-C to
// prompt during `yes` (p95), the page's heap growth during the cat, whether the recorded output's SHA-256 is
// the file's, and transcript search over the recorded lines. The page is driven over the DevTools protocol
// directly, not through Playwright, whose Network instrumentation copies every WebSocket frame to the driver
// (tests/helpers/cdp-page.ts): the figures are those of the browser a user has.
import { createHash } from 'node:crypto'
import { mkdirSync, writeFileSync } from 'node:fs'
import { parseArgs } from 'node:util'
import type { TranscriptCommand } from '../../src-main/contract'
import { CaseDb } from '../../src-main/node/store/case-db'
import { openCdpPage } from '../helpers/cdp-page'
import { openLabServe } from '../helpers/lab-ui'
import { floodFrameMs } from '../../src-renderer/src/lib/frame-governor'
import { xtermCeiling } from './xterm-ceiling'
import Database from 'better-sqlite3'

// --profile FILE: the page's CPU profile during the cat (.cpuprofile, for DevTools), and its top functions printed.
const { values } = parseArgs({ options: { mb: { type: 'string', default: '200' }, tries: { type: 'string', default: '20' }, profile: { type: 'string' } } })
const mb = Number(values.mb)
const tries = Number(values.tries)

function pct(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b)
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)] as number
}
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

// The terminal's size on the page (the fit addon's, recorded as its last resize): the ceilings are measured at it.
let termSize: [number, number] = [120, 32]
const ui = await openLabServe({ prefix: 'sdnwb-bench-term-', caseName: 'terminal bench' })
const { ws } = ui
const viewport = { width: 1400, height: 900 }
const page = await openCdpPage(ui.serve.url, viewport)
try {
  const hosts = await ws.call('hosts.list', {})
  const node1 = hosts.find((h) => h.name === 'node1')
  if (!node1) throw new Error('no node1')
  // The file: base64 text in 100-character lines (2M lines for 200 MB), with one needle line in the middle; its
  // lines end in CR LF, as the PTY's usual LF-to-CRLF (onlcr) hands a Unix text file to the terminal. The cat runs
  // with onlcr off, so the terminal gets what a user's `cat` gives it and the recording must be the file's own
  // bytes. (A LF-only file with onlcr off prints as a staircase — each line starts where the last one ended — and
  // xterm.js parses twice the lines for it: earlier runs of this bench measured that.)
  const file = '/tmp/sdnwb-bench-cat.txt'
  const rawBytes = Math.round((mb * 1e6 * 3) / 4 / 2)
  const gen = await ws.call('ssh.exec', {
    hostId: node1.id,
    argv: ['sh', '-c', `{ head -c ${rawBytes} /dev/urandom | base64 -w 100; echo 'needle sdnwbneedle 10.128.5.5'; head -c ${rawBytes} /dev/urandom | base64 -w 100; } | sed 's/$/\r/' > ${file}; sync; stat -c %s ${file}; sha256sum ${file}`],
    timeoutMs: 300_000
  })
  const [sizeLine, sumLine] = gen.stdout.trim().split('\n')
  const size = Number(sizeLine)
  const want = sumLine?.split(' ')[0]
  console.log(`generated ${(size / 1e6).toFixed(1)} MB on node1 (sha256 ${want?.slice(0, 12)}…)`)

  const open = `document.querySelector('tr[data-host="node1"] [data-testid="host-terminal"]')`
  await page.waitFor(`document.querySelector('[data-testid="nav-hosts"]')`, 30_000)
  await page.evaluate(`document.querySelector('[data-testid="nav-hosts"]').click()`)
  await page.waitFor(open, 30_000)
  await page.evaluate(`${open}.click()`)
  await page.waitFor(`document.body.innerText.includes('Shell integration: on')`, 30_000)
  // The terminal on screen takes the keys (xterm.js's hidden textarea, as a click on it would focus).
  await page.evaluate(`document.querySelector('[data-testid="terminal-pane"]:not(.hidden) textarea').focus()`)
  const terminals = await ws.call('transcripts.list', {})
  const transcriptId = terminals[0]?.id as number
  const commands = async () => (await ws.call('transcripts.get', { transcriptId })).commands
  // Polled, not timed: each figure is from the backend's own times of the marks, so a slower poll only leaves the
  // two cores to the system under test (a 25 ms poll took a few percent of a core from the cat).
  const waitCommand = async (pred: (c: TranscriptCommand) => boolean, ms: number, every = 25): Promise<TranscriptCommand> => {
    const end = Date.now() + ms
    for (;;) {
      const c = (await commands()).find(pred)
      if (c) return c
      if (Date.now() > end) throw new Error('the command did not end in time')
      await sleep(every)
    }
  }

  // The page's JS heap, sampled through the DevTools protocol during the cat.
  const cdp = page
  await cdp.send('HeapProfiler.collectGarbage')
  const heap = async () => ((await cdp.send('Runtime.getHeapUsage')) as { usedSize: number }).usedSize
  const heap0 = await heap()
  let heapMax = heap0
  let sampling = true
  const sampler = (async () => {
    while (sampling) {
      heapMax = Math.max(heapMax, await heap())
      await sleep(250)
    }
  })()
  const metrics = async () => Object.fromEntries(((await cdp.send('Performance.getMetrics')) as { metrics: { name: string; value: number }[] }).metrics.map((m) => [m.name, m.value]))
  let m0: Record<string, number> = {}
  if (values.profile) {
    await cdp.send('Performance.enable')
    m0 = await metrics()
    await cdp.send('Profiler.enable')
    await cdp.send('Profiler.setSamplingInterval', { interval: 500 })
    await cdp.send('Profiler.start')
  }
  // The PTY's LF-to-CRLF turned off for the cat (the file has its CRs), so the recorded bytes are the file's own.
  await page.insertText(`stty -onlcr; cat ${file}; stty onlcr`)
  const pressed = Date.now()
  await page.press('Enter')
  // What a person sees: the terminal in the middle of the flood (10 frames a second) and once the prompt is back.
  const shot = async (name: string) => {
    const { data } = (await cdp.send('Page.captureScreenshot', { format: 'png' })) as { data: string }
    mkdirSync('test-results/screenshots', { recursive: true })
    writeFileSync(`test-results/screenshots/${name}.png`, Buffer.from(data, 'base64'))
  }
  await sleep(3000)
  await shot('terminal-bench-during-cat')
  const cat = await waitCommand((c) => c.commandLine.startsWith('stty -onlcr; cat'), 600_000, 500)
  const wall = Date.now() - pressed
  sampling = false
  await sampler
  await sleep(300)
  await shot('terminal-bench-after-cat')
  if (values.profile) {
    const m1 = await metrics()
    const d = (k: string) => `${k.replace('Duration', '')} ${(((m1[k] ?? 0) - (m0[k] ?? 0)) * 1000).toFixed(0)} ms`
    console.log(`  page during the cat: ${['TaskDuration', 'ScriptDuration', 'RecalcStyleDuration', 'LayoutDuration'].map(d).join(', ')}; layouts ${(m1.LayoutCount ?? 0) - (m0.LayoutCount ?? 0)}, style recalcs ${(m1.RecalcStyleCount ?? 0) - (m0.RecalcStyleCount ?? 0)}`)
    const { profile } = (await cdp.send('Profiler.stop')) as { profile: { nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; hitCount?: number }[] } }
    writeFileSync(values.profile, JSON.stringify(profile))
    const self = new Map<string, number>()
    let all = 0
    for (const n of profile.nodes) {
      const key = `${n.callFrame.functionName || '(anonymous)'} ${n.callFrame.url.split('/').pop()}:${n.callFrame.lineNumber}`
      self.set(key, (self.get(key) ?? 0) + (n.hitCount ?? 0))
      all += n.hitCount ?? 0
    }
    for (const [k, v] of [...self].sort((a, b) => b[1] - a[1]).slice(0, 15)) console.log(`  ${((100 * v) / all).toFixed(1)}%  ${k}`)
  }
  const catMs = Date.parse(cat.endedAt) - Date.parse(cat.startedAt)
  console.log(`cat of ${(size / 1e6).toFixed(0)} MB into the terminal: ${((size / 1e6) / (catMs / 1000)).toFixed(1)} MB/s (${(catMs / 1000).toFixed(2)} s from the output's first byte to the prompt; ${(wall / 1000).toFixed(2)} s from Enter)`)
  console.log(`page heap growth during the cat: ${((heapMax - heap0) / 1024 / 1024).toFixed(1)} MB (max ${(heapMax / 1024 / 1024).toFixed(1)} MB, before ${(heap0 / 1024 / 1024).toFixed(1)} MB)`)

  // Ctrl-C during `yes`: from the key press to the backend seeing the next prompt's mark (the output in
  // flight before it is at most the high mark, parsed by xterm.js within a few ms).
  const latencies: number[] = []
  for (let i = 0; i < tries; i++) {
    const before = (await commands()).length
    await page.insertText('yes')
    await page.press('Enter')
    await sleep(400)
    const t0 = Date.now()
    await page.press('Control+C')
    const seen = new Set((await commands()).slice(0, before).map((c) => c.id))
    const yes = await waitCommand((c) => c.commandLine === 'yes' && !seen.has(c.id), 30_000)
    latencies.push(Date.parse(yes.endedAt) - t0)
    await sleep(100)
  }
  console.log(`Ctrl-C during yes to prompt: p95 ${pct(latencies, 95)} ms, median ${pct(latencies, 50)} ms over ${tries} tries`)
  console.log(`  each try, in order (ms): ${latencies.join(' ')}`)

  // The recorded output of the cat, from the case file itself.
  const path = (await ws.call('app.info', {})).openCase?.path as string
  const db = CaseDb.open(path, { readOnly: true })
  const bytes = db.transcripts.output(transcriptId, cat.outputStart, cat.outputEnd)
  const got = createHash('sha256').update(bytes).digest('hex')
  const lines = db.transcripts.get(transcriptId).lines
  db.close()
  // The terminal's size on the page (the fit addon's, recorded as the last resize).
  const sql = new Database(path, { readonly: true })
  const resized = sql.prepare("SELECT data FROM terminal_events WHERE session_id = ? AND kind = 'r' ORDER BY id DESC LIMIT 1").pluck().get(transcriptId) as Buffer | undefined
  sql.close()
  termSize = (resized?.toString() ?? '120x32').split('x').map(Number) as [number, number]
  console.log(`recorded output of the cat: ${got === want ? 'byte-identical' : 'DIFFERENT'} (sha256 ${got.slice(0, 12)}…, ${bytes.length} bytes of ${size})`)

  // Right after the recording, its text is not indexed yet (the indexer waits for quiet terminals): the search reads
  // it as it is. Then, once the background indexer is done, through the index.
  const search = async () => {
    const r = await ws.call('transcripts.search', { query: 'sdnwbneedle' })
    return { ms: r.tookMs, found: r.hits.reduce((n, h) => n + h.lines.length, 0) }
  }
  const fresh = await search()
  const waiting = () => {
    const ro = new Database(path, { readonly: true })
    try {
      return ro.prepare('SELECT count(*) FROM terminal_chunks WHERE indexed = 0').pluck().get() as number
    } finally {
      ro.close()
    }
  }
  const indexStart = Date.now()
  while (waiting() > 0 && Date.now() - indexStart < 300_000) await sleep(1000)
  const indexedIn = (Date.now() - indexStart) / 1000
  const times: number[] = []
  let found = 0
  for (let i = 0; i < 7; i++) {
    const r = await search()
    times.push(r.ms)
    found = r.found
  }
  console.log(`transcript search over ${(lines / 1e6).toFixed(2)}M recorded lines: ${fresh.ms.toFixed(0)} ms right after the recording (not indexed yet: read as it is, ${fresh.found} line found); median ${pct(times, 50)} ms once indexed (${found} line found; the background indexer was done ${indexedIn.toFixed(0)} s later)`)
} finally {
  await page.close()
  await ui.close()
}
// Once the lab, the backend (indexing what was recorded) and the page are gone: the machine is xterm.js's alone.
const [cols, rows] = termSize
const plain = await xtermCeiling({ cols, rows, mb: 100, viewport })
const limited = await xtermCeiling({ cols, rows, mb: 100, viewport, frameGapMs: floodFrameMs })
console.log(`the ceiling, xterm.js alone at ${cols}x${rows} fed over a loopback WebSocket (no SSH, no backend, no workbench UI): ${plain.toFixed(1)} MB/s; drawing ≤ ${1000 / floodFrameMs} frames a second as the workbench does in a flood: ${limited.toFixed(1)} MB/s`)
