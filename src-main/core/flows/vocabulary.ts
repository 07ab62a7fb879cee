// The match fields of Open vSwitch 3.1 (ovs-fields(7)) as one declarative table: the name ovs-ofctl prints,
// the spellings it reads, the width, whether a mask is allowed, how the value prints, and where in a
// match it prints (lib/match.c match_format). The reader, the canonical printer, the fast path and the
// typed values are all derived from this table; no other list of fields exists.

/** How a value is read and printed. */
export type FieldFormat =
  | 'hex' // %#x: "0" or "0x1f" (registers, metadata, marks)
  | 'dec' // decimal exact; 0x%x/0x%x when masked (ports, ct_zone, tun_gbp_id)
  | 'dec-only' // decimal, never masked (conj_id, nw_ttl, dl_vlan…)
  | 'ipv4'
  | 'ipv6'
  | 'mac'
  | 'port'
  | 'ct_state'
  | 'tcp_flags'
  | 'tun_flags'
  | 'frag'
  | 'hex4' // vlan_tci: 0x%04x
  | 'hex5' // ipv6_label: 0x%05x
  | 'label' // ct_label: 128-bit hex
  | 'packet_type' // (namespace,type): "(1,0x800)"
  | 'tun_metadata' // variable length hex; a mask of all ones over its own written width is exact

export interface FieldDef {
  /** The name ovs-ofctl prints. */
  name: string
  /** Other spellings it reads (ovs-fields(7) aliases, NXM/OXM names). */
  aliases: readonly string[]
  bits: number
  maskable: boolean
  format: FieldFormat
  /** Position in a printed match (match_format order). */
  rank: number
  /**
   * The field a context renames: nw_src is printed arp_spa in an ARP match, tp_src icmp_type in ICMP,
   * arp_sha nd_sll in ICMPv6. The table holds each printed name; `storage` names the shared slot.
   */
  storage: string
  /** Only printed (and only valid) in this context. */
  context?: 'arp' | 'ip' | 'ipv6' | 'icmp' | 'icmp6' | 'l4' | 'tcp'
  /** NXM/OXM name used in actions (load, move): NXM_NX_REG0, NXM_OF_IP_SRC. */
  nxm?: string
  /** The field's own name where a match prints an older one: set_field prints ip_dst for nw_dst, eth_src for dl_src. */
  mfName?: string
}

const defs: FieldDef[] = []
let rank = 0
function add(name: string, bits: number, format: FieldFormat, o: Partial<Pick<FieldDef, 'maskable' | 'storage' | 'context' | 'nxm' | 'mfName'>> & { aliases?: string[] } = {}): void {
  defs.push({
    name,
    aliases: o.aliases ?? [],
    bits,
    maskable: o.maskable ?? (format === 'hex' || format === 'dec' || format === 'ipv4' || format === 'ipv6' || format === 'mac' || format === 'hex4' || format === 'hex5' || format === 'label' || format === 'tcp_flags' || format === 'ct_state' || format === 'tun_flags'),
    format,
    rank: rank++,
    storage: o.storage ?? name,
    ...(o.context ? { context: o.context } : {}),
    ...(o.nxm ? { nxm: o.nxm } : {}),
    ...(o.mfName ? { mfName: o.mfName } : {})
  })
}

// match_format's order, field by field.
add('pkt_mark', 32, 'hex', { nxm: 'NXM_NX_PKT_MARK' })
add('recirc_id', 32, 'hex', { maskable: false, nxm: 'NXM_NX_RECIRC_ID' })
add('dp_hash', 32, 'hex', { nxm: 'NXM_NX_DP_HASH' })
add('conj_id', 32, 'dec-only', { nxm: 'NXM_NX_CONJ_ID' })
add('skb_priority', 32, 'hex', { maskable: false })
add('actset_output', 32, 'port', { maskable: false, nxm: 'ONFOXM_ET_ACTSET_OUTPUT' })
add('ct_state', 32, 'ct_state', { nxm: 'NXM_NX_CT_STATE' })
add('ct_zone', 16, 'dec', { maskable: false, nxm: 'NXM_NX_CT_ZONE' })
add('ct_mark', 32, 'hex', { nxm: 'NXM_NX_CT_MARK' })
add('ct_label', 128, 'label', { nxm: 'NXM_NX_CT_LABEL' })
add('ct_nw_src', 32, 'ipv4', { nxm: 'NXM_NX_CT_NW_SRC' })
add('ct_nw_dst', 32, 'ipv4', { nxm: 'NXM_NX_CT_NW_DST' })
add('ct_ipv6_src', 128, 'ipv6', { nxm: 'NXM_NX_CT_IPV6_SRC' })
add('ct_ipv6_dst', 128, 'ipv6', { nxm: 'NXM_NX_CT_IPV6_DST' })
add('ct_nw_proto', 8, 'dec-only', { nxm: 'NXM_NX_CT_NW_PROTO' })
add('ct_tp_src', 16, 'dec', { nxm: 'NXM_NX_CT_TP_SRC' })
add('ct_tp_dst', 16, 'dec', { nxm: 'NXM_NX_CT_TP_DST' })
add('packet_type', 32, 'packet_type', { maskable: false })
/** Where the protocol shorthand (ip, tcp, arp…) prints. */
export const protocolRank = rank++
for (let i = 0; i < 16; i++) add(`reg${i}`, 32, 'hex', { nxm: `NXM_NX_REG${i}` })
add('tun_id', 64, 'hex', { aliases: ['tunnel_id'], nxm: 'NXM_NX_TUN_ID' })
add('tun_src', 32, 'ipv4', { nxm: 'NXM_NX_TUN_IPV4_SRC' })
add('tun_dst', 32, 'ipv4', { nxm: 'NXM_NX_TUN_IPV4_DST' })
add('tun_ipv6_src', 128, 'ipv6', { nxm: 'NXM_NX_TUN_IPV6_SRC' })
add('tun_ipv6_dst', 128, 'ipv6', { nxm: 'NXM_NX_TUN_IPV6_DST' })
add('tun_gbp_id', 16, 'dec', { nxm: 'NXM_NX_TUN_GBP_ID' })
add('tun_gbp_flags', 8, 'hex', { maskable: false, nxm: 'NXM_NX_TUN_GBP_FLAGS' })
add('tun_erspan_ver', 8, 'dec-only')
add('tun_erspan_idx', 32, 'hex', { maskable: false })
add('tun_erspan_dir', 8, 'dec-only')
add('tun_erspan_hwid', 8, 'hex', { maskable: false })
// OVS is inconsistent here: it reads tun_gtpu_flags/tun_gtpu_msgtype but prints gtpu_flags/gtpu_msgtype (and
// refuses its own printed name as input). We follow the switch's printing and read both.
add('gtpu_flags', 8, 'hex', { aliases: ['tun_gtpu_flags'], maskable: false })
add('gtpu_msgtype', 8, 'dec-only', { aliases: ['tun_gtpu_msgtype'] })
add('tun_flags', 16, 'tun_flags', { nxm: 'NXM_NX_TUN_FLAGS' })
// Geneve options by their TLV map slot (add-tlv-map): up to 124 bytes each, printed after the tunnel fields.
for (let i = 0; i < 64; i++) add(`tun_metadata${i}`, 992, 'tun_metadata', { maskable: true, nxm: `NXM_NX_TUN_METADATA${i}` })
add('metadata', 64, 'hex', { nxm: 'OXM_OF_METADATA' })
add('in_port', 32, 'port', { maskable: false, aliases: ['in_port_oxm'], nxm: 'NXM_OF_IN_PORT' })
add('vlan_tci', 16, 'hex4', { nxm: 'NXM_OF_VLAN_TCI' })
add('dl_vlan', 12, 'dec-only')
add('dl_vlan_pcp', 3, 'dec-only')
add('dl_src', 48, 'mac', { aliases: ['eth_src'], nxm: 'NXM_OF_ETH_SRC', mfName: 'eth_src' })
add('dl_dst', 48, 'mac', { aliases: ['eth_dst'], nxm: 'NXM_OF_ETH_DST', mfName: 'eth_dst' })
add('dl_type', 16, 'hex4', { maskable: false, aliases: ['eth_type'], nxm: 'NXM_OF_ETH_TYPE', mfName: 'eth_type' })
// NSH (packet_type=(1,0x894f)): no Ethernet header, so these print after in_port.
add('nsh_flags', 8, 'dec-only')
add('nsh_ttl', 8, 'dec-only')
add('nsh_mdtype', 8, 'dec-only')
add('nsh_np', 8, 'dec-only')
// nsh_spi prints "0x%x" even for zero (like ct_label), the other hex fields "0".
add('nsh_spi', 24, 'label', { aliases: ['nsp'], maskable: false })
add('nsh_si', 8, 'dec-only', { aliases: ['nsi'] })
for (let i = 1; i <= 4; i++) add(`nsh_c${i}`, 32, 'hex', { aliases: [`nshc${i}`], maskable: false })
add('ipv6_src', 128, 'ipv6', { context: 'ipv6', nxm: 'NXM_NX_IPV6_SRC' })
add('ipv6_dst', 128, 'ipv6', { context: 'ipv6', nxm: 'NXM_NX_IPV6_DST' })
add('ipv6_label', 20, 'hex5', { context: 'ipv6', nxm: 'NXM_NX_IPV6_LABEL' })
add('arp_spa', 32, 'ipv4', { storage: 'nw_src', context: 'arp', nxm: 'NXM_OF_ARP_SPA' })
add('arp_tpa', 32, 'ipv4', { storage: 'nw_dst', context: 'arp', nxm: 'NXM_OF_ARP_TPA' })
add('nw_src', 32, 'ipv4', { aliases: ['ip_src'], context: 'ip', nxm: 'NXM_OF_IP_SRC', mfName: 'ip_src' })
add('nw_dst', 32, 'ipv4', { aliases: ['ip_dst'], context: 'ip', nxm: 'NXM_OF_IP_DST', mfName: 'ip_dst' })
add('arp_op', 16, 'dec-only', { storage: 'nw_proto', context: 'arp', nxm: 'NXM_OF_ARP_OP' })
add('nw_proto', 8, 'dec-only', { aliases: ['ip_proto'], nxm: 'NXM_OF_IP_PROTO' })
add('arp_sha', 48, 'mac', { context: 'arp', nxm: 'NXM_NX_ARP_SHA' })
add('arp_tha', 48, 'mac', { context: 'arp', nxm: 'NXM_NX_ARP_THA' })
add('nw_tos', 8, 'dec-only', { nxm: 'NXM_OF_IP_TOS' })
add('nw_ecn', 2, 'dec-only', { aliases: ['ip_ecn'], nxm: 'NXM_NX_IP_ECN' })
add('nw_ttl', 8, 'dec-only', { nxm: 'NXM_NX_IP_TTL' })
add('mpls_label', 20, 'dec-only', { nxm: 'OXM_OF_MPLS_LABEL' })
add('mpls_tc', 3, 'dec-only', { nxm: 'OXM_OF_MPLS_TC' })
add('mpls_ttl', 8, 'dec-only', { nxm: 'NXM_NX_MPLS_TTL' })
add('mpls_bos', 1, 'dec-only', { nxm: 'OXM_OF_MPLS_BOS' })
add('nw_frag', 8, 'frag', { aliases: ['ip_frag'], nxm: 'NXM_NX_IP_FRAG', mfName: 'ip_frag' })
add('icmp_type', 16, 'dec', { storage: 'tp_src', context: 'icmp', aliases: ['icmpv6_type'], nxm: 'NXM_OF_ICMP_TYPE' })
add('icmp_code', 16, 'dec', { storage: 'tp_dst', context: 'icmp', aliases: ['icmpv6_code'], nxm: 'NXM_OF_ICMP_CODE' })
add('nd_target', 128, 'ipv6', { context: 'icmp6', nxm: 'NXM_NX_ND_TARGET' })
add('nd_sll', 48, 'mac', { storage: 'arp_sha', context: 'icmp6', nxm: 'NXM_NX_ND_SLL' })
add('nd_tll', 48, 'mac', { storage: 'arp_tha', context: 'icmp6', nxm: 'NXM_NX_ND_TLL' })
add('nd_reserved', 32, 'dec-only', { context: 'icmp6' })
add('tp_src', 16, 'dec', { aliases: ['tcp_src', 'udp_src', 'sctp_src'], context: 'l4', nxm: 'NXM_OF_TCP_SRC', mfName: 'tcp_src' })
add('tp_dst', 16, 'dec', { aliases: ['tcp_dst', 'udp_dst', 'sctp_dst'], context: 'l4', nxm: 'NXM_OF_TCP_DST', mfName: 'tcp_dst' })
add('tcp_flags', 12, 'tcp_flags', { context: 'tcp', nxm: 'NXM_NX_TCP_FLAGS' })

export const fieldDefs: readonly FieldDef[] = defs

/**
 * Fields ovs-fields(7) documents that the table above does not model yet: known names (an action may set
 * them, a match may hold them), read and compared as text, never diagnosed as unknown.
 */
const documentedOnly = new Set([
  // vlan_vid, vlan_pcp and ip_dscp are read into vlan_tci and nw_tos (masked.ts); the others are not modeled.
  'vlan_vid', 'vlan_pcp', 'ip_dscp', 'nd_options_type', 'tun_tos', 'tun_ttl'
])

/** A field name Open vSwitch documents (modeled or not). */
export function isDocumentedField(name: string): boolean {
  const lower = name.toLowerCase()
  return fieldDef(lower) !== undefined || documentedOnly.has(lower) || wideRegister(lower) !== null
}

const byName = new Map<string, FieldDef>()
for (const d of defs) {
  byName.set(d.name, d)
  for (const a of d.aliases) byName.set(a, d)
  if (d.nxm) byName.set(d.nxm.toLowerCase(), d)
}

/** The field any spelling names (case-insensitive), or undefined. */
export function fieldDef(name: string): FieldDef | undefined {
  return byName.get(name.toLowerCase())
}

/** Wide registers: xregN is reg2N (high 32 bits) and reg2N+1; xxregN is reg4N..reg4N+3. */
export function wideRegister(name: string): { regs: number[] } | null {
  const m = /^(x{1,2})reg(\d+)$/i.exec(name)
  if (!m) return null
  const n = Number(m[2])
  const width = (m[1] as string).length === 1 ? 2 : 4
  if ((width === 2 && n > 7) || (width === 4 && n > 3)) return null
  return { regs: Array.from({ length: width }, (_, i) => n * width + i) }
}

/** Protocol shorthands: [dl_type, nw_proto or null], printed in place of those two fields. */
export const protocols: Readonly<Record<string, readonly [number, number | null]>> = {
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

/** The shorthand match_format prints for dl_type (+ nw_proto), and whether nw_proto is then implied. */
export function protocolFor(dlType: number, nwProto: number | null): { name: string; coversProto: boolean } | null {
  if (dlType === 0x0800 || dlType === 0x86dd) {
    const v6 = dlType === 0x86dd
    // OVS 3.1 reads no "igmp" and prints IGMP as ip,nw_proto=2.
    const named: Record<number, string> = v6 ? { 58: 'icmp6', 6: 'tcp6', 17: 'udp6', 132: 'sctp6' } : { 1: 'icmp', 6: 'tcp', 17: 'udp', 132: 'sctp' }
    const n = nwProto === null ? undefined : named[nwProto]
    return n ? { name: n, coversProto: true } : { name: v6 ? 'ipv6' : 'ip', coversProto: false }
  }
  const other: Record<number, string> = { 0x0806: 'arp', 0x8035: 'rarp', 0x8847: 'mpls', 0x8848: 'mplsm' }
  const n = other[dlType]
  return n ? { name: n, coversProto: false } : null
}

/** ct_state flags by bit, in the order OVS prints them (lib/packets.h CS_*). */
export const ctStateBits: readonly (readonly [string, number])[] = [
  ['new', 0x01],
  ['est', 0x02],
  ['rel', 0x04],
  ['rpl', 0x08],
  ['inv', 0x10],
  ['trk', 0x20],
  ['snat', 0x40],
  ['dnat', 0x80]
]

/** TCP flags by bit (packet_tcp_flag_to_string). */
export const tcpFlagBits: readonly (readonly [string, number])[] = [
  ['fin', 0x001],
  ['syn', 0x002],
  ['rst', 0x004],
  ['psh', 0x008],
  ['ack', 0x010],
  ['urg', 0x020],
  ['ece', 0x040],
  ['cwr', 0x080],
  ['ns', 0x100],
  ['[200]', 0x200],
  ['[400]', 0x400],
  ['[800]', 0x800]
]

/** Tunnel flags (flow_tun_flag_to_string). */
export const tunFlagBits: readonly (readonly [string, number])[] = [['oam', 0x1]]
