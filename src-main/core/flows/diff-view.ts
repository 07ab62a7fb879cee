// The rows a diff view shows: the keyed diff (diff.ts) laid out by table, each row with what changed marked
// inside its text, counter-only movement kept apart, and in a node-vs-node comparison the differences every
// node legitimately has (its own subnet and gateway, its local pods, the HostSubnet cookies) set apart.
import type { FlowDiff, FlowDiffEntry } from './diff'
import { canonicalFlowActions, type Flow } from './flow'
import { sdnTableById } from '../sdn/tables'

export type DiffRowKind = 'removed' | 'added' | 'changed' | 'moved'

/** A piece of a text, and whether it differs from the other side. */
export interface TextPiece {
  text: string
  differs: boolean
}

export interface DiffSide {
  line: number
  cookie: string
  actions: string
  packets: number | null
  bytes: number | null
  duration: number | null
  /** `actions` cut at the differences from the other side (changed rows only). */
  pieces: TextPiece[] | null
}

export interface DiffRow {
  index: number
  kind: DiffRowKind
  table: number
  priority: number
  match: string
  changes: string[]
  before: DiffSide | null
  after: DiffSide | null
  packetsDelta: number | null
  packetsPerSecond: number | null
  /** Node vs node: why this difference is one every node has (its own subnet, its pods…), or null when it matters. */
  perNode: string | null
}

export interface DiffTableSummary {
  table: number
  name: string
  added: number
  removed: number
  changed: number
  moved: number
  unchanged: number
}

export interface DiffModel {
  rows: DiffRow[]
  tables: DiffTableSummary[]
  totals: FlowDiff['totals'] & { perNode: number }
}

/** What is the node's own on each side, for a node-vs-node comparison. */
export interface NodeIdentity {
  /** The node's own pod subnet ("10.128.0.0/23") and gateway ("10.128.0.1"). */
  subnet: string | null
  gateway: string | null
  /** Its local pods' IPs. */
  podIPs: readonly string[]
  /** The node's own IP (table 100's DNS flows send to it). */
  nodeIP: string | null
}

const words = (s: string) => s.split(/(?<=[,()])|(?=[,()])/)

/** The actions of `a` cut into pieces that `b` also has (in order) and pieces it does not: a word-level LCS. */
export function diffPieces(a: string, b: string): TextPiece[] {
  const x = words(a)
  const y = words(b)
  // Long action lists are rare; beyond 400 words mark the whole text rather than spend quadratic time.
  if (x.length * y.length > 160_000) return [{ text: a, differs: a !== b }]
  const dp: number[][] = Array.from({ length: x.length + 1 }, () => new Array<number>(y.length + 1).fill(0))
  for (let i = x.length - 1; i >= 0; i--) for (let j = y.length - 1; j >= 0; j--) (dp[i] as number[])[j] = x[i] === y[j] ? ((dp[i + 1] as number[])[j + 1] as number) + 1 : Math.max((dp[i + 1] as number[])[j] as number, (dp[i] as number[])[j + 1] as number)
  const out: TextPiece[] = []
  const push = (text: string, differs: boolean) => {
    const last = out[out.length - 1]
    if (last && last.differs === differs) last.text += text
    else out.push({ text, differs })
  }
  let i = 0
  let j = 0
  while (i < x.length) {
    if (j < y.length && x[i] === y[j]) {
      push(x[i] as string, false)
      i++
      j++
    } else if (j < y.length && ((dp[i] as number[])[j + 1] as number) >= ((dp[i + 1] as number[])[j] as number)) j++
    else push(x[i++] as string, true)
  }
  return out
}

function side(f: Flow, other: Flow | null, changed: boolean): DiffSide {
  const actions = canonicalFlowActions(f)
  return {
    line: f.line,
    cookie: f.cookie,
    actions,
    packets: f.packets,
    bytes: f.bytes,
    duration: f.duration,
    pieces: changed && other ? diffPieces(actions, canonicalFlowActions(other)) : null
  }
}

/** Why a difference between two nodes' tables is the node's own (not a fault), or null. */
function perNodeReason(e: FlowDiffEntry, kind: DiffRowKind, a: NodeIdentity | null, b: NodeIdentity | null): string | null {
  if (!a || !b) return null
  const text = `${e.matchCanon} ${e.before ? canonicalFlowActions(e.before) : ''} ${e.after ? canonicalFlowActions(e.after) : ''}`
  const mentions = (v: string | null) => v !== null && new RegExp(`(^|[=,\\s>])${v.replace(/[./]/g, (c) => `\\${c}`)}([,\\s/]|$)`).test(text)
  if (mentions(a.subnet) || mentions(b.subnet)) return 'the node\'s own subnet'
  if (mentions(a.gateway) || mentions(b.gateway)) return 'the node\'s own gateway'
  if (mentions(a.nodeIP) || mentions(b.nodeIP)) return 'the node\'s own IP'
  if (e.table === 111) return 'the multicast fan-out (each node sends to the others)'
  if ([...a.podIPs, ...b.podIPs].some((ip) => mentions(ip))) return 'a pod local to one of the nodes'
  // The flows towards the other node (tables 10, 50, 90): each node has them for every node but itself.
  if ([10, 50, 90].includes(e.table) && kind !== 'changed') return 'the flows for the other node (each node has them for every node but itself)'
  if (kind === 'changed' && e.changes.length === 1 && e.changes[0] === 'cookie') return 'a HostSubnet cookie'
  return null
}

/**
 * The rows of a diff, table by table (priority high to low, then match), each kind in one row; counter-only
 * movement (`moved`) is a row too, marked so a view can show or hide it. `nodes` makes it a node-vs-node view.
 */
export function diffModel(d: FlowDiff, nodes: { a: NodeIdentity; b: NodeIdentity } | null = null): DiffModel {
  const rows: DiffRow[] = []
  const tables: DiffTableSummary[] = []
  let perNode = 0
  // Two nodes' counters say nothing about each other: a flow both have is the same flow.
  const moves = nodes === null
  for (const t of [...d.tables].sort((x, y) => x.table - y.table)) {
    const entries: [FlowDiffEntry, DiffRowKind][] = [
      ...t.removed.map((e): [FlowDiffEntry, DiffRowKind] => [e, 'removed']),
      ...t.added.map((e): [FlowDiffEntry, DiffRowKind] => [e, 'added']),
      ...t.changed.map((e): [FlowDiffEntry, DiffRowKind] => [e, 'changed']),
      ...(moves ? t.moved.map((e): [FlowDiffEntry, DiffRowKind] => [e, 'moved']) : [])
    ]
    entries.sort(([a], [b]) => b.priority - a.priority || a.matchCanon.localeCompare(b.matchCanon))
    for (const [e, kind] of entries) {
      const reason = kind === 'moved' ? null : perNodeReason(e, kind, nodes?.a ?? null, nodes?.b ?? null)
      if (reason) perNode++
      rows.push({
        index: rows.length,
        kind,
        table: e.table,
        priority: e.priority,
        match: e.matchCanon,
        changes: e.changes,
        before: e.before ? side(e.before, e.after, kind === 'changed') : null,
        after: e.after ? side(e.after, e.before, kind === 'changed') : null,
        packetsDelta: e.counters?.packets ?? null,
        packetsPerSecond: e.counters?.packetsPerSecond ?? null,
        perNode: reason
      })
    }
    tables.push({ table: t.table, name: sdnTableById.get(t.table)?.name ?? '', added: t.added.length, removed: t.removed.length, changed: t.changed.length, moved: moves ? t.moved.length : 0, unchanged: t.unchanged + (moves ? 0 : t.moved.length) })
  }
  const totals = moves ? d.totals : { ...d.totals, moved: 0, unchanged: d.totals.unchanged + d.totals.moved }
  return { rows, tables, totals: { ...totals, perNode } }
}

/** A node's own subnet, gateway and local pods, read from its table 30 and 70 flows (what openshift-sdn programs). */
export function nodeIdentityOf(flows: readonly Flow[]): NodeIdentity {
  let subnet: string | null = null
  let gateway: string | null = null
  let nodeIP: string | null = null
  const podIPs: string[] = []
  for (const f of flows) {
    if (f.table === 100 && /(^|,)tp_dst=53(,|$)/.test(f.matchCanon)) nodeIP = /(?:^|,)nw_dst=([0-9.]+)(,|$)/.exec(f.matchCanon)?.[1] ?? nodeIP
    const dst = /(?:^|,)nw_dst=([0-9./]+)/.exec(f.matchCanon)?.[1] ?? null
    if (dst === null || !/(^|,)ip(,|$)/.test(f.matchCanon)) continue
    if (f.table === 30 && f.priority === 300 && !dst.includes('/')) gateway = dst
    else if (f.table === 30 && f.priority === 200 && /goto_table:70|resubmit\(,70\)/.test(f.actionsText)) subnet = dst
    else if (f.table === 70 && f.priority === 100 && !dst.includes('/')) podIPs.push(dst)
  }
  return { subnet, gateway, podIPs, nodeIP }
}
