// What the case knows that gives a node's flows their meaning (core/flows/explain.ts): the newest HostSubnets,
// pods, services, NetNamespaces and ClusterNetwork of the case, and the node's own br0 ports (dump-ports-desc, the
// OVSDB Interface table with the pod IP in external_ids).
import { createHash } from 'node:crypto'
import type { CaptureSummary } from '../../contract'
import type { FlowKnowledge } from '../../core/flows/explain'
import type { Flow } from '../../core/flows/flow'
import { namesPorts, withPortNumbers } from '../../core/flows/ports'
import { sameHostName } from '../../core/hosts/identity'
import { mapOf, scalar } from '../../core/parse/ovsdb-list'
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
  return {
    node: capture.hostName,
    nodes: (subnets?.records ?? []).map((h) => ({ name: h.host, hostIP: h.hostIP, subnet: h.subnet, cookie: h.uid ? hostSubnetCookie(h.uid) : null })),
    pods: (newest(db, 'oc.get.pods')?.records ?? []).map((p) => ({ namespace: p.namespace, name: p.name, ip: p.ip, node: p.node })),
    services: (newest(db, 'oc.get.services')?.records ?? []).map((s) => ({ namespace: s.namespace, name: s.name, clusterIP: s.clusterIP })),
    projects: (newest(db, 'oc.get.netnamespaces')?.records ?? []).map((n) => ({ name: n.name, netid: n.netid })),
    ports,
    clusterNetworks: cn?.networks.map((n) => n.cidr) ?? [],
    serviceNetwork: cn?.serviceNetwork ?? null
  }
}

/** A --names dump's flows with their port names as the host's port numbers (for comparing and filtering); others as they are. */
export function withHostPortNumbers(db: CaseDb, hostName: string, flows: readonly Flow[]): readonly Flow[] {
  return namesPorts(flows) ? withPortNumbers(flows, new Map(hostPorts(db, hostName).map((p) => [p.name, p.ofport]))) : flows
}
