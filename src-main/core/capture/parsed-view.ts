import { sdnTableById } from '../sdn/tables'
import { compileFilter, type FilterContext } from '../flows/filter'
import type { Flow } from '../flows/flow'
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

export const flowSortKeys = ['line', 'table', 'priority', 'packets', 'bytes', 'idleAge'] as const

export interface FlowQuery {
  table?: number | null | undefined
  /** Words that must all occur in the flow's text (case-insensitive). */
  text?: string | undefined
  sort?: (typeof flowSortKeys)[number] | undefined
  descending?: boolean | undefined
  offset: number
  limit: number
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
  match: string
  actions: string
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
}

/** A filtered, sorted window of a flow table: the grid asks only for the rows it shows. */
export function flowWindow(flows: readonly Flow[], q: FlowQuery, ctx?: FilterContext): FlowGridWindow {
  const counts = new Map<number, number>()
  for (const f of flows) counts.set(f.table, (counts.get(f.table) ?? 0) + 1)
  const tables = [...counts].sort((a, b) => a[0] - b[0]).map(([table, n]) => ({ table, flows: n, name: sdnTableById.get(table)?.name ?? null }))
  // The filter text: words that must all appear, or an expression (table=90 && n_packets>0, vnid=0x…, node=…).
  const text = (q.text ?? '').trim()
  const filter = text === '' ? null : compileFilter(text, ctx)
  if (filter && 'message' in filter) return { total: 0, all: flows.length, tables, offset: 0, rows: [], filterError: filter }
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
        default: return f.line
      }
    }
    const dir = q.descending ? -1 : 1
    idx = idx.sort((a, b) => (val(flows[a] as Flow) - val(flows[b] as Flow)) * dir || a - b)
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
      match: f.matchText,
      actions: f.actionsText
    }
  })
  return { total: idx.length, all: flows.length, tables, offset, rows, filterError: null }
}

export function firstDiagnostics(d: readonly Diagnostic[], n = 200): Diagnostic[] {
  return d.slice(0, n)
}
