import { sdnTableById } from '../sdn/tables'
import { compileFilter, type FilterContext } from '../flows/filter'
import type { Flow } from '../flows/flow'
import { canonicalMatch } from '../flows/match'
import type { OfprotoTrace } from '../parse/ofproto-trace'
import type { Diagnostic } from '../parse/diagnostics'
import { parseOutput, parserForCommand, parserIds, type ParsedOutput, type ParserId, type ParserMatch } from '../parse/registry'

/** The parser a capture uses: the set's choice, else the one its command line selects. */
export function parserFor(command: string, override: string | null | undefined): ParserMatch | null {
  const id = override ? parserIds.find((x) => x === override) : undefined
  if (id) return { id, options: {} }
  return parserForCommand(command)
}

export function parseCapture(command: string, text: string, override?: string | null): ParsedOutput | null {
  const p = parserFor(command, override)
  return p ? parseOutput(p.id, text, p.options) : null
}

export const flowSortKeys = ['line', 'table', 'priority', 'packets', 'bytes', 'duration', 'idleAge', 'rate'] as const

export interface FlowQuery {
  table?: number | null | undefined
  /** Words that must all occur in the flow's text (case-insensitive). */
  text?: string | undefined
  sort?: (typeof flowSortKeys)[number] | undefined
  descending?: boolean | undefined
  offset: number
  limit: number
}

/** Packets per second of each flow (by index) against an earlier dump of the same bridge; null where unknown. */
export interface FlowRates {
  rates: (number | null)[]
  /** The highest rate: the heat map's scale. */
  max: number
  /** Seconds between the two dumps. */
  seconds: number
  /** The earlier capture. */
  captureId: number
  startedAt: string
}

/**
 * Each flow's packet rate between an earlier dump and this one, keyed as diff-flows keys flows (table, priority,
 * match). A flow re-added in between (its duration shorter than the gap, or counters that went down) and a flow new
 * since then are rated over their own duration; without a duration they have no rate.
 */
export function flowRates(flows: readonly Flow[], earlier: readonly Flow[], seconds: number, basis: { captureId: number; startedAt: string }): FlowRates {
  const before = new Map<string, Flow>()
  for (const f of earlier) before.set(`${f.table}|${f.priority}|${f.matchCanon}`, f)
  let max = 0
  const rates = flows.map((f) => {
    if (f.packets === null || seconds <= 0) return null
    const b = before.get(`${f.table}|${f.priority}|${f.matchCanon}`)
    const own = f.duration !== null && f.duration > 0 && f.duration < seconds ? f.packets / f.duration : null
    const r = b && b.packets !== null && f.packets >= b.packets && (f.duration === null || f.duration >= seconds) ? (f.packets - b.packets) / seconds : own
    if (r !== null && r > max) max = r
    return r
  })
  return { rates, max, seconds, ...basis }
}

export interface FlowGridRow {
  index: number
  line: number
  table: number
  priority: number
  cookie: string
  packets: number | null
  bytes: number | null
  idleAge: number | null
  /** Seconds the flow has been in the table. */
  duration: number | null
  match: string
  actions: string
  /** Packets per second since the earlier dump (see FlowGridWindow.rates); null when unknown or no earlier dump. */
  rate: number | null
}

export interface FlowGridWindow {
  total: number
  all: number
  /** Each table's flow count and, for openshift-sdn's tables, what it is for. */
  tables: { table: number; flows: number; name: string | null }[]
  /** Why the filter text cannot be read (where, and what), or null. */
  filterError: { at: number; message: string } | null
  offset: number
  rows: FlowGridRow[]
  /** What the rates are measured against, and the heat map's scale; null without an earlier dump of the bridge. */
  rates: { captureId: number; startedAt: string; seconds: number; max: number } | null
}

/** A filtered, sorted window of a flow table: the grid asks only for the rows it shows. */
/**
 * `display`: the flows as the capture wrote them when `flows` are the same flows rewritten for filtering (a --names
 * dump with its port names as numbers): rows show the written text.
 */
export function flowWindow(flows: readonly Flow[], q: FlowQuery, ctx?: FilterContext, rated?: FlowRates | null, display?: readonly Flow[]): FlowGridWindow {
  const rateInfo = rated ? { captureId: rated.captureId, startedAt: rated.startedAt, seconds: rated.seconds, max: rated.max } : null
  const counts = new Map<number, number>()
  for (const f of flows) counts.set(f.table, (counts.get(f.table) ?? 0) + 1)
  const tables = [...counts].sort((a, b) => a[0] - b[0]).map(([table, n]) => ({ table, flows: n, name: sdnTableById.get(table)?.name ?? null }))
  // The filter text: words that must all appear, or an expression (table=90 && n_packets>0, vnid=0x…, node=…).
  const text = (q.text ?? '').trim()
  const filter = text === '' ? null : compileFilter(text, ctx)
  if (filter && 'message' in filter) return { total: 0, all: flows.length, tables, offset: 0, rows: [], filterError: filter, rates: rateInfo }
  const test = filter?.test ?? null
  let idx: number[] = []
  for (let i = 0; i < flows.length; i++) {
    const f = flows[i] as Flow
    if (q.table != null && f.table !== q.table) continue
    if (test && !test(f)) continue
    idx.push(i)
  }
  const key = q.sort ?? 'line'
  if (key !== 'line' || q.descending) {
    const val = (f: Flow): number => {
      switch (key) {
        case 'table': return f.table * 100_000 + (65_535 - f.priority)
        case 'priority': return f.priority
        case 'packets': return f.packets ?? -1
        case 'bytes': return f.bytes ?? -1
        case 'idleAge': return f.more?.idleAge ?? -1
        case 'duration': return f.duration ?? -1
        default: return f.line
      }
    }
    const dir = q.descending ? -1 : 1
    const rates = rated?.rates
    if (key === 'rate') idx = idx.sort((a, b) => ((rates?.[a] ?? -1) - (rates?.[b] ?? -1)) * dir || a - b)
    else idx = idx.sort((a, b) => (val(flows[a] as Flow) - val(flows[b] as Flow)) * dir || a - b)
  }
  const offset = Math.max(0, Math.min(q.offset, idx.length))
  const rows = idx.slice(offset, offset + q.limit).map((i) => {
    const f = flows[i] as Flow
    return {
      index: i,
      line: f.line,
      table: f.table,
      priority: f.priority,
      cookie: f.cookie,
      packets: f.packets,
      bytes: f.bytes,
      idleAge: f.more?.idleAge ?? null,
      duration: f.duration,
      match: (display?.[i] ?? f).matchText,
      actions: (display?.[i] ?? f).actionsText,
      rate: rated?.rates[i] ?? null
    }
  })
  return { total: idx.length, all: flows.length, tables, offset, rows, filterError: null, rates: rateInfo }
}

export function firstDiagnostics(d: readonly Diagnostic[], n = 200): Diagnostic[] {
  return d.slice(0, n)
}

/**
 * For each step of an ofproto/trace (pass by pass), the flow of a dump of the same bridge it matched: by table,
 * priority and canonical match, as diff-flows keys flows. null where the dump has no such flow (it changed since).
 */
export function traceFlowLinks(trace: Pick<OfprotoTrace, 'passes'>, flows: readonly Flow[]): (number | null)[][] {
  const byKey = new Map<string, number>()
  flows.forEach((f, i) => byKey.set(`${f.table}|${f.priority}|${f.matchCanon}`, i))
  return trace.passes.map((p) =>
    p.steps.map((s) => {
      if (s.match === null || s.priority === null) return null
      const canon = s.match === '' ? '' : canonicalMatch(s.match.split(',')).canon
      return byKey.get(`${s.table}|${s.priority}|${canon}`) ?? null
    })
  )
}
