// Generated flow matches in the spellings ovs-ofctl accepts (aliases, bases, masks, orders, separators),
// each valid for Open vSwitch (prerequisites met), for differential tests against the real switch.
import fc from 'fast-check'

const hex = (n: number | bigint) => `0x${n.toString(16)}`
export const u32 = fc.integer({ min: 0, max: 0xffffffff })
export const u16 = fc.integer({ min: 0, max: 0xffff })
const octet = fc.integer({ min: 0, max: 255 })
export const ipv4 = fc.tuple(octet, octet, octet, octet).map((o) => o.join('.'))

/** A number in decimal or hex, upper or lower case. */
function spelled(n: number): fc.Arbitrary<string> {
  return fc.constantFrom(String(n), hex(n), `0x${n.toString(16).toUpperCase()}`, `0x${n.toString(16).padStart(4, '0')}`)
}

/** A value with no mask, a full mask, a partial mask (bits outside it set on purpose), or a mask of zero. */
function masked(bits: number, max: number): fc.Arbitrary<string> {
  const full = bits >= 32 ? 0xffffffff : 2 ** bits - 1
  return fc.oneof(
    { weight: 4, arbitrary: fc.integer({ min: 0, max }).chain(spelled) },
    { weight: 1, arbitrary: fc.integer({ min: 0, max }).map((v) => `${v}/${hex(full)}`) },
    { weight: 3, arbitrary: fc.tuple(fc.integer({ min: 0, max }), fc.integer({ min: 1, max: full })).map(([v, m]) => `${hex(v)}/${hex(m)}`) },
    { weight: 1, arbitrary: fc.integer({ min: 0, max }).map((v) => `${v}/0`) }
  )
}

const ipv4Value = fc.oneof(
  { weight: 3, arbitrary: ipv4 },
  { weight: 3, arbitrary: fc.tuple(ipv4, fc.integer({ min: 0, max: 32 })).map(([a, p]) => `${a}/${p}`) },
  { weight: 2, arbitrary: fc.tuple(ipv4, fc.integer({ min: 1, max: 32 })).map(([a, p]) => `${a}/${[24, 16, 8, 0].map((s) => ((((0xffffffff << (32 - p)) >>> 0) >>> s) & 255)).join('.')}`) },
  { weight: 1, arbitrary: fc.tuple(ipv4, ipv4).map(([a, m]) => `${a}/${m}`) }
)
export const macByte = octet.map((b) => b.toString(16).padStart(2, '0'))
export const mac = fc.array(macByte, { minLength: 6, maxLength: 6 }).map((b) => b.join(':'))
const macValue = fc.oneof(mac, mac.map((m) => m.toUpperCase()), fc.tuple(mac, mac).map(([a, m]) => `${a}/${m}`), mac.map((m) => `${m}/ff:ff:ff:ff:ff:ff`))
const group = fc.integer({ min: 0, max: 0xffff }).map((g) => g.toString(16))
const ipv6 = fc.oneof(
  fc.array(group, { minLength: 8, maxLength: 8 }).map((g) => g.join(':')),
  fc.tuple(fc.array(group, { minLength: 1, maxLength: 3 }), fc.array(group, { minLength: 0, maxLength: 3 })).map(([a, b]) => `${a.join(':')}::${b.join(':')}`),
  fc.constantFrom('::1', '::', 'fe80::1', '::ffff:10.0.0.1', 'fd00::a:0:0:1')
)
const ipv6Value = fc.oneof(ipv6, fc.tuple(ipv6, fc.integer({ min: 1, max: 128 })).map(([a, p]) => `${a}/${p}`))

type Field = [names: string[], value: fc.Arbitrary<string>]

/** A Geneve option value of at most `bytes` bytes, exact or with a mask written in any width up to it. */
function tunMetadata(bytes: number): fc.Arbitrary<string> {
  const max = (1n << BigInt(bytes * 8)) - 1n
  const value = fc.bigInt({ min: 0n, max })
  return fc.oneof(
    value.chain((v) => fc.constantFrom(`0x${v.toString(16)}`, String(v))),
    fc.tuple(value, fc.bigInt({ min: 0n, max }), fc.integer({ min: 1, max: bytes })).map(([v, m, w]) => `0x${v.toString(16)}/0x${(m & ((1n << BigInt(w * 8)) - 1n)).toString(16).padStart(w * 2, '0')}`),
    value.map((v) => `0x${v.toString(16)}/0x${'ff'.repeat(bytes)}`)
  )
}

/** Fields any match can hold. */
const anywhere: Field[] = [
  [['vlan_vid'], fc.oneof(fc.integer({ min: 0, max: 0xfff }).map((v) => String(0x1000 | v)), fc.constantFrom('0x1000/0x1000', '0x1005'))],
  [['pkt_mark'], masked(32, 0xffffffff)],
  [['ct_mark'], masked(32, 0xffffffff)],
  [['ct_zone'], u16.chain(spelled)],
  [['ct_state'], fc.oneof(fc.constantFrom('+trk', '+trk+est', '-new+trk', '+trk+rpl-inv', '0x21', 'new|trk', '0', '+est-rel+trk'))],
  [['metadata'], masked(32, 0xffffffff)],
  [['tun_id', 'tunnel_id'], masked(32, 0xffffffff)],
  [['tun_src'], ipv4Value],
  [['tun_dst'], ipv4Value],
  [['in_port'], fc.oneof(fc.integer({ min: 1, max: 3 }).map(String), fc.constantFrom('LOCAL', 'local'))],
  [['dl_src', 'eth_src'], macValue],
  [['dl_dst', 'eth_dst'], macValue],
  [['dl_vlan'], fc.integer({ min: 0, max: 4095 }).map(String)],
  [['dl_vlan_pcp', 'vlan_pcp'], fc.integer({ min: 0, max: 7 }).map(String)],
  // A tag's id and priority only with the "present" bit (CFI) set; without it, only "no tag" (0) is valid.
  [['vlan_tci'], fc.oneof(fc.tuple(fc.integer({ min: 0, max: 0xfff }), fc.integer({ min: 0, max: 7 })).map(([vid, pcp]) => `0x${(0x1000 | vid | (pcp << 13)).toString(16)}`), fc.constantFrom('0x1005/0x1fff', '0/0x1000', '0x1000/0x1000', '0'))],
  [['tun_erspan_ver'], fc.constantFrom('1', '2')],
  [['tun_gtpu_flags'], fc.integer({ min: 0, max: 255 }).map((v) => `0x${v.toString(16)}`)],
  [['tun_gtpu_msgtype'], fc.integer({ min: 0, max: 255 }).map(String)],
  [['tun_gbp_id'], masked(16, 0xffff)],
  [['tun_gbp_flags'], fc.integer({ min: 0, max: 255 }).map(String)],
  ...Array.from({ length: 16 }, (_, i): Field => [[`reg${i}`], masked(32, 0xffffffff)]),
  // The test switches map tun_metadata0 to a 4-byte option and tun_metadata1 to an 8-byte one (add-tlv-map).
  [['tun_metadata0'], tunMetadata(4)],
  [['tun_metadata1'], tunMetadata(8)],
  [['xreg1'], fc.tuple(u32, u32).map(([a, b]) => hex((BigInt(a) << 32n) | BigInt(b)))],
  [['xxreg1'], u32.map(hex)]
]

const ip4Fields: Field[] = [
  [['nw_src', 'ip_src'], ipv4Value],
  [['nw_dst', 'ip_dst'], ipv4Value],
  [['nw_ttl'], octet.map(String)],
  [['nw_ecn', 'ip_ecn'], fc.integer({ min: 0, max: 3 }).map(String)],
  [['ip_dscp'], fc.integer({ min: 0, max: 63 }).map(String)]
]
/** A later fragment has no L4 header: the switch refuses port matches with it (OFPBMC_BAD_PREREQ). */
const fragField: Field = [['nw_frag', 'ip_frag'], fc.constantFrom('no', 'yes', 'first', 'later', 'not_later')]
const ip6Fields: Field[] = [
  [['ipv6_src'], ipv6Value],
  [['ipv6_dst'], ipv6Value],
  [['ipv6_label'], fc.integer({ min: 0, max: 0xfffff }).map(hex)],
  [['nw_ttl'], octet.map(String)]
]
const l4 = (p: string): Field[] => [
  [['tp_src', `${p}_src`], masked(16, 0xffff)],
  [['tp_dst', `${p}_dst`], masked(16, 0xffff)]
]
const arpFields: Field[] = [
  [['arp_spa', 'nw_src'], ipv4Value],
  [['arp_tpa', 'nw_dst'], ipv4Value],
  [['arp_sha'], macValue],
  [['arp_tha'], macValue],
  [['arp_op'], fc.integer({ min: 1, max: 4 }).map(String)]
]

interface Proto {
  /** How the protocol is spelled: a shorthand, or dl_type (+ nw_proto). */
  spellings: string[][]
  fields: Field[]
  /** A packet without an Ethernet header (packet_type): no dl_* or VLAN fields. */
  noEthernet?: boolean
  /** Fields of `anywhere` the spellings already hold (ct_state for the connection's original direction). */
  exclude?: string[]
}
const ethernetOnly = new Set(['dl_src', 'dl_dst', 'dl_vlan', 'dl_vlan_pcp', 'vlan_tci', 'vlan_vid'])
const protos: Proto[] = [
  { spellings: [[]], fields: [] },
  { spellings: [['ip'], ['dl_type=0x0800'], ['eth_type=2048']], fields: [...ip4Fields, fragField] },
  { spellings: [['tcp'], ['ip', 'nw_proto=6'], ['dl_type=0x800', 'ip_proto=6']], fields: [...ip4Fields, ...l4('tcp'), [['tcp_flags'], fc.constantFrom('+syn', '+syn-ack', '0x2', 'syn', '+fin+rst', '-ack')]] },
  { spellings: [['udp'], ['ip', 'nw_proto=17']], fields: [...ip4Fields, ...l4('udp')] },
  { spellings: [['sctp']], fields: [...ip4Fields, ...l4('sctp')] },
  { spellings: [['icmp'], ['ip', 'nw_proto=1']], fields: [...ip4Fields, [['icmp_type'], octet.map(String)], [['icmp_code'], octet.map(String)]] },
  { spellings: [['ipv6'], ['dl_type=0x86dd']], fields: ip6Fields },
  { spellings: [['tcp6'], ['ipv6', 'nw_proto=6']], fields: [...ip6Fields, ...l4('tcp')] },
  { spellings: [['icmp6']], fields: [...ip6Fields, [['icmp_code'], octet.map(String)]] },
  { spellings: [['arp'], ['dl_type=0x0806']], fields: arpFields },
  { spellings: [['rarp']], fields: arpFields },
  { spellings: [['dl_type=0x88cc'], ['eth_type=0x88CC']], fields: [] },
  { spellings: [['ip', 'nw_proto=47']], fields: [...ip4Fields, fragField] },
  { spellings: [['icmp6', 'icmp_type=135'], ['icmp6', 'icmpv6_type=136']], fields: [...ip6Fields, [['nd_reserved'], u32.map(String)], [['nd_sll'], mac], [['nd_target'], ipv6Value]] },
  {
    noEthernet: true,
    spellings: [['packet_type=(1,0x894f)'], ['packet_type=(1,35151)']],
    fields: [
      [['nsh_flags'], fc.integer({ min: 0, max: 3 }).map(String)],
      [['nsh_ttl'], fc.integer({ min: 0, max: 63 }).map(String)],
      [['nsh_mdtype'], fc.constantFrom('1', '2')],
      [['nsh_np'], fc.integer({ min: 1, max: 4 }).map(String)],
      [['nsh_spi', 'nsp'], fc.integer({ min: 0, max: 0xffffff }).map(String)],
      [['nsh_si', 'nsi'], octet.map(String)],
      [['nsh_c1', 'nshc1'], u32.map(String)]
    ]
  },
  { noEthernet: true, spellings: [['packet_type=(1,0x800)']], fields: [[['pkt_mark'], masked(32, 0xffffffff)]] },
  // The original direction of a tracked connection: the switch wants ct_state with +trk and another bit.
  {
    exclude: ['ct_state'],
    spellings: [['ct_state=+new+trk', 'ip'], ['ct_state=+est+trk', 'dl_type=0x0800'], ['ct_state=-inv+trk', 'ip']],
    fields: [[['ct_nw_src'], ipv4Value], [['ct_nw_dst'], ipv4Value], [['ct_nw_proto'], fc.constantFrom('6', '17', '1')]]
  },
  {
    exclude: ['ct_state'],
    spellings: [['ct_state=+new+trk', 'ct_nw_proto=6', 'tcp'], ['ct_state=+est+trk', 'ct_nw_proto=17', 'ip']],
    fields: [[['ct_nw_src'], ipv4Value], [['ct_tp_src'], masked(16, 0xffff)], [['ct_tp_dst'], masked(16, 0xffff)]]
  },
  { exclude: ['ct_state'], spellings: [['ct_state=+est+trk', 'ipv6']], fields: [[['ct_ipv6_src'], ipv6Value], [['ct_ipv6_dst'], ipv6Value]] }
]

/** One generated match: its items in some order, joined by some separator. */
export const generatedMatch: fc.Arbitrary<string> = fc
  .constantFrom(...protos)
  .chain((p) =>
    fc.tuple(
      fc.constantFrom(...p.spellings),
      fc.uniqueArray(fc.constantFrom(...anywhere.filter((f) => !(p.noEthernet && ethernetOnly.has(f[0][0] as string)) && !p.exclude?.includes(f[0][0] as string)), ...p.fields), { maxLength: 6, selector: (f) => f[0][0] }).chain((fields) =>
        fc.tuple(...fields.map(([names, value]) => fc.tuple(fc.constantFrom(...names), value).map(([n, v]) => `${n}=${v}`)))
      ),
      fc.constantFrom(',', ' ', ', ', ' , ')
    )
  )
  .chain(([proto, items, sep]) => fc.shuffledSubarray([...proto, ...items], { minLength: proto.length + items.length }).map((all) => all.join(sep)))

/** A generated match's items: split at commas and blanks, but not inside parentheses (packet_type=(1,0x800)). */
export function matchItems(m: string): string[] {
  return m.split(/[\s,]+(?![^(]*\))/).filter((x) => x !== '')
}
