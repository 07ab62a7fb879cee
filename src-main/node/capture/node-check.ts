import { createHash } from 'node:crypto'
import type { CaptureSummary, NodeCheckView } from '../../contract'
import { parseCapture } from '../../core/capture/parsed-view'
import { checkNode } from '../../core/sdn/checks'
import { pluginName } from '../../core/sdn/tables'
import { parsedAs, type ParsedOutput, type ParserId } from '../../core/parse/registry'
import type { NodeCaptures, Sourced } from '../../core/sdn/facts'
import { AppError } from '../store/app-error'
import type { CaptureStore } from '../store/capture-store'
import { sameHostName } from '../../core/hosts/identity'

type Role = Exclude<keyof NodeCaptures, 'node' | 'nodeIP' | 'previousFlows' | 'hostSubnetCookies'>

/** Which capture serves which input of the checks: by parser, on the node or (cluster objects) anywhere. */
const wanted: { role: Role; parser: ParserId; clusterWide: boolean; accept?: (c: CaptureSummary) => boolean }[] = [
  { role: 'flows', parser: 'ovs-ofctl.dump-flows', clusterWide: false, accept: (c) => !/\btable=\d/.test(c.command) },
  { role: 'ports', parser: 'ovs-ofctl.dump-ports-desc', clusterWide: false },
  { role: 'interfaces', parser: 'ovs-vsctl.list', clusterWide: false, accept: (c) => /\binterface\b/i.test(c.command) },
  { role: 'links', parser: 'ip.addr', clusterWide: false },
  { role: 'routes', parser: 'ip.route', clusterWide: false, accept: (c) => !/\broute\s+get\b/.test(c.command) },
  { role: 'sysctl', parser: 'sysctl', clusterWide: false },
  { role: 'hostSubnets', parser: 'oc.get.hostsubnets', clusterWide: true },
  { role: 'netNamespaces', parser: 'oc.get.netnamespaces', clusterWide: true },
  { role: 'clusterNetwork', parser: 'oc.get.clusternetwork', clusterWide: true },
  { role: 'pods', parser: 'oc.get.pods', clusterWide: true, accept: (c) => !/openshift-sdn/.test(c.command) },
  { role: 'services', parser: 'oc.get.services', clusterWide: true },
  { role: 'egressPolicies', parser: 'oc.get.egressnetworkpolicies', clusterWide: true, accept: (c) => /json/.test(c.command) },
  { role: 'networkPolicies', parser: 'oc.get.networkpolicies', clusterWide: true, accept: (c) => /json/.test(c.command) },
  { role: 'namespaces', parser: 'oc.get.namespaces', clusterWide: true }
]

/** Puts a parsed capture's data where its role wants it, typed by its parser; false when it holds none. */
function setRole(input: Partial<NodeCaptures>, role: Role, p: ParsedOutput | null, source: string): boolean {
  const put = <T>(data: T | null | undefined, set: (v: Sourced<T>) => void) => {
    if (data === null || data === undefined) return false
    set({ source, data })
    return true
  }
  switch (role) {
    case 'flows':
      return put(parsedAs(p, 'ovs-ofctl.dump-flows')?.flows, (v) => (input.flows = v))
    case 'ports':
      return put(parsedAs(p, 'ovs-ofctl.dump-ports-desc')?.records, (v) => (input.ports = v))
    case 'interfaces':
      return put(parsedAs(p, 'ovs-vsctl.list')?.records, (v) => (input.interfaces = v))
    case 'links':
      return put(parsedAs(p, 'ip.addr')?.links, (v) => (input.links = v))
    case 'routes':
      return put(parsedAs(p, 'ip.route')?.routes, (v) => (input.routes = v))
    case 'sysctl':
      return put(parsedAs(p, 'sysctl')?.values, (v) => (input.sysctl = v))
    case 'hostSubnets':
      return put(parsedAs(p, 'oc.get.hostsubnets')?.records, (v) => (input.hostSubnets = v))
    case 'netNamespaces':
      return put(parsedAs(p, 'oc.get.netnamespaces')?.records, (v) => (input.netNamespaces = v))
    case 'clusterNetwork':
      return put(parsedAs(p, 'oc.get.clusternetwork')?.records, (v) => (input.clusterNetwork = v))
    case 'pods':
      return put(parsedAs(p, 'oc.get.pods')?.records, (v) => (input.pods = v))
    case 'services':
      return put(parsedAs(p, 'oc.get.services')?.records, (v) => (input.services = v))
    case 'egressPolicies':
      return put(parsedAs(p, 'oc.get.egressnetworkpolicies')?.records, (v) => (input.egressPolicies = v))
    case 'networkPolicies':
      return put(parsedAs(p, 'oc.get.networkpolicies')?.records, (v) => (input.networkPolicies = v))
    case 'namespaces':
      return put(parsedAs(p, 'oc.get.namespaces')?.records, (v) => (input.namespaces = v))
  }
}

const same = sameHostName

/**
 * Runs the openshift-sdn checks on a node from the newest capture of each kind in the case: the node's own
 * outputs, and the cluster objects from whichever host they were taken on.
 */
/** The capture an evidence source names ("capture #12: node1 ovs-ofctl …", as built below), or null. */
export function captureIdOfSource(source: string): number | null {
  const m = /^capture #(\d+):/.exec(source)
  return m ? Number(m[1]) : null
}

export function checkNodeFromCaptures(store: CaptureStore, hostName: string): Omit<NodeCheckView, 'stored'> {
  const all = store.list().filter((c) => c.status === 'ok' && c.parserId !== null).sort((a, b) => b.startedAt.localeCompare(a.startedAt) || b.id - a.id)
  const input: Partial<NodeCaptures> = { node: hostName }
  const used: NodeCheckView['used'] = []
  for (const w of wanted) {
    const c = all.find((x) => x.parserId === w.parser && (w.clusterWide || same(x.hostName, hostName)) && (w.accept ?? (() => true))(x))
    if (!c) continue
    const parsed = parseCapture(c.command, store.text(c.id), c.parserId)
    if (!setRole(input, w.role, parsed, `capture #${c.id}: ${c.hostName} ${c.command}`)) continue
    used.push({ role: w.role, captureId: c.id, hostName: c.hostName, command: c.command })
  }
  if (!input.flows) throw new AppError('not_found', `No flow dump of ${hostName} in this case (ovs-ofctl dump-flows br0). Capture or import one, then check again.`)
  // The dump before the newest one, if any: the counters that moved between them.
  const flowsWant = wanted.find((w) => w.role === 'flows')
  const newest = all.find((x) => x.id === used.find((u) => u.role === 'flows')?.captureId)
  const older = newest && flowsWant ? all.find((x) => x.id !== newest.id && x.parserId === flowsWant.parser && same(x.hostName, hostName) && (flowsWant.accept ?? (() => true))(x) && x.startedAt < newest.startedAt) : undefined
  if (older && flowsWant) {
    const data = parsedAs(parseCapture(older.command, store.text(older.id), older.parserId), 'ovs-ofctl.dump-flows')?.flows
    if (data) {
      input.previousFlows = { source: `capture #${older.id}: ${older.hostName} ${older.command} (the dump before)`, data }
      used.push({ role: 'previousFlows', captureId: older.id, hostName: older.hostName, command: older.command })
    }
  }
  // The cookie each HostSubnet's UID gives (JSON captures only): "0x" + 8 hex digits of SHA-256, as OVS prints it.
  const jsonSubnets = all.find((x) => x.parserId === 'oc.get.hostsubnets' && /json/.test(x.command))
  if (jsonSubnets) {
    const parsed = parseCapture(jsonSubnets.command, store.text(jsonSubnets.id), jsonSubnets.parserId)
    const records = (parsedAs(parsed, 'oc.get.hostsubnets')?.records ?? []).flatMap((h) => (h.uid ? [{ host: h.host, uid: h.uid }] : []))
    if (records.length > 0) {
      input.hostSubnetCookies = Object.fromEntries(records.map((h) => [h.host, `0x${createHash('sha256').update(h.uid).digest('hex').slice(0, 8).replace(/^0+(?=.)/, '')}`]))
      used.push({ role: 'hostSubnetCookies', captureId: jsonSubnets.id, hostName: jsonSubnets.hostName, command: jsonSubnets.command })
    }
  }
  const nodeIP = input.hostSubnets?.data.find((h) => same(h.host, hostName) || same(h.name, hostName))?.hostIP ?? null
  const flows = input.flows
  if (!flows) throw new AppError('not_found', `No flow dump of ${hostName} in this case (ovs-ofctl dump-flows br0). Capture or import one, then check again.`)
  const r = checkNode({ ...input, node: hostName, flows, nodeIP })
  return { node: hostName, findings: r.findings, ran: r.ran, skipped: r.skipped, used, facts: { gateway: r.facts.gateway, localSubnet: r.facts.localSubnet?.text ?? null, pluginId: r.facts.pluginId, plugin: pluginName(r.facts.pluginId), ruleVersion: r.facts.ruleVersion, nodeIP: r.facts.nodeIP } }
}
