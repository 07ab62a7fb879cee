import { canonicalActions, type CanonOptions } from './actions'
import { flowActions, flowKey, type Flow } from './flow'

export type FlowChange = 'actions' | 'cookie' | 'timeouts'

export interface CounterDelta {
  packets: number | null
  bytes: number | null
  /** Seconds between the two dumps of this flow (difference of durations). */
  seconds: number | null
  packetsPerSecond: number | null
  bytesPerSecond: number | null
  /** The flow was re-added between the dumps (its duration went down): deltas are its new totals. */
  reset: boolean
}

export interface FlowDiffEntry {
  key: string
  table: number
  priority: number
  matchCanon: string
  before: Flow | null
  after: Flow | null
  changes: FlowChange[]
  counters: CounterDelta | null
}

export interface TableDiff {
  table: number
  added: FlowDiffEntry[]
  removed: FlowDiffEntry[]
  changed: FlowDiffEntry[]
  /** Flows present and unchanged in both whose packet counters moved. */
  moved: FlowDiffEntry[]
  unchanged: number
}

export interface FlowDiff {
  tables: TableDiff[]
  totals: { added: number; removed: number; changed: number; moved: number; unchanged: number }
  /** Keys that appear more than once in one input (a dump never has them; a hand-made file may). */
  duplicates: { side: 'before' | 'after'; key: string; lines: number[] }[]
}

export interface FlowDiffOptions extends CanonOptions {}

/**
 * Flows by match text, then table and priority. Keyed on the existing matchCanon string: building a
 * "table priority match" key per flow costs more than the whole comparison at 100k flows.
 */
class FlowIndex {
  private readonly byMatch = new Map<string, Flow | Flow[]>()

  constructor(flows: readonly Flow[], side: 'before' | 'after', dups: FlowDiff['duplicates']) {
    for (const f of flows) {
      const prev = this.get(f)
      if (prev) {
        const k = flowKey(f)
        const d = dups.find((x) => x.side === side && x.key === k)
        if (d) d.lines.push(f.line)
        else dups.push({ side, key: k, lines: [prev.line, f.line] })
        this.replace(prev, f)
        continue
      }
      const slot = this.byMatch.get(f.matchCanon)
      if (slot === undefined) this.byMatch.set(f.matchCanon, f)
      else if (Array.isArray(slot)) slot.push(f)
      else this.byMatch.set(f.matchCanon, [slot, f])
    }
  }

  get(f: Pick<Flow, 'table' | 'priority' | 'matchCanon'>): Flow | undefined {
    const slot = this.byMatch.get(f.matchCanon)
    if (slot === undefined) return undefined
    if (!Array.isArray(slot)) return slot.table === f.table && slot.priority === f.priority ? slot : undefined
    return slot.find((x) => x.table === f.table && x.priority === f.priority)
  }

  private replace(prev: Flow, next: Flow): void {
    const slot = this.byMatch.get(prev.matchCanon)
    if (Array.isArray(slot)) slot[slot.indexOf(prev)] = next
    else this.byMatch.set(prev.matchCanon, next)
  }

  *flows(): IterableIterator<Flow> {
    for (const slot of this.byMatch.values()) {
      if (Array.isArray(slot)) yield* slot
      else yield slot
    }
  }
}

function counterDelta(a: Flow, b: Flow): CounterDelta | null {
  if (a.packets === null || b.packets === null) return null
  const reset = a.duration !== null && b.duration !== null && b.duration < a.duration
  const packets = reset ? b.packets : b.packets - a.packets
  const bytes = a.bytes === null || b.bytes === null ? null : reset ? b.bytes : b.bytes - a.bytes
  const seconds = a.duration === null || b.duration === null ? null : reset ? b.duration : b.duration - a.duration
  const rate = (n: number | null) => (n === null || seconds === null || seconds <= 0 ? null : n / seconds)
  return { packets, bytes, seconds, packetsPerSecond: rate(packets), bytesPerSecond: rate(bytes), reset }
}

function tableOf(tables: Map<number, TableDiff>, t: number): TableDiff {
  let d = tables.get(t)
  if (!d) {
    d = { table: t, added: [], removed: [], changed: [], moved: [], unchanged: 0 }
    tables.set(t, d)
  }
  return d
}

const entry = (before: Flow | null, after: Flow | null, changes: FlowChange[], counters: CounterDelta | null): FlowDiffEntry => {
  const f = (after ?? before) as Flow
  return { key: flowKey(f), table: f.table, priority: f.priority, matchCanon: f.matchCanon, before, after, changes, counters }
}

/**
 * Compares two flow tables the way `ovs-ofctl diff-flows` does: flows keyed by table, priority and
 * match; a flow in both differs when its actions, cookie or timeouts differ. Durations, counters and
 * ages never count as a change; the counter deltas are reported for flows in both.
 */
export function diffFlows(before: readonly Flow[], after: readonly Flow[], opts: FlowDiffOptions = {}): FlowDiff {
  const duplicates: FlowDiff['duplicates'] = []
  const a = new FlowIndex(before, 'before', duplicates)
  const b = new FlowIndex(after, 'after', duplicates)
  const tables = new Map<number, TableDiff>()
  const totals = { added: 0, removed: 0, changed: 0, moved: 0, unchanged: 0 }

  for (const fa of a.flows()) {
    const fb = b.get(fa)
    if (!fb) {
      tableOf(tables, fa.table).removed.push(entry(fa, null, [], null))
      totals.removed++
      continue
    }
    const changes: FlowChange[] = []
    if (fa.actionsText !== fb.actionsText && canonicalActions(flowActions(fa), opts) !== canonicalActions(flowActions(fb), opts)) changes.push('actions')
    if (fa.cookie !== fb.cookie) changes.push('cookie')
    if ((fa.more?.idleTimeout ?? 0) !== (fb.more?.idleTimeout ?? 0) || (fa.more?.hardTimeout ?? 0) !== (fb.more?.hardTimeout ?? 0)) changes.push('timeouts')
    const counters = counterDelta(fa, fb)
    const t = tableOf(tables, fb.table)
    if (changes.length > 0) {
      t.changed.push(entry(fa, fb, changes, counters))
      totals.changed++
    } else if (counters && (counters.packets !== 0 || counters.reset)) {
      t.moved.push(entry(fa, fb, [], counters))
      totals.moved++
    } else {
      t.unchanged++
      totals.unchanged++
    }
  }
  for (const fb of b.flows()) {
    if (a.get(fb)) continue
    tableOf(tables, fb.table).added.push(entry(null, fb, [], null))
    totals.added++
  }
  const byOrder = (x: FlowDiffEntry, y: FlowDiffEntry) => y.priority - x.priority || (x.matchCanon < y.matchCanon ? -1 : x.matchCanon > y.matchCanon ? 1 : 0)
  for (const t of tables.values()) {
    t.added.sort(byOrder)
    t.removed.sort(byOrder)
    t.changed.sort(byOrder)
    t.moved.sort((x, y) => (y.counters?.packets ?? 0) - (x.counters?.packets ?? 0))
  }
  return { tables: [...tables.values()].sort((x, y) => x.table - y.table), totals, duplicates }
}
