import { protocols } from './fields'
import { fieldRank, printsHex } from './order'

// The hot path of flow parsing: the canonical text of one match item without regexes or allocation
// when the item is already in the form ovs-ofctl prints (which is most of a dump). Anything unusual
// returns null and takes the full typed path (parseMatch), which defines the canonical form.

const enum Kind {
  Ipv4 = 1,
  Int = 2,
  Port = 3,
  Mac = 4,
  Raw = 5
}

const kinds: Record<string, Kind> = {
  nw_src: Kind.Ipv4,
  nw_dst: Kind.Ipv4,
  arp_spa: Kind.Ipv4,
  arp_tpa: Kind.Ipv4,
  tun_src: Kind.Ipv4,
  tun_dst: Kind.Ipv4,
  ct_nw_src: Kind.Ipv4,
  ct_nw_dst: Kind.Ipv4,
  in_port: Kind.Port,
  eth_src: Kind.Mac,
  eth_dst: Kind.Mac,
  arp_sha: Kind.Mac,
  arp_tha: Kind.Mac,
  tp_src: Kind.Int,
  tp_dst: Kind.Int,
  icmp_type: Kind.Int,
  icmp_code: Kind.Int,
  tun_id: Kind.Int,
  metadata: Kind.Int,
  pkt_mark: Kind.Int,
  ct_mark: Kind.Int,
  ct_zone: Kind.Int,
  nw_tos: Kind.Int,
  nw_ttl: Kind.Int,
  nw_ecn: Kind.Int,
  ip_dscp: Kind.Int,
  vlan_vid: Kind.Int,
  ip_frag: Kind.Raw
}
for (let i = 0; i < 16; i++) kinds[`reg${i}`] = Kind.Int

/** Field names by a hash of their characters, so the hot path can look a name up without slicing it. */
interface KnownName {
  name: string
  kind: Kind
  rank: number
}
function hashRange(s: string, a: number, b: number): number {
  let h = b - a
  for (let i = a; i < b; i++) h = (Math.imul(h, 31) + s.charCodeAt(i)) | 0
  return h
}
const byHash = new Map<number, KnownName[]>()
for (const [name, kind] of Object.entries(kinds)) {
  const h = hashRange(name, 0, name.length)
  const list = byHash.get(h) ?? []
  list.push({ name, kind, rank: fieldRank(name) })
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
  if (pd === 0 || prefix > 31) return false
  const hostBits = prefix === 0 ? 0xffffffff : 0xffffffff >>> prefix
  return (addr & hostBits) === 0
}

/** Decimal without leading zeros (canonical as is). */
function isCanonicalDecimal(s: string, from: number, to: number = s.length): boolean {
  const n = to - from
  if (n === 0 || n > 15) return false
  if (n > 1 && s.charCodeAt(from) === 48) return false
  for (let i = from; i < to; i++) {
    const c = s.charCodeAt(i)
    if (c < 48 || c > 57) return false
  }
  return true
}

function hexToDecimal(s: string, from: number): string | null {
  const n = s.length - from
  if (n === 0 || n > 13) return null
  let v = 0
  for (let i = from; i < s.length; i++) {
    const c = s.charCodeAt(i) | 32
    const d = c >= 48 && c <= 57 ? c - 48 : c >= 97 && c <= 102 ? c - 87 : -1
    if (d < 0) return null
    v = v * 16 + d
  }
  return String(v)
}

/** "0" or "0x" + lowercase hex without leading zeros: how ovs-ofctl prints registers. */
function isCanonicalHex(s: string, from: number, to: number = s.length): boolean {
  if (to - from === 1) return s.charCodeAt(from) === 48
  if (to - from < 3 || to - from > 15 || s.charCodeAt(from) !== 48 || s.charCodeAt(from + 1) !== 120 || s.charCodeAt(from + 2) === 48) return false
  for (let i = from + 2; i < to; i++) {
    const c = s.charCodeAt(i)
    if (!((c >= 48 && c <= 57) || (c >= 97 && c <= 102))) return false
  }
  return true
}

function isLowerMac(s: string, from: number, to: number = s.length): boolean {
  // A masked MAC (not all-ones mask) is printed "value/mask".
  if (to - from === 35 && s.charCodeAt(from + 17) === 47) return isLowerMac(s, from, from + 17) && isLowerMac(s, from + 18, to) && s.slice(from + 18, to) !== 'ff:ff:ff:ff:ff:ff'
  if (to - from !== 17) return false
  for (let i = 0; i < 17; i++) {
    const c = s.charCodeAt(from + i)
    if (i % 3 === 2) {
      if (c !== 58) return false
    } else if (!((c >= 48 && c <= 57) || (c >= 97 && c <= 102))) return false
  }
  return true
}

/**
 * Canonical text of `name=value` when it can be decided cheaply, else null. Must agree with
 * parseMatch's canonical form (a unit test compares the two on every sample and on fuzzed items).
 */
export function fastCanonItem(item: string, isArp: boolean): string | null {
  const eq = item.indexOf('=')
  if (eq <= 0) return null
  const name = item.slice(0, eq)
  const kind = kinds[name]
  if (kind === undefined) return null
  if (itemIsCanonical(item, 0, item.length, eq, name, kind, isArp)) return item
  if (kind !== Kind.Int) return null
  // Integers in the other base: convert.
  const v = eq + 1
  if (printsHex(name)) {
    if (!isCanonicalDecimal(item, v)) return null
    const n = Number(item.slice(v))
    return n === 0 ? `${name}=0` : `${name}=0x${n.toString(16)}`
  }
  if (item.charCodeAt(v) === 48 && item.charCodeAt(v + 1) === 120) {
    const d = hexToDecimal(item, v + 2)
    return d === null ? null : `${name}=${d}`
  }
  return null
}

function itemIsCanonical(s: string, a: number, b: number, eq: number, name: string, kind: Kind, isArp: boolean): boolean {
  const v = eq + 1
  switch (kind) {
    case Kind.Ipv4:
      if (isArp && (name === 'nw_src' || name === 'nw_dst')) return false
      return isCanonicalIpv4(s, v, b)
    case Kind.Port:
      return isCanonicalDecimal(s, v, b)
    case Kind.Int:
      return printsHex(name) ? isCanonicalHex(s, v, b) : isCanonicalDecimal(s, v, b)
    case Kind.Mac:
      return isLowerMac(s, v, b)
    case Kind.Raw:
      return false
  }
  return false
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

/** s[a1, b1) < s[a2, b2) as strings, without cutting them out. */
function rangeLess(s: string, a1: number, b1: number, a2: number, b2: number): boolean {
  const n = Math.min(b1 - a1, b2 - a2)
  for (let i = 0; i < n; i++) {
    const x = s.charCodeAt(a1 + i)
    const y = s.charCodeAt(a2 + i)
    if (x !== y) return x < y
  }
  return b1 - a1 < b2 - a2
}

const protocolRank = fieldRank('protocol')

/**
 * Checks, without building anything, that s[from, to) is a match exactly as ovs-ofctl prints it:
 * items separated by ',', each canonical, in print order. Then the text is its own canonical form.
 * Returns the protocol shorthand ('' for none), or null when the slow path is needed.
 */
export function printedMatchProtocol(s: string, from: number, to: number): string | null {
  let proto = ''
  let lastRank = -1
  let lastStart = -1
  let lastEnd = -1
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
      if (k === undefined || !itemIsCanonical(s, pos, end, eq, k.name, k.kind, proto === 'arp' || proto === 'rarp')) return null
      rank = k.rank
    }
    if (rank < lastRank) return null
    if (rank === lastRank && !rangeLess(s, lastStart, lastEnd, pos, end)) return null
    lastRank = rank
    lastStart = pos
    lastEnd = end
    pos = end + 1
  }
  // nw_src/nw_dst seen before "arp" would be arp_spa/arp_tpa: ranks put the protocol first, so a valid
  // order already guarantees the protocol was known when those items were checked.
  return proto
}
