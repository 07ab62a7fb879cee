import type { InputSuggestions } from '../../contract'
import { newestData as newest } from '../capture/newest'
import type { CaseDb } from '../store/case-db'
import type { FilterContext } from '../../core/flows/filter'
import { caseTopology } from '../capture/flow-knowledge'

const cap = 500

const uniq = (xs: (string | null | undefined)[]) => [...new Set(xs.filter((x): x is string => typeof x === 'string' && x !== ''))].sort().slice(0, cap)

/**
 * What a runbook's inputs can be filled with, from what the case knows: its hosts, and the newest pod list,
 * HostSubnets, NetNamespaces, services and ClusterNetwork captured.
 */
export function inputSuggestions(db: CaseDb): InputSuggestions {
  const hosts = db.listHosts()
  const pods = newest(db, 'oc.get.pods')?.records ?? []
  const subnets = newest(db, 'oc.get.hostsubnets')?.records ?? []
  const netns = newest(db, 'oc.get.netnamespaces')?.records ?? []
  const services = newest(db, 'oc.get.services')?.records ?? []
  const cluster = newest(db, 'oc.get.clusternetwork')?.records ?? []
  // Without a pod list, the pods the nodes' saved dumps know, by IP (what a dumps-only case can run a runbook with).
  const dumpPods = pods.length ? [] : caseTopology(db).pods.map((p) => p.ip)
  return {
    node: uniq([...hosts.filter((h) => h.role !== 'master').map((h) => h.name), ...subnets.map((s) => s.host), ...pods.map((p) => p.node)]),
    hostname: uniq(hosts.map((h) => h.name)),
    pod: uniq([...pods.map((p) => p.name), ...dumpPods]),
    namespace: uniq([...pods.map((p) => p.namespace), ...netns.map((n) => n.name), ...services.map((s) => s.namespace)]),
    ip: uniq([...pods.map((p) => p.ip), ...dumpPods, ...subnets.map((s) => s.hostIP), ...services.map((s) => s.clusterIP)]),
    cidr: uniq([...cluster.flatMap((c) => c.networks.map((n) => n.cidr)), ...subnets.map((s) => s.subnet), ...cluster.map((c) => c.serviceNetwork)]),
    port: [],
    url: [],
    text: uniq(services.map((s) => s.name))
  }
}

/** The nodes (HostSubnets) and pods the case's newest captures know: what a flow filter's node= and pod= mean. */
export function filterContextOf(db: CaseDb): FilterContext {
  const subnets = newest(db, 'oc.get.hostsubnets')?.records ?? []
  const pods = newest(db, 'oc.get.pods')?.records ?? []
  return {
    nodes: subnets.map((s) => ({ name: s.host, hostIP: s.hostIP, subnet: s.subnet })),
    pods: pods.map((p) => ({ namespace: p.namespace, name: p.name, ip: p.ip }))
  }
}
