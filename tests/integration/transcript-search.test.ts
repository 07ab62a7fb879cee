// A search right after a big recording: what is not indexed yet is read as it is, in slices, and the backend serves
// other requests meanwhile (indexing it all first held the event loop 10-20 s on the lab after a 200 MB cat); what it
// finds there is what the index finds once the recording is indexed.
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { CaseSummary } from '../../src-main/contract'
import { Backend } from '../../src-main/node/backend/backend'
import { silentLogger } from '../../src-main/node/log'
import { openExtraConnection } from '../../src-main/node/store/open-db'
import { TranscriptStore, type RecordedChunk, type RecordedEvent } from '../../src-main/node/store/transcript-store'
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
  it('reads it in slices with the event loop let go between them, and finds what the index finds once it is indexed', async () => {
    // A recording as a big `cat` leaves it: 24 MB of base64-like lines in 16 KB chunks, none indexed, with needles
    // near the end — written through a connection of its own, as the recorder's batches are.
    const db = openExtraConnection(casePath)
    const store = new TranscriptStore(db)
    const session = (title: string) => store.create({ hostId: null, hostName: 'node1', title, term: 'xterm-256color', cols: 111, rows: 53, shellIntegration: true, startedAt: new Date().toISOString() })
    // Lines recorded as the PTY hands them over (CR LF), in output events of 128 KB and chunks of 160 lines, each
    // chunk the bytes from just after a line's LF to just after a later one's, as the recorder cuts them.
    const record = (sid: number, all: string[]) => {
      const parts: Buffer[] = []
      const chunks: RecordedChunk[] = []
      let offset = 0
      for (let i = 0; i < all.length; i += 160) {
        const bytes = Buffer.from(all.slice(i, i + 160).map((l) => `${l}\r\n`).join(''), 'utf8')
        chunks.push({ firstLine: i + 1, outStart: offset, outEnd: offset + bytes.length, cols: 111 })
        parts.push(bytes)
        offset += bytes.length
      }
      const out = Buffer.concat(parts)
      const events: RecordedEvent[] = []
      for (let o = 0; o < out.length; o += 128 * 1024) events.push({ t: 0, kind: 'o', outOffset: o, data: out.subarray(o, o + 128 * 1024) })
      for (let i = 0; i < events.length; i += 20) {
        const last = events[Math.min(events.length, i + 20) - 1]!
        const upTo = last.outOffset + last.data.length
        store.append(sid, { events: events.slice(i, i + 20), chunks: chunks.filter((c) => c.outEnd <= upTo && c.outEnd > events[i]!.outOffset), commands: [], outputBytes: upTo, lines: all.length })
      }
    }
    // An older recording, indexed, that holds the needle too.
    const old = session('ovs')
    record(old, ['cookie=0x0 table=0 priority=200,ip,nw_dst=10.128.5.5 actions=goto_table:30', 'needle SDNWBNEEDLE elsewhere'])
    store.indexPending(Number.POSITIVE_INFINITY)
    const id = session('cat')
    let seed = 7
    const line = () => {
      let s = ''
      for (let i = 0; i < 100; i++) {
        seed = (seed * 1103515245 + 12345) % 2 ** 31
        s += 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'[seed % 64]
      }
      return s
    }
    const special: Record<number, string> = { 230_000: 'needle sdnwbneedle 10.128.5.5', 230_100: 'Needle: SdnwbNeedle at 10.128.77.1 (vxlan0)', 239_990: 'deepface 0a:58:0a:80:05:05' }
    const all: string[] = []
    for (let i = 0; i < 240_000; i++) all.push(special[i] ?? line())
    record(id, all)

    const search = async (query: string) => {
      const r = await backend.dispatch('transcripts.search', { query })
      if (!r.ok) throw new Error(r.error.message)
      return r.value as { hits: { transcript: { title: string }; lines: { line: number; text: string }[] }[]; tookMs: number }
    }
    const queries = ['sdnwbneedle', 'needle 10.128.5.5', '10.128.*', '"needle sdnwbneedle"', 'deepface', '0a:58:0a:80:05:05', 'vxlan0 10.128.', 'absentword']

    // While it searches, a timer every 10 ms must keep its pace (another client's request, a terminal's frame).
    let ticks = 0
    const timer = setInterval(() => ticks++, 10)
    const t0 = performance.now()
    const first = await search('sdnwbneedle')
    const ms = performance.now() - t0
    clearInterval(timer)
    expect(first.hits.map((h) => [h.transcript.title, h.lines.map((l) => l.line)])).toEqual([
      ['cat', [230_001, 230_101]],
      ['ovs', [2]]
    ])
    expect(first.tookMs).toBeLessThanOrEqual(ms + 1)
    expect(ticks).toBeGreaterThan(ms / 10 / 4)
    const unindexed = new Map<string, unknown>()
    for (const q of queries) unindexed.set(q, (await search(q)).hits)
    // Nothing was indexed by the searches.
    expect(db.prepare('SELECT count(*) FROM terminal_chunks WHERE indexed = 0').pluck().get()).toBe(Math.ceil(all.length / 160))

    // Indexed now: every query finds the same lines, with the same excerpts, through the index.
    store.indexPending(Number.POSITIVE_INFINITY)
    db.close()
    for (const q of queries) expect((await search(q)).hits, q).toEqual(unindexed.get(q))
    expect((unindexed.get('10.128.*') as unknown[]).length).toBe(2)
    expect((unindexed.get('deepface') as { lines: unknown[] }[])[0]?.lines.length).toBe(1)
    expect(unindexed.get('absentword')).toEqual([])
  }, 120_000)
})
