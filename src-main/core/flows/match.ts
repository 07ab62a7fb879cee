// A flow's match: read in any spelling ovs-ofctl accepts, printed exactly as Open vSwitch prints it. The
// canonical text of a match is OVS's own (masked.ts prints it as lib/match.c does); typed fields serve the
// SDN checks.
import { ctStateBits } from './vocabulary'
import { ones, printedDef, printMatch, printValue, readMatch, type MaskedValue, type OvsMatch } from './masked'
import type { Ipv4Value } from './values'

export interface CtStateValue {
  set: string[]
  unset: string[]
  text: string
}

/** One match field, typed where it matters, with the canonical text of it. */
export type MatchField =
  | { name: string; kind: 'protocol'; raw: string; canon: string; protocol: string }
  | { name: string; kind: 'ipv4'; raw: string; canon: string; ipv4: Ipv4Value }
  | { name: string; kind: 'mac'; raw: string; canon: string; mac: string }
  | { name: string; kind: 'int'; raw: string; canon: string; value: string }
  | { name: string; kind: 'port'; raw: string; canon: string; port: number | string }
  | { name: string; kind: 'ct_state'; raw: string; canon: string; ctState: CtStateValue }
  | { name: string; kind: 'raw'; raw: string; canon: string; value: string }

export interface ParsedMatch {
  fields: MatchField[]
  /** Protocol shorthand ('ip', 'arp', 'tcp'...) or null when the flow matches every packet type. */
  protocol: string | null
  /** The match as Open vSwitch prints it: equal for every spelling of the same match. */
  canon: string
  /** Problems with individual fields; the item is then kept as written. */
  problems: string[]
  /** The typed values, with masks: what a packet is tested against. */
  ovs: OvsMatch
}

function prefixLength(mask: bigint): number | null {
  for (let p = 0; p <= 32; p++) if (mask === ((ones(p) << BigInt(32 - p)) & ones(32))) return p
  return null
}

function typed(m: OvsMatch, v: MaskedValue): MatchField {
  const d = printedDef(m, v)
  const canon = printValue(d.name, v)
  const text = canon.slice(d.name.length + 1)
  const base = { name: d.name, raw: canon, canon }
  switch (d.format) {
    case 'ipv4': {
      const p = prefixLength(v.mask)
      if (p === null) return { ...base, kind: 'raw', value: text }
      return { ...base, kind: 'ipv4', ipv4: { address: Number(v.value), prefix: p, text } }
    }
    case 'mac':
      return { ...base, kind: 'mac', mac: text }
    case 'port':
      return { ...base, kind: 'port', port: v.portName ?? (/^\d+$/.test(text) ? Number(v.value) : text) }
    case 'ct_state': {
      const set = ctStateBits.filter(([, b]) => (v.mask & BigInt(b)) !== 0n && (v.value & BigInt(b)) !== 0n).map(([n]) => n)
      const unset = ctStateBits.filter(([, b]) => (v.mask & BigInt(b)) !== 0n && (v.value & BigInt(b)) === 0n).map(([n]) => n)
      return { ...base, kind: 'ct_state', ctState: { set, unset, text } }
    }
    case 'hex':
    case 'dec':
    case 'dec-only':
      return { ...base, kind: 'int', value: text }
    default:
      return { ...base, kind: 'raw', value: text }
  }
}

/**
 * Reads the match part of a flow ("ip,in_port=3,nw_src=10.129.0.2", "ip in_port=3", any order, aliases,
 * bases and masks) into typed fields and OVS's canonical text.
 */
export function parseMatch(items: readonly string[]): ParsedMatch {
  const m = readMatch(items)
  const canon = printMatch(m)
  const fields: MatchField[] = []
  const protocol = canon.split(',').find((w) => w !== '' && !w.includes('=') && !m.unknown.includes(w)) ?? null
  if (protocol !== null) fields.push({ name: 'protocol', kind: 'protocol', raw: protocol, canon: protocol, protocol })
  for (const v of m.fields.values()) fields.push(typed(m, v))
  for (const u of m.unknown) {
    const eq = u.indexOf('=')
    fields.push({ name: eq < 0 ? u : u.slice(0, eq), kind: 'raw', raw: u, canon: u, value: eq < 0 ? '' : u.slice(eq + 1) })
  }
  return { fields, protocol, canon, problems: m.problems, ovs: m }
}

/**
 * The canonical match text alone: what the diff and the checks key on. The dump reader takes OVS's own
 * printing as it is (fast-canon.ts proves it is); anything else comes here.
 */
export function canonicalMatch(items: readonly string[]): { canon: string; protocol: string | null; slow: boolean } {
  const m = parseMatch(items)
  return { canon: m.canon, protocol: m.protocol, slow: true }
}
