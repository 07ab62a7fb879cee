import { type CanonOptions } from './actions'
import { canonicalFlowActions, flowKey, type Flow } from './flow'

export type FlowChange = 'actions' | 'cookie' | 'timeouts' | 'importance'

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

/** A 32-bit hash of a flow key: table, priority and the canonical match text. */
function keyHash(table: number, priority: number, match: string): number {
  let h = Math.imul(table + 1, 0x9e3779b1) ^ Math.imul(priority + 1, 0x85ebca77)
  for (let i = 0; i < match.length; i++) h = Math.imul(h ^ match.charCodeAt(i), 0x01000193)
  return h ^ (h >>> 15)
}

/**
 * The flows of the first side by key (table, priority, canonical match), in an open-addressing table
 * of flow indexes: no Map, no key string kept per flow (at 100,000 flows both cost more than the
 * comparison itself). A later flow with the key of an earlier one replaces it, as on a switch.
 */
class FlowIndex {
  private readonly slots: Int32Array
  private readonly hashes: Int32Array
  private readonly mask: number
  /** False for a flow replaced by a later one with the same key (a hand-made file's duplicate). */
  readonly live: Uint8Array

  constructor(readonly flows: readonly Flow[], dups: FlowDiff['duplicates']) {
    const n = flows.length
    let cap = 16
    while (cap < n * 2) cap *= 2
    this.mask = cap - 1
    this.slots = new Int32Array(cap).fill(-1)
    this.hashes = new Int32Array(n)
    this.live = new Uint8Array(n).fill(1)
    for (let i = 0; i < n; i++) {
      const f = flows[i] as Flow
      const match = f.matchCanon
      const h = keyHash(f.table, f.priority, match)
      this.hashes[i] = h
      let s = h & this.mask
      for (;;) {
        const c = this.slots[s] as number
        if (c === -1) {
          this.slots[s] = i
          break
        }
        const g = flows[c] as Flow
        if (this.hashes[c] === h && g.table === f.table && g.priority === f.priority && g.matchCanon === match) {
          this.slots[s] = i
          this.live[c] = 0
          const key = flowKey(f)
          const d = dups.find((x) => x.side === 'before' && x.key === key)
          if (d) d.lines.push(f.line)
          else dups.push({ side: 'before', key, lines: [g.line, f.line] })
          break
        }
        s = (s + 1) & this.mask
      }
    }
  }

  /** Index of the flow with this key, or -1. */
  find(table: number, priority: number, match: string): number {
    const h = keyHash(table, priority, match)
    for (let s = h & this.mask; ; s = (s + 1) & this.mask) {
      const c = this.slots[s] as number
      if (c === -1) return -1
      const g = this.flows[c] as Flow
      if (this.hashes[c] === h && g.table === table && g.priority === priority && g.matchCanon === match) return c
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
/** How far the in-order walk looks for the next pair before it moves on (flows added or removed there). */
const lookAhead = 8

export function diffFlows(before: readonly Flow[], after: readonly Flow[], opts: FlowDiffOptions = {}): FlowDiff {
  const duplicates: FlowDiff['duplicates'] = []
  const a = new FlowIndex(before, duplicates)
  const tables = new Map<number, TableDiff>()
  const totals = { added: 0, removed: 0, changed: 0, moved: 0, unchanged: 0 }

  // Pair every flow of B with its flow of A (one index, of A, is built). The last of several B
  // flows with the same key wins, as it would on a switch; B flows not in A are indexed apart.
  const pairOf = new Int32Array(before.length).fill(-1)
  const onlyInB = new Map<string, number>()
  const bDup = (key: string, first: number, j: number) => {
    const d = duplicates.find((x) => x.side === 'after' && x.key === key)
    if (d) d.lines.push((after[j] as Flow).line)
    else duplicates.push({ side: 'after', key, lines: [(after[first] as Flow).line, (after[j] as Flow).line] })
  }
  // Two dumps of one switch list their flows in nearly the same order: walk both, and pair flows at
  // the same place (or a few flows further on either side) without a lookup. The rest is looked up.
  const alignedB = new Int32Array(after.length).fill(-1)
  const same = (i: number, j: number) => {
    const fa = before[i] as Flow
    const fb = after[j] as Flow
    return a.live[i] === 1 && fa.table === fb.table && fa.priority === fb.priority && fa.matchCanon === fb.matchCanon
  }
  for (let i = 0, j = 0; i < before.length && j < after.length; ) {
    if (same(i, j)) {
      alignedB[j++] = i++
      continue
    }
    let k = 1
    for (; k <= lookAhead; k++) {
      if (j + k < after.length && same(i, j + k)) {
        j += k
        break
      }
      if (i + k < before.length && same(i + k, j)) {
        i += k
        break
      }
    }
    if (k > lookAhead) {
      i++
      j++
    }
  }
  for (let j = 0; j < after.length; j++) {
    const fb = after[j] as Flow
    const i = alignedB[j] !== -1 ? (alignedB[j] as number) : a.find(fb.table, fb.priority, fb.matchCanon)
    if (i >= 0) {
      const prev = pairOf[i] as number
      if (prev >= 0) bDup(flowKey(fb), prev, j)
      pairOf[i] = j
      continue
    }
    const key = flowKey(fb)
    const prev = onlyInB.get(key)
    if (prev !== undefined) bDup(key, prev, j)
    onlyInB.set(key, j)
  }

  for (let i = 0; i < before.length; i++) {
    if (a.live[i] === 0) continue
    const fa = before[i] as Flow
    const j = pairOf[i] as number
    if (j < 0) {
      tableOf(tables, fa.table).removed.push(entry(fa, null, [], null))
      totals.removed++
      continue
    }
    const fb = after[j] as Flow
    let changes: FlowChange[] | null = null
    if (fa.actionsText !== fb.actionsText && canonicalFlowActions(fa, opts) !== canonicalFlowActions(fb, opts)) (changes ??= []).push('actions')
    if (fa.cookie !== fb.cookie) (changes ??= []).push('cookie')
    if (fa.more !== null || fb.more !== null) {
      if ((fa.more?.idleTimeout ?? 0) !== (fb.more?.idleTimeout ?? 0) || (fa.more?.hardTimeout ?? 0) !== (fb.more?.hardTimeout ?? 0)) (changes ??= []).push('timeouts')
      // ovs-ofctl diff-flows compares importance too (fte_version_equals); flags it cannot read back, so neither do we.
      if ((fa.more?.importance ?? 0) !== (fb.more?.importance ?? 0)) (changes ??= []).push('importance')
    }
    if (changes === null && fa.packets !== null && fa.packets === fb.packets) {
      // Nothing moved: no delta object for the usual flow (unless it was re-added in between).
      const da = fa.duration
      const db = fb.duration
      if (da === null || db === null || db >= da) {
        tableOf(tables, fb.table).unchanged++
        totals.unchanged++
        continue
      }
    }
    const counters = counterDelta(fa, fb)
    const t = tableOf(tables, fb.table)
    if (changes !== null) {
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
  for (const j of onlyInB.values()) {
    const fb = after[j] as Flow
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
