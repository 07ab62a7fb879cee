import { cidrContains, ipv4ToNumber, parseIPv4Cidr, type Ipv4Cidr } from '../net/address'
import type { FlowAction } from '../flows/actions'
import { flowActions, matchField, type Flow } from '../flows/flow'
import type { IpLink, IpRoute } from '../parse/ip'
import type { ClusterNetwork, EgressNetworkPolicy, HostSubnet, NetNamespace, NetworkPolicy, OcNamespace, OcPod, OcService } from '../parse/oc'
import type { PortDesc } from '../parse/ovs-ports'
import type { OvsdbRecord } from '../parse/ovsdb-list'

/** A parsed capture with the label findings cite it by. */
export interface Sourced<T> {
  source: string
  data: T
}

/** Everything known about one node; only the flows are required, every other capture adds checks. */
export interface NodeCaptures {
  node: string
  nodeIP?: string | null
  flows: Sourced<Flow[]>
  /** An older flow dump of the same node: counters that moved since then (rising drops). */
  previousFlows?: Sourced<Flow[]>
  ports?: Sourced<PortDesc[]>
  interfaces?: Sourced<OvsdbRecord[]>
  links?: Sourced<IpLink[]>
  routes?: Sourced<IpRoute[]>
  sysctl?: Sourced<Record<string, string>>
  hostSubnets?: Sourced<HostSubnet[]>
  /** The flow cookie each HostSubnet's UID gives ("0x" + first 8 hex digits of its SHA-256, as OVS prints it), by host. */
  hostSubnetCookies?: Record<string, string>
  netNamespaces?: Sourced<NetNamespace[]>
  clusterNetwork?: Sourced<ClusterNetwork[]>
  pods?: Sourced<OcPod[]>
  services?: Sourced<OcService[]>
  egressPolicies?: Sourced<EgressNetworkPolicy[]>
  networkPolicies?: Sourced<NetworkPolicy[]>
  namespaces?: Sourced<OcNamespace[]>
}

export const ipv4Of = (f: Flow, name: string): string | null => {
  const m = matchField(f, name)
  return m && m.kind === 'ipv4' ? m.ipv4.text : null
}

export const intOf = (f: Flow, name: string): string | null => {
  const m = matchField(f, name)
  return m && m.kind === 'int' ? m.value : null
}

export const portOf = (f: Flow): number | string | null => {
  const m = matchField(f, 'in_port')
  return m && m.kind === 'port' ? m.port : null
}

export const hasAction = (f: Flow, pred: (a: FlowAction) => boolean): boolean => flowActions(f).some(pred)

/** Every IP a flow sends VXLAN to, in order: set_field:IP->tun_dst (or its OF1.0 load form). Table 111 has one per node. */
export function tunDsts(f: Flow): string[] {
  const out: string[] = []
  for (const a of flowActions(f)) {
    if (a.type === 'set_field' && /^(tun_dst|NXM_NX_TUN_IPV4_DST)(\[\])?$/.test(a.field)) out.push(a.value)
    if (a.type === 'load' && /^NXM_NX_TUN_IPV4_DST\[\]$/.test(a.dst)) {
      const n = Number(a.value)
      if (Number.isFinite(n)) out.push([n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.'))
    }
  }
  return out
}

/** The IP a flow sends VXLAN to (the first, for a flow with one). */
export const tunDst = (f: Flow): string | null => tunDsts(f)[0] ?? null

/** Value loaded into a register (reg0/reg1/reg2) by a flow, as a number. */
export function loadedInto(f: Flow, reg: 'reg0' | 'reg1' | 'reg2'): number | null {
  const nxm = `NXM_NX_${reg.toUpperCase()}[]`
  for (const a of flowActions(f)) {
    if (a.type === 'load' && (a.dst === nxm || a.dst === `${reg}[]`)) {
      const n = Number(a.value)
      return Number.isFinite(n) ? n : null
    }
    if (a.type === 'set_field' && (a.field === reg || a.field === nxm)) {
      const n = Number(a.value)
      return Number.isFinite(n) ? n : null
    }
  }
  return null
}

export const outputsTo = (f: Flow, port: number): boolean => hasAction(f, (a) => a.type === 'output' && a.port === port)
export const gotoTable = (f: Flow, t: number): boolean => hasAction(f, (a) => (a.type === 'goto_table' && a.table === t) || (a.type === 'resubmit' && a.port === null && a.table === t))

/** What the flows themselves say about the node (table 30 is built from the node's HostSubnet and the cluster config). */
export interface NodeFacts {
  gateway: string | null
  localSubnet: Ipv4Cidr | null
  clusterNetworks: Ipv4Cidr[]
  serviceNetwork: Ipv4Cidr | null
  /** Plugin id and rule version from the table 253 note. */
  pluginId: number | null
  ruleVersion: number | null
  nodeIP: string | null
}

export function nodeFacts(c: NodeCaptures): NodeFacts {
  const flows = c.flows.data
  const t30 = flows.filter((f) => f.table === 30)
  const gwFlow = t30.find((f) => f.priority === 300 && f.protocol === 'ip' && outputsTo(f, 2) && ipv4Of(f, 'nw_dst'))
  const lsFlow = t30.find((f) => f.priority === 200 && f.protocol === 'ip' && gotoTable(f, 70))
  const cc = t30.filter((f) => f.priority === 100 && f.protocol === 'ip' && gotoTable(f, 90))
  const svc = t30.find((f) => f.priority === 100 && f.protocol === 'ip' && gotoTable(f, 60))
  const note = flows.find((f) => f.table === 253)
  const bytes = note ? flowActions(note).find((a) => a.type === 'note') : undefined
  const noteHex = bytes && bytes.type === 'note' ? bytes.bytes : null
  let localSubnet = lsFlow ? parseIPv4Cidr(ipv4Of(lsFlow, 'nw_dst') ?? '') : null
  const own = c.hostSubnets?.data.find((h) => h.host === c.node || h.name === c.node || (c.nodeIP && h.hostIP === c.nodeIP))
  if (own) localSubnet = parseIPv4Cidr(own.subnet) ?? localSubnet
  let clusterNetworks = cc.map((f) => parseIPv4Cidr(ipv4Of(f, 'nw_dst') ?? '')).filter((x): x is Ipv4Cidr => x !== null)
  const cn = c.clusterNetwork?.data[0]
  if (cn && cn.networks.length) clusterNetworks = cn.networks.map((n) => parseIPv4Cidr(n.cidr)).filter((x): x is Ipv4Cidr => x !== null)
  const serviceNetwork = (cn?.serviceNetwork ? parseIPv4Cidr(cn.serviceNetwork) : null) ?? (svc ? parseIPv4Cidr(ipv4Of(svc, 'nw_dst') ?? '') : null)
  return {
    gateway: gwFlow ? ipv4Of(gwFlow, 'nw_dst') : null,
    localSubnet,
    clusterNetworks,
    serviceNetwork,
    pluginId: noteHex && noteHex.length >= 4 ? parseInt(noteHex.slice(0, 2), 16) : null,
    ruleVersion: noteHex && noteHex.length >= 4 ? parseInt(noteHex.slice(2, 4), 16) : null,
    nodeIP: c.nodeIP ?? own?.hostIP ?? null
  }
}

export function inCidr(cidr: Ipv4Cidr | null, ip: string | null): boolean {
  if (!cidr || !ip) return false
  const n = ipv4ToNumber(ip)
  return n !== null && cidrContains(cidr, n)
}
