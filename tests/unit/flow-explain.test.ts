// A flow read with what the case knows (core/flows/explain.ts): VNIDs and their projects, the pod, service or node
// behind an address, the port name behind a number and the number behind a name, the HostSubnet behind a cookie.
import { describe, expect, it } from 'vitest'
import { parseCapture } from '../../src-main/core/capture/parsed-view'
import { emptyKnowledge, explainFlow, type FlowKnowledge } from '../../src-main/core/flows/explain'
import { parsedAs } from '../../src-main/core/parse/registry'

const flow = (line: string) => parsedAs(parseCapture('ovs-ofctl -O OpenFlow13 dump-flows br0', line), 'ovs-ofctl.dump-flows')!.flows[0]!

const k: FlowKnowledge = {
  node: 'node1',
  nodes: [
    { name: 'node1', hostIP: '10.0.0.1', subnet: '10.128.0.0/23', cookie: '0xaaaa' },
    { name: 'node2', hostIP: '10.0.0.2', subnet: '10.128.2.0/23', cookie: '0x1b2c3d4' }
  ],
  pods: [{ namespace: 'shop', name: 'web-1', ip: '10.128.0.5', node: 'node1' }],
  services: [{ namespace: 'shop', name: 'web', clusterIP: '172.30.12.7' }],
  projects: [
    { name: 'shop', netid: 0xabc },
    { name: 'default', netid: 0 }
  ],
  ports: [{ ofport: 3, name: 'veth1a2b', podIP: '10.128.0.5' }],
  clusterNetworks: ['10.128.0.0/14'],
  serviceNetwork: '172.30.0.0/16'
}

const meanings = (notes: { part: string; meaning: string }[]) => Object.fromEntries(notes.map((n) => [n.part, n.meaning]))

describe('a flow explained', () => {
  it('a local pod: its port and veth, its IP, the VNID it is given and where it goes next', () => {
    const x = explainFlow(flow(' cookie=0x0, duration=1s, table=20, n_packets=0, n_bytes=0, priority=100,ip,in_port=3,nw_src=10.128.0.5 actions=load:0xabc->NXM_NX_REG0[],goto_table:21'), k)
    expect(x.table.name).not.toBeNull()
    expect(meanings(x.match)).toMatchObject({ 'in_port=3': 'veth1a2b, pod shop/web-1', 'nw_src=10.128.0.5': 'pod shop/web-1 on node1' })
    expect(x.actions.map((a) => [a.part, a.meaning, a.table ?? null])).toEqual([
      ['load:0xabc->NXM_NX_REG0[]', 'source VNID := VNID 0xabc: project shop', null],
      ['goto_table:21', expect.stringMatching(/^continue in table 21/), 21]
    ])
    expect(x.cookie).toBeNull()
  })

  it('a remote node: its subnet, the VXLAN target, the port, and the HostSubnet behind the cookie', () => {
    const x = explainFlow(flow(' cookie=0x1b2c3d4, duration=1s, table=90, n_packets=0, n_bytes=0, priority=100,ip,nw_dst=10.128.2.0/23 actions=move:NXM_NX_REG0[]->NXM_NX_TUN_ID[0..31],set_field:10.0.0.2->tun_dst,output:1'), k)
    expect(meanings(x.match)).toMatchObject({ 'nw_dst=10.128.2.0/23': 'the pod subnet of node2' })
    expect(x.actions.map((a) => a.meaning)).toEqual(['VXLAN VNID := the source VNID', 'send by VXLAN to node node2', 'out to port 1 (vxlan0)'])
    expect(x.cookie).toMatch(/^the HostSubnet of node2/)
    const stale = explainFlow(flow(' cookie=0x99, duration=1s, table=10, n_packets=0, n_bytes=0, priority=100,tun_src=10.0.0.9 actions=goto_table:30'), k)
    expect(meanings(stale.match)).toMatchObject({ 'tun_src=10.0.0.9': "VXLAN from 10.0.0.9, which is no node's HostIP" })
    expect(stale.cookie).toBe('no HostSubnet this case knows')
  })

  it('services, VNID matches, the global VNID, a --names dump and a flow the case knows nothing of', () => {
    const svc = explainFlow(flow(' cookie=0x0, duration=1s, table=60, n_packets=0, n_bytes=0, priority=100,tcp,nw_dst=172.30.12.7,tp_dst=80 actions=load:0xabc->NXM_NX_REG1[],load:0x2->NXM_NX_REG2[],goto_table:80'), k)
    expect(meanings(svc.match)['nw_dst=172.30.12.7']).toBe('service shop/web')
    expect(svc.actions.map((a) => a.meaning).slice(0, 2)).toEqual(['destination VNID := VNID 0xabc: project shop', 'output port := 2 (tun0)'])
    const iso = explainFlow(flow(' cookie=0x0, duration=1s, table=80, n_packets=0, n_bytes=0, priority=200,reg0=0 actions=output:NXM_NX_REG2[]'), k)
    expect(meanings(iso.match)['reg0=0']).toMatch(/^source VNID: VNID 0: the global projects/)
    expect(iso.actions[0]!.meaning).toMatch(/reg2/)
    const named = explainFlow(flow(' cookie=0x0, duration=1s, table=0, n_packets=0, n_bytes=0, priority=100,ip,in_port=veth1a2b actions=goto_table:20'), k)
    expect(meanings(named.match)['in_port=veth1a2b']).toBe('port 3')
    const bare = explainFlow(flow(' cookie=0x0, duration=1s, table=70, n_packets=0, n_bytes=0, priority=100,ip,nw_dst=10.128.0.9 actions=output:5'), emptyKnowledge)
    expect(bare.match.map((m) => m.meaning)).toEqual(['', ''])
    expect(bare.actions[0]!.meaning).toBe('out to port 5')
  })
})
