// A case holding only the nodes' br0 dumps: the cluster as the dumps describe it (each node's subnet, HostIP and
// pods, read from the flows openshift-sdn programs), and the pod-to-pod runbook's first steps (`oc get pods`,
// `oc get hostsubnets`) answered from them offline, each answer citing the flow it came from.
import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { describe, expect, it } from 'vitest'
import type { Flow } from '../../src-main/core/flows/flow'
import { parseOutput, parsedAs } from '../../src-main/core/parse/registry'
import { applyChecks, applyEvidence, knownValues, startRun, type RunState } from '../../src-main/core/runbook/engine'
import { checkFromDumps, stepFromDumps } from '../../src-main/core/runbook/from-dumps'
import { dumpTopology, nodeOfAddress, type NodeDump } from '../../src-main/core/sdn/dump-topology'
import { parseRunbookYaml } from '../../src-main/node/runbook/runbook-library'
import { labFlows, labPlan } from '../lab/flows'
import { sample } from '../helpers/samples'

const flowsOf = (text: string): Flow[] => parsedAs(parseOutput('ovs-ofctl.dump-flows', text), 'ovs-ofctl.dump-flows')?.flows ?? []
const plan = labPlan(3)
/** The lab's three nodes, node1 without its table 90 (and 50) flow for node2's subnet: the planted fault. */
function dumps(without: (node: string, line: string) => boolean = () => false, nodes = plan): NodeDump[] {
  return nodes.map((n, i) => ({ node: n.name, captureId: 10 + i, flows: flowsOf(labFlows(n, plan).split('\n').filter((l) => !without(n.name, l)).join('\n')) }))
}
const fault = (node: string, line: string) => node === 'node1' && /table=(90|50),.*10\.128\.2\.0\/23/.test(line)

describe('the cluster from the nodes\' saved br0 dumps', () => {
  it('reads each node\'s subnet, gateway and HostIP, its pods with port and VNID, and the networks', () => {
    const t = dumpTopology(dumps())
    expect(t.nodes.map((n) => [n.name, n.subnet, n.gateway, n.hostIP])).toEqual(plan.map((n) => [n.name, n.subnet, n.gateway, n.ip]))
    // A HostIP is read where the node's peers send its subnet: another node's table 90, with the HostSubnet cookie.
    const n2 = t.nodes[1]!
    expect(n2.hostIPFrom?.node).not.toBe('node2')
    expect(n2.hostIPFrom?.text).toMatch(/table=90, .*nw_dst=10\.128\.2\.0\/23.*set_field:10\.200\.1\.2->tun_dst/)
    expect(n2.cookie).toMatch(/^0x[0-9a-f]+$/)
    expect(n2.subnetFrom?.text).toMatch(/table=30, priority=200, ip, nw_dst=10\.128\.2\.0\/23, actions=goto_table:70/)
    expect(t.pods).toHaveLength(9)
    for (const n of plan) for (const p of n.pods) {
      const got = t.pods.find((x) => x.ip === p.ip)!
      expect([got.node, got.ofport, got.vnid]).toEqual([n.name, p.ofport, p.vnid])
      // Its flows in tables 20, 40 and 70, with their lines.
      expect(got.from.map((r) => /table=(\d+)/.exec(r.text)?.[1])).toEqual(['20', '40', '70'])
    }
    expect(t.clusterNetworks).toEqual(['10.128.0.0/14'])
    expect(t.serviceNetwork).toBe('172.30.0.0/16')
    expect(nodeOfAddress(t, '10.128.4.3')?.name).toBe('node3')
    expect(nodeOfAddress(t, '10.131.0.3')).toBeNull()
  })

  it('a node no peer sends to has its HostIP from its own table 100 (the DNS flow); without either it is not known', () => {
    // node1 lacks the flow for node2; with only node1 and node2 dumped, node2's HostIP comes from its own table 100.
    const two = dumps(fault, plan.slice(0, 2))
    const t = dumpTopology(two)
    expect(t.nodes[1]?.hostIP).toBe('10.200.1.2')
    expect(t.nodes[1]?.hostIPFrom?.node).toBe('node2')
    expect(t.nodes[1]?.hostIPFrom?.text).toMatch(/^table=100, priority=200, tcp, nw_dst=10\.200\.1\.2, tp_dst=53/)
    const bare = dumpTopology(dumps((n, l) => fault(n, l) || (n === 'node2' && /table=100, priority=200/.test(l)), plan.slice(0, 2)))
    expect(bare.nodes[1]?.hostIP).toBeNull()
    expect(bare.nodes[1]?.subnet).toBe('10.128.2.0/23')
  })

  it('reads 4.x\'s tables too (rule version 13: routing moved to table 31), from openshift-sdn\'s own expected flows', () => {
    const t = dumpTopology([{ node: 'n', captureId: 1, flows: flowsOf(sample('public/sdn-ovscontroller-test-expectedflows-master-v13.txt')) }])
    expect(t.nodes.map((n) => [n.subnet, n.gateway])).toEqual([['10.128.0.0/23', '10.128.0.1']])
    expect(t.clusterNetworks).toEqual(['10.128.0.0/14'])
    expect(t.serviceNetwork).toBe('172.30.0.0/16')
    expect(t.pods.map((p) => [p.ip, p.ofport, p.vnid])).toEqual([['10.128.0.2', 3, 42]])
    expect(t.remote.map((r) => [r.subnet, r.hostIP])).toEqual([['10.128.2.0/23', '10.0.123.45']])
  })

  it('never throws on flows that are not openshift-sdn\'s, and learns nothing from them', () => {
    const t = dumpTopology([{ node: 'x', captureId: 1, flows: flowsOf('table=30, priority=200, ip, nw_dst=not-an-ip, actions=goto_table:70\ntable=20, ip, nw_src=10.0.0.1, actions=drop\n') }])
    expect(t.nodes[0]?.subnet).toBeNull()
    expect(t.pods.map((p) => [p.ip, p.ofport, p.vnid])).toEqual([['10.0.0.1', null, null]])
  })
})

describe('pod-to-pod offline on a case holding only the dumps', () => {
  const rb = (() => {
    const r = parseRunbookYaml(readFileSync(resolve(__dirname, '../../resources/runbooks/pod-to-pod.yaml'), 'utf8'))
    if (!('runbook' in r)) throw new Error('pod-to-pod.yaml does not load')
    return r.runbook
  })()
  const src = plan[0]!.pods[0]!
  const dst = plan[1]!.pods[0]!
  const start = (a: string, b: string): RunState => {
    const s = startRun(rb, { srcPod: a, srcNamespace: 'proj-a', dstPod: b, dstNamespace: 'proj-a' })
    if (!('state' in s)) throw new Error('the run does not start')
    return s.state
  }

  it('"where do both pods run" and "which HostSubnets" are answered from the flows, citing them; the run goes on to the missing table 90 flow', () => {
    const two = dumps(fault, plan.slice(0, 2))
    const t = dumpTopology(two)
    let state = start(src.ip, dst.ip)
    expect(state.current).toBe('locate-pods')
    const located = stepFromDumps(rb, state, t)
    if (!('evaluate' in located)) throw new Error(located.problem)
    expect(located.captureIds).toEqual([10, 11])
    state = applyChecks(rb, state, located.evaluate, { captureIds: located.captureIds, note: 'from dumps', at: 't1' })
    const rec = state.history[0]!
    expect(rec.result).toBe('pass')
    expect(rec.checks[0]?.reason).toMatch(/^10\.128\.0\.2 has port 3 on node1's br0 \(VNID 11259375, 0xabcdef in its flows\), by its saved dump; whether the pod is Running is not known without a pod list$/)
    expect(rec.checks[0]?.evidence[0]).toEqual({ line: expect.any(Number), text: expect.stringMatching(/^node1: table=20, .*nw_src=10\.128\.0\.2/), captureId: 10 })
    expect(rec.checks[1]?.evidence[0]?.captureId).toBe(11)
    expect(knownValues(state)).toMatchObject({ srcNode: 'node1', srcIP: src.ip, dstNode: 'node2', dstIP: dst.ip, srcNamespace: 'proj-a' })
    expect(state.current).toBe('subnets')
    const subnets = stepFromDumps(rb, state, t)
    if (!('evaluate' in subnets)) throw new Error(subnets.problem)
    state = applyChecks(rb, state, subnets.evaluate, { captureIds: subnets.captureIds, note: null, at: 't2' })
    // node1's HostIP from node2's table 90; node2's (the fault removed node1's flow for it) from node2's table 100.
    expect(knownValues(state)).toMatchObject({ srcHsSubnet: '10.128.0.0/23', srcHsHostIP: '10.200.0.2', dstHsSubnet: '10.128.2.0/23', dstHsHostIP: '10.200.1.2' })
    expect(state.history[1]?.checks.map((c) => c.reason)).toEqual([
      "node1 has subnet 10.128.0.0/23 (its table 30) on HostIP 10.200.0.2 (node2's table 90), by the saved dumps",
      'node2 has subnet 10.128.2.0/23 (its table 30) on HostIP 10.200.1.2 (its own table 100), by the saved dumps'
    ])
    // The rest of the run reads the dumps as captures: node1 lacks the table 90 flow for node2's subnet.
    expect(state.current).toBe('src-forwarding')
    const dump1 = { exitCode: 0, text: '', parsed: parseOutput('ovs-ofctl.dump-flows', labFlows(plan[0]!, plan).split('\n').filter((l) => !fault('node1', l)).join('\n')), captureId: 10 }
    state = { ...state, current: 'src-pod-flows' }
    state = applyEvidence(rb, state, dump1, 't3')
    expect(knownValues(state).srcOfport).toBe('3')
    state = applyEvidence(rb, state, null, 't4') // same node? no
    expect(state.current).toBe('src-remote-flows')
    state = applyEvidence(rb, state, dump1, 't5')
    expect(state.findings.map((f) => f.title)).toEqual(["node1 has no table 90 flow for node2's subnet 10.128.2.0/23"])
  })

  it('says why the dumps cannot answer: a pod given by name, a pod no dump has, a node without a dump', () => {
    const t = dumpTopology(dumps(fault, plan.slice(0, 1)))
    const byName = stepFromDumps(rb, start('node1-pod1', dst.ip), t)
    expect(byName).toEqual({ problem: expect.stringMatching(/^the case has no pod list \(oc get pods -o wide\) to find pod node1-pod1 in; its saved br0 dumps know pods by IP/) })
    const missing = stepFromDumps(rb, start(src.ip, dst.ip), t)
    expect(missing).toEqual({ problem: expect.stringMatching(/^no saved br0 dump \(node1\) has flows for 10\.128\.2\.2/) })
    // In a dumped node's subnet but without flows there: not set up, or not running.
    expect(stepFromDumps(rb, start(src.ip, '10.128.0.9'), t)).toEqual({ problem: expect.stringMatching(/^no flow of 10\.128\.0\.9 in the saved br0 dump of node1, whose subnet 10\.128\.0\.0\/23 holds it/) })
    const hs = checkFromDumps({ type: 'hostsubnet', expect: 'x', params: {} }, { node: 'node2', as: 'dstHs' }, t)
    expect(hs).toMatch(/no saved br0 dump of node2 \(dumps of: node1\)/)
    // Steps whose checks read other outputs are never answered from dumps.
    const s = { ...start(src.ip, dst.ip), current: 'src-forwarding' }
    expect(stepFromDumps(rb, s, t)).toEqual({ problem: 'its checks read other outputs than flow dumps' })
  })
})
