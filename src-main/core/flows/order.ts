// The order in which ovs-ofctl prints match fields (match_format), used as the canonical order so that
// a dumped flow's match text is already canonical. Unknown fields go last, by name.

const ranks: Record<string, number> = {
  recirc_id: 1, dp_hash: 2, conj_id: 3, skb_priority: 4, pkt_mark: 5,
  ct_state: 6, ct_zone: 7, ct_mark: 8, ct_label: 9, ct_nw_src: 10, ct_nw_dst: 11, ct_ipv6_src: 12, ct_ipv6_dst: 13,
  ct_nw_proto: 14, ct_tp_src: 15, ct_tp_dst: 16,
  tun_id: 20, tun_src: 21, tun_dst: 22, tun_ipv6_src: 23, tun_ipv6_dst: 24, tun_flags: 25, tun_gbp_id: 26, tun_gbp_flags: 27,
  metadata: 30,
  protocol: 60, in_port: 61, vlan_tci: 62, dl_vlan: 63, vlan_vid: 64, dl_vlan_pcp: 65, vlan_pcp: 65,
  eth_src: 66, eth_dst: 67, eth_type: 68,
  nw_src: 70, arp_spa: 70, ipv6_src: 70, nw_dst: 71, arp_tpa: 71, ipv6_dst: 71, ipv6_label: 72,
  nw_proto: 73, arp_op: 73, nw_tos: 74, ip_dscp: 74, nw_ecn: 75, nw_ttl: 76, ip_frag: 77,
  arp_sha: 78, arp_tha: 79, tcp_flags: 80, tp_src: 81, tp_dst: 82, icmp_type: 83, icmp_code: 84,
  nd_target: 85, nd_sll: 86, nd_tll: 87
}
for (let i = 0; i < 16; i++) ranks[`reg${i}`] = 31 + i
for (let i = 0; i < 8; i++) ranks[`xreg${i}`] = 47 + i

const unknownRank = 100

export function fieldRank(name: string): number {
  return ranks[name] ?? unknownRank
}

function nameOf(canonItem: string): string {
  const eq = canonItem.indexOf('=')
  return eq < 0 ? canonItem : canonItem.slice(0, eq)
}

/** Orders canonical items ("name=value") as ovs-ofctl prints them. */
export function compareCanonItems(a: string, b: string): number {
  const na = nameOf(a)
  const nb = nameOf(b)
  const d = fieldRank(na) - fieldRank(nb)
  if (d !== 0) return d
  return a < b ? -1 : a > b ? 1 : 0
}

/** Integer fields ovs-ofctl prints in hex ("reg0=0xabcdef", but "reg0=0"). */
export function printsHex(name: string): boolean {
  return /^(x?reg\d+|metadata|tun_id|pkt_mark|ct_mark|ct_label|recirc_id|dp_hash)$/.test(name)
}
