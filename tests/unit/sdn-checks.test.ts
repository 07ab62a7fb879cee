import { describe, expect, it } from 'vitest'
import { parseOutput, type ParserId, parsedAs, type ParserOutputs } from '../../src-main/core/parse/registry'
import { checkNode } from '../../src-main/core/sdn/checks'
import type { NodeCaptures } from '../../src-main/core/sdn/facts'
import { dumpText, sdnFlows, sdnInventory } from '../helpers/flowgen'
import { sample } from '../helpers/samples'

/** A parser's typed data (the test fails if the parser gave none). */
function parse<K extends ParserId>(id: K, text: string): ParserOutputs[K] {
  const d = parsedAs(parseOutput(id, text), id)
  if (!d) throw new Error(`${id} gave no data`)
  return d
}

const hostSubnets = `NAME    HOST    HOST IP      SUBNET          EGRESS CIDRS   EGRESS IPS
node1   node1   10.200.0.1   10.129.0.0/23   []             []
node2   node2   10.200.0.2   10.128.0.0/23   []             []
`

/** The lab's node1 as captured, optionally edited: lines dropped or replaced before parsing. */
function lab(edit: { flows?: (t: string) => string; hostSubnets?: string; links?: (t: string) => string; nodeIP?: string } = {}): NodeCaptures {
  const flows = (edit.flows ?? ((t) => t))(sample('lab/node1-dump-flows-of13.txt'))
  return {
    node: 'node1',
    nodeIP: edit.nodeIP ?? '10.200.0.1',
    flows: { source: 'dump-flows br0 (node1)', data: parse('ovs-ofctl.dump-flows', flows).flows },
    ports: { source: 'dump-ports-desc', data: parse('ovs-ofctl.dump-ports-desc', sample('lab/node1-dump-ports-desc-of13.txt')).records },
    interfaces: { source: 'list Interface', data: parse('ovs-vsctl.list', sample('lab/node1-list-interface.json')).records },
    links: { source: 'ip addr', data: parse('ip.addr', (edit.links ?? ((t) => t))(sample('lab/node1-ip-addr.txt'))).links },
    routes: { source: 'ip route', data: parse('ip.route', sample('lab/node1-ip-route.txt')).routes },
    hostSubnets: { source: 'oc get hostsubnets', data: parse('oc.get.hostsubnets', edit.hostSubnets ?? hostSubnets).records }
  }
}

const dropLine = (re: RegExp) => (t: string) => t.split('\n').filter((l) => !re.test(l)).join('\n')

describe('openshift-sdn checks on the lab capture', () => {
  it('report nothing on the healthy node, and ran every group', () => {
    const r = checkNode(lab())
    expect(r.findings).toEqual([])
    expect(r.ran).toEqual(['bridge', 'remote nodes', 'local pods', 'host networking'])
    expect(r.facts).toMatchObject({ gateway: '10.129.0.1', pluginId: 2, ruleVersion: 7 })
    expect(r.facts.localSubnet?.text).toBe('10.129.0.0/23')
  })

  it('find a deleted remote-node flow (table 90) and name it, with evidence', () => {
    const r = checkNode(lab({ flows: dropLine(/table=90, .*priority=100,ip,nw_dst=10\.128\.0\.0\/23/) }))
    expect(r.findings.map((f) => f.id)).toEqual(['remote.flows:node2:90'])
    const f = r.findings[0]!
    expect(f).toMatchObject({ severity: 'error', title: 'No table 90 flow for node node2 (10.200.0.2, subnet 10.128.0.0/23)' })
    expect(f.evidence.map((e) => e.source)).toEqual(['oc get hostsubnets', 'dump-flows br0 (node1)'])
    expect(f.evidence[1]!.text).toMatch(/table=90, .*priority=0 actions=drop/)
  })

  it('find a deleted pod flow (table 70) and a pod whose port changed', () => {
    const r = checkNode(lab({ flows: dropLine(/table=70, .*nw_dst=10\.129\.0\.3 /) }))
    expect(r.findings.map((f) => f.id)).toEqual(['local.flows:10.129.0.3'])
    expect(r.findings[0]!.title).toBe('Pod vethnode1p2 (10.129.0.3) is missing table 70')
    const moved = checkNode(lab({ flows: (t) => t.replace('arp_tpa=10.129.0.2 actions=output:3', 'arp_tpa=10.129.0.2 actions=output:9') }))
    expect(moved.findings.map((f) => f.id)).toEqual(['local.port:10.129.0.2'])
  })

  it('find a VNID mismatch between tables 20 and 70', () => {
    const r = checkNode(lab({ flows: (t) => t.replace(/(nw_dst=10\.129\.0\.2 actions=load:)0xabcdef/, '$10x123456') }))
    expect(r.findings.map((f) => f.id)).toEqual(['local.vnid:10.129.0.2'])
  })

  it('find stale flows of a departed node, and flows sending elsewhere', () => {
    const gone = checkNode(lab({ hostSubnets: hostSubnets.split('\n').slice(0, 2).join('\n') + '\n' }))
    // Its table 10/50/90 flows, and its place in table 111's multicast fan-out.
    // A stale flow's finding is keyed by the flow (table, priority, match), never by its line; the evidence has the line.
    expect(gone.findings.map((f) => f.id).sort()).toEqual(['remote.multicast-fanout', 'remote.stale:10:100:tun_src=10.200.0.2', 'remote.stale:50:100:arp,arp_tpa=10.128.0.0/23', 'remote.stale:90:100:ip,nw_dst=10.128.0.0/23'].sort())
    expect(gone.findings.filter((f) => f.id.startsWith('remote.stale')).map((f) => f.evidence[0]?.line).sort()).toEqual([13, 41, 55])
    const moved = checkNode(lab({ hostSubnets: hostSubnets.replace('node2   node2   10.200.0.2', 'node2   node2   10.200.0.9') }))
    expect(moved.findings.map((f) => f.id)).toEqual(expect.arrayContaining(['remote.flows:node2:10', 'remote.flows:node2:50:target', 'remote.flows:node2:90:target']))
  })

  it('table 111 sends multicast to every other node: a node missing from it is found (invariant 10)', () => {
    const r = checkNode(lab({ flows: (t) => t.replace(/set_field:10\.200\.0\.2->tun_dst,output:1,/, '') }))
    expect(r.findings.map((f) => [f.id, f.title])).toEqual([['remote.multicast-fanout', 'Table 111 sends multicast to none of node2 (10.200.0.2)']])
  })

  it('the flows of a remote node carry the cookie its HostSubnet UID gives (invariant 8)', () => {
    const c = lab()
    const cookie = c.flows.data.find((f) => f.table === 10 && f.priority === 100)!.cookie
    expect(checkNode({ ...c, hostSubnetCookies: { node2: cookie } }).findings).toEqual([])
    const r = checkNode({ ...c, hostSubnetCookies: { node2: '0xf46ee1a' } }).findings
    expect(r.map((f) => [f.id, f.severity])).toEqual([['remote.cookie-uid:node2', 'warning']])
    expect(r[0]!.title).toBe(`Flows for node2 carry cookie ${cookie}, not 0xf46ee1a (its HostSubnet's UID)`)
  })

  it('find a missing default flow and a wrong version note', () => {
    expect(checkNode(lab({ flows: dropLine(/table=40, .*priority=0 /) })).findings.map((f) => f.id)).toEqual(['bridge.default:40'])
    // Rule version 8 (early 4.x) has 3.11's tables: only the note that it is judged by its own layout.
    const v = checkNode(lab({ flows: (t) => t.replace('note:02.07', 'note:02.08') }))
    expect(v.findings.map((f) => [f.id, f.severity])).toEqual([['bridge.layout', 'info']])
    // A 3.11 table under a 3.7-3.9 note: its table 100 and the tables that release did not have stand out.
    const old = checkNode(lab({ flows: (t) => t.replace('note:02.07', 'note:02.06') }))
    expect(old.findings.map((f) => f.id).sort()).toEqual(['bridge.default:100', 'bridge.layout', 'bridge.unknown-table:101', 'bridge.unknown-table:25'])
  })

  it('find an MTU that does not fit VXLAN and a tun0 without the gateway', () => {
    const mtu = checkNode(lab({ nodeIP: '10.200.0.2', hostSubnets: hostSubnets.replace('10.200.0.1 ', '10.200.0.2 ').replace('node2   node2   10.200.0.2', 'node2   node2   10.200.0.3') }))
    expect(mtu.findings.map((f) => f.id)).toContain('host.mtu')
    const noGw = checkNode(lab({ links: (t) => t.replace('inet 10.129.0.1/23', 'inet 10.129.0.1/24') }))
    expect(noGw.findings.map((f) => f.id)).toEqual(['host.tun0-address'])
  })

  it('say which checks could not run without their captures', () => {
    const r = checkNode({ node: 'n', flows: { source: 'f', data: parse('ovs-ofctl.dump-flows', sample('lab/node1-dump-flows-of13.txt')).flows } })
    expect(r.ran).toEqual(['bridge'])
    expect(r.skipped.map((s) => s.needs)).toEqual([
      'oc get hostsubnets',
      'oc get pods -o wide, or ovs-vsctl list Interface',
      'oc get networkpolicy --all-namespaces -o json, oc get netnamespaces, oc get pods --all-namespaces -o wide --show-labels (or -o json)',
      'a second ovs-ofctl dump-flows of the node, taken a while after the first',
      'ip addr, ip route, sysctl net.ipv4.ip_forward'
    ])
  })
})

describe('openshift-sdn checks on a generated node', () => {
  const gen = { pods: 300, nodes: 40, services: 20 }
  const inv = sdnInventory(gen)
  const node = (flowsText: string): NodeCaptures => ({
    node: 'node0',
    nodeIP: '10.200.0.1',
    flows: { source: 'dump', data: parse('ovs-ofctl.dump-flows', flowsText).flows },
    pods: { source: 'pods', data: parse('oc.get.pods', inv.pods).records },
    hostSubnets: { source: 'hostsubnets', data: parse('oc.get.hostsubnets', inv.hostSubnets).records }
  })

  it('is healthy as generated, and every planted fault is found exactly', () => {
    const text = dumpText(sdnFlows(gen))
    expect(checkNode(node(text)).findings).toEqual([])
    const planted = text
      .split('\n')
      .filter((l) => !/table=10, .*tun_src=10\.200\.0\.7 /.test(l) && !/table=40, .*arp_tpa=10\.129\.0\.100 /.test(l))
      .join('\n')
    const ids = checkNode(node(planted)).findings.map((f) => f.id)
    expect(ids).toEqual(['local.flows:10.129.0.100', 'remote.flows:node6:10'])
  })
})

describe('ovs-multitenant: VNID rules and services (table 60, table 80)', () => {
  const t60 = (ip: string, proto: string, vnid: string) =>
    ` cookie=0x0, duration=9.1s, table=60, n_packets=0, n_bytes=0, priority=100,${proto},nw_dst=${ip}${proto === 'ip' ? ',nw_frag=later' : ',tp_dst=8080'} actions=load:${vnid}->NXM_NX_REG1[],load:0x2->NXM_NX_REG2[],goto_table:80`
  const services =
    'NAMESPACE   NAME         TYPE        CLUSTER-IP   EXTERNAL-IP   PORT(S)    AGE\n' +
    'default     kubernetes   ClusterIP   172.30.0.1   <none>        443/TCP    1d\n' +
    'proj-a      web          ClusterIP   172.30.5.5   <none>        8080/TCP   1d\n' +
    'default     dns          ClusterIP   None         <none>        53/UDP     1d\n'
  const netns = 'NAME     NETID      EGRESS IPS\ndefault  0          []\nproj-a   11259375   []\n'
  /** The lab node as a multitenant node (note 01.07) with the service web of proj-a. */
  const mt = (extra: string[] = [], drop?: RegExp): NodeCaptures => {
    const c = lab({ flows: (t) => t.replace('note:02.07', 'note:01.07').split('\n').filter((l) => !drop || !drop.test(l)).concat(extra).join('\n') })
    return { ...c, services: { source: 'oc get svc', data: parse('oc.get.services', services).records }, netNamespaces: { source: 'oc get netnamespaces', data: parse('oc.get.netnamespaces', netns).records } }
  }
  // The lab's third pod is alone in its project (VNID 0x123456); a multitenant node has its rule too.
  // The lab sample has the kubernetes service's port flow but not its whole-IP (nw_frag=later) one.
  const t80 =
    ' cookie=0x0, duration=49.840s, table=80, n_packets=0, n_bytes=0, priority=100,reg0=0x123456,reg1=0x123456 actions=output:NXM_NX_REG2[]\n' +
    t60('172.30.0.1', 'ip', '0')
  const ok = [t60('172.30.5.5', 'ip', '0xabcdef'), t60('172.30.5.5', 'tcp', '0xabcdef'), t80]

  it('a healthy multitenant node with its service: no finding, both groups ran', () => {
    const r = checkNode(mt(ok))
    expect(r.facts.pluginId).toBe(1)
    expect(r.findings).toEqual([])
    expect(r.ran).toEqual(expect.arrayContaining(['VNID isolation rules', 'services']))
  })

  it('a missing port flow, a wrong VNID, a stale service flow', () => {
    expect(checkNode(mt([ok[0]!, t80])).findings.map((f) => f.title)).toEqual(['No table 60 flow for service proj-a/web (tcp,nw_dst=172.30.5.5,tp_dst=8080)'])
    expect(checkNode(mt([t60('172.30.5.5', 'ip', '0x5'), t60('172.30.5.5', 'tcp', '0x5'), t80])).findings.map((f) => f.id)).toEqual(['service.vnid:proj-a/web', 'vnid.rule:0x5'])
    const stale = checkNode(mt([...ok, t60('172.30.9.9', 'ip', '0xabcdef')]))
    expect(stale.findings.map((f) => [f.severity, f.title])).toEqual([['warning', 'Table 60 still has flows for 172.30.9.9, which is no service']])
  })

  it('a project without its table 80 rule, and the global-project rules', () => {
    const noRule = checkNode(mt(ok, /table=80, .*reg0=0xabcdef,reg1=0xabcdef /))
    expect(noRule.findings.map((f) => f.title)).toEqual(['Table 80 has no rule for VNID 0xabcdef'])
    expect(noRule.findings[0]!.evidence[0]!.text).toMatch(/table=(60|70).*load:0xabcdef->NXM_NX_REG1\[\]/)
    expect(checkNode(mt(ok, /table=80, .*priority=200,reg1=0 /)).findings.map((f) => f.id)).toEqual(['vnid.global:reg1'])
  })

  it('the networkpolicy lab node runs neither (its rules differ)', () => {
    const r = checkNode({ ...lab(), services: { source: 'svc', data: parse('oc.get.services', services).records } })
    expect(r.ran).not.toContain('services')
    expect(r.findings).toEqual([])
  })
})

describe('egress IPs (table 100)', () => {
  const mark = ' cookie=0x0, duration=9.1s, table=100, n_packets=0, n_bytes=0, priority=100,ip,reg0=0xabcdef actions=set_field:6e:95:28:8b:9c:4f->eth_dst,set_field:0xabcdef->pkt_mark,goto_table:101'
  const vxlan = ' cookie=0x0, duration=9.1s, table=100, n_packets=0, n_bytes=0, priority=100,ip,reg0=0xabcdef actions=move:NXM_NX_REG0[]->NXM_NX_TUN_ID[0..31],set_field:10.200.0.2->tun_dst,output:1'
  const drop = ' cookie=0x0, duration=9.1s, table=100, n_packets=0, n_bytes=0, priority=100,reg0=0xabcdef actions=drop'
  /** proj-a has egress IP 10.200.0.100, held by `holder` (or nobody). */
  const node = (flow: string | null, holder: 'node1' | 'node2' | null): NodeCaptures => {
    const hs = `NAME    HOST    HOST IP      SUBNET          EGRESS CIDRS   EGRESS IPS\nnode1   node1   10.200.0.1   10.129.0.0/23   []             [${holder === 'node1' ? '10.200.0.100' : ''}]\nnode2   node2   10.200.0.2   10.128.0.0/23   []             [${holder === 'node2' ? '10.200.0.100' : ''}]\n`
    const c = lab({ hostSubnets: hs, flows: (t) => (flow ? `${t}\n${flow}` : t) })
    return { ...c, netNamespaces: { source: 'oc get netnamespaces', data: parse('oc.get.netnamespaces', 'NAME     NETID      EGRESS IPS\ndefault  0          []\nproj-a   11259375   [10.200.0.100]\n').records } }
  }

  it('the flow follows the node that holds the egress IP', () => {
    expect(checkNode(node(mark, 'node1')).findings).toEqual([])
    expect(checkNode(node(vxlan, 'node2')).findings).toEqual([])
    expect(checkNode(node(drop, null)).findings).toEqual([])
    expect(checkNode(node(mark, 'node1')).ran).toContain('egress IPs')
  })

  it('a missing flow, and a flow left behind when the IP moved', () => {
    expect(checkNode(node(null, 'node1')).findings.map((f) => f.title)).toEqual(['No table 100 flow for the egress IP of project proj-a (10.200.0.100)'])
    const moved = checkNode(node(mark, 'node2')).findings
    expect(moved.map((f) => f.id)).toEqual(['egress.target:proj-a'])
    expect(moved[0]!.detail).toMatch(/held by node2 \(10\.200\.0\.2\), so the flow should send it to 10\.200\.0\.2/)
    expect(checkNode(node(vxlan, null)).findings.map((f) => f.id)).toEqual(['egress.target:proj-a'])
  })
})

describe('multicast (tables 110, 120)', () => {
  const netnsJson = JSON.stringify({
    kind: 'List',
    items: [
      { kind: 'NetNamespace', metadata: { name: 'proj-a', annotations: { 'netnamespace.network.openshift.io/multicast-enabled': 'true' } }, netname: 'proj-a', netid: 11259375 },
      { kind: 'NetNamespace', metadata: { name: 'proj-b' }, netname: 'proj-b', netid: 1193046 }
    ]
  })
  const t110 = ' cookie=0x0, duration=9.1s, table=110, n_packets=0, n_bytes=0, reg0=0xabcdef actions=goto_table:111'
  const t120 = (ports: number[]) => ` cookie=0x0, duration=9.1s, table=120, n_packets=0, n_bytes=0, priority=100,reg0=0xabcdef actions=${ports.map((p) => `output:${p}`).join(',')}`
  const node = (extra: string[]): NodeCaptures => ({ ...lab({ flows: (t) => [t, ...extra].join('\n') }), netNamespaces: { source: 'oc get netnamespaces -o json', data: parse('oc.get.netnamespaces', netnsJson).records } })

  it('reads the annotation from JSON, and a project with its flows is fine', () => {
    expect(parse('oc.get.netnamespaces', netnsJson).records.map((n) => [n.name, n.multicast])).toEqual([['proj-a', true], ['proj-b', false]])
    const r = checkNode(node([t110, t120([3, 4])]))
    expect(r.ran).toContain('multicast')
    expect(r.findings).toEqual([])
  })

  it('missing flows, and a port list that is not the project\'s pods', () => {
    expect(checkNode(node([])).findings.map((f) => f.id)).toEqual(['multicast.flows:proj-a'])
    expect(checkNode(node([t110])).findings[0]!.detail).toMatch(/Table 120 has no such flow/)
    const leak = checkNode(node([t110, t120([3, 4, 5])])).findings
    expect(leak.map((f) => f.title)).toEqual(["Multicast of project proj-a goes to ports 3, 4, 5, not to its pods' ports 3, 4"])
  })
})

describe('EgressNetworkPolicy (table 101)', () => {
  const policy = (rules: object[], name = 'default') => ({ kind: 'EgressNetworkPolicy', metadata: { name, namespace: 'proj-a' }, spec: { egress: rules } })
  const rules = [{ type: 'Allow', to: { cidrSelector: '1.2.3.0/24' } }, { type: 'Allow', to: { dnsName: 'www.example.com' } }, { type: 'Deny', to: { cidrSelector: '0.0.0.0/0' } }]
  const f101 = (prio: number, match: string, action: string) => ` cookie=0x0, duration=9.1s, table=101, n_packets=0, n_bytes=0, priority=${prio},${match}reg0=0xabcdef actions=${action}`
  const netns = 'NAME     NETID      EGRESS IPS\ndefault  0          []\nproj-a   11259375   []\n'
  const node = (items: object[], extra: string[]): NodeCaptures => ({
    ...lab({ flows: (t) => [t, ...extra].join('\n') }),
    netNamespaces: { source: 'oc get netnamespaces', data: parse('oc.get.netnamespaces', netns).records },
    egressPolicies: { source: 'oc get egressnetworkpolicy -o json', data: parse('oc.get.egressnetworkpolicies', JSON.stringify({ kind: 'List', items })).records }
  })
  const good = [f101(3, 'ip,nw_dst=1.2.3.0/24,', 'output:2'), f101(2, 'ip,nw_dst=93.184.216.34,', 'output:2'), f101(1, 'ip,', 'drop')]

  it('reads the policy from JSON and finds its rules in table 101 (the dnsName rule by priority and action)', () => {
    expect(parse('oc.get.egressnetworkpolicies', JSON.stringify({ kind: 'List', items: [policy(rules)] })).records[0]?.rules).toEqual([
      { type: 'Allow', cidr: '1.2.3.0/24', dnsName: null },
      { type: 'Allow', cidr: null, dnsName: 'www.example.com' },
      { type: 'Deny', cidr: '0.0.0.0/0', dnsName: null }
    ])
    const r = checkNode(node([policy(rules)], good))
    expect(r.ran).toContain('egress network policies')
    expect(r.findings).toEqual([])
  })

  it('a rule without its flow, a flow with the wrong action, two policies without the drop', () => {
    expect(checkNode(node([policy(rules)], good.slice(1))).findings.map((f) => f.title)).toEqual(['Table 101 does not enforce the egress policy of project proj-a (priority 3 Allow 1.2.3.0/24)'])
    expect(checkNode(node([policy(rules)], [good[0]!, good[1]!, f101(1, 'ip,', 'output:2')])).findings.map((f) => f.id)).toEqual(['egress.policy:proj-a'])
    expect(checkNode(node([policy(rules), policy(rules, 'second')], good)).findings.map((f) => f.id)).toEqual(['egress.policy:proj-a:many'])
    expect(checkNode(node([policy(rules), policy(rules, 'second')], [f101(1, '', 'drop')])).findings).toEqual([])
  })

  it('a dnsName rule with no flow at all at its priority is reported (the name did not resolve, or flows are gone)', () => {
    const r = checkNode(node([policy(rules)], [good[0]!, good[2]!])).findings
    expect(r.map((f) => [f.id, f.severity, f.title])).toEqual([['egress.dns:proj-a', 'warning', 'Table 101 has no flow for the DNS rule(s) of project proj-a (priority 2 Allow www.example.com)']])
  })
})

describe('NetworkPolicy (table 80, ovs-networkpolicy)', () => {
  const A = 0xabcdef // proj-a: pods 10.129.0.2 (app=web), 10.129.0.3 (app=web) on node1
  const B = 0x123456 // proj-b: pod 10.129.0.4 (app=db) on node1, 10.128.0.9 (app=db) on node2
  const netns = `NAME     NETID      EGRESS IPS\ndefault  0          []\nproj-a   ${A}   []\nproj-b   ${B}    []\n`
  const podsTable = `NAMESPACE   NAME     READY   STATUS    RESTARTS   AGE   IP           NODE    NOMINATED NODE   LABELS
proj-a      web-1    1/1     Running   0          1d    10.129.0.2   node1   <none>           app=web
proj-a      web-2    1/1     Running   0          1d    10.129.0.3   node1   <none>           app=web
proj-b      db-1     1/1     Running   0          1d    10.129.0.4   node1   <none>           app=db,tier=data
proj-b      db-2     1/1     Running   0          1d    10.128.0.9   node2   <none>           app=db
openshift-sdn ovs-x  1/1     Running   0          1d    10.200.0.1   node1   <none>           app=ovs
`
  const namespaces = { kind: 'List', items: ['default', 'proj-a', 'proj-b'].map((n) => ({ kind: 'Namespace', metadata: { name: n, labels: { name: n, ...(n === 'proj-a' ? { team: 'front' } : {}) } } })) }
  const sameNs = (ns: string) => ({ kind: 'NetworkPolicy', metadata: { name: 'allow-same-namespace', namespace: ns }, spec: { podSelector: {}, policyTypes: ['Ingress'], ingress: [{ from: [{ podSelector: {} }] }] } })
  const dbFromFront = { kind: 'NetworkPolicy', metadata: { name: 'db-from-front', namespace: 'proj-b' }, spec: { podSelector: { matchLabels: { app: 'db' } }, policyTypes: ['Ingress'], ingress: [{ from: [{ namespaceSelector: { matchExpressions: [{ key: 'team', operator: 'In', values: ['front'] }] } }], ports: [{ port: 5432 }] }] } }
  const t80 = (prio: number, match: string, action = 'output:NXM_NX_REG2[]') => ` cookie=0x0, duration=9.1s, table=80, n_packets=0, n_bytes=0, priority=${prio},${match} actions=${action}`
  const hex = (v: number) => `0x${v.toString(16)}`
  // The lab capture has a service of the default project (table 60, VNID 0): that project is in use too,
  // and without a policy it gets the open priority 50 rule.
  const node = (policies: object[], rules: string[], pods = podsTable): NodeCaptures => ({
    ...lab({ flows: (t) => [dropLine(/table=80, .*priority=(200|100),/)(t), t80(50, 'reg1=0'), ...rules].join('\n') }),
    netNamespaces: { source: 'oc get netnamespaces', data: parse('oc.get.netnamespaces', netns).records },
    pods: { source: 'oc get pods --show-labels', data: parse('oc.get.pods', pods).records },
    namespaces: { source: 'oc get namespaces -o json', data: parse('oc.get.namespaces', JSON.stringify(namespaces)).records },
    networkPolicies: { source: 'oc get networkpolicy -o json', data: parse('oc.get.networkpolicies', JSON.stringify({ kind: 'List', items: policies })).records }
  })
  const sameNsRules = [t80(150, `reg0=${hex(A)},reg1=${hex(A)}`), t80(150, `reg0=${hex(B)},reg1=${hex(B)}`)]

  it('reads policies, pod and namespace labels', () => {
    const np = parse('oc.get.networkpolicies', JSON.stringify({ kind: 'List', items: [dbFromFront] })).records[0]
    expect(np).toMatchObject({ namespace: 'proj-b', name: 'db-from-front', podSelector: { matchLabels: { app: 'db' } }, policyTypes: ['Ingress'] })
    expect(np?.ingress[0]).toEqual({ ports: [{ protocol: null, port: 5432 }], from: [{ podSelector: null, namespaceSelector: { matchLabels: {}, matchExpressions: [{ key: 'team', operator: 'In', values: ['front'] }] }, ipBlock: null }] })
    expect(parse('oc.get.pods', podsTable).records[2]?.labels).toEqual({ app: 'db', tier: 'data' })
    expect(parse('oc.get.pods', podsTable).records[0]?.labels).toEqual({ app: 'web' })
  })

  it('a project that admits its own pods only: one priority 150 rule per project, nothing else', () => {
    const r = checkNode(node([sameNs('proj-a'), sameNs('proj-b')], sameNsRules))
    expect(r.ran).toContain('network policies')
    expect(r.findings).toEqual([])
  })

  it('a project without policy is open (priority 50); a rule left from a deleted policy is found', () => {
    const open = [sameNsRules[0]!, t80(50, `reg1=${hex(B)}`)]
    expect(checkNode(node([sameNs('proj-a')], open)).findings).toEqual([])
    const stale = checkNode(node([sameNs('proj-a')], sameNsRules)).findings
    expect(stale.map((f) => f.id).sort()).toEqual(['networkpolicy.extra:proj-b', 'networkpolicy.missing:proj-b'])
    expect(stale.find((f) => f.id === 'networkpolicy.extra:proj-b')).toMatchObject({ severity: 'error' })
    expect(stale.find((f) => f.id === 'networkpolicy.missing:proj-b')!.detail).toContain(`priority=50,reg1=${hex(B)} allow (project proj-b has no NetworkPolicy)`)
  })

  it('a policy selecting pods by label, peers by namespace label, on a port: allow, drop and default rules', () => {
    const good = [
      sameNsRules[0]!,
      t80(150, `tcp,reg0=${hex(A)},reg1=${hex(B)},nw_dst=10.129.0.4,tp_dst=5432`),
      t80(150, `tcp,reg0=${hex(A)},reg1=${hex(B)},nw_dst=10.128.0.9,tp_dst=5432`),
      t80(100, `ip,reg1=${hex(B)},nw_dst=10.129.0.4`, 'drop'),
      t80(100, `ip,reg1=${hex(B)},nw_dst=10.128.0.9`, 'drop'),
      t80(50, `reg1=${hex(B)}`)
    ]
    expect(checkNode(node([sameNs('proj-a'), dbFromFront], good)).findings).toEqual([])
    // The drop for a selected pod is missing: the port restriction does not hold for it.
    const noDrop = checkNode(node([sameNs('proj-a'), dbFromFront], good.filter((l) => !l.includes('nw_dst=10.129.0.4 actions=drop')))).findings
    expect(noDrop.map((f) => f.id)).toEqual(['networkpolicy.missing:proj-b'])
    expect(noDrop[0]!.detail).toContain(`priority=100,ip,reg1=${hex(B)},nw_dst=10.129.0.4 drop`)
    // The pod lost its label: its rules are left over and let traffic in.
    const relabeled = podsTable.replace('app=db,tier=data', 'app=cache')
    const extra = checkNode(node([sameNs('proj-a'), dbFromFront], good, relabeled)).findings
    expect(extra.map((f) => [f.id, f.severity])).toEqual([['networkpolicy.extra:proj-b', 'error']])
  })

  it('a policy the 3.11 plugin cannot implement (a named port) is deny-all for the project', () => {
    const named = { ...dbFromFront, spec: { ...dbFromFront.spec, podSelector: {}, ingress: [{ ports: [{ port: 'postgres' }] }] } }
    expect(checkNode(node([sameNs('proj-a'), named], [sameNsRules[0]!])).findings).toEqual([])
    const r = checkNode(node([sameNs('proj-a'), named], sameNsRules)).findings
    expect(r.map((f) => f.id)).toEqual(['networkpolicy.extra:proj-b'])
    expect(r[0]!.detail).toContain('named ports ("postgres") are not implemented, so the SDN treats it as deny-all')
  })

  it('without pod labels or policies as JSON the check says what it needs', () => {
    const noLabels = podsTable.split('\n').map((l) => l.replace(/\s+\S+$/, '').replace(/\s+LABELS$/, '')).join('\n')
    const r = checkNode(node([sameNs('proj-a')], sameNsRules, noLabels))
    expect(r.ran).not.toContain('network policies')
    expect(r.skipped).toContainEqual({ check: 'NetworkPolicy rules (table 80)', needs: 'oc get pods --all-namespaces -o wide --show-labels (or -o json)' })
  })
})

describe('rising drop counters between two dumps (invariant 22)', () => {
  const dump = sample('lab/node1-dump-flows-of13.txt')
  /** The same dump 60 s later, the default drop of `table` having counted `n` more packets. */
  const later = (table: number, n: number) =>
    dump
      .split('\n')
      .map((l) => {
        const m = /duration=([\d.]+)s/.exec(l)
        let out = m ? l.replace(m[0], `duration=${(Number(m[1]) + 60).toFixed(3)}s`) : l
        if (new RegExp(`table=${table}, n_packets=(\\d+), n_bytes=(\\d+), priority=0 actions=drop`).test(out)) {
          out = out.replace(/n_packets=(\d+), n_bytes=(\d+)/, (_w, p, b) => `n_packets=${Number(p) + n}, n_bytes=${Number(b) + n * 98}`)
        }
        return out
      })
      .join('\n')
  const node = (after: string): NodeCaptures => ({
    ...lab({ flows: () => after }),
    previousFlows: { source: 'dump-flows br0 (node1, before)', data: parse('ovs-ofctl.dump-flows', dump).flows }
  })

  it('nothing moved: nothing to say; the check ran', () => {
    const r = checkNode(node(later(90, 0)))
    expect(r.ran).toContain('drop counters')
    expect(r.findings).toEqual([])
  })

  it('the default drop of table 90 rose: traffic to a remote subnet without its flow, with the rate', () => {
    const r = checkNode(node(later(90, 120))).findings
    expect(r.map((f) => [f.id, f.severity, f.title])).toEqual([['drops.rising:90', 'warning', 'Table 90 dropped 120 packets between the two dumps (2/s)']])
    expect(r[0]!.detail).toContain('remote pod subnet without its table 90 flow')
    expect(r[0]!.evidence.map((e) => e.source)).toEqual(['dump-flows br0 (node1, before)', 'dump-flows br0 (node1)'])
  })

  it('egress liveness (invariant 23): sent to the egress node by VXLAN, nothing back from it', () => {
    const egress = (packets: number) => ` cookie=0x0, duration=${packets ? '69.1' : '9.1'}s, table=100, n_packets=${packets}, n_bytes=${packets * 98}, priority=100,ip,reg0=0xabcdef actions=move:NXM_NX_REG0[]->NXM_NX_TUN_ID[0..31],set_field:10.200.0.2->tun_dst,output:1`
    const withBack = (t: string, n: number) => t.replace(/(table=10, n_packets=)(\d+)(, n_bytes=)(\d+)(, priority=100,tun_src=10\.200\.0\.2 )/, (_w, a, p, b, by, rest) => `${a}${Number(p) + n}${b}${Number(by) + n * 98}${rest}`)
    const base = `${dump}\n${egress(0)}`
    const c = (after: string): NodeCaptures => ({ ...lab({ flows: () => after }), previousFlows: { source: 'before', data: parse('ovs-ofctl.dump-flows', base).flows } })
    expect(/table=10, n_packets=\d+, n_bytes=\d+, priority=100,tun_src=10\.200\.0\.2 /.test(dump)).toBe(true)
    const silent = checkNode(c(`${dump}\n${egress(40)}`)).findings.filter((f) => f.check === 'egress.liveness')
    expect(silent.map((f) => f.title)).toEqual(['Egress traffic goes to 10.200.0.2, and nothing came back from it between the two dumps'])
    expect(checkNode(c(`${withBack(dump, 5)}\n${egress(40)}`)).findings.filter((f) => f.check === 'egress.liveness')).toEqual([])
  })

  it('isolation drops (table 80) are information, not a fault', () => {
    expect(checkNode(node(later(80, 3))).findings.map((f) => [f.id, f.severity])).toEqual([['drops.rising:80', 'info']])
  })
})

describe('checks follow what the dump is', () => {
  it('a partial dump (an excerpt of a few lines) gives the partial note only, no cascade of errors', () => {
    const excerpt = sample('lab/node1-dump-flows-of13.txt').split('\n').filter((l) => /table=(20|90),/.test(l)).slice(0, 6).join('\n')
    const r = checkNode(lab({ flows: () => excerpt }))
    expect(r.findings.map((f) => f.id)).toEqual(['bridge.partial-dump'])
    expect(r.findings[0]?.title).toMatch(/partial/)
    expect(r.skipped.map((s) => s.check)).toContain('remote nodes (tables 10/50/90)')
  })

  it('an older node (rule version 3, OpenShift 3.7) is judged by its own layout, not 3.11\'s', () => {
    const flows = sample('public/origin-ovscontroller-test-getpoddetails-multitenant-v3.txt')
    const r = checkNode({ node: 'node3', nodeIP: null, flows: { source: 'dump-flows br0 (v3)', data: parse('ovs-ofctl.dump-flows', flows).flows } })
    expect(r.facts.ruleVersion).toBe(3)
    const ids = r.findings.map((f) => f.id)
    // Its table 100 ends with output:2 and it has no table 101: as 3.7 programs them.
    expect(ids.filter((id) => id.startsWith('bridge.default') || id.startsWith('bridge.unknown-table'))).toEqual([])
    expect(ids).toContain('bridge.layout')
    expect(r.findings.find((f) => f.id === 'bridge.layout')?.title).toMatch(/3\.7–3\.9/)
    // A 3.7 dump whose table 100 default were goto_table:101 would be wrong for its release.
    const wrong = checkNode({ node: 'node3', nodeIP: null, flows: { source: 'v3', data: parse('ovs-ofctl.dump-flows', flows.replace(/(table=100, .*priority=0 actions=)output:2/, '$1goto_table:101')).flows } })
    expect(wrong.findings.map((f) => f.id)).toContain('bridge.default:100')
  })

  it('4.x dumps (rule versions 9 and 13) are read by their layouts', () => {
    for (const [file, version] of [['public/sdn-ovscontroller-test-expectedflows-v9.txt', 9], ['public/sdn-ovscontroller-test-expectedflows-master-v13.txt', 13]] as const) {
      const r = checkNode({ node: 'n', nodeIP: null, flows: { source: file, data: parse('ovs-ofctl.dump-flows', sample(file)).flows } })
      expect(r.facts.ruleVersion, file).toBe(version)
      expect(r.findings.filter((f) => f.id.startsWith('bridge.default') || f.id.startsWith('bridge.unknown-table')).map((f) => f.title), file).toEqual([])
    }
  })
})
