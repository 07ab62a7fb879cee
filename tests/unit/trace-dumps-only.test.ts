// The Tracer on a case holding only the nodes' dumps (no oc output): the pods of every dump are endpoints, the
// nodes' subnets and HostIPs come from the dumps, so a packet sent over VXLAN goes on in the destination node's
// dump and a drop for a missing HostSubnet flow names the subnet.
import { describe, expect, it } from 'vitest'
import { parseCapture } from '../../src-main/core/capture/parsed-view'
import { TraceService } from '../../src-main/node/trace/trace-service'
import { newCapture } from '../helpers/captures'
import { useTempCase } from '../helpers/temp-case'
import { labFlows, labPlan } from '../lab/flows'

const ctx = useTempCase()
const plan = labPlan(2)

function saveDump(node: string, text: string, at: string, command = 'ovs-ofctl -O OpenFlow13 dump-flows br0'): number {
  const p = parseCapture(command, text, null)
  return ctx.db.captures.save(newCapture({ hostName: node, command, stdout: text, startedAt: at, source: 'imported', parse: p ? { parserId: p.parser, records: p.records, diagnostics: p.diagnostics } : null })).id
}

describe('the Tracer on a case holding only dumps', () => {
  it('traces across the two dumps and names the subnet a missing flow is for', () => {
    const faulty = labFlows(plan[0]!, plan).split('\n').filter((l) => !/table=(90|50),.*10\.128\.2\.0\/23/.test(l)).join('\n')
    const d1 = saveDump('node1', faulty, '2026-01-01T00:00:00Z')
    const d2 = saveDump('node2', labFlows(plan[1]!, plan), '2026-01-01T00:00:01Z')
    // A newer dump of one table only is not what a trace reads.
    saveDump('node1', faulty.split('\n').filter((l) => l.startsWith('table=70')).join('\n'), '2026-01-01T00:00:05Z', 'ovs-ofctl -O OpenFlow13 dump-flows br0 table=70')
    const svc = new TraceService(() => ctx.db)
    const e1 = svc.endpoints(d1).endpoints
    const p1 = plan[0]!.pods[0]!
    const p2 = plan[1]!.pods[0]!
    expect(e1.find((e) => e.id === `pod:${p1.ip}`)).toMatchObject({ local: true, node: 'node1', label: `${p1.ip} (port 3 on node1)` })
    expect(e1.find((e) => e.id === `pod:${p2.ip}`)).toMatchObject({ local: false, node: 'node2', label: `${p2.ip} (port 3 on node2)` })
    const drop = svc.run({ captureId: d1, from: `pod:${p1.ip}`, to: `pod:${p2.ip}` })
    expect(drop.verdict).toMatch(/^Dropped in table 90 .*though node2's HostSubnet 10\.128\.2\.0\/23 \(HostIP 10\.200\.1\.2\) holds it/)
    const over = svc.run({ captureId: d2, from: `pod:${p2.ip}`, to: `pod:${p1.ip}` })
    expect(over.continued?.node).toBe('node1')
    expect(over.verdict).toMatch(/^Sent over VXLAN to node node1 \(10\.200\.0\.2\) with VNID 0xabcdef .*; on node1: delivered to port 3/)
    // The reverse, from node1's pod as it arrives on node2 over VXLAN (its VNID from node1's table 20).
    expect(svc.run({ captureId: d2, from: `pod:${p1.ip}`, to: `pod:${p2.ip}` }).flow).toBe(`in_port=1,tun_src=10.200.0.2,tun_id=0xabcdef,tcp,nw_src=${p1.ip},nw_dst=${p2.ip},tp_src=40000,tp_dst=80`)
  })
})
