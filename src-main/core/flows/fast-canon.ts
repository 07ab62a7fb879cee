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

/** A dotted quad with an optional /prefix, in OVS's printed form (host bits clear, no /32, no leading zeros). */
function isCanonicalIpv4(s: string, from: number): boolean {
  let octets = 0
  let value = 0
  let digits = 0
  let addr = 0
  let i = from
  for (; i < s.length; i++) {
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
  if (i === s.length) {
    if (digits === 0 || octets !== 3) return false
    return true
  }
  // after '/': the prefix
  if (octets !== 4) return false
  let prefix = 0
  let pd = 0
  for (i = i + 1; i < s.length; i++) {
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

/** Decimal without leading zeros (canonical as is), or null. */
function isCanonicalDecimal(s: string, from: number): boolean {
  const n = s.length - from
  if (n === 0 || n > 15) return false
  if (n > 1 && s.charCodeAt(from) === 48) return false
  for (let i = from; i < s.length; i++) {
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

function isLowerMac(s: string, from: number): boolean {
  if (s.length - from !== 17) return false
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
  const v = eq + 1
  switch (kind) {
    case Kind.Ipv4:
      if (isArp && (name === 'nw_src' || name === 'nw_dst')) return null
      return isCanonicalIpv4(item, v) ? item : null
    case Kind.Port:
      return isCanonicalDecimal(item, v) ? item : null
    case Kind.Int:
      if (isCanonicalDecimal(item, v)) return item
      if (item.charCodeAt(v) === 48 && item.charCodeAt(v + 1) === 120) {
        const d = hexToDecimal(item, v + 2)
        return d === null ? null : `${name}=${d}`
      }
      return null
    case Kind.Mac:
      return isLowerMac(item, v) ? item : null
    case Kind.Raw:
      return null
  }
}
