import { checkBridge, checkHostNetworking } from './checks-node'
import { checkLocalPods } from './checks-local'
import { checkRemoteNodes } from './checks-remote'
import { checkEgressIPs, checkEgressPolicies, checkMulticast, checkServices, checkVnidRules } from './checks-policy'
import { checkNetworkPolicies } from './checks-networkpolicy'
import { checkDropCounters } from './checks-counters'
import { flowEvidence, type Finding } from './evidence'
import { sdnFinding } from '../findings/catalog'
import { layoutFor, partialDump } from './layouts'
import { nodeFacts, type NodeCaptures, type NodeFacts } from './facts'

export interface NodeCheckResult {
  node: string
  facts: NodeFacts
  findings: Finding[]
  /** Which groups of checks ran: each needs its captures. */
  ran: string[]
  skipped: { check: string; needs: string }[]
}

const order = { error: 0, warning: 1, info: 2 } as const

function partialNote(c: NodeCaptures, missing: string): Finding {
  const first = c.flows.data[0]
  return sdnFinding('bridge.partial-dump', { node: c.node, flows: c.flows.data.length, missing }, first ? [flowEvidence(c.flows.source, first)] : [])
}

/** Runs every openshift-sdn check the given captures allow, and says which could not run and why. */
export function checkNode(c: NodeCaptures): NodeCheckResult {
  const facts = nodeFacts(c)
  const partial = partialDump(c.flows.data)
  const layout = layoutFor(facts.ruleVersion)
  if (partial !== null || !layout.fullChecks) {
    // A partial dump gives one note, not a cascade of "no default flow"; another release's br0 is judged by its own
    // table layout only. The host's own networking does not depend on either.
    const why = partial !== null ? `a complete flow dump of br0 (this one lacks ${partial})` : `OpenShift 3.10/3.11's layout (this br0 is ${layout.label})`
    const findings: Finding[] = partial !== null ? [partialNote(c, partial)] : checkBridge(c, facts)
    const ran = partial !== null ? [] : ['bridge (its own release\'s layout)']
    if (c.links || c.sysctl) {
      findings.push(...checkHostNetworking(c, facts))
      ran.push('host networking')
    }
    const skipped = ['bridge', 'remote nodes (tables 10/50/90)', 'local pods (tables 20/40/70)', 'services (table 60)', 'policies (table 80, 100, 101)'].slice(partial !== null ? 0 : 1).map((check) => ({ check, needs: why }))
    findings.sort((a, b) => order[a.severity] - order[b.severity] || a.id.localeCompare(b.id))
    return { node: c.node, facts, findings, ran, skipped }
  }
  const ran: string[] = ['bridge']
  const skipped: NodeCheckResult['skipped'] = []
  const findings = [...checkBridge(c, facts)]
  if (c.hostSubnets) {
    findings.push(...checkRemoteNodes(c, facts))
    ran.push('remote nodes')
  } else skipped.push({ check: 'remote nodes (tables 10/50/90)', needs: 'oc get hostsubnets' })
  if (c.pods || c.interfaces) {
    findings.push(...checkLocalPods(c, facts))
    ran.push('local pods')
  } else skipped.push({ check: 'local pods (tables 20/40/70)', needs: 'oc get pods -o wide, or ovs-vsctl list Interface' })
  if (facts.pluginId === 1) {
    findings.push(...checkVnidRules(c, facts))
    ran.push('VNID isolation rules')
  }
  if (c.services && (facts.pluginId === 0 || facts.pluginId === 1)) {
    findings.push(...checkServices(c, facts))
    ran.push('services')
  } else if (facts.pluginId === 0 || facts.pluginId === 1) skipped.push({ check: 'services (table 60)', needs: 'oc get svc --all-namespaces' })
  if (c.netNamespaces && c.hostSubnets && (facts.pluginId === 1 || facts.pluginId === 2)) {
    findings.push(...checkEgressIPs(c, facts))
    ran.push('egress IPs')
  }
  if (c.egressPolicies && c.netNamespaces && (facts.pluginId === 1 || facts.pluginId === 2)) {
    findings.push(...checkEgressPolicies(c, facts))
    ran.push('egress network policies')
  }
  if (facts.pluginId === 2) {
    const needs = [
      !c.networkPolicies || c.networkPolicies.data.some((p) => p.podSelector === null) ? 'oc get networkpolicy --all-namespaces -o json' : null,
      !c.netNamespaces ? 'oc get netnamespaces' : null,
      !c.pods || c.pods.data.some((p) => p.labels === null) ? 'oc get pods --all-namespaces -o wide --show-labels (or -o json)' : null,
      c.networkPolicies?.data.some((p) => p.ingress.some((r) => r.from.some((f) => f.namespaceSelector !== null))) && (!c.namespaces || c.namespaces.data.some((n) => n.labels === null)) ? 'oc get namespaces -o json' : null
    ].filter((x): x is string => x !== null)
    if (needs.length === 0) {
      findings.push(...checkNetworkPolicies(c, facts))
      ran.push('network policies')
    } else skipped.push({ check: 'NetworkPolicy rules (table 80)', needs: needs.join(', ') })
  }
  if (c.netNamespaces?.data.some((n) => n.multicast !== null)) {
    findings.push(...checkMulticast(c))
    ran.push('multicast')
  }
  if (c.previousFlows) {
    findings.push(...checkDropCounters(c))
    ran.push('drop counters')
  } else skipped.push({ check: 'rising drop counters (two dumps)', needs: 'a second ovs-ofctl dump-flows of the node, taken a while after the first' })
  if (c.links || c.sysctl) {
    findings.push(...checkHostNetworking(c, facts))
    ran.push('host networking')
  } else skipped.push({ check: 'tun0, routes, MTU, IP forwarding', needs: 'ip addr, ip route, sysctl net.ipv4.ip_forward' })
  findings.sort((a, b) => order[a.severity] - order[b.severity] || a.id.localeCompare(b.id))
  return { node: c.node, facts, findings, ran, skipped }
}
