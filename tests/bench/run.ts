// `npm run bench`: the speed targets of DESIGN.md section 4 for the flow engine, as medians.
// Not part of npm test. Run with --expose-gc (the npm script does) for the heap figure.
import { spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { diffModel } from '../../src-main/core/flows/diff-view'
import { keyOf, tableOrders, withContext } from '../../src-main/core/flows/diff-context'
import { diffFlows } from '../../src-main/core/flows/diff'
import { parseDumpFlows } from '../../src-main/core/parse/ovs-dump-flows'
import { readTextFile } from '../../src-main/node/text'
import { dumpText, mutate, sdnFlows } from '../helpers/flowgen'
import { benchCaptures, benchImportAndSearch } from './captures'
import { benchReport } from './report'
import { benchTracer } from './tracer'

const runs = Number(process.env.BENCH_RUNS ?? 7)
const gc = (globalThis as { gc?: () => void }).gc

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b)
  const m = Math.floor(s.length / 2)
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2
}

function time(fn: () => unknown): number {
  const t0 = performance.now()
  fn()
  return performance.now() - t0
}

const mb = (n: number) => (n / 1024 / 1024).toFixed(1)

// 100,000 flows: 23,000 pods x 4 flows, 2,000 remote nodes x 3, about 2,000 services, the static skeleton.
// Table 111's multicast fan-out lists 1,000 of the 2,000 nodes: all of them would pass OpenFlow's 64 KB
// limit on a flow's actions, and ovs-ofctl refuses such a line ("input too big").
const before = sdnFlows({ pods: 23_000, nodes: 2_000, services: 1_971, seed: 1, multicastFanOut: 1_000 })
const after = mutate(before, 400, 2)
// The two dumps as files: ovs-ofctl reads them, and so do we, with the product's reader (a string read
// from a file is flat; a string built by concatenation in this process would be slower to scan).
// ovs-ofctl diff-flows does not accept the "OFPST_FLOW reply" header line: it is left out of both.
const dir = mkdtempSync(join(tmpdir(), 'sdnwb-bench-'))
const fileA = join(dir, 'a')
const fileB = join(dir, 'b')
const strip = (t: string) => t.replace(/^OFPST_FLOW reply.*\n/gm, '')
writeFileSync(fileA, strip(dumpText(before, { duration: 1000 })))
writeFileSync(fileB, strip(dumpText(after, { duration: 1060 })))
const textA = readTextFile(fileA)
console.log(`input: ${before.length} flows, ${mb(textA.length)} MB (A); ${after.length} flows (B); ${runs} runs each, medians`)

// Warm up the JIT as a long-running backend would be.
diffFlows(parseDumpFlows(textA).flows, parseDumpFlows(readTextFile(fileB)).flows)

const parseTimes: number[] = []
const heaps: number[] = []
for (let i = 0; i < runs; i++) {
  gc?.()
  const h0 = process.memoryUsage().heapUsed
  let kept: ReturnType<typeof parseDumpFlows> | null = null
  parseTimes.push(time(() => (kept = parseDumpFlows(textA))))
  gc?.()
  heaps.push(process.memoryUsage().heapUsed - h0)
  if (!kept || (kept as ReturnType<typeof parseDumpFlows>).flows.length !== before.length) throw new Error('parse lost flows')
  kept = null
}

// Timed like ovs-ofctl diff-flows: from the two files to the structured diff.
const diffTimes: number[] = []
let totals = ''
for (let i = 0; i < runs; i++) {
  gc?.()
  diffTimes.push(
    time(() => {
      const d = diffFlows(parseDumpFlows(readTextFile(fileA)).flows, parseDumpFlows(readTextFile(fileB)).flows)
      totals = JSON.stringify(d.totals)
    })
  )
}

const parseMs = median(parseTimes)
const diffMs = median(diffTimes)
console.log(`parse 100k flows:            ${parseMs.toFixed(0)} ms   (target < 250 ms)  ${parseMs < 250 ? 'MET' : 'MISSED'}`)
console.log(`heap held by the parse:      ${gc ? mb(median(heaps)) + ' MB' : 'n/a (run with --expose-gc)'}   (target < 200 MB)`)
console.log(`read both + parse + diff:    ${diffMs.toFixed(0)} ms   ${totals}`)

// The diff view's backend work on a click: both dumps read and parsed, diffed, laid out as rows with context, the first window.
const viewTimes: number[] = []
let viewRows = 0
for (let i = 0; i < runs; i++) {
  gc?.()
  viewTimes.push(
    time(() => {
      const fa = parseDumpFlows(readTextFile(fileA)).flows
      const fb = parseDumpFlows(readTextFile(fileB)).flows
      const m = diffModel(diffFlows(fa, fb))
      // As the view asks for it: the changes with 2 flows of context, the unchanged runs collapsed, the rail.
      const rows = m.rows.filter((r) => r.kind !== 'moved')
      const { items } = withContext(rows, tableOrders(fa, fb), new Set(rows.map((r) => keyOf(r.table, r.priority, r.match))), 2, new Set())
      viewRows = items.slice(0, 1000).length
    })
  )
}
const viewMs = median(viewTimes)
console.log(`diff view open (backend):    ${viewMs.toFixed(0)} ms   first window ${viewRows} rows   (target <= 2000 ms from the click)  ${viewMs <= 2000 ? 'MET' : 'MISSED'}`)

const which = spawnSync('sh', ['-c', 'command -v ovs-ofctl'], { encoding: 'utf8' })
if (which.status === 0) {
  const ovsTimes: number[] = []
  for (let i = 0; i < Math.min(runs, 5); i++) {
    let r: ReturnType<typeof spawnSync> | null = null
    ovsTimes.push(time(() => (r = spawnSync('ovs-ofctl', ['diff-flows', fileA, fileB], { maxBuffer: 1 << 28, encoding: 'utf8' }))))
    const res = r as ReturnType<typeof spawnSync> | null
    // diff-flows exits 0 for no difference, 2 when it printed differences (these files have some), 1 on error.
    if (!res || res.status !== 2 || String(res.stdout).length === 0) throw new Error(`ovs-ofctl diff-flows failed (exit ${res?.status}): ${String(res?.stderr ?? '').slice(0, 300)}`)
  }
  const ovsMs = median(ovsTimes)
  const ratio = diffMs / ovsMs
  console.log(`ovs-ofctl diff-flows:        ${ovsMs.toFixed(0)} ms   same two files, same run`)
  console.log(`ratio ours / ovs-ofctl:      ${ratio.toFixed(2)}   (target <= 0.50)  ${ratio <= 0.5 ? 'MET' : 'MISSED'}`)
} else {
  console.log('ovs-ofctl not installed: no peer timing (apt-get install openvswitch-switch)')
}
rmSync(dir, { recursive: true, force: true })

if (process.env.BENCH_SKIP_CAPTURES !== '1') {
  benchCaptures()
  await benchImportAndSearch()
}

if (process.env.BENCH_SKIP_TRACER !== '1') benchTracer()
if (process.env.BENCH_SKIP_REPORT !== '1') await benchReport()
