// Imports stay bounded, responsive and cancellable: generated hostile archives through the real backend,
// whose import runs in its worker thread, with the main thread's event loop and the process memory watched.
import { statSync } from 'node:fs'
import { join } from 'node:path'
import { monitorEventLoopDelay } from 'node:perf_hooks'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { BackendEvent, CaptureSummary, CaseSummary, ImportResult, SearchResult } from '../../src-main/contract'
import { Backend } from '../../src-main/node/backend/backend'
import { silentLogger } from '../../src-main/node/log'
import Database from '../../src-main/node/store/sqlite'
import { repeated, textEntry, writeTarGz, type GenEntry } from '../helpers/archives'
import { tempDir } from '../helpers/tmp'

let t: ReturnType<typeof tempDir>
let backend: Backend
let casePath: string
const events: BackendEvent[] = []
const MB = 1024 * 1024

beforeAll(async () => {
  t = tempDir('sdnwb-import-bounds-')
  backend = new Backend({ version: 't', mode: 'browser', dataDir: join(t.dir, 'data'), casesDir: join(t.dir, 'cases'), log: silentLogger })
  backend.onEvent((e) => events.push(e))
  const r = await backend.dispatch('case.create', { name: 'bounds' })
  if (!r.ok) throw new Error(r.error.message)
  casePath = (r.value as CaseSummary).path
})

afterAll(() => {
  backend.close()
  t.cleanup()
})

/** Runs fn while sampling the process's resident memory and the main thread's event-loop delay. */
async function watched<T>(fn: () => Promise<T>): Promise<{ value: T; peakRssMb: number; baseRssMb: number; maxStallMs: number; ms: number }> {
  const h = monitorEventLoopDelay({ resolution: 10 })
  const baseRssMb = process.memoryUsage().rss / MB
  let peak = baseRssMb
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss / MB)), 20)
  h.enable()
  const t0 = performance.now()
  try {
    const value = await fn()
    return { value, peakRssMb: peak, baseRssMb, maxStallMs: h.max / 1e6, ms: performance.now() - t0 }
  } finally {
    h.disable()
    clearInterval(sampler)
  }
}

async function importPath(path: string, importId: string): Promise<ImportResult> {
  const r = await backend.dispatch('captures.import', { path, importId })
  if (!r.ok) throw new Error(`${r.error.code}: ${r.error.message}`)
  return r.value as ImportResult
}

const sos = 'sosreport-node1-2026-12-01-abcdef'
const flowLine = 'cookie=0x0, duration=1.0s, table=0, n_packets=0, n_bytes=0, priority=0 actions=drop\n'

describe('imports stay bounded, responsive and cancellable', () => {
  it('ten 250 MB entries: memory stays bounded, each refused with why, the small outputs imported', async () => {
    const path = join(t.dir, 'ten-big.tar.gz')
    const entries: GenEntry[] = [textEntry(`${sos}/hostname`, 'node1\n'), textEntry(`${sos}/sos_commands/networking/ip_-d_address`, '1: lo: <LOOPBACK,UP> mtu 65536\n    inet 127.0.0.1/8 scope host lo\n')]
    // Five that look like command output but are binary, five over the 256 MB limit per file.
    for (let i = 0; i < 5; i++) entries.push({ name: `${sos}/sos_commands/openvswitch/ovs-ofctl_dump-flows_br${i}`, size: 250 * MB, piece: repeated(Buffer.from([0, 1, 2, 3])) })
    for (let i = 0; i < 5; i++) entries.push({ name: `${sos}/sos_commands/networking/ip_route_show_table_${i}`, size: 270 * MB, piece: repeated(Buffer.from(flowLine)) })
    await writeTarGz(path, entries)
    const m = await watched(() => importPath(path, 'ten-big'))
    const r = m.value
    console.log(`ten big entries: archive ${(statSync(path).size / MB).toFixed(1)} MB, rss ${m.baseRssMb.toFixed(0)} -> peak ${m.peakRssMb.toFixed(0)} MB, max stall ${m.maxStallMs.toFixed(0)} ms, ${m.ms.toFixed(0)} ms`)
    expect(r.captureIds).toHaveLength(1)
    expect(r.failed.filter((f) => /binary file/.test(f.reason))).toHaveLength(5)
    expect(r.preview.refused.filter((f) => /283115520 bytes, over the 268435456-byte limit per file/.test(f.reason))).toHaveLength(5)
    expect(m.peakRssMb - m.baseRssMb).toBeLessThan(400)
    expect(m.maxStallMs).toBeLessThan(200)

    // Cancelled while the archive is still being listed (2.6 GB to decompress): answered within 1 s, nothing kept.
    events.length = 0
    const before = await backend.dispatch('captures.list', {})
    const running = backend.dispatch('captures.import', { path, importId: 'ten-big-again' })
    const reading = (e: BackendEvent) => e.name === 'captures.importProgress' && e.payload.importId === 'ten-big-again' && e.payload.phase === 'reading' && e.payload.done > 0
    for (const until = Date.now() + 60_000; !events.some(reading); ) {
      if (Date.now() > until) throw new Error('no reading progress')
      await new Promise((res) => setTimeout(res, 10))
    }
    const asked = performance.now()
    await backend.dispatch('captures.cancelImport', { importId: 'ten-big-again' })
    const answer = await running
    const latency = performance.now() - asked
    console.log(`cancel while reading: answered in ${latency.toFixed(0)} ms`)
    expect(latency).toBeLessThan(1000)
    expect(answer).toMatchObject({ ok: false, error: { code: 'conflict', message: 'The import was cancelled; nothing was imported.' } })
    expect(await backend.dispatch('captures.list', {})).toEqual(before)
  }, 300_000)

  it('100,000 tiny entries and a 50 MB single line: no event-loop stall over 200 ms; cancel while saving answers within 1 s', async () => {
    const n = 100_000
    const root = 'sdnwb-node1-20261201'
    const manifest = ['# sdn-workbench-collector 1', '# host: node1']
    for (let i = 0; i < n; i++) manifest.push(`c${i}\t0\t1764582000000000000\t1764582000100000000\techo ${i}`)
    manifest.push(`long\t0\t1764582000000000000\t1764582000100000000\tcat /var/log/one-line.log`)
    const entries = function* (): Generator<GenEntry> {
      yield textEntry(`${root}/manifest.tsv`, manifest.join('\n') + '\n')
      yield { name: `${root}/long.out`, size: 50 * MB, piece: repeated(Buffer.from('word 10.128.0.5 ')) }
      for (let i = 0; i < n; i++) yield textEntry(`${root}/c${i}.out`, `output ${i}\n`)
    }
    const path = join(t.dir, 'tiny.tar.gz')
    await writeTarGz(path, entries())
    const full = await watched(() => importPath(path, 'tiny'))
    console.log(`100k tiny + 50 MB line: imported ${full.value.captureIds.length} in ${full.ms.toFixed(0)} ms, max stall ${full.maxStallMs.toFixed(0)} ms, peak rss +${(full.peakRssMb - full.baseRssMb).toFixed(0)} MB`)
    expect(full.value.captureIds).toHaveLength(n + 1)
    expect(full.maxStallMs).toBeLessThan(200)
    // The backend answered other calls throughout: a search on the case now finds the long line's address.
    const s = await backend.dispatch('captures.search', { query: '10.128.0.5' })
    expect(s.ok && (s.value as SearchResult).hits.length).toBeGreaterThan(0)

    // Again into a fresh case, cancelled in the saving phase.
    const fresh = await backend.dispatch('case.create', { name: 'bounds-cancel' })
    expect(fresh.ok).toBe(true)
    events.length = 0
    const running = importPath(path, 'tiny-cancel')
    const deadline = Date.now() + 120_000
    const saving = (e: BackendEvent) => e.name === 'captures.importProgress' && e.payload.phase === 'saving' && e.payload.done > 2000
    while (!events.some(saving)) {
      if (Date.now() > deadline) throw new Error('no saving progress')
      await new Promise((r) => setTimeout(r, 20))
    }
    const asked = performance.now()
    const c = await backend.dispatch('captures.cancelImport', { importId: 'tiny-cancel' })
    expect(c).toMatchObject({ ok: true, value: { cancelled: true } })
    const r = await running
    const latency = performance.now() - asked
    console.log(`cancel while saving: answered in ${latency.toFixed(0)} ms with ${r.captureIds.length} saved`)
    expect(latency).toBeLessThan(1000)
    expect(r.captureIds.length).toBeGreaterThan(2000)
    expect(r.captureIds.length).toBeLessThan(n)
    expect(r.failed.filter((f) => f.reason === 'not imported: the import was cancelled').length).toBe(n + 1 - r.captureIds.length)
    // What was saved before the cancel is all there, whole.
    const list = await backend.dispatch('captures.list', {})
    expect(list.ok && (list.value as CaptureSummary[]).length).toBe(r.captureIds.length)
    const summary = fresh.ok ? (fresh.value as CaseSummary) : null
    backend.close()
    const raw = new Database(summary?.path ?? casePath, { readonly: true })
    expect(raw.pragma('integrity_check', { simple: true })).toBe('ok')
    raw.close()
    backend = new Backend({ version: 't', mode: 'browser', dataDir: join(t.dir, 'data'), casesDir: join(t.dir, 'cases'), log: silentLogger })
  }, 600_000)
})
