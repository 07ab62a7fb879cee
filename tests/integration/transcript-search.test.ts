// A search right after a big recording: what is not indexed yet is indexed first, in slices, and the backend
// serves other requests meanwhile (done in one go it held the event loop for the whole indexing: 10 s on the lab
// after a 200 MB cat).
import { join } from 'node:path'
import { monitorEventLoopDelay } from 'node:perf_hooks'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { CaseSummary } from '../../src-main/contract'
import { Backend } from '../../src-main/node/backend/backend'
import { silentLogger } from '../../src-main/node/log'
import { openExtraConnection } from '../../src-main/node/store/open-db'
import { TranscriptStore } from '../../src-main/node/store/transcript-store'
import { tempDir } from '../helpers/tmp'

let t: ReturnType<typeof tempDir>
let backend: Backend
let casePath: string

beforeAll(async () => {
  t = tempDir('sdnwb-transcript-search-')
  backend = new Backend({ version: 't', mode: 'browser', dataDir: join(t.dir, 'data'), casesDir: join(t.dir, 'cases'), log: silentLogger })
  const r = await backend.dispatch('case.create', { name: 'search' })
  if (!r.ok) throw new Error(r.error.message)
  casePath = (r.value as CaseSummary).path
})

afterAll(() => {
  backend.close()
  t.cleanup()
})

describe('transcript search over a recording not yet indexed', () => {
  it('indexes it in slices with the event loop let go between them, finds the line, and counts the wait in tookMs', async () => {
    // A recording as a big `cat` leaves it: 24 MB of base64-like lines in 16 KB chunks, none indexed, with one
    // needle near the end — written through a connection of its own, as the recorder's batches are.
    const db = openExtraConnection(casePath)
    const store = new TranscriptStore(db)
    const id = store.create({ hostId: null, hostName: 'node1', title: 'cat', term: 'xterm-256color', cols: 111, rows: 53, shellIntegration: true, startedAt: new Date().toISOString() })
    let seed = 7
    const line = () => {
      let s = ''
      for (let i = 0; i < 100; i++) {
        seed = (seed * 1103515245 + 12345) % 2 ** 31
        s += 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'[seed % 64]
      }
      return s
    }
    const chunks: { firstLine: number; text: string }[] = []
    let lines = 0
    while (lines < 240_000) {
      const ls: string[] = []
      for (let i = 0; i < 160; i++) ls.push(lines + i === 230_000 ? 'needle sdnwbneedle 10.128.5.5' : line())
      chunks.push({ firstLine: lines + 1, text: ls.join('\n') })
      lines += ls.length
    }
    for (let i = 0; i < chunks.length; i += 100) store.append(id, { events: [], chunks: chunks.slice(i, i + 100), commands: [], outputBytes: 0, lines })
    db.close()

    // While it searches, a timer every 10 ms must keep its pace (another client's request, a terminal's frame).
    const delay = monitorEventLoopDelay({ resolution: 5 })
    let ticks = 0
    const timer = setInterval(() => ticks++, 10)
    delay.enable()
    const t0 = performance.now()
    const r = await backend.dispatch('transcripts.search', { query: 'sdnwbneedle' })
    const ms = performance.now() - t0
    delay.disable()
    clearInterval(timer)
    if (!r.ok) throw new Error(r.error.message)
    const v = r.value as { hits: { lines: { line: number }[] }[]; tookMs: number }
    expect(v.hits[0]?.lines.map((l) => l.line)).toEqual([230_001])
    // The indexing took a while (it is most of the answer's time) and the loop was never held long meanwhile.
    expect(v.tookMs).toBeGreaterThan(200)
    expect(v.tookMs).toBeLessThanOrEqual(ms + 1)
    expect(delay.max / 1e6).toBeLessThan(150)
    expect(ticks).toBeGreaterThan(ms / 10 / 4)
    // Indexed now: the next search is quick.
    const again = await backend.dispatch('transcripts.search', { query: 'sdnwbneedle' })
    if (!again.ok) throw new Error(again.error.message)
    expect((again.value as { tookMs: number }).tookMs).toBeLessThan(200)
  }, 120_000)
})
