import type { FlowAction } from './actions'
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
  idleAge: number | null
  hardAge: number | null
  idleTimeout: number | null
  hardTimeout: number | null
  protocol: string | null
  /** The match as written, items joined by ','. Typed fields: matchFields(flow). */
  matchText: string
  /** Canonical match text: the same for every spelling of the same match. */
  matchCanon: string
  /** The text after "actions=", as printed. */
  actionsText: string
  /** Typed actions; flows with the same actions text share one (read-only) list. */
  actions: readonly FlowAction[]
  /** Other flow properties (importance, send_flow_rem, flags...), kept as printed; null when none. */
  extra: Record<string, string> | null
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
