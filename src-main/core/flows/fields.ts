// OpenFlow field vocabulary as ovs-ofctl writes it: aliases, value kinds, protocol shorthands.

export type FieldKind = 'ipv4' | 'ipv6' | 'mac' | 'int' | 'port' | 'ct_state' | 'raw'

const ipv4Fields = new Set(['nw_src', 'nw_dst', 'arp_spa', 'arp_tpa', 'tun_src', 'tun_dst', 'ct_nw_src', 'ct_nw_dst'])
const ipv6Fields = new Set(['ipv6_src', 'ipv6_dst', 'nd_target', 'tun_ipv6_src', 'tun_ipv6_dst', 'ct_ipv6_src', 'ct_ipv6_dst'])
const macFields = new Set(['eth_src', 'eth_dst', 'arp_sha', 'arp_tha', 'nd_sll', 'nd_tll'])
const rawFields = new Set(['ip_frag', 'nw_frag', 'tun_flags', 'tcp_flags', 'ct_label', 'vlan_tci', 'dl_vlan_pcp'])

/** Spellings ovs-ofctl accepts for the same field, mapped to the one it prints. */
const aliases: Record<string, string> = {
  dl_src: 'eth_src',
  dl_dst: 'eth_dst',
  dl_type: 'eth_type',
  ip_src: 'nw_src',
  ip_dst: 'nw_dst',
  tcp_src: 'tp_src',
  tcp_dst: 'tp_dst',
  udp_src: 'tp_src',
  udp_dst: 'tp_dst',
  sctp_src: 'tp_src',
  sctp_dst: 'tp_dst',
  tunnel_id: 'tun_id',
  tun_ipv4_src: 'tun_src',
  tun_ipv4_dst: 'tun_dst',
  nw_frag: 'ip_frag',
  icmp_type: 'icmp_type',
  icmpv4_type: 'icmp_type',
  icmpv4_code: 'icmp_code'
}

/** NXM/OXM register and field names used in actions (load/move/output), mapped to short names. */
const nxmNames: Record<string, string> = {
  NXM_NX_TUN_ID: 'tun_id',
  NXM_NX_TUN_IPV4_SRC: 'tun_src',
  NXM_NX_TUN_IPV4_DST: 'tun_dst',
  NXM_OF_ETH_SRC: 'eth_src',
  NXM_OF_ETH_DST: 'eth_dst',
  NXM_OF_ETH_TYPE: 'eth_type',
  NXM_OF_IP_SRC: 'nw_src',
  NXM_OF_IP_DST: 'nw_dst',
  NXM_OF_ARP_SPA: 'arp_spa',
  NXM_OF_ARP_TPA: 'arp_tpa',
  NXM_NX_ARP_SHA: 'arp_sha',
  NXM_NX_ARP_THA: 'arp_tha',
  NXM_OF_IN_PORT: 'in_port',
  NXM_NX_PKT_MARK: 'pkt_mark',
  NXM_NX_CT_MARK: 'ct_mark',
  NXM_NX_CT_ZONE: 'ct_zone',
  NXM_OF_TCP_DST: 'tcp_dst',
  NXM_OF_TCP_SRC: 'tcp_src',
  NXM_OF_UDP_DST: 'udp_dst',
  NXM_OF_UDP_SRC: 'udp_src',
  OXM_OF_METADATA: 'metadata',
  OXM_OF_IN_PORT: 'in_port'
}

export function canonicalFieldName(name: string, isArp: boolean): string {
  const lower = name.toLowerCase()
  const a = aliases[lower] ?? lower
  if (isArp) {
    if (a === 'nw_src') return 'arp_spa'
    if (a === 'nw_dst') return 'arp_tpa'
  }
  return a
}

/** "NXM_NX_REG0[]" -> "reg0[]", "NXM_NX_TUN_ID[0..31]" -> "tun_id[0..31]", "reg0" -> "reg0[]". */
export function canonicalFieldRef(ref: string): string {
  const m = /^([A-Za-z0-9_]+)(\[[^\]]*\])?$/.exec(ref.trim())
  if (!m) return ref.trim()
  const base = m[1] as string
  const reg = /^NXM_NX_(X?REG)(\d+)$/.exec(base)
  const short = reg ? `${(reg[1] as string).toLowerCase()}${reg[2]}` : (nxmNames[base] ?? base.toLowerCase())
  return `${short}${m[2] ?? '[]'}`
}

export function fieldKind(name: string): FieldKind {
  if (ipv4Fields.has(name)) return 'ipv4'
  if (ipv6Fields.has(name)) return 'ipv6'
  if (macFields.has(name)) return 'mac'
  if (name === 'in_port' || name === 'in_port_oxm') return 'port'
  if (name === 'ct_state') return 'ct_state'
  if (rawFields.has(name)) return 'raw'
  return 'int'
}

/** Protocol shorthands: [eth_type, nw_proto or null]. */
export const protocols: Record<string, [number, number | null]> = {
  ip: [0x0800, null],
  ipv6: [0x86dd, null],
  arp: [0x0806, null],
  rarp: [0x8035, null],
  icmp: [0x0800, 1],
  tcp: [0x0800, 6],
  udp: [0x0800, 17],
  sctp: [0x0800, 132],
  icmp6: [0x86dd, 58],
  tcp6: [0x86dd, 6],
  udp6: [0x86dd, 17],
  sctp6: [0x86dd, 132],
  mpls: [0x8847, null],
  mplsm: [0x8848, null]
}

export function protocolName(ethType: number, nwProto: number | null): string | null {
  for (const [name, [e, p]] of Object.entries(protocols)) if (e === ethType && p === nwProto) return name
  return null
}

const shortNames = new Set([
  ...ipv4Fields, ...ipv6Fields, ...macFields, ...rawFields, ...Object.values(nxmNames),
  'in_port', 'tun_id', 'metadata', 'pkt_mark', 'ct_mark', 'ct_zone', 'ct_state', 'eth_type', 'vlan_vid', 'vlan_pcp',
  'ip_dscp', 'nw_tos', 'nw_ttl', 'nw_proto', 'nw_ecn', 'tp_src', 'tp_dst', 'icmp_type', 'icmp_code', 'mpls_label',
  'tun_gbp_id', 'tun_gbp_flags', 'actset_output', 'packet_type', 'recirc_id', 'conj_id', 'dp_hash'
])

/** True for a field name OVS knows in actions: reg0..15, xreg0..7, NXM_/OXM_ names we map, short names. */
export function isKnownFieldName(name: string): boolean {
  if (/^(NXM_NX_REG(1[0-5]|\d)|NXM_NX_XREG[0-7]|reg(1[0-5]|\d)|xreg[0-7]|xxreg[0-3])$/.test(name)) return true
  if (name in nxmNames) return true
  if (/^(NXM|OXM)_/.test(name)) return /^(NXM_(OF|NX)|OXM_OF)_[A-Z0-9_]+$/.test(name) && !/_$/.test(name) && name.split('_').length > 3
  return shortNames.has(name.toLowerCase())
}
