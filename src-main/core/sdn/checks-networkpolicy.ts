import { canonicalMatch } from '../flows/match'
import { flowEvidence, type EvidenceLine, type Finding } from './evidence'
import { sdnFinding } from '../findings/catalog'
import { inCidr, intOf, loadedInto, type NodeCaptures, type NodeFacts } from './facts'
import type { Flow } from '../flows/flow'
import type { LabelSelector, NetworkPolicy, OcNamespace, OcPod } from '../parse/oc'

/** Kubernetes label selector semantics: every matchLabels pair and every expression must hold. */
export function selectorMatches(sel: LabelSelector, labels: Record<string, string>): boolean {
  for (const [k, v] of Object.entries(sel.matchLabels)) if (labels[k] !== v) return false
  for (const e of sel.matchExpressions) {
    const has = Object.prototype.hasOwnProperty.call(labels, e.key)
    const v = labels[e.key]
    switch (e.operator) {
      case 'In':
        if (!has || !e.values.includes(v as string)) return false
        break
      case 'NotIn':
        if (has && e.values.includes(v as string)) return false
        break
      case 'Exists':
        if (!has) return false
        break
      case 'DoesNotExist':
        if (has) return false
        break
      default:
        // An invalid selector selects nothing (the SDN logs "Invalid PodSelector").
        return false
    }
  }
  return true
}

const isEmpty = (s: LabelSelector) => Object.keys(s.matchLabels).length === 0 && s.matchExpressions.length === 0

/** One table 80 flow the plugin must have written: its priority, canonical match, and whether it lets traffic through. */
interface Expected {
  priority: number
  canon: string
  allow: boolean
  /** The policy (or the rule of the plugin) it comes from. */
  why: string
}

interface World {
  /** Pods the plugin knows: with an IP, not host-network. */
  pods: OcPod[]
  namespaces: Map<string, OcNamespace>
  vnidOf: Map<string, number>
}

interface PolicyResult {
  /** Match fragments of the priority 150 allow flows ("ip, nw_dst=…, reg0=…, tcp, tp_dst=80, "). */
  flows: string[]
  /** IPs of the pods the policy selects; null = every pod of the project. */
  selectedIPs: string[] | null
  /** Why the plugin treats it as deny-all, if it does. */
  unsupported: string | null
}

/** Mirrors parseNetworkPolicy of openshift-sdn's networkpolicy plugin (3.11, ruleVersion 7). */
function policyFlows(p: NetworkPolicy, vnid: number, w: World): PolicyResult {
  const ns = p.namespace ?? ''
  const affectsIngress = p.policyTypes === null || p.policyTypes.includes('Ingress')
  if (!affectsIngress) return { flows: [], selectedIPs: [], unsupported: null }
  const podsIn = (n: string, sel: LabelSelector) => w.pods.filter((x) => x.namespace === n && selectorMatches(sel, x.labels ?? {})).map((x) => x.ip as string)
  const sel = p.podSelector ?? { matchLabels: {}, matchExpressions: [] }
  let selectedIPs: string[] | null = null
  let dest = ['']
  if (!isEmpty(sel)) {
    selectedIPs = podsIn(ns, sel)
    dest = selectedIPs.map((ip) => `ip, nw_dst=${ip}, `)
  }
  const flows: string[] = []
  for (const rule of p.ingress) {
    const ports: string[] = rule.ports.length === 0 ? [''] : []
    for (const port of rule.ports) {
      const proto = port.protocol === null ? 'tcp' : port.protocol === 'TCP' || port.protocol === 'UDP' ? port.protocol.toLowerCase() : null
      if (proto === null) return { flows: [], selectedIPs: null, unsupported: `protocol ${port.protocol} is not implemented` }
      if (port.port === null) return { flows: [], selectedIPs: null, unsupported: 'a port without a port number is not implemented' }
      if (typeof port.port === 'string') return { flows: [], selectedIPs: null, unsupported: `named ports ("${port.port}") are not implemented` }
      if (port.port < 0 || port.port > 0xffff) return { flows: [], selectedIPs: null, unsupported: `port ${port.port} is out of range` }
      ports.push(`${proto}, tp_dst=${port.port}, `)
    }
    const peers: string[] = rule.from.length === 0 ? [''] : []
    for (const peer of rule.from) {
      if (peer.podSelector && !peer.namespaceSelector) {
        if (isEmpty(peer.podSelector)) peers.push(`reg0=${vnid}, `)
        else for (const ip of podsIn(ns, peer.podSelector)) peers.push(`reg0=${vnid}, ip, nw_src=${ip}, `)
      } else if (peer.namespaceSelector && !peer.podSelector) {
        if (isEmpty(peer.namespaceSelector)) peers.push('')
        else for (const n of matchingNamespaces(peer.namespaceSelector, w)) peers.push(`reg0=${w.vnidOf.get(n)}, `)
      } else if (peer.namespaceSelector && peer.podSelector) {
        for (const n of matchingNamespaces(peer.namespaceSelector, w)) for (const ip of podsIn(n, peer.podSelector)) peers.push(`reg0=${w.vnidOf.get(n)}, ip, nw_src=${ip}, `)
      }
      // ipBlock peers select nothing in 3.11.
    }
    for (const d of dest) for (const pe of peers) for (const po of ports) flows.push(`${d}${pe}${po}`)
  }
  return { flows, selectedIPs, unsupported: null }
}

function matchingNamespaces(sel: LabelSelector, w: World): string[] {
  return [...w.vnidOf.keys()].filter((n) => {
    const ns = w.namespaces.get(n)
    return ns !== undefined && selectorMatches(sel, ns.labels ?? {})
  })
}

function canon(vnid: number, fragment: string): string {
  const items = `reg1=${vnid}, ${fragment}`.split(',').map((x) => x.trim()).filter((x) => x !== '')
  return canonicalMatch(items).canon
}

/** What table 80 must hold for one project in use on the node (syncNamespaceFlows). */
function expectedFor(ns: string, vnid: number, policies: NetworkPolicy[], w: World): { expected: Expected[]; notes: string[] } {
  const expected: Expected[] = []
  const notes: string[] = []
  let allSelected = false
  const selected: string[] = []
  for (const p of policies) {
    const r = policyFlows(p, vnid, w)
    if (r.unsupported) notes.push(`${ns}/${p.name}: ${r.unsupported}, so the SDN treats it as deny-all`)
    for (const f of r.flows) expected.push({ priority: 150, canon: canon(vnid, f), allow: true, why: `policy ${ns}/${p.name}` })
    if (r.selectedIPs === null) allSelected = true
    else for (const ip of r.selectedIPs) if (!selected.includes(ip)) selected.push(ip)
  }
  if (!allSelected) {
    for (const ip of selected) expected.push({ priority: 100, canon: canon(vnid, `ip, nw_dst=${ip}, `), allow: false, why: `pod ${ip} is selected by a policy of ${ns}` })
    expected.push({ priority: 50, canon: canon(vnid, ''), allow: true, why: policies.length === 0 ? `project ${ns} has no NetworkPolicy` : `pods of ${ns} no policy selects` })
  }
  return { expected, notes }
}

const allows = (f: Flow) => /^output:(NXM_NX_REG2\[\]|reg2)$/.test(f.actionsText)

/**
 * ovs-networkpolicy (sdn-flows invariant 18): for every project with pods or services on the node,
 * the table 80 rules with reg1=<VNID> are exactly what its NetworkPolicies give: one priority 150
 * allow per selected pod x peer x port, a priority 100 drop per selected pod and a priority 50 allow
 * for the rest unless a policy selects every pod (deny-all: nothing, the priority 0 drop decides).
 * Needs the policies, the pods with their labels, and the namespaces with theirs (for namespace
 * selectors) as -o json (or --show-labels).
 */
export function checkNetworkPolicies(c: NodeCaptures, facts: NodeFacts): Finding[] {
  const policies = c.networkPolicies
  const netns = c.netNamespaces
  const pods = c.pods
  if (facts.pluginId !== 2 || !policies || !netns || !pods) return []
  const src = c.flows.source
  const vnidOf = new Map<string, number>()
  for (const n of netns.data) if (n.netid !== null) vnidOf.set(n.name, n.netid)
  const nameOf = new Map<number, string>()
  for (const [n, v] of vnidOf) if (!nameOf.has(v)) nameOf.set(v, n)
  const w: World = {
    // The plugin ignores host-network pods; a table does not say which they are, but their IP is the node's.
    pods: pods.data.filter((p) => p.ip !== null && p.hostNetwork !== true && (p.hostNetwork === false || facts.clusterNetworks.length === 0 || facts.clusterNetworks.some((cn) => inCidr(cn, p.ip)))),
    namespaces: new Map((c.namespaces?.data ?? []).map((n) => [n.name, n])),
    vnidOf
  }
  const t80 = c.flows.data.filter((f) => f.table === 80 && f.priority < 200)
  // Projects in use on the node: a pod (table 70) or a service (table 60) loads their VNID into reg1.
  const inUse = new Set<number>()
  for (const f of c.flows.data) {
    if (f.table !== 70 && f.table !== 60) continue
    const v = loadedInto(f, 'reg1')
    if (v !== null) inUse.add(v)
  }
  const out: Finding[] = []
  for (const v of [...inUse].sort((a, b) => a - b)) {
    const ns = nameOf.get(v)
    if (ns === undefined) continue
    const mine = policies.data.filter((p) => p.namespace === ns)
    const policyEvidence: EvidenceLine[] = mine.map((p) => ({ source: policies.source, line: p.line, text: `NetworkPolicy ${ns}/${p.name}` }))
    const { expected, notes } = expectedFor(ns, v, mine, w)
    const actual = t80.filter((f) => {
      const r = intOf(f, 'reg1')
      return r !== null && Number(r) === v
    })
    const key = (priority: number, m: string, allow: boolean) => `${priority} ${m} ${allow ? 'allow' : 'drop'}`
    const have = new Map(actual.map((f) => [key(f.priority, f.matchCanon, allows(f)), f]))
    const want = new Map(expected.map((e) => [key(e.priority, e.canon, e.allow), e]))
    const missing = [...want].filter(([k]) => !have.has(k)).map(([, e]) => e)
    const extra = [...have].filter(([k]) => !want.has(k)).map(([, f]) => f)
    if (missing.length > 0) {
      const shown = missing.slice(0, 8).map((e) => `priority=${e.priority},${e.canon} ${e.allow ? 'allow' : 'drop'} (${e.why})`)
      out.push(sdnFinding('networkpolicy.missing', { project: ns, node: c.node, vnid: v, shown, count: missing.length, notes }, [...policyEvidence.slice(0, 5), ...actual.slice(0, 5).map((f) => flowEvidence(src, f))]))
    }
    if (extra.length > 0) {
      const opens = extra.some(allows)
      // An extra allow opens pods the policies close: an error; an extra drop only blocks what is allowed.
      out.push(
        sdnFinding('networkpolicy.extra', { project: ns, vnid: v, count: extra.length, opens, noPolicy: mine.length === 0, notes }, [...extra.slice(0, 8).map((f) => flowEvidence(src, f)), ...policyEvidence.slice(0, 3)], opens ? 'error' : undefined)
      )
    }
  }
  return out
}
