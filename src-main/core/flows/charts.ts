// The numbers of a case's flow dumps that are worth a chart: flows per table per node (a node missing a table's
// flows stands out against the others), a node's top counters, and its tables' default-drop counters across its
// dumps over time (drops that keep rising are a fault in progress). Pure; the backend picks the dumps.
import { sdnTableById } from '../sdn/tables'
import type { Flow } from './flow'

export interface ChartDump {
  captureId: number
  host: string
  startedAt: string
  flows: readonly Flow[]
}

export interface FlowsPerTable {
  /** Every table any of the dumps has, ascending, with its openshift-sdn name. */
  tables: { table: number; name: string | null }[]
  /** One per node (its newest dump): the flow count of each table, in `tables` order. */
  nodes: { host: string; captureId: number; startedAt: string; counts: number[] }[]
}

export interface TopCounter {
  line: number
  table: number
  priority: number
  match: string
  actions: string
  packets: number
  bytes: number | null
  drops: boolean
}

export interface DropSeries {
  /** Tables that have a default drop (priority 0, every packet, drop) in some dump, ascending. */
  tables: { table: number; name: string | null }[]
  /** One per dump, oldest first: each table's default-drop packet counter (null: the dump has no such flow). */
  points: { captureId: number; at: string; packets: (number | null)[] }[]
}

const isDefaultDrop = (f: Flow) => f.priority === 0 && f.matchCanon === '' && f.actionsText.trim() === 'drop'

export function flowsPerTable(dumps: readonly ChartDump[]): FlowsPerTable {
  const all = new Set<number>()
  const per = dumps.map((d) => {
    const m = new Map<number, number>()
    for (const f of d.flows) {
      m.set(f.table, (m.get(f.table) ?? 0) + 1)
      all.add(f.table)
    }
    return { d, m }
  })
  const tables = [...all].sort((a, b) => a - b)
  return {
    tables: tables.map((t) => ({ table: t, name: sdnTableById.get(t)?.name ?? null })),
    nodes: per.map(({ d, m }) => ({ host: d.host, captureId: d.captureId, startedAt: d.startedAt, counts: tables.map((t) => m.get(t) ?? 0) }))
  }
}

/** The flows that counted the most packets (a partial selection: no full sort of 100k flows). */
export function topCounters(flows: readonly Flow[], n = 15): TopCounter[] {
  const top: Flow[] = []
  for (const f of flows) {
    if (f.packets === null || f.packets <= 0) continue
    if (top.length < n) {
      top.push(f)
      top.sort((a, b) => (b.packets ?? 0) - (a.packets ?? 0))
    } else if (f.packets > (top[n - 1]?.packets ?? 0)) {
      top[n - 1] = f
      top.sort((a, b) => (b.packets ?? 0) - (a.packets ?? 0))
    }
  }
  return top.map((f) => ({ line: f.line, table: f.table, priority: f.priority, match: f.matchText, actions: f.actionsText, packets: f.packets ?? 0, bytes: f.bytes, drops: /(^|,)drop$/.test(f.actionsText.trim()) }))
}

/** A node's default-drop counters across its dumps (give them oldest first). */
export function dropSeries(dumps: readonly ChartDump[]): DropSeries {
  const per = dumps.map((d) => {
    const m = new Map<number, number | null>()
    for (const f of d.flows) if (isDefaultDrop(f)) m.set(f.table, f.packets)
    return { d, m }
  })
  const tables = [...new Set(per.flatMap(({ m }) => [...m.keys()]))].sort((a, b) => a - b)
  return {
    tables: tables.map((t) => ({ table: t, name: sdnTableById.get(t)?.name ?? null })),
    points: per.map(({ d, m }) => ({ captureId: d.captureId, at: d.startedAt, packets: tables.map((t) => m.get(t) ?? null) }))
  }
}
