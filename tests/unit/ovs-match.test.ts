import { describe, expect, it } from 'vitest'
import { matchesPacket, readMatch, printMatch } from '../../src-main/core/flows/masked'
import { parseMatch } from '../../src-main/core/flows/match'
import { diffFlows } from '../../src-main/core/flows/diff'
import { parseActions } from '../../src-main/core/flows/actions'
import { applyFieldWrite, readSubfield, type PacketState } from '../../src-main/core/flows/packet'
import { parseDumpFlows } from '../../src-main/core/parse/ovs-dump-flows'

const canon = (m: string) => printMatch(readMatch(m.split(/[\s,]+/).filter((x) => x !== '')))

// Each pair: what was sent to Open vSwitch 3.1, what it printed back (dump-flows, this machine).
const printedByOvs: [string, string][] = [
  ['ip,nw_src=10.1.0.0/255.255.0.0', 'ip,nw_src=10.1.0.0/16'],
  ['in_port=1,reg1=0x3cb/0xff,tcp,tp_dst=80/0xffff', 'tcp,reg1=0xcb/0xff,in_port=1,tp_dst=80'],
  ['ip,nw_dst=10.2.3.4/16', 'ip,nw_dst=10.2.0.0/16'],
  ['tcp,tp_dst=0/0xff00', 'tcp,tp_dst=0x0/0xff00'],
  ['ip,nw_src=10.0.0.1/255.0.255.0', 'ip,nw_src=10.0.0.0/255.0.255.0'],
  ['tcp,tcp_flags=0x2', 'tcp,tcp_flags=syn'],
  ['tcp,tcp_flags=0x12/0x12', 'tcp,tcp_flags=+syn+ack'],
  ['ct_state=0x21', 'ct_state=new|trk'],
  ['ct_state=+trk-new,tcp', 'ct_state=-new+trk,tcp'],
  ['vlan_tci=0x1005', 'dl_vlan=5,dl_vlan_pcp=0'],
  ['vlan_tci=0/0x1000', 'vlan_tci=0x0000/0x1000'],
  ['dl_vlan=0xfff', 'dl_vlan=4095'],
  ['ipv6,ipv6_src=fd00::1/ffff::ff', 'ipv6,ipv6_src=fd00::1/ffff::ff'],
  ['ip,ip_dscp=10', 'ip,nw_tos=40'],
  ['reg0=5/0', ''],
  ['pkt_mark=0x5/0x0', ''],
  ['pkt_mark=0/0xffffffff', 'pkt_mark=0'],
  ['dl_src=01:00:00:00:00:00/01:00:00:00:00:00', 'dl_src=01:00:00:00:00:00/01:00:00:00:00:00'],
  ['dl_src=ff:ff:ff:ff:ff:ff/ff:ff:ff:ff:ff:ff', 'dl_src=ff:ff:ff:ff:ff:ff'],
  ['xreg0=0x100000002', 'reg0=0x1,reg1=0x2'],
  ['xxreg0=0x5', 'reg0=0,reg1=0,reg2=0,reg3=0x5'],
  ['in_port=65534', 'in_port=LOCAL'],
  ['udp,udp_dst=53', 'udp,tp_dst=53'],
  ['sctp,sctp_src=5', 'sctp,tp_src=5'],
  ['ipv6,ipv6_label=0x5/0xf', 'ipv6,ipv6_label=0x00005/0x0000f'],
  ['mpls,mpls_label=5,mpls_tc=1,mpls_bos=1,mpls_ttl=5', 'mpls,mpls_label=5,mpls_tc=1,mpls_ttl=5,mpls_bos=1'],
  ['icmp6,icmp_type=135,nd_target=fd00::1/64', 'icmp6,icmp_type=135,nd_target=fd00::/64'],
  ['dl_type=0x0800,nw_proto=6,tp_dst=5', 'tcp,tp_dst=5'],
  ['ip,nw_proto=2', 'ip,nw_proto=2'],
  ['dl_vlan_pcp=7,dl_vlan=0', 'dl_vlan=0,dl_vlan_pcp=7'],
  ['reg3=0x5/0x1', 'reg3=0x1/0x1'],
  ['xxreg1=0x9b38c2a6 reg6=3718377867/0 reg4=2870512944/0xffffffff dl_type=0x88cc', 'reg4=0xab188d30,reg5=0,reg7=0x9b38c2a6,dl_type=0x88cc']
]

describe('the match as Open vSwitch prints it', () => {
  it('reads each spelling to the text OVS printed for it', () => {
    for (const [sent, printed] of printedByOvs) expect(canon(sent), sent).toBe(printed)
  })

  it('says whether a packet matches, bit by bit under the mask', () => {
    const m = readMatch(['tcp', 'nw_dst=10.128.0.0/14', 'reg0=0x1/0xff', 'tp_dst=0x50/0xfff0'])
    const p = { dl_type: 0x0800n, nw_proto: 6n, nw_dst: 0x0a810005n, reg0: 0x1201n, tp_dst: 0x5an }
    expect(matchesPacket(m, p)).toBe(true)
    expect(matchesPacket(m, { ...p, nw_dst: 0x0a840005n })).toBe(false) // 10.132.0.5: outside the /14
    expect(matchesPacket(m, { ...p, reg0: 0x1202n })).toBe(false)
    expect(matchesPacket(m, { ...p, tp_dst: 0x60n })).toBe(false)
    expect(matchesPacket(m, { ...p, nw_proto: 17n })).toBe(false)
    const { nw_dst: _gone, ...noIp } = p
    expect(matchesPacket(m, noIp)).toBe(false) // a field the packet lacks never matches
    // ARP: nw_src is the sender address (arp_spa), in the same slot.
    expect(matchesPacket(readMatch(['arp', 'nw_src=10.0.0.1']), { dl_type: 0x0806n, nw_src: 0x0a000001n })).toBe(true)
  })

  it('keeps typed fields for the checks, under the names OVS prints', () => {
    const m = parseMatch(['arp', 'nw_src=10.129.0.2', 'eth_src=00:00:0A:81:00:02/00:00:ff:ff:ff:ff', 'in_port=3'])
    expect(m.canon).toBe('arp,in_port=3,dl_src=00:00:0a:81:00:02/00:00:ff:ff:ff:ff,arp_spa=10.129.0.2')
    expect(m.fields.find((f) => f.name === 'arp_spa')).toMatchObject({ kind: 'ipv4', ipv4: { prefix: 32, text: '10.129.0.2' } })
    expect(m.fields.find((f) => f.name === 'in_port')).toMatchObject({ kind: 'port', port: 3 })
  })
})

describe('dump lines as Open vSwitch 3.1 prints them', () => {
  // Printed by ovs-ofctl -O OpenFlow13 / OpenFlow15 dump-flows on this machine.
  const of13 = ' cookie=0x0, duration=0.057s, table=1, n_packets=0, n_bytes=0, send_flow_rem check_overlap reset_counts no_packet_counts no_byte_counts priority=100,ip,nw_src=10.0.0.0/8 actions=drop'
  const of15 = ' cookie=0x0, duration=0.012s, table=2, n_packets=0, n_bytes=0, importance=7, idle_age=0, priority=100,ip actions=drop'

  it('reads the flags printed before the priority as flags, not as the match', () => {
    const r = parseDumpFlows(of13)
    expect(r.diagnostics).toEqual([])
    expect(r.flows[0]).toMatchObject({ priority: 100, matchCanon: 'ip,nw_src=10.0.0.0/8' })
    expect(Object.keys(r.flows[0]!.more?.extra ?? {})).toEqual(['send_flow_rem', 'check_overlap', 'reset_counts', 'no_packet_counts', 'no_byte_counts'])
  })

  it('reads importance and compares it as ovs-ofctl diff-flows does; flags are not compared', () => {
    const a = parseDumpFlows(of15).flows
    expect(a[0]?.more?.importance).toBe(7)
    const b = parseDumpFlows(of15.replace('importance=7', 'importance=8')).flows
    expect(diffFlows(a, b).tables[0]?.changed[0]?.changes).toEqual(['importance'])
    const flagsOnly = parseDumpFlows(of13.replace('send_flow_rem check_overlap ', '')).flows
    expect(diffFlows(parseDumpFlows(of13).flows, flagsOnly).totals.changed).toBe(0)
  })

  it('reads add-flows syntax with blanks between fields and quoted port names, and names OVS prints', () => {
    const r = parseDumpFlows('table=1 priority=90 ip nw_src=10.1.0.0/255.255.0.0 actions=output:2\ntable=1,priority=80,in_port="p1",sctp,sctp_src=5,actions=set_field:10.0.0.1->ip_src\ntable=1,priority=60,actions=')
    expect(r.diagnostics.filter((d) => d.severity !== 'info')).toEqual([])
    expect(r.flows.map((f) => [f.priority, f.matchCanon])).toEqual([
      [90, 'ip,nw_src=10.1.0.0/16'],
      [80, 'sctp,in_port=p1,tp_src=5'],
      [60, '']
    ])
    expect(r.diagnostics).toEqual([expect.objectContaining({ line: 3, severity: 'info', message: expect.stringMatching(/empty actions: a drop/) })])
  })
})

describe('field writes on a packet (what the tracer steps through)', () => {
  const run = (state: PacketState, actions: string) => parseActions(actions).actions.map((a) => applyFieldWrite(state, a))

  it('load, move and set_field with bit ranges and masks, as the switch applies them', () => {
    const s: PacketState = new Map([['reg0', 0xffff0000n], ['tun_id', 0x123456n]])
    expect(run(s, 'load:0xab->NXM_NX_REG0[0..7],move:NXM_NX_TUN_ID[0..31]->NXM_NX_REG1[],load:0x1->reg2[31],set_field:0x5/0xf->reg3')).toEqual([null, null, null, null])
    expect(s.get('reg0')).toBe(0xffff00abn)
    expect(s.get('reg1')).toBe(0x123456n)
    expect(s.get('reg2')).toBe(0x80000000n)
    expect(s.get('reg3')).toBe(0x5n)
    expect(readSubfield(s, 'NXM_NX_REG0[8..15]')).toBe(0n)
    expect(readSubfield(s, 'reg0[16..31]')).toBe(0xffffn)
  })

  it('writes addresses and wide registers into their slots', () => {
    const s: PacketState = new Map()
    expect(run(s, 'set_field:10.200.1.2->tun_dst,set_field:0a:58:0a:81:00:05->eth_dst,mod_nw_dst:10.129.0.5,load:0x100000002->NXM_NX_XREG3[]')).toEqual([null, null, null, null])
    expect(s.get('tun_dst')).toBe(0x0ac80102n)
    expect(s.get('dl_dst')).toBe(0x0a580a810005n)
    expect(s.get('reg6')).toBe(1n)
    expect(s.get('reg7')).toBe(2n)
    // ARP's target address is nw_dst's slot.
    expect(run(s, 'move:NXM_OF_ARP_TPA[]->NXM_NX_REG8[]')).toEqual([null])
    expect(s.get('reg8')).toBe(0x0a810005n)
  })

  it('says why a write cannot be done', () => {
    const s: PacketState = new Map()
    expect(run(s, 'move:NXM_NX_REG9[]->NXM_NX_REG1[]')[0]).toMatch(/has no value in this packet/)
    expect(run(s, 'load:0x1->NXM_NX_REG0[30..40]')[0]).toMatch(/does not fit/)
    expect(run(s, 'set_field:300.1.1.1->ip_dst')[0]).toMatch(/is not a value of ip_dst/)
  })
})
