import { actionContextOf, canonicalActions, parseActions, type CanonOptions, type FlowAction } from './actions'
import { parseMatch, type MatchField } from './match'

/** One flow of an OpenFlow table as ovs-ofctl printed it (dump-flows) or as written for add-flows. */
export interface Flow {
  /** 1-based line in the capture. */
  line: number
  /** The exact original text of the line (without the line end). */
  text: string
  /** Canonical hex ("0x0"). */
  cookie: string
  table: number
  priority: number
  /** Seconds; null in --no-stats output and add-flows files. */
  duration: number | null
  packets: number | null
  bytes: number | null
  /** Ages, timeouts and other properties, rare in dumps: null when none was printed. */
  more: FlowMore | null
  protocol: string | null
  /** The match as written, items joined by ','. Typed fields: matchFields(flow). */
  matchText: string
  /** Canonical match text: the same for every spelling of the same match. */
  matchCanon: string
  /** The text after "actions=", as printed. Typed actions: flowActions(flow). */
  actionsText: string
}

export interface FlowMore {
  idleAge: number | null
  hardAge: number | null
  idleTimeout: number | null
  hardTimeout: number | null
  /** OpenFlow 1.4+'s eviction importance: compared by ovs-ofctl diff-flows, like the timeouts. */
  importance: number | null
  /** send_flow_rem, check_overlap, reset_counts, no_packet_counts, no_byte_counts, out_port...: kept as printed. */
  extra: Record<string, string>
}

/** A Flow as a plain object of its own fields (for JSON, structured clone, or changing one field). */
export function plainFlow(f: Flow): Flow {
  return {
    line: f.line,
    text: f.text,
    cookie: f.cookie,
    table: f.table,
    priority: f.priority,
    duration: f.duration,
    packets: f.packets,
    bytes: f.bytes,
    more: f.more,
    protocol: f.protocol,
    matchText: f.matchText,
    matchCanon: f.matchCanon,
    actionsText: f.actionsText
  }
}

export const newFlowMore = (): FlowMore => ({ idleAge: null, hardAge: null, idleTimeout: null, hardTimeout: null, importance: null, extra: {} })

const typedActions = new Map<string, readonly FlowAction[]>()

/** The typed actions of a flow, parsed on first use and shared by every flow with the same text. */
export function flowActions(f: Pick<Flow, 'actionsText'>): readonly FlowAction[] {
  let a = typedActions.get(f.actionsText)
  if (!a) {
    a = parseActions(f.actionsText).actions
    // Bounded memo: a long-running backend sees many dumps.
    if (typedActions.size > 200_000) typedActions.clear()
    typedActions.set(f.actionsText, a)
  }
  return a
}

/** The canonical text of a flow's actions, printed in the context its match gives them (mod_tp_src, mod_vlan_vid). */
export function canonicalFlowActions(f: Pick<Flow, 'actionsText' | 'matchCanon'>, opts: CanonOptions = {}): string {
  return canonicalActions(flowActions(f), { ...opts, context: actionContextOf(f.matchCanon) })
}

export const defaultPriority = 32768

/** Flows are the same flow when table, priority and match are: the key OVS itself uses. */
export function flowKey(f: Pick<Flow, 'table' | 'priority' | 'matchCanon'>): string {
  return `${f.table} ${f.priority} ${f.matchCanon}`
}

const typed = new WeakMap<Flow, MatchField[]>()

/** The typed match fields of a flow, built on first use (a 100k-flow dump rarely needs them all). */
export function matchFields(f: Flow): MatchField[] {
  let m = typed.get(f)
  if (!m) {
    m = f.matchText === '' ? [] : parseMatch(f.matchText.split(',')).fields
    typed.set(f, m)
  }
  return m
}

export function matchField(f: Flow, name: string): MatchField | undefined {
  return matchFields(f).find((m) => m.name === name)
}
