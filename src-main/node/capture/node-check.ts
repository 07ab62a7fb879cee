import type { CaptureSummary, NodeCheckView } from '../../contract'
import { parseCapture } from '../../core/capture/parsed-view'
import { checkNode } from '../../core/sdn/checks'
import { pluginName } from '../../core/sdn/tables'
import { partialDump } from '../../core/sdn/layouts'
import { parsedAs, type ParsedOutput, type ParserId } from '../../core/parse/registry'
import type { NodeCaptures, Sourced } from '../../core/sdn/facts'
import { AppError } from '../store/app-error'
import type { CaptureStore } from '../store/capture-store'
import { sameHostName } from '../../core/hosts/identity'
import { hostSubnetCookie } from './flow-knowledge'

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
    case 'routes': {
      // The main table's own routes (an `ip route show table all` also lists the local table and IPv6).
      const routes = parsedAs(p, 'ip.route')?.routes
      return put(routes?.filter((r) => (r.table === null || r.table === 'main' || r.table === '254') && (r.type === null || r.type === 'unicast') && !r.destination.includes(':')), (v) => (input.routes = v))
    }
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

/** The capture an evidence source names ("capture #12: node1 ovs-ofctl …", as built below), or null. */
export function captureIdOfSource(source: string): number | null {
  const m = /^capture #(\d+):/.exec(source)
  return m ? Number(m[1]) : null
}

/** The bridge a dump-flows command reads: the first word after dump-flows that is not an option. */
function bridgeOf(command: string): string | null {
  const words = command.split(/\s+/)
  const at = words.findIndex((w) => w === 'dump-flows')
  if (at < 0) return null
  for (let i = at + 1; i < words.length; i++) {
    const w = words[i] as string
    if (w.startsWith('-')) continue
    return w.replace(/^['"]|['"]$/g, '')
  }
  return null
}

/** A candidate capture for a role and what makes it better than another: compared in order, higher first. */
interface Ranked {
  capture: CaptureSummary
  parsed: ParsedOutput | null
  rank: number[]
}

/**
 * How good a capture is for a role: a flow dump must be of br0 and hold flows (a "version negotiation failed"
 * output holds none); a complete dump beats an excerpt, OpenFlow 1.3 beats 1.0. Addresses
 * must be readable; routes must be IPv4 routes of the main table. Among equals the newest. Null: not usable at all.
 */
function rank(role: Role, c: CaptureSummary, parsed: ParsedOutput | null): number[] | null {
  switch (role) {
    case 'flows': {
      const flows = parsedAs(parsed, 'ovs-ofctl.dump-flows')?.flows
      if (!flows || flows.length === 0) return null
      const of13 = /-O\s*OpenFlow1[3-5]|--protocols[= ]OpenFlow1[3-5]/i.test(c.command) || flows.some((f) => f.table !== 0 && /goto_table:/.test(f.actionsText)) ? 1 : 0
      // Then the newest (the pool is newest first and the sort keeps that order among equals).
      return [partialDump(flows) === null ? 1 : 0, of13]
    }
    case 'links': {
      // A host's own addresses: never those of another network namespace (a router's, a pod's).
      if (/\bnetns\s+exec\b|\bnsenter\b/.test(c.command)) return null
      const links = parsedAs(parsed, 'ip.addr')?.links
      return links && links.length > 0 ? [links.some((l) => l.addresses.length > 0) ? 1 : 0] : null
    }
    case 'routes': {
      if (/(^|\s)-6(\s|$)|\s-f(amily)?\s+inet6|\bnetns\s+exec\b|\bnsenter\b/.test(c.command)) return null
      const table = /\btable\s+(\S+)/.exec(c.command)?.[1]
      if (table && table !== 'main' && table !== '254' && table !== 'all') return null
      const routes = parsedAs(parsed, 'ip.route')?.routes
      const v4 = routes?.filter((r) => r.destination === 'default' || /^\d+\.\d+\.\d+\.\d+/.test(r.destination)).length ?? 0
      return v4 > 0 ? [1] : null
    }
    default:
      return parsed === null ? null : [1]
  }
}

const better = (a: number[], b: number[]): number => {
  for (let i = 0; i < Math.max(a.length, b.length); i++) if ((a[i] ?? 0) !== (b[i] ?? 0)) return (b[i] ?? 0) - (a[i] ?? 0)
  return 0
}

const roleOfParser: Partial<Record<string, Role>> = { 'ovs-ofctl.dump-flows': 'flows', 'ip.addr': 'links', 'ip.route': 'routes' }

/**
 * Captures in the order they serve best (the same ranking as Check SDN: a complete OpenFlow 1.3 dump before an
 * excerpt, readable addresses, the IPv4 main table), newest first among equals; unusable ones last. Only the
 * first few are parsed to rank them.
 */
export function orderByUsefulness(store: CaptureStore, parserId: string, captures: readonly CaptureSummary[]): CaptureSummary[] {
  const role = roleOfParser[parserId]
  if (!role || captures.length < 2) return [...captures]
  const head = captures.slice(0, 8).map((c, i) => {
    const r = c.status === 'ok' ? rank(role, c, parseCapture(c.command, store.text(c.id), c.parserId)) : null
    return { c, r: r ?? [-1], i }
  })
  head.sort((a, b) => better(a.r, b.r) || a.i - b.i)
  return [...head.map((h) => h.c), ...captures.slice(8)]
}

/**
 * Runs the openshift-sdn checks on a node from the case's captures: for each input the best usable capture (see
 * rank; the newest among equals), or the one the engineer chose (`use`). The node's own outputs, and the cluster
 * objects from whichever host they were taken on. A failed output never feeds a check.
 */
export function checkNodeFromCaptures(store: CaptureStore, hostName: string, use: Partial<Record<string, number>> = {}): Omit<NodeCheckView, 'stored'> {
  const all = store.list().filter((c) => c.status === 'ok' && c.parserId !== null).sort((a, b) => b.startedAt.localeCompare(a.startedAt) || b.id - a.id)
  const input: Partial<NodeCaptures> = { node: hostName }
  const used: NodeCheckView['used'] = []
  const candidates: NodeCheckView['candidates'] = []
  let otherBridges: string[] = []
  let flowDumps: Ranked[] = []
  for (const w of wanted) {
    let pool = all.filter((x) => x.parserId === w.parser && (w.clusterWide || same(x.hostName, hostName)) && (w.accept ?? (() => true))(x))
    if (w.role === 'flows') {
      otherBridges = [...new Set(pool.map((x) => bridgeOf(x.command)).filter((b): b is string => b !== null && b !== 'br0'))]
      pool = pool.filter((x) => bridgeOf(x.command) === 'br0' || bridgeOf(x.command) === null)
    }
    // At most a few of each kind are parsed to rank them: the newest first.
    const ranked: Ranked[] = []
    for (const c of pool.slice(0, 8)) {
      const parsed = parseCapture(c.command, store.text(c.id), c.parserId)
      const r = rank(w.role, c, parsed)
      if (r) ranked.push({ capture: c, parsed, rank: r })
    }
    ranked.sort((a, b) => better(a.rank, b.rank))
    if (w.role === 'flows') flowDumps = ranked
    const chosenId = use[w.role]
    const pick = ranked.find((r) => r.capture.id === chosenId) ?? ranked[0]
    if (!pick) continue
    const c = pick.capture
    if (!setRole(input, w.role, pick.parsed, `capture #${c.id}: ${c.hostName} ${c.command}`)) continue
    used.push({ role: w.role, captureId: c.id, hostName: c.hostName, command: c.command })
    if (ranked.length > 1) candidates.push({ role: w.role, chosen: c.id, captures: ranked.map((r) => ({ id: r.capture.id, hostName: r.capture.hostName, command: r.capture.command, startedAt: r.capture.startedAt, source: r.capture.source, origin: r.capture.origin })) })
  }
  if (!input.flows) {
    const others = otherBridges.length ? ` It has dumps of ${otherBridges.join(', ')} only: openshift-sdn's bridge is br0, so this does not look like an openshift-sdn node, and it is not judged.` : ''
    throw new AppError('not_found', `No usable flow dump of br0 on ${hostName} in this case (ovs-ofctl -O OpenFlow13 dump-flows br0 that completed and holds flows).${others} Capture or import one, then check again.`)
  }
  // The dump of br0 before the one checked, if any (complete, same kind): the counters that moved between them.
  const checked = flowDumps.find((d) => d.capture.id === used.find((u) => u.role === 'flows')?.captureId)
  const older = checked
    ? flowDumps.filter((d) => d.capture.startedAt < checked.capture.startedAt && d.rank[0] === 1).sort((a, b) => b.capture.startedAt.localeCompare(a.capture.startedAt))[0]
    : undefined
  const olderFlows = older ? parsedAs(older.parsed, 'ovs-ofctl.dump-flows')?.flows : undefined
  if (older && olderFlows) {
    input.previousFlows = { source: `capture #${older.capture.id}: ${older.capture.hostName} ${older.capture.command} (the dump before)`, data: olderFlows }
    used.push({ role: 'previousFlows', captureId: older.capture.id, hostName: older.capture.hostName, command: older.capture.command })
  }
  // The cookie each HostSubnet's UID gives (JSON captures only).
  const jsonSubnets = all.find((x) => x.parserId === 'oc.get.hostsubnets' && /json/.test(x.command))
  if (jsonSubnets) {
    const parsed = parseCapture(jsonSubnets.command, store.text(jsonSubnets.id), jsonSubnets.parserId)
    const records = (parsedAs(parsed, 'oc.get.hostsubnets')?.records ?? []).flatMap((h) => (h.uid ? [{ host: h.host, uid: h.uid }] : []))
    if (records.length > 0) {
      input.hostSubnetCookies = Object.fromEntries(records.map((h) => [h.host, hostSubnetCookie(h.uid)]))
      used.push({ role: 'hostSubnetCookies', captureId: jsonSubnets.id, hostName: jsonSubnets.hostName, command: jsonSubnets.command })
    }
  }
  const nodeIP = input.hostSubnets?.data.find((h) => same(h.host, hostName) || same(h.name, hostName))?.hostIP ?? null
  const r = checkNode({ ...input, node: hostName, flows: input.flows, nodeIP })
  return { node: hostName, findings: r.findings, ran: r.ran, skipped: r.skipped, used, candidates, facts: { gateway: r.facts.gateway, localSubnet: r.facts.localSubnet?.text ?? null, pluginId: r.facts.pluginId, plugin: pluginName(r.facts.pluginId), ruleVersion: r.facts.ruleVersion, nodeIP: r.facts.nodeIP } }
}
