import { createHash } from 'node:crypto'
import type { CaptureSummary, NodeCheckView } from '../../contract'
import { parseCapture } from '../../core/capture/parsed-view'
import { checkNode } from '../../core/sdn/checks'
import type { NodeCaptures, Sourced } from '../../core/sdn/facts'
import { AppError } from '../store/app-error'
import type { CaptureStore } from '../store/capture-store'

type Role = Exclude<keyof NodeCaptures, 'node' | 'nodeIP'>

/** Which capture serves which input of the checks: by parser, on the node or (cluster objects) anywhere. */
const wanted: { role: Role; parser: string; clusterWide: boolean; pick: (data: Record<string, unknown>) => unknown; accept?: (c: CaptureSummary) => boolean }[] = [
  { role: 'flows', parser: 'ovs-ofctl.dump-flows', clusterWide: false, pick: (d) => d.flows, accept: (c) => !/\btable=\d/.test(c.command) },
  { role: 'ports', parser: 'ovs-ofctl.dump-ports-desc', clusterWide: false, pick: (d) => d.records },
  { role: 'interfaces', parser: 'ovs-vsctl.list', clusterWide: false, pick: (d) => d.records, accept: (c) => /\binterface\b/i.test(c.command) },
  { role: 'links', parser: 'ip.addr', clusterWide: false, pick: (d) => d.links },
  { role: 'routes', parser: 'ip.route', clusterWide: false, pick: (d) => d.routes, accept: (c) => !/\broute\s+get\b/.test(c.command) },
  { role: 'sysctl', parser: 'sysctl', clusterWide: false, pick: (d) => d.values },
  { role: 'hostSubnets', parser: 'oc.get.hostsubnets', clusterWide: true, pick: (d) => d.records },
  { role: 'netNamespaces', parser: 'oc.get.netnamespaces', clusterWide: true, pick: (d) => d.records },
  { role: 'clusterNetwork', parser: 'oc.get.clusternetwork', clusterWide: true, pick: (d) => d.records },
  { role: 'pods', parser: 'oc.get.pods', clusterWide: true, pick: (d) => d.records, accept: (c) => !/openshift-sdn/.test(c.command) },
  { role: 'services', parser: 'oc.get.services', clusterWide: true, pick: (d) => d.records },
  { role: 'egressPolicies', parser: 'oc.get.egressnetworkpolicies', clusterWide: true, pick: (d) => d.records, accept: (c) => /json/.test(c.command) },
  { role: 'networkPolicies', parser: 'oc.get.networkpolicies', clusterWide: true, pick: (d) => d.records, accept: (c) => /json/.test(c.command) },
  { role: 'namespaces', parser: 'oc.get.namespaces', clusterWide: true, pick: (d) => d.records }
]

const same = (a: string, b: string) => a.toLowerCase() === b.toLowerCase() || a.toLowerCase().split('.')[0] === b.toLowerCase().split('.')[0]

/**
 * Runs the openshift-sdn checks on a node from the newest capture of each kind in the case: the node's own
 * outputs, and the cluster objects from whichever host they were taken on.
 */
export function checkNodeFromCaptures(store: CaptureStore, hostName: string): NodeCheckView {
  const all = store.list().filter((c) => c.status === 'ok' && c.parserId !== null).sort((a, b) => b.startedAt.localeCompare(a.startedAt) || b.id - a.id)
  const input: Partial<NodeCaptures> = { node: hostName }
  const used: NodeCheckView['used'] = []
  for (const w of wanted) {
    const c = all.find((x) => x.parserId === w.parser && (w.clusterWide || same(x.hostName, hostName)) && (w.accept ?? (() => true))(x))
    if (!c) continue
    const parsed = parseCapture(c.command, store.text(c.id), c.parserId)
    const data = parsed?.data ? w.pick(parsed.data as Record<string, unknown>) : undefined
    if (data === undefined || data === null) continue
    ;(input as Record<string, Sourced<unknown>>)[w.role] = { source: `capture #${c.id}: ${c.hostName} ${c.command}`, data }
    used.push({ role: w.role, captureId: c.id, hostName: c.hostName, command: c.command })
  }
  if (!input.flows) throw new AppError('not_found', `No flow dump of ${hostName} in this case (ovs-ofctl dump-flows br0). Capture or import one, then check again.`)
  // The dump before the newest one, if any: the counters that moved between them.
  const flowsWant = wanted.find((w) => w.role === 'flows')
  const newest = all.find((x) => x.id === used.find((u) => u.role === 'flows')?.captureId)
  const older = newest && flowsWant ? all.find((x) => x.id !== newest.id && x.parserId === flowsWant.parser && same(x.hostName, hostName) && (flowsWant.accept ?? (() => true))(x) && x.startedAt < newest.startedAt) : undefined
  if (older && flowsWant) {
    const parsed = parseCapture(older.command, store.text(older.id), older.parserId)
    const data = parsed?.data ? flowsWant.pick(parsed.data as Record<string, unknown>) : undefined
    if (Array.isArray(data)) {
      input.previousFlows = { source: `capture #${older.id}: ${older.hostName} ${older.command} (the dump before)`, data: data as NodeCaptures['flows']['data'] }
      used.push({ role: 'previousFlows', captureId: older.id, hostName: older.hostName, command: older.command })
    }
  }
  // The cookie each HostSubnet's UID gives (JSON captures only): "0x" + 8 hex digits of SHA-256, as OVS prints it.
  const jsonSubnets = all.find((x) => x.parserId === 'oc.get.hostsubnets' && /json/.test(x.command))
  if (jsonSubnets) {
    const parsed = parseCapture(jsonSubnets.command, store.text(jsonSubnets.id), jsonSubnets.parserId)
    const records = ((parsed?.data as { records?: { host: string; uid: string | null }[] } | null)?.records ?? []).filter((h) => h.uid)
    if (records.length > 0) {
      input.hostSubnetCookies = Object.fromEntries(records.map((h) => [h.host, `0x${createHash('sha256').update(h.uid as string).digest('hex').slice(0, 8).replace(/^0+(?=.)/, '')}`]))
      used.push({ role: 'hostSubnetCookies', captureId: jsonSubnets.id, hostName: jsonSubnets.hostName, command: jsonSubnets.command })
    }
  }
  const nodeIP = (input.hostSubnets?.data as { host: string; name: string; hostIP: string }[] | undefined)?.find((h) => same(h.host, hostName) || same(h.name, hostName))?.hostIP ?? null
  const r = checkNode({ ...(input as NodeCaptures), nodeIP })
  return { node: hostName, findings: r.findings, ran: r.ran, skipped: r.skipped, used, facts: { gateway: r.facts.gateway, localSubnet: r.facts.localSubnet?.text ?? null, pluginId: r.facts.pluginId, ruleVersion: r.facts.ruleVersion, nodeIP: r.facts.nodeIP } }
}
