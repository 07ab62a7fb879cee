// Capture storage figures for `npm run bench`: saving and importing a 100k-flow capture, and full-text
// search over a case holding at least BENCH_FTS_MB (default 520) MB of captures. Medians.
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseCapture } from '../../src-main/core/capture/parsed-view'
import { importCaptures } from '../../src-main/node/capture/import/importer'
import { CaseDb } from '../../src-main/node/store/case-db'
import type { NewCapture } from '../../src-main/node/store/capture-store'
import { dumpText, sdnFlows } from '../helpers/flowgen'

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b)
  const m = Math.floor(s.length / 2)
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2
}

const mb = (n: number) => (n / 1024 / 1024).toFixed(1)
const runs = Number(process.env.BENCH_RUNS ?? 5)
const ftsTargetMb = Number(process.env.BENCH_FTS_MB ?? 520)

function capture(text: string, host: string, seq: number): NewCapture {
  const command = 'ovs-ofctl -O OpenFlow13 dump-flows br0'
  const p = parseCapture(command, text)
  return {
    runId: null, hostId: null, hostName: host, viaHostName: null, commandId: 'ovs-dump-flows', title: 'br0 OpenFlow tables', command,
    source: 'live', origin: null, startedAt: new Date(Date.UTC(2026, 10, 25, 10, 0, seq)).toISOString(), durationMs: 500, status: 'ok',
    exitCode: 0, signal: null, errorKind: null, error: null, stdout: text, stderr: '', truncated: false,
    parse: p ? { parserId: p.parser, records: p.records, diagnostics: p.diagnostics } : null
  }
}

export function benchCaptures(): void {
  const dir = mkdtempSync(join(tmpdir(), 'sdnwb-bench-cap-'))
  try {
    const flows = sdnFlows({ pods: 23_000, nodes: 2_000, services: 1_971, seed: 1 })
    const text = dumpText(flows, { duration: 1000 })
    console.log(`\ncaptures: a ${flows.length}-flow dump, ${mb(text.length)} MB; ${runs} runs each, medians`)

    const save: number[] = []
    for (let i = 0; i < runs; i++) {
      const db = CaseDb.create(join(dir, `save-${i}.sdncase`), 'bench', 'bench')
      const t0 = performance.now()
      db.captures.save(capture(text, 'node1', i))
      save.push(performance.now() - t0)
      db.close()
    }
    console.log(`parse + store (chunks, index): ${median(save).toFixed(0)} ms   (target < 1000 ms)  ${median(save) < 1000 ? 'MET' : 'MISSED'}`)
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

export async function benchImportAndSearch(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'sdnwb-bench-fts-'))
  try {
    const flows = sdnFlows({ pods: 23_000, nodes: 2_000, services: 1_971, seed: 1 })
    const text = dumpText(flows, { duration: 1000 })
    const imp: number[] = []
    for (let i = 0; i < runs; i++) {
      const db = CaseDb.create(join(dir, `imp-${i}.sdncase`), 'bench', 'bench')
      const file = join(dir, `node${i}-dump-flows-of13.txt`)
      writeFileSync(file, text)
      const t0 = performance.now()
      const r = await importCaptures(db.captures, () => null, file)
      imp.push(performance.now() - t0)
      if (r.captureIds.length !== 1) throw new Error('import took nothing')
      db.close()
    }
    console.log(`import a 100k-flow file:       ${median(imp).toFixed(0)} ms   (read, parse, store, index)`)

    // A case of at least ftsTargetMb of captures: flow dumps of many nodes (different counters and
    // durations), as a big cluster's capture runs would leave.
    const path = join(dir, 'big.sdncase')
    const db = CaseDb.create(path, 'big', 'bench')
    let bytes = 0
    let n = 0
    const t0 = performance.now()
    while (bytes < ftsTargetMb * 1024 * 1024) {
      const t = dumpText(sdnFlows({ pods: 23_000, nodes: 2_000, services: 1_971, seed: n + 2 }), { duration: 1000 + n })
      db.captures.save(capture(t, `node${n}`, n))
      bytes += t.length
      n++
    }
    const buildS = (performance.now() - t0) / 1000
    db.close()
    const fileMb = statSync(path).size / 1024 / 1024
    console.log(`big case: ${n} captures, ${mb(bytes)} MB of output, file ${fileMb.toFixed(0)} MB, built in ${buildS.toFixed(0)} s (${(bytes / 1024 / 1024 / buildS).toFixed(1)} MB/s stored and indexed)`)

    const big = CaseDb.open(path)
    // A pod IP (a few lines in every dump), one remote node's flow, a term on half of all lines, a prefix, nothing.
    const queries = ['10.129.29.56', 'tun_src=10.200.3.165', 'goto_table:21', '10.129.77.*', 'nothing-matches-this']
    for (const q of queries) {
      const times: number[] = []
      let r = big.captures.search(q)
      for (let i = 0; i < runs; i++) {
        const t1 = performance.now()
        r = big.captures.search(q)
        times.push(performance.now() - t1)
      }
      const ms = median(times)
      console.log(`search ${q.padEnd(24)} ${ms.toFixed(1).padStart(7)} ms  ${r.hits.length} captures shown${r.moreCaptures ? ` (+${r.moreCaptures})` : ''}, ${r.hits.reduce((a, h) => a + h.lines.length, 0)} lines   (target < 100 ms)  ${ms < 100 ? 'MET' : 'MISSED'}`)
    }
    big.close()
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}
