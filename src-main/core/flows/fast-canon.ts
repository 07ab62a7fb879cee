import { fieldDefs, protocolRank, protocols, type FieldDef } from './vocabulary'

// The hot path of flow parsing: proving, without building anything, that a match is exactly as Open vSwitch
// prints it, so its text is its own canonical form. Anything unusual takes the typed path (match.ts,
// masked.ts), which defines the canonical form; a unit test holds the two to the same result.

const enum Kind {
  Ipv4 = 1,
  Hex = 2,
  Dec = 3,
  Port = 4,
  Mac = 5
}

/** Which fields the fast path proves, by how they print: the others (flags, IPv6, vlan…) always go the typed way. */
function fastKind(d: FieldDef): Kind | undefined {
  switch (d.format) {
    case 'ipv4':
      return Kind.Ipv4
    case 'hex':
      return d.bits <= 64 ? Kind.Hex : undefined
    case 'dec':
      return Kind.Dec
    case 'port':
      return d.name === 'in_port' ? Kind.Port : undefined
    case 'mac':
      return Kind.Mac
    case 'dec-only':
      // nw_tos keeps only its DSCP bits, so a printed value is a multiple of 4: left to the typed path.
      return d.name === 'nw_ttl' || d.name === 'nw_ecn' || d.name === 'conj_id' ? Kind.Dec : undefined
    default:
      return undefined
  }
}

/** Field names by a hash of their characters, so the hot path can look a name up without slicing it. */
interface KnownName {
  name: string
  kind: Kind
  rank: number
  bits: number
  /** Fast only when exact: "reg0=0x1" is proven here, "reg0=0x1/0xff" goes the typed way. */
  context: FieldDef['context']
}
function hashRange(s: string, a: number, b: number): number {
  let h = b - a
  for (let i = a; i < b; i++) h = (Math.imul(h, 31) + s.charCodeAt(i)) | 0
  return h
}
const byHash = new Map<number, KnownName[]>()
for (const d of fieldDefs) {
  const kind = fastKind(d)
  if (kind === undefined) continue
  const h = hashRange(d.name, 0, d.name.length)
  const list = byHash.get(h) ?? []
  list.push({ name: d.name, kind, rank: d.rank, bits: d.bits, context: d.context })
  byHash.set(h, list)
}
function knownNameAt(s: string, a: number, b: number): KnownName | undefined {
  const list = byHash.get(hashRange(s, a, b))
  if (list === undefined) return undefined
  for (const k of list) if (k.name.length === b - a && s.startsWith(k.name, a)) return k
  return undefined
}

/** A dotted quad with an optional /prefix, in OVS's printed form (host bits clear, no /32, no leading zeros). */
function isCanonicalIpv4(s: string, from: number, to: number = s.length): boolean {
  let octets = 0
  let value = 0
  let digits = 0
  let addr = 0
  let i = from
  for (; i < to; i++) {
    const c = s.charCodeAt(i)
    if (c >= 48 && c <= 57) {
      if (digits > 0 && value === 0) return false
      value = value * 10 + (c - 48)
      digits++
      if (value > 255) return false
    } else if (c === 46 || c === 47) {
      if (digits === 0) return false
      addr = addr * 256 + value
      octets++
      value = 0
      digits = 0
      if (c === 47) break
      if (octets > 3) return false
    } else return false
  }
  if (i === to) {
    if (digits === 0 || octets !== 3) return false
    return true
  }
  // after '/': the prefix
  if (octets !== 4) return false
  let prefix = 0
  let pd = 0
  for (i = i + 1; i < to; i++) {
    const c = s.charCodeAt(i)
    if (c < 48 || c > 57 || pd > 1) return false
    if (pd > 0 && prefix === 0) return false
    prefix = prefix * 10 + (c - 48)
    pd++
  }
  if (pd === 0 || prefix === 0 || prefix > 31) return false
  const hostBits = prefix === 0 ? 0xffffffff : 0xffffffff >>> prefix
  return (addr & hostBits) === 0
}

/** Decimal without leading zeros, at most max. */
function isCanonicalDecimal(s: string, from: number, to: number, max: number): boolean {
  const n = to - from
  if (n === 0 || n > 15) return false
  if (n > 1 && s.charCodeAt(from) === 48) return false
  let v = 0
  for (let i = from; i < to; i++) {
    const c = s.charCodeAt(i)
    if (c < 48 || c > 57) return false
    v = v * 10 + (c - 48)
  }
  return v <= max
}

/** "0" or "0x" + lowercase hex without leading zeros, within bits: how %#x prints (registers, marks). */
function isCanonicalHex(s: string, from: number, to: number, bits: number): boolean {
  if (to - from === 1) return s.charCodeAt(from) === 48
  if (to - from < 3 || to - from - 2 > bits / 4 || s.charCodeAt(from) !== 48 || s.charCodeAt(from + 1) !== 120 || s.charCodeAt(from + 2) === 48) return false
  for (let i = from + 2; i < to; i++) {
    const c = s.charCodeAt(i)
    if (!((c >= 48 && c <= 57) || (c >= 97 && c <= 102))) return false
  }
  return true
}

function hexDigit(c: number): number {
  return c >= 48 && c <= 57 ? c - 48 : c >= 97 && c <= 102 ? c - 87 : -1
}

/** The byte of two lowercase hex digits at s[i]; a module function, not a closure (no per-call allocation). */
function hexByte(s: string, i: number): number {
  const a = hexDigit(s.charCodeAt(i))
  const b = hexDigit(s.charCodeAt(i + 1))
  return a < 0 || b < 0 ? -1 : a * 16 + b
}

/** A lowercase MAC, or value/mask with the mask not all ones and no value bit outside it. */
function isLowerMac(s: string, from: number, to: number): boolean {
  if (to - from === 35 && s.charCodeAt(from + 17) === 47) {
    if (!isLowerMac(s, from, from + 17) || !isLowerMac(s, from + 18, to)) return false
    let allOnes = true
    for (let k = 0; k < 6; k++) {
      const v = hexByte(s, from + 3 * k)
      const m = hexByte(s, from + 18 + 3 * k)
      if ((v & ~m) !== 0) return false
      if (m !== 255) allOnes = false
    }
    return !allOnes
  }
  if (to - from !== 17) return false
  for (let i = 0; i < 17; i++) {
    const c = s.charCodeAt(from + i)
    if (i % 3 === 2) {
      if (c !== 58) return false
    } else if (!((c >= 48 && c <= 57) || (c >= 97 && c <= 102))) return false
  }
  return true
}

/** Port numbers from 0xff00 up are OpenFlow's reserved ports, which OVS prints by name (LOCAL…). */
const maxPlainPort = 0xfeff

function itemIsCanonical(s: string, b: number, eq: number, k: KnownName): boolean {
  const v = eq + 1
  switch (k.kind) {
    case Kind.Ipv4:
      return isCanonicalIpv4(s, v, b)
    case Kind.Port:
      return isCanonicalDecimal(s, v, b, maxPlainPort) || s.startsWith('LOCAL', v) && b - v === 5
    case Kind.Hex:
      return isCanonicalHex(s, v, b, k.bits)
    case Kind.Dec:
      return isCanonicalDecimal(s, v, b, 2 ** k.bits - 1)
    case Kind.Mac:
      return isLowerMac(s, v, b)
  }
  return false
}

/** Whether a field printed in this context is the name OVS prints there (arp_spa in ARP, icmp_type in ICMP). */
function contextHolds(context: FieldDef['context'], proto: string): boolean {
  switch (context) {
    case undefined:
      return true
    case 'arp':
      return proto === 'arp' || proto === 'rarp'
    case 'ip':
      return proto === 'ip' || proto === 'icmp' || proto === 'tcp' || proto === 'udp' || proto === 'sctp'
    case 'ipv6':
      return proto === 'ipv6' || proto === 'icmp6' || proto === 'tcp6' || proto === 'udp6' || proto === 'sctp6'
    case 'icmp':
      return proto === 'icmp' || proto === 'icmp6'
    case 'icmp6':
      return proto === 'icmp6'
    case 'l4':
      return proto === 'tcp' || proto === 'udp' || proto === 'sctp' || proto === 'tcp6' || proto === 'udp6' || proto === 'sctp6'
    case 'tcp':
      return proto === 'tcp' || proto === 'tcp6'
  }
}

/** Protocol shorthands by the same hash, looked up in place. */
const protocolByHash = new Map<number, string[]>()
for (const name of Object.keys(protocols)) {
  const h = hashRange(name, 0, name.length)
  protocolByHash.set(h, [...(protocolByHash.get(h) ?? []), name])
}
function protocolAt(s: string, a: number, b: number): string | undefined {
  const list = protocolByHash.get(hashRange(s, a, b))
  if (list === undefined) return undefined
  for (const k of list) if (k.length === b - a && s.startsWith(k, a)) return k
  return undefined
}

/**
 * Checks, without building anything, that s[from, to) is a match exactly as ovs-ofctl prints it:
 * items separated by ',', each canonical, in print order. Then the text is its own canonical form.
 * Returns the protocol shorthand ('' for none), or null when the slow path is needed.
 */
export function printedMatchProtocol(s: string, from: number, to: number): string | null {
  let proto = ''
  let lastRank = -1
  let pos = from
  while (pos < to) {
    let end = s.indexOf(',', pos)
    if (end < 0 || end > to) end = to
    if (end === pos) return null
    let eq = -1
    for (let i = pos; i < end; i++) {
      if (s.charCodeAt(i) === 61) {
        eq = i
        break
      }
    }
    let rank: number
    if (eq < 0) {
      if (proto !== '') return null
      const word = protocolAt(s, pos, end)
      if (word === undefined) return null
      proto = word
      rank = protocolRank
    } else {
      const k = knownNameAt(s, pos, eq)
      if (k === undefined || !contextHolds(k.context, proto) || !itemIsCanonical(s, end, eq, k)) return null
      rank = k.rank
    }
    // Each field prints once, in match_format's order.
    if (rank <= lastRank) return null
    lastRank = rank
    pos = end + 1
  }
  // The protocol prints before every field whose name depends on it, so the context was known in time.
  return proto
}
