// The diff as a person reads it between two long tables: each change with a few unchanged flows around it for
// context, the unchanged runs between changes collapsed into one line ("412 unchanged flows") that can be opened,
// and an overview rail: where each change sits in the whole table order, so the shape of the diff is seen at once.
import type { DiffRow, DiffRowKind } from './diff-view'
import type { Flow } from './flow'

/** One key of a table in diff order (priority high to low, then canonical match), with its flow on each side. */
export interface OrderedKey {
  key: string
  priority: number
  match: string
  a: Flow | null
  b: Flow | null
}

export type DiffItem =
  | { type: 'change'; row: DiffRow }
  | { type: 'same'; table: number; priority: number; match: string; actions: string; packets: number | null; lineA: number | null; lineB: number | null }
  | { type: 'gap'; table: number; count: number; id: string }

export interface RailMark {
  kind: DiffRowKind
  /** Where the change is in the whole order of both tables (0 = first flow of the first table, 1 = the end). */
  at: number
  /** Its index in the items. */
  item: number
}

export const keyOf = (table: number, priority: number, match: string) => `${table}|${priority}|${match}`

/** Both sides' flows per table, in the order the diff lists them. */
export function tableOrders(a: readonly Flow[], b: readonly Flow[]): Map<number, OrderedKey[]> {
  const byKey = new Map<string, OrderedKey & { table: number }>()
  const add = (f: Flow, side: 'a' | 'b') => {
    const key = keyOf(f.table, f.priority, f.matchCanon)
    const k = byKey.get(key) ?? { key, table: f.table, priority: f.priority, match: f.matchCanon, a: null, b: null }
    k[side] = f
    byKey.set(key, k)
  }
  for (const f of a) add(f, 'a')
  for (const f of b) add(f, 'b')
  const tables = new Map<number, OrderedKey[]>()
  for (const k of byKey.values()) {
    const list = tables.get(k.table)
    if (list) list.push(k)
    else tables.set(k.table, [k])
  }
  // Code-point order (localeCompare is ~20x slower on 100k keys); withContext places rows by these positions.
  for (const list of tables.values()) list.sort((x, y) => y.priority - x.priority || (x.match < y.match ? -1 : x.match > y.match ? 1 : 0))
  return new Map([...tables].sort((x, y) => x[0] - y[0]))
}

/**
 * The rows to show (already filtered, in diff order) with `context` unchanged flows before and after each change and
 * the rest of each table collapsed into gaps; a gap whose id is in `expanded` is shown whole. `changed` holds the key
 * of every difference of the diff (shown or filtered out): those are never shown as unchanged context.
 */
export function withContext(given: readonly DiffRow[], orders: Map<number, OrderedKey[]>, changed: ReadonlySet<string>, context: number, expanded: ReadonlySet<string>): { items: DiffItem[]; rail: RailMark[] } {
  const items: DiffItem[] = []
  const rail: RailMark[] = []
  const offsets = new Map<number, number>()
  let total = 0
  for (const [t, list] of orders) {
    offsets.set(t, total)
    total += list.length
  }
  const position = new Map<string, number>()
  for (const list of orders.values()) list.forEach((k, i) => position.set(k.key, i))
  const tableRank = new Map([...orders.keys()].map((t, i) => [t, i]))
  const posOf = (r: DiffRow) => position.get(keyOf(r.table, r.priority, r.match)) ?? 0
  // In the order of the keys: table by table, each table's rows by their place in it.
  const sorted = [...given].sort((x, y) => (tableRank.get(x.table) ?? 0) - (tableRank.get(y.table) ?? 0) || posOf(x) - posOf(y))
  const rows = sorted

  const same = (table: number, k: OrderedKey): DiffItem => {
    const f = (k.b ?? k.a) as Flow
    return { type: 'same', table, priority: k.priority, match: k.match, actions: f.actionsText, packets: f.packets, lineA: k.a?.line ?? null, lineB: k.b?.line ?? null }
  }
  /** Keys from..to (inclusive) of a table: context lines, or one gap (whole when expanded). */
  const fill = (table: number, list: readonly OrderedKey[], from: number, to: number, asContext: boolean) => {
    if (to < from) return
    const id = `${table}:${from}`
    if (asContext || expanded.has(id)) {
      for (let i = from; i <= to; i++) {
        const k = list[i] as OrderedKey
        if (!changed.has(k.key)) items.push(same(table, k))
      }
    } else items.push({ type: 'gap', table, count: to - from + 1, id })
  }

  let i = 0
  while (i < rows.length) {
    const table = (rows[i] as DiffRow).table
    const list = orders.get(table) ?? []
    let shown = -1
    for (; i < rows.length && (rows[i] as DiffRow).table === table; i++) {
      const r = rows[i] as DiffRow
      const p = position.get(keyOf(r.table, r.priority, r.match)) ?? shown + 1
      const start = Math.max(shown + 1, p - context)
      fill(table, list, shown + 1, start - 1, false)
      fill(table, list, start, p - 1, true)
      rail.push({ kind: r.kind, at: total ? ((offsets.get(table) ?? 0) + p) / total : 0, item: items.length })
      items.push({ type: 'change', row: r })
      // The context after this change reaches to the next change when they are close.
      const next = rows[i + 1]
      const nextP = next && next.table === table ? (position.get(keyOf(next.table, next.priority, next.match)) ?? p + 1) : list.length
      const end = Math.min(p + context, nextP - 1)
      fill(table, list, p + 1, end, true)
      shown = end
    }
    fill(table, list, shown + 1, list.length - 1, false)
  }
  return { items, rail }
}
