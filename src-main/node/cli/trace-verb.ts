// `sdnwb trace --flows DUMP [--ports PORTS] 'FLOW' [--ct-next STATE]...`: the offline tracer on a saved dump-flows
// output, printed in ofproto/trace's own format (line by line comparable with the real tool, without its datapath
// lines) and a verdict; `--batch PACKETS.jsonl --out DIR` traces one JSON object per line ({"id", "flow",
// "ct_next": [states]}) into DIR/<id>.txt.
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { parseDumpFlows } from '../../core/parse/ovs-dump-flows'
import { parsePortDesc } from '../../core/parse/ovs-ports'
import { parseDumpGroups } from '../../core/parse/ovs-groups'
import { printTrace } from '../../core/trace/print'
import { FlowTables, packetFromFlow, trace, type TraceNode, type TraceOptions } from '../../core/trace/tracer'
import { traceVerdict } from '../../core/trace/verdict'
import { readTextFile } from '../text'
import type { Io } from './case-verbs'

interface Ports {
  numbers: Map<string, number>
  opts: Pick<TraceOptions, 'ports' | 'tunnelPorts' | 'groups'>
}

/** A file's text, or null after saying why it could not be read. */
function readOrSay(file: string, io: Io): string | null {
  try {
    return readTextFile(file)
  } catch (err) {
    io.err(`sdnwb: ${file}: ${(err as Error).message}\n`)
    return null
  }
}

function readPorts(file: string | undefined, io: Io): Ports | null {
  if (!file) return { numbers: new Map(), opts: {} }
  const text = readOrSay(file, io)
  if (text === null) return null
  const r = parsePortDesc(text)
  const numbered = r.records.flatMap((p) => (typeof p.ofport === 'number' ? [{ name: p.name, n: p.ofport }] : []))
  if (numbered.length === 0) {
    io.err(`sdnwb: ${file} has no port list (the output of ovs-ofctl show BRIDGE or dump-ports-desc BRIDGE)\n`)
    return null
  }
  return {
    numbers: new Map(numbered.map((p) => [p.name, p.n])),
    opts: { ports: new Set(numbered.map((p) => p.n)), tunnelPorts: new Set(numbered.filter((p) => /^(vxlan|geneve|gre|stt)/i.test(p.name)).map((p) => p.n)) }
  }
}

function traceOne(tables: FlowTables, flow: string, ctNext: readonly string[], ports: Ports): { text: string; verdict: string; problems: string[]; json: unknown } {
  const { packet, problems } = packetFromFlow(flow, ports.numbers)
  const r = trace(tables, packet, { ...ports.opts, ctNext })
  const v = traceVerdict(r)
  const text = `${printTrace(r)}\nVerdict: ${v.summary}\n`
  const json = {
    flow,
    ctNext,
    verdict: v.summary,
    passes: r.passes.map((p, i) => ({
      recircId: p.recircId,
      ctState: p.ctState,
      tables: p.nodes.length ? walk(p.nodes) : [],
      outputs: p.outputs.map((o) => ({ port: o.port, tunnel: o.tunnel, table: o.table, flowLine: o.flow.line })),
      verdict: v.passes[i]?.text ?? null
    })),
    unmodelled: r.unmodelled,
    ties: r.ties.map((t) => ({ table: t.table, priority: t.priority, flowLines: t.flows.map((f) => f.line) })),
    errors: r.errors
  }
  return { text, verdict: v.summary, problems, json }
}

/** The tables a pass looked up, in order, with the flow (its line in the dump) that matched. */
function walk(nodes: readonly TraceNode[], out: { table: number; flowLine: number | null; priority: number | null }[] = []) {
  for (const n of nodes) {
    if (n.type === 'table' && n.table !== undefined) out.push({ table: n.table, flowLine: n.flow?.line ?? null, priority: n.flow?.priority ?? null })
    walk(n.subs, out)
  }
  return out
}

export function traceVerb(flowArgs: readonly string[], o: { flows: string | undefined; ports: string | undefined; groups: string | undefined; ctNext: readonly string[]; batch: string | undefined; out: string | undefined; json: boolean }, io: Io): number {
  if (!o.flows) {
    io.err('sdnwb: trace needs --flows DUMP (the ovs-ofctl dump-flows output of the bridge)\n')
    return 1
  }
  const dumpText = readOrSay(o.flows, io)
  if (dumpText === null) return 1
  const dump = parseDumpFlows(dumpText)
  for (const d of dump.diagnostics.slice(0, 20)) io.err(`${o.flows}:${d.line}: ${d.severity}: ${d.message}\n`)
  if (dump.flows.length === 0) {
    io.err(`sdnwb: ${o.flows} holds no flows\n`)
    return 1
  }
  const ports = readPorts(o.ports, io)
  if (!ports) return 1
  if (o.groups) {
    const groupsText = readOrSay(o.groups, io)
    if (groupsText === null) return 1
    const g = parseDumpGroups(groupsText)
    for (const d of g.diagnostics.slice(0, 20)) io.err(`${o.groups}:${d.line}: ${d.severity}: ${d.message}\n`)
    ports.opts.groups = new Map(g.records.map((x) => [x.id, x]))
  }
  const tables = new FlowTables(dump.flows)
  if (o.batch) return batch(tables, ports, o.batch, o.out, o.json, io)
  if (flowArgs.length !== 1) {
    io.err("sdnwb: trace takes one packet in ofproto/trace's flow syntax, e.g. 'in_port=3,tcp,nw_src=10.129.0.2,nw_dst=172.30.0.1,tp_dst=443' (or --batch FILE)\n")
    return 1
  }
  const t = traceOne(tables, flowArgs[0] as string, o.ctNext, ports)
  if (t.problems.length) {
    for (const p of t.problems) io.err(`sdnwb: ${p}\n`)
    return 1
  }
  io.out(o.json ? `${JSON.stringify(t.json, null, 1)}\n` : t.text)
  return 0
}

const safeId = /^[A-Za-z0-9._-]{1,100}$/

function batch(tables: FlowTables, ports: Ports, file: string, outDir: string | undefined, json: boolean, io: Io): number {
  if (!outDir) {
    io.err('sdnwb: --batch needs --out DIR, where each trace is written as <id>.txt\n')
    return 1
  }
  const text = readOrSay(file, io)
  if (text === null) return 1
  mkdirSync(outDir, { recursive: true })
  let failed = 0
  const results: unknown[] = []
  const started = performance.now()
  text.split('\n').forEach((line, i) => {
    if (line.trim() === '') return
    const where = `${file}:${i + 1}`
    let v: unknown
    try {
      v = JSON.parse(line)
    } catch {
      io.err(`${where}: not a JSON object\n`)
      failed++
      return
    }
    const rec = typeof v === 'object' && v !== null ? (v as Record<string, unknown>) : {}
    const id = rec.id
    const flow = rec.flow
    const ct = rec.ct_next ?? []
    if (typeof id !== 'string' || !safeId.test(id) || typeof flow !== 'string' || !Array.isArray(ct) || !ct.every((x) => typeof x === 'string')) {
      io.err(`${where}: needs {"id": a name of letters, digits, . _ -; "flow": a string; "ct_next": a list of states}\n`)
      failed++
      return
    }
    const t = traceOne(tables, flow, ct as string[], ports)
    if (t.problems.length) {
      io.err(`${where}: ${t.problems.join('; ')}\n`)
      failed++
      return
    }
    writeFileSync(join(outDir, `${id}.txt`), t.text)
    results.push(json ? { id, ...(t.json as object) } : { id, verdict: t.verdict })
  })
  const ms = performance.now() - started
  if (json) io.out(`${JSON.stringify(results, null, 1)}\n`)
  else io.out(`${results.length} traced into ${outDir} in ${ms.toFixed(0)} ms${failed ? `, ${failed} lines refused` : ''}\n`)
  return failed ? 1 : 0
}
