// Typed match values with masks, read and printed exactly as Open vSwitch does (lib/match.c, meta-flow.c):
// value bits outside the mask are cleared, a zero mask is no match at all, a full mask prints without it.
// A parsed match can say whether a packet (field values) matches it: the tracer is built on this.
import { ctStateBits, fieldDef, protocolFor, protocolRank, protocols, tcpFlagBits, tunFlagBits, wideRegister, type FieldDef } from './vocabulary'

export interface MaskedValue {
  def: FieldDef
  value: bigint
  /** All ones (of the field's width) for an exact match. */
  mask: bigint
  /** A port given by name (in_port="s1-eth2" or in_port=tun0): kept as named, since only the switch knows its number. */
  portName?: string
}

/** A match: dl_type and nw_proto (the protocol shorthand), and every other field by its storage slot. */
export interface OvsMatch {
  dlType: number | null
  nwProto: number | null
  /** Items no field of the table names ("foo=1", a bare word): kept as written so no two matches merge. */
  unknown: string[]
  /** By storage (nw_src and arp_spa share one), in no order; printing orders them. */
  fields: Map<string, MaskedValue>
  problems: string[]
}

export const ones = (bits: number): bigint => (1n << BigInt(bits)) - 1n

const reservedPorts: Record<string, number> = { IN_PORT: 0xfff8, TABLE: 0xfff9, NORMAL: 0xfffa, FLOOD: 0xfffb, ALL: 0xfffc, CONTROLLER: 0xfffd, LOCAL: 0xfffe, NONE: 0xffff, ANY: 0xffff }
const reservedByNumber = new Map(Object.entries(reservedPorts).filter(([n]) => n !== 'ANY').map(([n, v]) => [v, n]))

/** An unsigned integer in decimal or 0x-hex, as bigint; null when not one. */
export function parseBig(text: string): bigint | null {
  const t = text.trim()
  if (/^0x[0-9a-f]+$/i.test(t)) return BigInt(t)
  if (/^\d+$/.test(t)) return BigInt(t)
  return null
}

function ipv4Big(text: string): bigint | null {
  const parts = text.split('.')
  if (parts.length !== 4 || !parts.every((p) => /^\d{1,3}$/.test(p) && Number(p) <= 255)) return null
  return parts.reduce((acc, p) => (acc << 8n) | BigInt(Number(p)), 0n)
}

function printIpv4(v: bigint): string {
  return [24n, 16n, 8n, 0n].map((s) => String((v >> s) & 0xffn)).join('.')
}

function ipv6Big(text: string): bigint | null {
  let t = text
  // A trailing dotted quad ("::ffff:10.0.0.1") is the last two groups.
  const lastColon = t.lastIndexOf(':')
  if (lastColon >= 0 && t.slice(lastColon + 1).includes('.')) {
    const v4 = ipv4Big(t.slice(lastColon + 1))
    if (v4 === null) return null
    t = `${t.slice(0, lastColon + 1)}${(v4 >> 16n).toString(16)}:${(v4 & 0xffffn).toString(16)}`
  }
  const halves = t.split('::')
  if (halves.length > 2) return null
  const group = (s: string) => (s === '' ? [] : s.split(':'))
  const head = group(halves[0] as string)
  const rest = halves.length === 2 ? group(halves[1] as string) : []
  if (![...head, ...rest].every((g) => /^[0-9a-f]{1,4}$/i.test(g))) return null
  const fill = halves.length === 2 ? 8 - head.length - rest.length : 0
  if (halves.length === 2 ? fill < 1 : head.length !== 8) return null
  const groups = [...head, ...Array<string>(fill).fill('0'), ...rest].map((g) => BigInt(parseInt(g, 16)))
  return groups.reduce((acc, g) => (acc << 16n) | g, 0n)
}

/** inet_ntop's form (RFC 5952): lowercase, the longest run of two or more zero groups as "::". */
export function printIpv6(v: bigint): string {
  const groups = Array.from({ length: 8 }, (_, i) => Number((v >> BigInt(112 - 16 * i)) & 0xffffn))
  let best = -1
  let bestLen = 1
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++
      continue
    }
    let j = i
    while (j < 8 && groups[j] === 0) j++
    if (j - i > bestLen) {
      best = i
      bestLen = j - i
    }
    i = j
  }
  // ::ffff:a.b.c.d and ::a.b.c.d print their IPv4 tail as inet_ntop does.
  if (best === 0 && (bestLen === 6 || (bestLen === 5 && groups[5] === 0xffff))) {
    const v4 = printIpv4(v & 0xffffffffn)
    return bestLen === 6 ? `::${v4}` : `::ffff:${v4}`
  }
  const hex = groups.map((g) => g.toString(16))
  if (best < 0) return hex.join(':')
  return `${hex.slice(0, best).join(':')}::${hex.slice(best + bestLen).join(':')}`
}

function printMac(v: bigint): string {
  return Array.from({ length: 6 }, (_, i) => ((v >> BigInt(40 - 8 * i)) & 0xffn).toString(16).padStart(2, '0')).join(':')
}

function macBig(text: string): bigint | null {
  if (!/^[0-9a-f]{1,2}(:[0-9a-f]{1,2}){5}$/i.test(text)) return null
  return text.split(':').reduce((acc, p) => (acc << 8n) | BigInt(parseInt(p, 16)), 0n)
}

/** Length of the prefix a contiguous mask covers, or -1. */
function prefixOf(mask: bigint, bits: number): number {
  for (let p = 0; p <= bits; p++) if (mask === ((ones(p) << BigInt(bits - p)) & ones(bits))) return p
  return -1
}

function flagsValue(text: string, table: readonly (readonly [string, number])[], bits: number): { value: bigint; mask: bigint } | null {
  const named = new Map(table)
  if (/^0x[0-9a-f]+(\/0x[0-9a-f]+)?$/i.test(text) || /^\d+(\/\d+)?$/.test(text)) {
    const [v, m] = text.split('/')
    return { value: BigInt(v as string), mask: m === undefined ? ones(bits) : BigInt(m) }
  }
  if (/^[+-]/.test(text)) {
    let value = 0n
    let mask = 0n
    let consumed = 0
    for (const m of text.matchAll(/([+-])([a-z0-9[\]]+)/g)) {
      const bit = named.get(m[2] as string)
      if (m.index !== consumed || bit === undefined) return null
      mask |= BigInt(bit)
      if (m[1] === '+') value |= BigInt(bit)
      consumed += m[0].length
    }
    return consumed === text.length ? { value, mask } : null
  }
  // "new|trk", "syn": these bits set, every other one clear.
  let value = 0n
  for (const f of text.split('|')) {
    const bit = named.get(f)
    if (bit === undefined) return null
    value |= BigInt(bit)
  }
  return { value, mask: ones(bits) }
}

function printFlags(name: string, v: MaskedValue, table: readonly (readonly [string, number])[]): string {
  const exact = v.mask === ones(v.def.bits)
  if (exact) {
    if (v.value === 0n) return `${name}=0`
    return `${name}=${table.filter(([, b]) => (v.value & BigInt(b)) !== 0n).map(([n]) => n).join('|')}`
  }
  return `${name}=${table.filter(([, b]) => (v.mask & BigInt(b)) !== 0n).map(([n, b]) => ((v.value & BigInt(b)) !== 0n ? '+' : '-') + n).join('')}`
}

const frags: Record<string, [bigint, bigint]> = { no: [0n, 3n], yes: [1n, 1n], first: [1n, 3n], later: [3n, 3n], not_later: [0n, 2n] }

/** Reads one value (with its mask) of a field; a string says why it cannot be read. */
export function readValue(def: FieldDef, text: string): MaskedValue | string {
  const full = ones(def.bits)
  const slash = text.indexOf('/')
  const vText = slash < 0 ? text : text.slice(0, slash)
  const mText = slash < 0 ? null : text.slice(slash + 1)
  if (mText !== null && !def.maskable) return `${def.name} takes no mask`
  const done = (value: bigint | null, mask: bigint | null, what: string): MaskedValue | string => {
    if (value === null || mask === null) return `not ${what}`
    if (value > full && def.format !== 'ipv4' && def.format !== 'ipv6') return `${def.name} is ${def.bits} bits wide`
    return { def, value: value & mask & full, mask: mask & full }
  }
  switch (def.format) {
    case 'ipv4': {
      const v = ipv4Big(vText)
      if (mText === null) return done(v, full, 'an IPv4 address')
      const mask = /^\d{1,2}$/.test(mText) && Number(mText) <= 32 ? (ones(Number(mText)) << BigInt(32 - Number(mText))) & full : ipv4Big(mText)
      return done(v, mask, 'an IPv4 address or prefix')
    }
    case 'ipv6': {
      const v = ipv6Big(vText)
      if (mText === null) return done(v, full, 'an IPv6 address')
      const mask = /^\d{1,3}$/.test(mText) && Number(mText) <= 128 ? (ones(Number(mText)) << BigInt(128 - Number(mText))) & full : ipv6Big(mText)
      return done(v, mask, 'an IPv6 address or prefix')
    }
    case 'mac':
      return done(macBig(vText), mText === null ? full : macBig(mText), 'a MAC address')
    case 'port': {
      if (mText !== null) return `${def.name} takes no mask`
      const unq = vText.startsWith('"') && vText.endsWith('"') && vText.length >= 2 ? vText.slice(1, -1) : vText
      const n = parseBig(unq)
      if (n !== null) return done(n, full, 'a port')
      const reserved = reservedPorts[unq.toUpperCase()]
      if (reserved !== undefined) return { def, value: BigInt(reserved), mask: full }
      if (!/^[^\s,=()"]+$/.test(unq)) return 'not a port number or name'
      return { def, value: 0n, mask: full, portName: unq }
    }
    case 'ct_state':
    case 'tcp_flags':
    case 'tun_flags': {
      const table = def.format === 'ct_state' ? ctStateBits : def.format === 'tcp_flags' ? tcpFlagBits : tunFlagBits
      const f = flagsValue(text, table, def.bits)
      return f ? done(f.value, f.mask, `${def.name} flags`) : `not ${def.name} flags (+flag-flag or a number)`
    }
    case 'frag': {
      const f = frags[text]
      return f ? { def, value: f[0], mask: f[1] } : 'not one of no, yes, first, later, not_later'
    }
    case 'packet_type': {
      const m = /^\((\d+|0x[0-9a-f]+),(\d+|0x[0-9a-f]+)\)$/i.exec(text.replace(/\s/g, ''))
      if (!m) return 'not a packet type (namespace,type)'
      const ns = BigInt(m[1] as string)
      const type = BigInt(m[2] as string)
      return ns > 0xffffn || type > 0xffffn ? 'not a packet type (namespace,type)' : { def, value: (ns << 16n) | type, mask: full }
    }
    case 'tun_metadata': {
      // A variable-length field: with a mask, OVS takes the mask's length in bytes (leading zeros dropped) as
      // the field's and cuts the value to it; a mask of all ones over that length is exact (0x5/0xff,
      // 0x5/0xffffffff, 0xe372b350/0xffffff is 0x72b350), a zero mask prints the bare name.
      const v = parseBig(vText)
      const m = mText === null ? full : parseBig(mText)
      if (v === null || m === null) return 'not a number'
      if (v > full) return `${def.name} is at most 124 bytes`
      if (mText === null) return { def, value: v, mask: full }
      const len = BigInt(Math.max(1, Math.ceil(m.toString(16).length / 2)) * 8)
      const own = (1n << len) - 1n
      return m === own ? { def, value: v & own, mask: full } : { def, value: v & m, mask: m }
    }
    default: {
      const v = parseBig(vText)
      const m = mText === null ? full : parseBig(mText)
      return done(v, m, 'a number')
    }
  }
}

/** Prints a value as match_format does. */
export function printValue(name: string, v: MaskedValue): string {
  const def = v.def
  const full = ones(def.bits)
  const exact = v.mask === full
  switch (def.format) {
    case 'tun_metadata': {
      const h = (x: bigint) => (x === 0n ? '0' : `0x${x.toString(16)}`)
      if (v.mask === 0n) return name
      return exact ? `${name}=${h(v.value)}` : `${name}=${h(v.value)}/${h(v.mask)}`
    }
    case 'hex':
    case 'label': {
      const h = (x: bigint) => (x === 0n ? '0' : `0x${x.toString(16)}`)
      // ct_label is printed with ds_put_hex: "0x0" for zero.
      const hx = def.format === 'label' ? (x: bigint) => `0x${x.toString(16)}` : h
      return exact ? `${name}=${hx(v.value)}` : `${name}=${hx(v.value)}/${hx(v.mask)}`
    }
    case 'dec':
      return exact ? `${name}=${v.value}` : `${name}=0x${v.value.toString(16)}/0x${v.mask.toString(16)}`
    case 'dec-only':
      return `${name}=${v.value}`
    case 'hex4':
      return exact ? `${name}=0x${v.value.toString(16).padStart(4, '0')}` : `${name}=0x${v.value.toString(16).padStart(4, '0')}/0x${v.mask.toString(16).padStart(4, '0')}`
    case 'hex5':
      return exact ? `${name}=0x${v.value.toString(16).padStart(5, '0')}` : `${name}=0x${v.value.toString(16).padStart(5, '0')}/0x${v.mask.toString(16).padStart(5, '0')}`
    case 'ipv4': {
      if (exact) return `${name}=${printIpv4(v.value)}`
      const p = prefixOf(v.mask, 32)
      return `${name}=${printIpv4(v.value)}/${p >= 0 ? p : printIpv4(v.mask)}`
    }
    case 'ipv6': {
      if (exact) return `${name}=${printIpv6(v.value)}`
      const p = prefixOf(v.mask, 128)
      return `${name}=${printIpv6(v.value)}/${p >= 0 ? p : printIpv6(v.mask)}`
    }
    case 'mac':
      return exact ? `${name}=${printMac(v.value)}` : `${name}=${printMac(v.value)}/${printMac(v.mask)}`
    case 'port': {
      if (v.portName !== undefined) return `${name}=${v.portName}`
      const r = reservedByNumber.get(Number(v.value))
      return `${name}=${r ?? String(v.value)}`
    }
    case 'ct_state':
      return printFlags(name, v, ctStateBits)
    case 'tcp_flags':
      return printFlags(name, v, tcpFlagBits)
    case 'tun_flags':
      return printFlags(name, v, tunFlagBits)
    case 'packet_type':
      return `${name}=(${v.value >> 16n},0x${(v.value & 0xffffn).toString(16)})`
    case 'frag': {
      const m = v.mask & 3n
      const x = v.value & 3n
      const word = m === 3n ? (x & 1n ? (x & 2n ? 'later' : 'first') : x & 2n ? '<error>' : 'no') : m === 1n ? (x & 1n ? 'yes' : 'no') : x & 2n ? 'later' : 'not_later'
      return `${name}=${word}`
    }
  }
}

const vlanDef = fieldDef('vlan_tci') as FieldDef
const tosDef = fieldDef('nw_tos') as FieldDef
const regDefs = Array.from({ length: 16 }, (_, i) => fieldDef(`reg${i}`) as FieldDef)

/**
 * Writes a field as OVS's parser does (mf_set, item after item): the field's value and mask are replaced
 * whole, so a later reg4=… overrides the part of an earlier xxreg1=… that is reg4, and a zero mask clears
 * it. Only dl_vlan and dl_vlan_pcp write their own bits of vlan_tci and keep the rest.
 */
function put(m: OvsMatch, v: MaskedValue, region: bigint | null = null): void {
  const key = v.def.storage
  const old = m.fields.get(key)
  if (region !== null) {
    // dl_vlan, dl_vlan_pcp, vlan_vid rewrite their region of vlan_tci (value and mask) and keep the rest.
    const value = ((old?.value ?? 0n) & ~region) | (v.value & region)
    const mask = ((old?.mask ?? 0n) & ~region) | (v.mask & region)
    if (mask === 0n) m.fields.delete(key)
    else m.fields.set(key, { def: v.def, value, mask })
  } else if (v.mask === 0n && v.portName === undefined && v.def.format !== 'tun_metadata') m.fields.delete(key)
  else m.fields.set(key, v)
}

/** Reads the items of a match ("tcp", "nw_src=10.0.0.0/8", "xreg0=0x1/0xff"...) in any spelling. */
export function readMatch(items: readonly string[]): OvsMatch {
  const m: OvsMatch = { dlType: null, nwProto: null, unknown: [], fields: new Map(), problems: [] }
  const later: [string, string, string][] = []
  for (const item of items) {
    const raw = item.trim()
    if (raw === '') continue
    const eq = raw.indexOf('=')
    if (eq < 0) {
      // Own keys only: an item such as "__proto__" or "constructor" is no protocol.
      const p = Object.hasOwn(protocols, raw.toLowerCase()) ? protocols[raw.toLowerCase()] : undefined
      const bare = p ? undefined : fieldDef(raw)
      if (bare?.format === 'tun_metadata') {
        // How the switch prints a Geneve option matched with a zero mask: its name alone.
        put(m, { def: bare, value: 0n, mask: 0n })
        continue
      }
      if (!p) {
        m.unknown.push(raw.toLowerCase())
        continue
      }
      m.dlType = p[0]
      if (p[1] !== null) m.nwProto = p[1]
      continue
    }
    const name = raw.slice(0, eq).trim().toLowerCase()
    const value = raw.slice(eq + 1).trim()
    if (name === 'dl_type' || name === 'eth_type') {
      const n = parseBig(value)
      if (n === null || n > 0xffffn) m.problems.push(`${raw}: not an Ethernet type`)
      else m.dlType = Number(n)
      continue
    }
    if (name === 'nw_proto' || name === 'ip_proto') {
      const n = parseBig(value)
      if (n === null || n > 255n) m.problems.push(`${raw}: not an IP protocol number`)
      else m.nwProto = Number(n)
      continue
    }
    later.push([name, value, raw])
  }
  const isArp = m.dlType === 0x0806 || m.dlType === 0x8035
  for (const [name, value, raw] of later) {
    const wide = wideRegister(name)
    if (wide) {
      // xregN and xxregN are consecutive 32-bit registers, most significant first.
      const [vText, mText] = value.split('/')
      const v = parseBig(vText ?? '')
      const mk = mText === undefined ? ones(32 * wide.regs.length) : parseBig(mText)
      if (v === null || mk === null) {
        m.problems.push(`${raw}: not a number`)
        continue
      }
      wide.regs.forEach((r, i) => {
        const shift = BigInt(32 * (wide.regs.length - 1 - i))
        const part = { def: regDefs[r] as FieldDef, value: (v >> shift) & ones(32), mask: (mk >> shift) & ones(32) }
        part.value &= part.mask
        put(m, part)
      })
      continue
    }
    if (name === 'ip_dscp') {
      const n = parseBig(value)
      if (n === null || n > 63n) m.problems.push(`${raw}: not a DSCP value (0-63)`)
      else put(m, { def: tosDef, value: n << 2n, mask: ones(8) })
      continue
    }
    if (name === 'vlan_vid' || name === 'vlan_pcp') {
      // OpenFlow 1.2's VLAN fields: vlan_vid carries the "present" bit (0x1000) as vlan_tci's CFI; vlan_pcp
      // matches a present tag's priority, as dl_vlan_pcp does.
      const [vt, mt] = value.split('/')
      const v = parseBig(vt ?? '')
      const mk = mt === undefined ? null : parseBig(mt)
      if (v === null || (mt !== undefined && mk === null)) m.problems.push(`${raw}: not a number`)
      else if (name === 'vlan_vid') put(m, { def: vlanDef, value: v & (mk ?? 0x1fffn), mask: mk ?? 0x1fffn }, 0x1fffn)
      else put(m, { def: vlanDef, value: 0x1000n | ((v & 7n) << 13n), mask: 0xf000n }, 0xf000n)
      continue
    }
    // A packet type of Ethernet is the default: it matches what no packet_type matches.
    if (name === 'packet_type' && /^\(0,0(x0)?\)$/.test(value.replace(/\s/g, ''))) continue
    let def = fieldDef(name)
    if (def === undefined) {
      // Not in OVS 3.1's table (a newer field, or a typo): kept as written, compared as text.
      m.unknown.push(`${name}=${value}`)
      continue
    }
    // nw_src/nw_dst/nw_proto are the ARP fields in an ARP match, as OVS reads them.
    if (isArp && (def.name === 'nw_src' || def.name === 'nw_dst')) def = fieldDef(def.name === 'nw_src' ? 'arp_spa' : 'arp_tpa') as FieldDef
    if (def.name === 'dl_vlan' || def.name === 'dl_vlan_pcp') {
      const n = parseBig(value)
      const max = def.name === 'dl_vlan' ? 4095n : 7n
      if (n === null || n > max) m.problems.push(`${raw}: not a ${def.name === 'dl_vlan' ? 'VLAN id (0-4095)' : 'priority (0-7)'}`)
      // The 802.1Q header present (CFI) plus the id or the priority, in vlan_tci as OVS keeps them.
      else if (def.name === 'dl_vlan') put(m, { def: vlanDef, value: 0x1000n | n, mask: 0x1fffn }, 0x1fffn)
      else put(m, { def: vlanDef, value: 0x1000n | (n << 13n), mask: 0xf000n }, 0xf000n)
      continue
    }
    const v = readValue(def, value)
    if (typeof v === 'string') {
      m.problems.push(`${raw}: ${v}`)
      m.unknown.push(`${def.name}=${value}`)
      continue
    }
    // nw_tos holds the DSCP bits (the ECN bits are nw_ecn): OVS keeps value & 0xfc.
    if (def === tosDef) v.value &= 0xfcn
    put(m, v)
  }
  // A packet type without an Ethernet header has no Ethernet fields: the switch drops them ("normalization
  // changed ofp_match"), and so do we.
  // No tag (CFI matched as 0): a priority cannot be matched, and the switch keeps only the id and CFI bits.
  const tci = m.fields.get('vlan_tci')
  if (tci && tci.mask & 0x1000n && !(tci.value & 0x1000n)) m.fields.set('vlan_tci', { ...tci, mask: tci.mask & 0x1fffn, value: tci.value & 0x1fffn })
  const pt = m.fields.get('packet_type')
  if (pt && pt.value >> 16n !== 0n) for (const slot of ['dl_src', 'dl_dst', 'vlan_tci']) m.fields.delete(slot)
  // NSH context headers exist only in MD type 1, and a GTP-U field of zero matches every packet: dropped by the switch.
  const md = m.fields.get('nsh_mdtype')
  if (!md || md.value !== 1n) for (let i = 1; i <= 4; i++) m.fields.delete(`nsh_c${i}`)
  for (const slot of ['gtpu_flags', 'gtpu_msgtype']) if (m.fields.get(slot)?.value === 0n) m.fields.delete(slot)
  // Neighbor discovery fields hold only for their ICMPv6 type: nd_sll (arp_sha's slot) in a solicitation (135),
  // nd_tll (arp_tha's) in an advertisement (136), nd_target and nd_reserved in either; the switch drops the rest.
  if (m.dlType === 0x86dd && m.nwProto === 58) {
    const t = m.fields.get('tp_src')
    const type = t && t.mask === 0xffffn ? t.value : null
    if (type !== 135n) m.fields.delete('arp_sha')
    if (type !== 136n) m.fields.delete('arp_tha')
    if (type !== 135n && type !== 136n) {
      m.fields.delete('nd_target')
      m.fields.delete('nd_reserved')
    }
  }
  return m
}

/** The printed name of a slot in this match's context (arp_spa vs nw_src, icmp_type vs tp_src). */
export function printedDef(m: OvsMatch, v: MaskedValue): FieldDef {
  const d = v.def
  const arp = m.dlType === 0x0806 || m.dlType === 0x8035
  const icmp = (m.dlType === 0x0800 && m.nwProto === 1) || (m.dlType === 0x86dd && m.nwProto === 58)
  const nd = m.dlType === 0x86dd && m.nwProto === 58
  const rename = (name: string) => fieldDef(name) as FieldDef
  if (d.storage === 'nw_src') return arp ? rename('arp_spa') : rename('nw_src')
  if (d.storage === 'nw_dst') return arp ? rename('arp_tpa') : rename('nw_dst')
  if (d.storage === 'tp_src') return icmp ? rename('icmp_type') : rename('tp_src')
  if (d.storage === 'tp_dst') return icmp ? rename('icmp_code') : rename('tp_dst')
  if (d.storage === 'arp_sha') return nd ? rename('nd_sll') : rename('arp_sha')
  if (d.storage === 'arp_tha') return nd ? rename('nd_tll') : rename('arp_tha')
  return d
}

/** One printed item of a match with its rank (print position). */
export interface PrintedItem {
  rank: number
  text: string
}

/** The match as ovs-ofctl prints it (without priority), items in match_format's order. */
export function printMatch(m: OvsMatch): string {
  const items: PrintedItem[] = []
  let protoCovers = false
  if (m.dlType !== null) {
    const p = protocolFor(m.dlType, m.nwProto)
    if (p) {
      items.push({ rank: protocolRank, text: p.name })
      protoCovers = p.coversProto
    } else items.push({ rank: (fieldDef('dl_type') as FieldDef).rank, text: `dl_type=0x${m.dlType.toString(16).padStart(4, '0')}` })
  }
  if (m.nwProto !== null && !protoCovers) {
    const arp = m.dlType === 0x0806 || m.dlType === 0x8035
    const def = fieldDef(arp ? 'arp_op' : 'nw_proto') as FieldDef
    items.push({ rank: def.rank, text: `${def.name}=${m.nwProto}` })
  }
  for (const v of m.fields.values()) {
    if (v.def === vlanDef) {
      items.push({ rank: vlanDef.rank, text: printVlan(v) })
      continue
    }
    const d = printedDef(m, v)
    items.push({ rank: d.rank, text: printValue(d.name, v) })
  }
  items.sort((a, b) => a.rank - b.rank)
  // Unknown items last, sorted, as written: OVS would have refused them, so no order of its applies.
  return [...items.map((i) => i.text), ...[...m.unknown].sort()].join(',')
}

/** vlan_tci as match_format prints it: dl_vlan/dl_vlan_pcp when they say it all, else vlan_tci. */
function printVlan(v: MaskedValue): string {
  const vid = v.mask & 0x0fffn
  const pcp = v.mask & 0xe000n
  const cfi = v.mask & 0x1000n
  if (cfi && v.value & 0x1000n && (vid === 0n || vid === 0x0fffn) && (pcp === 0n || pcp === 0xe000n) && (vid || pcp)) {
    const out: string[] = []
    if (vid) out.push(`dl_vlan=${v.value & 0x0fffn}`)
    if (pcp) out.push(`dl_vlan_pcp=${(v.value >> 13n) & 7n}`)
    return out.join(',')
  }
  return printValue('vlan_tci', v)
}

/** Field values of a packet, by storage slot (nw_src, tp_dst, reg0…), plus dl_type and nw_proto. */
export type PacketFields = Readonly<Record<string, bigint>>

/** True when the packet has every matched field, with the matched bits equal. */
export function matchesPacket(m: OvsMatch, packet: PacketFields): boolean {
  if (m.dlType !== null && packet.dl_type !== BigInt(m.dlType)) return false
  if (m.nwProto !== null && packet.nw_proto !== BigInt(m.nwProto)) return false
  for (const [slot, v] of m.fields) {
    if (v.portName !== undefined) return false // a port known by name only: no number to compare
    const x = packet[slot]
    if (x === undefined || (x & v.mask) !== v.value) return false
  }
  return true
}
