// The offline tracer's own rules, where no switch is needed to say what is right: limits, what it does not model,
// equal-priority ties, resubmit returning to its action list with the lookup's in_port only, NAT with a range, the
// conntrack state forms, and the verdicts in words. (Agreement with the real tool: tracer-vs-ovs.test.ts.)
import { describe, expect, it } from 'vitest'
import { parseDumpFlows } from '../../src-main/core/parse/ovs-dump-flows'
import { printTrace } from '../../src-main/core/trace/print'
import { ctStateText, FlowTables, packetFromFlow, parseCtState, trace, traceLimits } from '../../src-main/core/trace/tracer'
import { traceVerdict } from '../../src-main/core/trace/verdict'
import { sample } from '../helpers/samples'

const tables = (lines: string[]) => new FlowTables(parseDumpFlows(lines.map((l) => ` cookie=0x0, duration=1s, ${l}`).join('\n')).flows)
const pkt = (f: string) => packetFromFlow(f).packet

describe('the offline tracer', () => {
  it('stops at OVS\'s depth limit, with its message', () => {
    const r = trace(tables(['table=0, n_packets=0, n_bytes=0, priority=0 actions=resubmit(,0)']), pkt('in_port=1,ip'))
    expect(printTrace(r)).toContain(`>>>> over max translation depth ${traceLimits.depth} <<<<`)
  })

  it('reports an action it does not model, in the tree and in the list, and goes on', () => {
    const r = trace(tables(['table=0, n_packets=0, n_bytes=0, priority=0 actions=learn(table=9,NXM_OF_ETH_DST[]),output:2']), pkt('in_port=1,ip'))
    expect(r.unmodelled).toEqual([{ table: 0, action: 'learn(table=9,NXM_OF_ETH_DST[])' }])
    expect(printTrace(r)).toContain(' >> learn(table=9,NXM_OF_ETH_DST[]): not modelled by the offline tracer')
    expect(r.passes[0]!.outputs.map((o) => o.port)).toEqual([2])
    expect(traceVerdict(r).summary).toContain('(not modelled: learn(table=9,NXM_OF_ETH_DST[]) in table 0)')
  })

  it('names two matching flows of equal priority (the switch would pick either)', () => {
    const r = trace(tables(['table=0, n_packets=0, n_bytes=0, priority=5,ip actions=output:2', 'table=0, n_packets=0, n_bytes=0, priority=5,in_port=1 actions=output:3']), pkt('in_port=1,ip'))
    expect(r.ties).toHaveLength(1)
    expect(r.ties[0]!.flows.map((f) => f.matchCanon)).toEqual(['ip', 'in_port=1'])
  })

  it('resubmit(port,table) looks up with that in_port and returns to the rest of the actions', () => {
    const r = trace(
      tables([
        'table=0, n_packets=0, n_bytes=0, priority=0 actions=resubmit(7,5),output:3',
        'table=5, n_packets=0, n_bytes=0, priority=10,in_port=7 actions=load:0x9->NXM_NX_REG3[]',
        'table=5, n_packets=0, n_bytes=0, priority=0 actions=drop'
      ]),
      pkt('in_port=1,ip')
    )
    const p = r.passes[0]!
    expect(p.end.get('reg3')).toBe(9n)
    expect(p.end.get('in_port')).toBe(1n)
    expect(p.outputs.map((o) => o.port)).toEqual([3])
    // The resubmitted table is nested (not the last action), OVS's indentation.
    expect(printTrace(r)).toContain('    resubmit(7,5)\n     5. in_port=7, priority 10\n            load:0x9->NXM_NX_REG3[]\n    output:3')
  })

  it('simulates NAT with the first address and port of the range, and takes --ct-next in each form', () => {
    const r = trace(tables(['table=0, n_packets=0, n_bytes=0, priority=0,tcp actions=ct(commit,table=1,nat(dst=10.0.0.5-10.0.0.9:8080-8090))', 'table=1, n_packets=0, n_bytes=0, priority=0 actions=output:2']), pkt('in_port=1,tcp,nw_dst=10.9.9.9,tp_dst=80'), { ctNext: ['+trk+new'] })
    const resumed = r.passes[1]!
    expect(resumed.ctState).toBe('new|trk')
    expect(resumed.start.get('nw_dst')).toBe(0x0a000005n)
    expect(resumed.start.get('tp_dst')).toBe(8080n)
    expect(printTrace(r)).toContain(' Initial flow: nw_src=0.0.0.0,tp_src=0,nw_dst=10.9.9.9,tp_dst=80\n Modified flow: nw_src=0.0.0.0,tp_src=0,nw_dst=10.0.0.5,tp_dst=8080')
    expect(parseCtState('trk,est,rpl')).toBe(parseCtState('trk|est|rpl'))
    expect(ctStateText(parseCtState('rpl+trk+est') as bigint)).toBe('est|rpl|trk')
    expect(parseCtState('trk|bogus')).toBeNull()
  })

  it('says where the packet went and, at a default drop, which flow is missing', () => {
    const t = new FlowTables(parseDumpFlows(sample('lab/node1-dump-flows-of13.txt')).flows)
    const to = (f: string) => traceVerdict(trace(t, pkt(f))).summary
    expect(to('in_port=3,ip,nw_src=10.129.0.2,nw_dst=10.129.0.3')).toBe('Delivered to port 4 (table 80 (isolation))')
    expect(to('in_port=3,ip,nw_src=10.129.0.2,nw_dst=10.128.0.5')).toBe('Sent over VXLAN to 10.200.0.2 with VNID 0xabcdef (table 90 (IP remote))')
    expect(to('in_port=3,tcp,nw_src=10.129.0.2,nw_dst=172.30.0.1,tp_dst=443')).toBe('Out through tun0 (port 2) (table 80 (isolation))')
    expect(to('in_port=3,ip,nw_src=10.129.0.2,nw_dst=10.128.2.5')).toMatch(/^Dropped in table 90 \(IP remote\) by its default flow "priority 0 actions=drop": no table 90 flow for nw_dst=10\.128\.2\.5: no remote HostSubnet holds it/)
    expect(to('in_port=1,ip,tun_src=10.250.0.9,nw_src=10.128.0.5,nw_dst=10.129.0.2')).toMatch(/^Dropped in table 10 \(VXLAN in\).*tun_src=10\.250\.0\.9/)
  })
})

describe('a packet as ofproto/trace reads it', () => {
  it('is read strictly: tp_src is TCP\'s port (UDP and SCTP name theirs), an unknown field or a mask is refused', () => {
    expect(packetFromFlow('in_port=3,tcp,tp_src=5,tp_dst=80').problems).toEqual([])
    expect(packetFromFlow('in_port=3,udp,udp_src=5,udp_dst=53').problems).toEqual([])
    expect(packetFromFlow('in_port=3,sctp,sctp_dst=9').problems).toEqual([])
    expect(packetFromFlow('in_port=3,udp,tp_src=5').problems).toEqual(['tp_src: prerequisites not met (tp_src needs tcp; for UDP write udp_src/udp_dst)'])
    expect(packetFromFlow('in_port=3,ip,udp_dst=53').problems).toEqual(['udp_dst: prerequisites not met (udp_dst needs udp)'])
    expect(packetFromFlow('in_port=3,ip,nw_dst=10.0.0.0/8').problems).toEqual(['nw_dst: a packet has values, not masks'])
    expect(packetFromFlow('in_port=3,ip,bogus=1').problems).toEqual(['bogus=1: not a field'])
  })
})

describe('ovs-ofctl dump-groups', () => {
  it('reads each group with its type and buckets (numbered in order) and says what it could not read', async () => {
    const { parseDumpGroups } = await import('../../src-main/core/parse/ovs-groups')
    const text = 'OFPST_GROUP_DESC reply (OF1.3) (xid=0x2):\n group_id=38,type=select,bucket=actions=output:5\n group_id=1,type=all,bucket=actions=load:0x5->NXM_NX_REG3[],output:3,bucket=actions=output:4\n group_id=37,type=select,selection_method=dp_hash,bucket=bucket_id:4,weight:100,actions=set_field:10.0.0.9->ip_src,output:5\n not a group\n'
    const r = parseDumpGroups(text)
    expect(r.records.map((g) => [g.id, g.type, g.buckets.map((b) => [b.id, b.actionsText])])).toEqual([
      [38, 'select', [[0, 'output:5']]],
      [1, 'all', [[0, 'load:0x5->NXM_NX_REG3[],output:3'], [1, 'output:4']]],
      [37, 'select', [[4, 'set_field:10.0.0.9->ip_src,output:5']]]
    ])
    expect(r.records[2]!.buckets[0]!.weight).toBe(100)
    expect(r.records[2]!.properties).toEqual({ selection_method: 'dp_hash' })
    expect(r.diagnostics.map((d) => d.line)).toEqual([5])
  })

  it('without the groups a group action is not modelled; with them a missing group is OVS\'s warning', async () => {
    const { parseDumpGroups } = await import('../../src-main/core/parse/ovs-groups')
    const t = tables(['table=0, n_packets=0, n_bytes=0, priority=0 actions=group:9'])
    expect(trace(t, pkt('in_port=1,ip')).unmodelled).toEqual([{ table: 0, action: 'group:9' }])
    const groups = new Map(parseDumpGroups(' group_id=1,type=all,bucket=actions=output:3\n').records.map((g) => [g.id, g]))
    expect(printTrace(trace(t, pkt('in_port=1,ip'), { groups }))).toContain(' >> output to nonexistent group 9')
  })
})
