// What the nodes' saved br0 dumps alone say about the cluster, for a case that holds no `oc get` output (a customer
// sent only `ovs-ofctl dump-flows br0` of a few nodes). openshift-sdn writes its view of the cluster into the tables
// (guide/sdn-flows.md, section 2), so a node's dump names:
// - its own HostSubnet: table 30 (31 in 4.x) `ip,nw_dst={ls} actions=goto_table:70`, and its gateway
//   `ip,nw_dst={gw} output:2`;
// - its own HostIP: table 100 `tcp,nw_dst={nodeIP},tp_dst=53 actions=output:2` (the DNS bypass of 3.11);
// - every other node's subnet and HostIP: table 90 `ip,nw_dst=<subnet> … set_field:<HostIP>->tun_dst` (cookie: the
//   HostSubnet's), and the HostIPs VXLAN is accepted from (table 10 `tun_src=`);
// - its pods: table 20 (in_port, nw_src, the VNID loaded into reg0), table 70 (nw_dst, VNID into reg1, port into
//   reg2), table 40 (ARP to the pod's port);
// - the cluster and service networks: table 30's `goto_table:90` and `goto_table:60` flows.
// A node's HostIP is taken from another node's table 90 first (what its peers send to), its own DNS flow otherwise.
// Pure: flows in, facts with the line of the flow that says each, out.
import type { Flow } from '../flows/flow'
import { cidrContains, ipv4ToNumber, parseIPv4Cidr } from '../net/address'

export interface NodeDump {
  node: string
  captureId: number
  flows: readonly Flow[]
}

/** The flow a fact was read from. */
export interface DumpRef {
  node: string
  captureId: number
  line: number
  text: string
}

export interface DumpNode {
  name: string
  captureId: number
  subnet: string | null
  subnetFrom: DumpRef | null
  gateway: string | null
  hostIP: string | null
  hostIPFrom: DumpRef | null
  /** The cookie its peers' table 90 flow for its subnet carries (openshift-sdn's HostSubnet cookie). */
  cookie: string | null
}

export interface DumpPod {
  ip: string
  node: string
  captureId: number
  ofport: number | null
  vnid: number | null
  /** The pod's flows: table 20, 70, 40 (as many as the dump has). */
  from: DumpRef[]
}

/** A subnet some node's table 90 sends to a HostIP (a node whose dump the case may not hold). */
export interface RemoteSubnet {
  subnet: string
  hostIP: string
  seenOn: DumpRef
}

export interface DumpTopology {
  nodes: DumpNode[]
  pods: DumpPod[]
  remote: RemoteSubnet[]
  clusterNetworks: string[]
  serviceNetwork: string | null
}

const item = (f: Flow, name: string): string | null => new RegExp(`(?:^|,)${name}=([^,]+)`).exec(f.matchCanon)?.[1] ?? null
const ref = (d: NodeDump, f: Flow): DumpRef => ({ node: d.node, captureId: d.captureId, line: f.line, text: f.text.trim() })
const goesTo = (f: Flow, table: number) => new RegExp(`(?:^|,)goto_table:${table}(?:,|$)`).test(f.actionsText)
const isIPv4 = (v: string | null): v is string => v !== null && ipv4ToNumber(v) !== null
const isCidr = (v: string | null): v is string => v !== null && parseIPv4Cidr(v) !== null

/** A register's value as loaded by `load:V->NXM_NX_REGn[]` or `set_field:V->regn` (OpenFlow 1.3 printing). */
function loaded(f: Flow, reg: number): number | null {
  const m = new RegExp(`(?:load|set_field):(0x[0-9a-f]+|\\d+)->(?:NXM_NX_REG${reg}\\[\\]|reg${reg})(?:,|$)`, 'i').exec(f.actionsText)
  return m ? Number(m[1]) : null
}

const tunDst = (f: Flow): string | null => /set_field:(\d+\.\d+\.\d+\.\d+)->tun_dst/.exec(f.actionsText)?.[1] ?? null

export function dumpTopology(dumps: readonly NodeDump[]): DumpTopology {
  const nodes: DumpNode[] = []
  const pods = new Map<string, DumpPod>()
  const remote: RemoteSubnet[] = []
  const cluster = new Set<string>()
  let serviceNetwork: string | null = null
  for (const d of dumps) {
    const node: DumpNode = { name: d.node, captureId: d.captureId, subnet: null, subnetFrom: null, gateway: null, hostIP: null, hostIPFrom: null, cookie: null }
    const pod = (ip: string) => {
      let p = pods.get(`${d.node}\u0000${ip}`)
      if (!p) pods.set(`${d.node}\u0000${ip}`, (p = { ip, node: d.node, captureId: d.captureId, ofport: null, vnid: null, from: [] }))
      return p
    }
    for (const f of d.flows) {
      // ct_state flows (networkpolicy's replies) repeat the subnet; the plain one says it.
      if (item(f, 'ct_state') !== null) continue
      const dst = item(f, 'nw_dst')
      // The routing table: 30 in 3.x, 31 from rule version 10 on (4.x's table 30 only goes on to it).
      if ((f.table === 30 || f.table === 31) && f.protocol === 'ip') {
        if (goesTo(f, 70) && isCidr(dst) && node.subnet === null) {
          node.subnet = dst
          node.subnetFrom = ref(d, f)
        } else if (goesTo(f, 90) && isCidr(dst)) cluster.add(dst)
        else if (goesTo(f, 60) && isCidr(dst)) serviceNetwork ??= dst
        else if (/^output:(?:2|"?tun0"?)$/.test(f.actionsText) && isIPv4(dst)) node.gateway = dst
      } else if (f.table === 100 && f.protocol === 'tcp' && item(f, 'tp_dst') === '53' && /^output:(?:2|"?tun0"?)$/.test(f.actionsText) && isIPv4(dst) && node.hostIP === null) {
        node.hostIP = dst
        node.hostIPFrom = ref(d, f)
      } else if (f.table === 90 && f.protocol === 'ip' && isCidr(dst)) {
        const ip = tunDst(f)
        if (ip) remote.push({ subnet: dst, hostIP: ip, seenOn: ref(d, f) })
      } else if (f.table === 20 && f.protocol === 'ip') {
        const src = item(f, 'nw_src')
        const port = /^\d+$/.exec(item(f, 'in_port') ?? '')?.[0]
        if (!isIPv4(src)) continue
        const p = pod(src)
        if (port !== undefined) p.ofport = Number(port)
        p.vnid ??= loaded(f, 0)
        p.from.push(ref(d, f))
      } else if (f.table === 70 && f.protocol === 'ip' && isIPv4(dst)) {
        const p = pod(dst)
        p.ofport ??= loaded(f, 2)
        p.vnid ??= loaded(f, 1)
        p.from.push(ref(d, f))
      } else if (f.table === 40 && f.protocol === 'arp') {
        const tpa = item(f, 'arp_tpa') ?? dst
        const out = /^output:(\d+)$/.exec(f.actionsText)?.[1]
        if (!isIPv4(tpa)) continue
        const p = pod(tpa)
        if (out !== undefined) p.ofport ??= Number(out)
        p.from.push(ref(d, f))
      }
    }
    nodes.push(node)
  }
  // A node's HostIP as its peers send to it (a node may have several addresses; VXLAN goes to this one).
  for (const n of nodes) {
    const seen = n.subnet ? remote.find((r) => r.subnet === n.subnet && r.seenOn.node !== n.name) : undefined
    if (seen) {
      n.hostIP = seen.hostIP
      n.hostIPFrom = seen.seenOn
      const f = dumps.find((d) => d.captureId === seen.seenOn.captureId)?.flows.find((x) => x.line === seen.seenOn.line)
      if (f && f.cookie !== '0x0') n.cookie = f.cookie
    }
  }
  // Pods outside their node's subnet (a stale flow) are still listed: the dump says they have flows there.
  return { nodes, pods: [...pods.values()], remote, clusterNetworks: [...cluster], serviceNetwork }
}

/** The node whose subnet holds the address (its own dump's table 30, or a peer's table 90), by the topology. */
export function nodeOfAddress(t: DumpTopology, ip: string): DumpNode | null {
  const n = ipv4ToNumber(ip)
  if (n === null) return null
  return t.nodes.find((x) => {
    const c = x.subnet ? parseIPv4Cidr(x.subnet) : null
    return c !== null && cidrContains(c, n)
  }) ?? null
}
