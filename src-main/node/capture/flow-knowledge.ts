// What the case knows that gives a node's flows their meaning (core/flows/explain.ts): the newest HostSubnets,
// pods, services, NetNamespaces and ClusterNetwork of the case, and the node's own br0 ports (dump-ports-desc, the
// OVSDB Interface table with the pod IP in external_ids). A case without HostSubnets or a ClusterNetwork (only the
// nodes' dumps) learns them from the dumps themselves (core/sdn/dump-topology.ts).
import { createHash } from 'node:crypto'
import type { CaptureSummary } from '../../contract'
import type { FlowKnowledge } from '../../core/flows/explain'
import type { Flow } from '../../core/flows/flow'
import { namesPorts, withPortNumbers } from '../../core/flows/ports'
import { sameHostName } from '../../core/hosts/identity'
import { mapOf, scalar } from '../../core/parse/ovsdb-list'
import { parseCapture } from '../../core/capture/parsed-view'
import { parsedAs } from '../../core/parse/registry'
import { dumpTopology, type DumpTopology } from '../../core/sdn/dump-topology'
import { newestData as newest } from './newest'
import type { CaseDb } from '../store/case-db'

/** The cookie openshift-sdn gives a HostSubnet's flows: "0x" + the first 8 hex digits of the SHA-256 of its UID, as OVS prints it. */
export function hostSubnetCookie(uid: string): string {
  return `0x${createHash('sha256').update(uid).digest('hex').slice(0, 8).replace(/^0+(?=.)/, '')}`
}

/** A host's br0 ports from its newest port list (dump-ports-desc / show) and OVSDB Interface table (with the pod IP). */
export function hostPorts(db: CaseDb, hostName: string): FlowKnowledge['ports'] {
  const onNode = (c: CaptureSummary) => sameHostName(c.hostName, hostName)
  const ports = new Map<number, { ofport: number; name: string; podIP: string | null }>()
  for (const p of newest(db, 'ovs-ofctl.dump-ports-desc', onNode)?.records ?? []) if (typeof p.ofport === 'number') ports.set(p.ofport, { ofport: p.ofport, name: p.name, podIP: null })
  for (const r of newest(db, 'ovs-vsctl.list', (c) => onNode(c) && /\blist\s+interface\b/i.test(c.command))?.records ?? []) {
    const ofport = scalar(r.columns.ofport)
    const name = scalar(r.columns.name)
    if (typeof ofport !== 'number' || typeof name !== 'string') continue
    const ip = mapOf(r.columns.external_ids).ip
    ports.set(ofport, { ofport, name, podIP: typeof ip === 'string' ? ip : null })
  }
  return [...ports.values()]
}

export function flowKnowledgeOf(db: CaseDb, capture: CaptureSummary): FlowKnowledge {
  // JSON HostSubnets carry the UID the cookies come from; a table does not.
  const subnets = newest(db, 'oc.get.hostsubnets', (c) => /json|yaml/.test(c.command)) ?? newest(db, 'oc.get.hostsubnets')
  const ports = hostPorts(db, capture.hostName)
  const cn = newest(db, 'oc.get.clusternetwork')?.records[0]
  // Only dumps: the nodes, their subnets and HostIPs, the networks as the dumps program them.
  const topology = subnets && cn ? null : caseTopology(db)
  return {
    node: capture.hostName,
    nodes: subnets
      ? subnets.records.map((h) => ({ name: h.host, hostIP: h.hostIP, subnet: h.subnet, cookie: h.uid ? hostSubnetCookie(h.uid) : null }))
      : (topology?.nodes ?? []).filter((n) => n.subnet !== null).map((n) => ({ name: n.name, hostIP: n.hostIP, subnet: n.subnet, cookie: n.cookie })),
    pods: (newest(db, 'oc.get.pods')?.records ?? []).map((p) => ({ namespace: p.namespace, name: p.name, ip: p.ip, node: p.node })),
    services: (newest(db, 'oc.get.services')?.records ?? []).map((s) => ({ namespace: s.namespace, name: s.name, clusterIP: s.clusterIP })),
    projects: (newest(db, 'oc.get.netnamespaces')?.records ?? []).map((n) => ({ name: n.name, netid: n.netid })),
    ports,
    clusterNetworks: cn ? cn.networks.map((n) => n.cidr) : (topology?.clusterNetworks ?? []),
    serviceNetwork: cn ? cn.serviceNetwork : (topology?.serviceNetwork ?? null)
  }
}

/** A --names dump's flows with their port names as the host's port numbers (for comparing and filtering); others as they are. */
export function withHostPortNumbers(db: CaseDb, hostName: string, flows: readonly Flow[]): readonly Flow[] {
  return namesPorts(flows) ? withPortNumbers(flows, new Map(hostPorts(db, hostName).map((p) => [p.name, p.ofport]))) : flows
}

const escape = (v: string) => v.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')

/** A complete dump of the bridge: `dump-flows br0`, not one filtered to a table or a match. */
export function isWholeDump(c: CaptureSummary, bridge = 'br0'): boolean {
  const m = new RegExp(`\\bdump-flows\\s+${escape(bridge)}(?:\\s+(.*))?$`).exec(c.command.trim())
  if (!m) return false
  // What follows the bridge is a flow filter ("table=90", "ip,nw_dst=…") unless it is only options.
  return (m[1] ?? '').split(/\s+/).every((w) => w === '' || w.startsWith('-'))
}

/** The newest complete dump of the bridge of each host, newest first. */
export function newestBridgeDumps(db: CaseDb, bridge = 'br0'): CaptureSummary[] {
  const out: CaptureSummary[] = []
  for (const c of db.captures.list().filter((x) => x.parserId === 'ovs-ofctl.dump-flows' && x.status === 'ok' && isWholeDump(x, bridge)).sort((a, b) => b.startedAt.localeCompare(a.startedAt))) {
    if (!out.some((o) => sameHostName(o.hostName, c.hostName))) out.push(c)
  }
  return out
}

const cache = new WeakMap<CaseDb, { key: string; topology: DumpTopology }>()

export function caseTopology(db: CaseDb): DumpTopology {
  const dumps = newestBridgeDumps(db)
  // The port names of a --names dump resolve through the host's port captures: a capture added or removed reads again.
  const key = `${dumps.map((d) => d.id).join(',')}/${db.captures.list().length}`
  const hit = cache.get(db)
  if (hit && hit.key === key) return hit.topology
  const topology = dumpTopology(
    dumps.map((d) => ({
      node: d.hostName,
      captureId: d.id,
      flows: withHostPortNumbers(db, d.hostName, parsedAs(parseCapture(d.command, db.captures.text(d.id), d.parserId), 'ovs-ofctl.dump-flows')?.flows ?? [])
    }))
  )
  cache.set(db, { key, topology })
  return topology
}
