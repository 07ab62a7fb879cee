import { flowEvidence, type EvidenceLine, type Finding } from './evidence'
import { sdnFinding } from '../findings/catalog'
import { intOf, ipv4Of, loadedInto, type NodeCaptures, type NodeFacts } from './facts'
import type { Flow } from '../flows/flow'
import type { EgressNetworkPolicy, OcService } from '../parse/oc'

/** The service ports of `oc get svc` ("5000/TCP,53/UDP"; NodePorts "80:30080/TCP" keep the service port). */
function servicePorts(s: OcService): { proto: 'tcp' | 'udp'; port: number }[] {
  return (s.ports ?? '')
    .split(',')
    .map((p) => /^(\d+)(?::\d+)?\/(TCP|UDP)$/i.exec(p.trim()))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => ({ proto: (m[2] as string).toLowerCase() as 'tcp' | 'udp', port: Number(m[1]) }))
}

/**
 * Per service (ovs-subnet and ovs-multitenant program one; sdn-flows invariant 16): table 60 sends the
 * service IP, and each of its ports, to table 80 with the namespace's VNID in reg1 and tun0 in reg2; a
 * table 60 flow for an IP that is no service is left over from a deleted one.
 */
export function checkServices(c: NodeCaptures, facts: NodeFacts): Finding[] {
  const services = c.services
  if (!services || (facts.pluginId !== 0 && facts.pluginId !== 1)) return []
  const src = c.flows.source
  const t60 = c.flows.data.filter((f) => f.table === 60 && f.priority === 100)
  const vnidOf = (ns: string | null) => (facts.pluginId === 0 ? 0 : (c.netNamespaces?.data.find((n) => n.name === ns)?.netid ?? null))
  const out: Finding[] = []
  const svcEvidence = (s: OcService): EvidenceLine => ({ source: services.source, line: s.line, text: `${s.namespace ?? ''} ${s.name} ${s.clusterIP ?? ''} ${s.ports ?? ''}`.trim() })
  const ips = new Set<string>()
  for (const s of services.data) {
    if (!s.clusterIP || !/^\d+\.\d+\.\d+\.\d+$/.test(s.clusterIP)) continue
    ips.add(s.clusterIP)
    const mine = t60.filter((f) => ipv4Of(f, 'nw_dst') === s.clusterIP)
    const vnid = vnidOf(s.namespace)
    const missing: string[] = []
    if (!mine.some((f) => f.protocol === 'ip')) missing.push(`ip,nw_dst=${s.clusterIP},nw_frag=later`)
    for (const p of servicePorts(s)) {
      if (!mine.some((f) => f.protocol === p.proto && intOf(f, 'tp_dst') === String(p.port))) missing.push(`${p.proto},nw_dst=${s.clusterIP},tp_dst=${p.port}`)
    }
    if (missing.length > 0) {
      out.push(sdnFinding('service.flows', { node: c.node, namespace: s.namespace, name: s.name, clusterIP: s.clusterIP, missing }, [svcEvidence(s)]))
      continue
    }
    const wrong = vnid === null ? [] : mine.filter((f) => loadedInto(f, 'reg1') !== vnid || loadedInto(f, 'reg2') !== 2)
    if (wrong.length > 0) {
      out.push(sdnFinding('service.vnid', { namespace: s.namespace, name: s.name, clusterIP: s.clusterIP, vnid: vnid as number }, [svcEvidence(s), ...wrong.map((f) => flowEvidence(src, f))]))
    }
  }
  const stale = t60.filter((f) => {
    const ip = ipv4Of(f, 'nw_dst')
    return ip !== null && !ips.has(ip)
  })
  for (const ip of new Set(stale.map((f) => ipv4Of(f, 'nw_dst') as string))) {
    out.push(sdnFinding('service.stale', { ip }, stale.filter((f) => ipv4Of(f, 'nw_dst') === ip).map((f) => flowEvidence(src, f))))
  }
  return out
}

/**
 * ovs-multitenant (sdn-flows invariant 17): the static reg0=0 / reg1=0 rules of table 80, and for every VNID
 * a local pod or a service uses, the priority 100 rule that lets that VNID talk to itself.
 */
export function checkVnidRules(c: NodeCaptures, facts: NodeFacts): Finding[] {
  if (facts.pluginId !== 1) return []
  const flows = c.flows.data
  const src = c.flows.source
  const t80 = flows.filter((f) => f.table === 80)
  const out: Finding[] = []
  for (const reg of ['reg0', 'reg1'] as const) {
    if (!t80.some((f) => f.priority === 200 && intOf(f, reg) !== null && Number(intOf(f, reg)) === 0)) {
      out.push(sdnFinding('vnid.global', { reg }, t80.slice(0, 3).map((f) => flowEvidence(src, f))))
    }
  }
  const users = new Map<number, Flow>()
  for (const f of flows) {
    if (f.table !== 70 && f.table !== 60) continue
    const v = loadedInto(f, 'reg1')
    if (v !== null && v !== 0 && !users.has(v)) users.set(v, f)
  }
  for (const [v, user] of users) {
    const ok = t80.some((f) => f.priority === 100 && Number(intOf(f, 'reg0')) === v && Number(intOf(f, 'reg1')) === v)
    if (!ok) {
      out.push(sdnFinding('vnid.rule', { node: c.node, vnid: v }, [flowEvidence(src, user)]))
    }
  }
  return out
}

/**
 * Egress IPs (sdn-flows invariant 20; multitenant and networkpolicy): a project with an egress IP has a
 * table 100 priority 100 reg0=<VNID> flow — marked for SNAT here when this node holds the IP, into VXLAN
 * towards the node that holds it, or a drop while no node holds it.
 */
export function checkEgressIPs(c: NodeCaptures, facts: NodeFacts): Finding[] {
  const netns = c.netNamespaces
  const subnets = c.hostSubnets
  if (!netns || !subnets || (facts.pluginId !== 1 && facts.pluginId !== 2)) return []
  const src = c.flows.source
  const t100 = c.flows.data.filter((f) => f.table === 100 && f.priority === 100)
  const self = subnets.data.find((h) => h.host === c.node || h.name === c.node || (facts.nodeIP !== null && h.hostIP === facts.nodeIP))
  const out: Finding[] = []
  for (const n of netns.data) {
    if (n.egressIPs.length === 0 || n.netid === null) continue
    const ip = n.egressIPs[0] as string
    const holder = subnets.data.find((h) => h.egressIPs.includes(ip))
    const flow = t100.find((f) => Number(intOf(f, 'reg0')) === n.netid)
    const expected = !holder ? 'drop' : holder === self ? 'mark' : 'vxlan'
    const nsEvidence: EvidenceLine = { source: netns.source, line: n.line, text: `${n.name} ${n.netid} ${n.egressIPs.join(',')}` }
    if (!flow) {
      out.push(sdnFinding('egress.flow', { project: n.name, vnid: n.netid, ip, expected, holder: holder?.host ?? null }, [nsEvidence]))
      continue
    }
    const acts = flow.actionsText
    const actual = /^drop$/.test(acts) ? 'drop' : /pkt_mark/.test(acts) ? 'mark' : /tun_dst/.test(acts) ? 'vxlan' : 'other'
    const wrongTarget = actual === 'vxlan' && holder && holder !== self && !acts.includes(`set_field:${holder.hostIP}->tun_dst`)
    if (actual !== expected || wrongTarget) {
      out.push(sdnFinding('egress.target', { project: n.name, ip, expected, holder: holder?.host ?? null, holderIP: holder?.hostIP ?? null, self: holder === self }, [nsEvidence, flowEvidence(src, flow)]))
    }
  }
  return out
}

/**
 * Multicast (sdn-flows invariant 21): a multicast-enabled project with pods on this node has table 110
 * reg0=<VNID> -> goto_table:111, and table 120 reg0=<VNID> delivering to exactly its local pods' ports.
 * Needs the NetNamespaces as JSON (the annotation is not in the table).
 */
export function checkMulticast(c: NodeCaptures): Finding[] {
  const netns = c.netNamespaces?.data.filter((n) => n.multicast === true && n.netid !== null) ?? []
  if (netns.length === 0) return []
  const flows = c.flows.data
  const src = c.flows.source
  const out: Finding[] = []
  for (const n of netns) {
    const v = n.netid as number
    // The project's local pods: their table 70 flows load its VNID into reg1 and their port into reg2.
    const ports = flows
      .filter((f) => f.table === 70 && f.priority === 100 && loadedInto(f, 'reg1') === v)
      .map((f) => loadedInto(f, 'reg2'))
      .filter((p): p is number => p !== null)
      .sort((a, b) => a - b)
    if (ports.length === 0) continue
    const t110 = flows.find((f) => f.table === 110 && Number(intOf(f, 'reg0')) === v && /goto_table:111/.test(f.actionsText))
    const t120 = flows.find((f) => f.table === 120 && Number(intOf(f, 'reg0')) === v)
    const outPorts = t120 ? [...t120.actionsText.matchAll(/output:(\d+)/g)].map((m) => Number(m[1])).sort((a, b) => a - b) : []
    const nsEvidence: EvidenceLine = { source: c.netNamespaces?.source ?? '', line: n.line, text: `${n.name} ${v} multicast-enabled` }
    if (!t110 || !t120) {
      out.push(
        sdnFinding('multicast.flows', { project: n.name, node: c.node, vnid: v, pods: ports.length, ports, missingTable: !t110 ? 110 : 120 }, [
          nsEvidence,
          ...[t110, t120].filter((f): f is Flow => f !== undefined).map((f) => flowEvidence(src, f))
        ])
      )
      continue
    }
    if (outPorts.join(',') !== ports.join(',')) {
      out.push(sdnFinding('multicast.ports', { project: n.name, outPorts, ports }, [nsEvidence, flowEvidence(src, t120)]))
    }
  }
  return out
}

/**
 * EgressNetworkPolicy (sdn-flows invariant 19; multitenant and networkpolicy): a project with exactly one policy
 * has one table 101 flow per rule, reg0=<VNID>, priority = rules - index, nw_dst = the CIDR (none for 0.0.0.0/0),
 * output:2 to allow or drop to deny; a project with more than one policy gets a single priority 1 drop.
 * dnsName rules expand to the IPs the node resolved, which the capture does not show: such a rule must have at
 * least one flow at its priority with its action (a warning otherwise).
 */
export function checkEgressPolicies(c: NodeCaptures, facts: NodeFacts): Finding[] {
  const policies = c.egressPolicies
  const netns = c.netNamespaces
  if (!policies || !netns || (facts.pluginId !== 1 && facts.pluginId !== 2)) return []
  const src = c.flows.source
  const t101 = c.flows.data.filter((f) => f.table === 101)
  const byNs = new Map<string, EgressNetworkPolicy[]>()
  for (const p of policies.data) {
    const ns = p.namespace ?? ''
    byNs.set(ns, [...(byNs.get(ns) ?? []), p])
  }
  const out: Finding[] = []
  for (const [ns, list] of byNs) {
    const v = netns.data.find((n) => n.name === ns)?.netid
    if (v === undefined || v === null || v === 0) continue
    const mine = t101.filter((f) => Number(intOf(f, 'reg0')) === v)
    const evidence: EvidenceLine[] = list.map((p) => ({ source: policies.source, line: p.line, text: `${ns}/${p.name}: ${p.rules.map((r) => `${r.type} ${r.cidr ?? r.dnsName ?? '?'}`).join(', ')}` }))
    if (list.length > 1) {
      // A single flow: a left-over allow rule next to the drop would still let traffic out.
      if (!(mine.length === 1 && mine[0]?.priority === 1 && mine[0].actionsText === 'drop')) {
        out.push(sdnFinding('egress.policy', { project: ns, node: c.node, vnid: v, missing: [], policies: list.length, flows: mine.length }, evidence))
      }
      continue
    }
    const rules = (list[0] as EgressNetworkPolicy).rules
    const missing: string[] = []
    const unresolved: string[] = []
    rules.forEach((r, i) => {
      if (!r.cidr) {
        // A dnsName rule: one flow per address the node resolved (the capture does not say which), at
        // the rule's priority with its action. None at all: the name did not resolve there, or the flows are gone.
        const want = r.type === 'Allow' ? 'output:2' : 'drop'
        if (r.dnsName && !mine.some((f) => f.priority === rules.length - i && f.actionsText === want && ipv4Of(f, 'nw_dst') !== null)) unresolved.push(`priority ${rules.length - i} ${r.type} ${r.dnsName}`)
        return
      }
      const prio = rules.length - i
      const all = r.cidr === '0.0.0.0/0'
      const want = r.type === 'Allow' ? 'output:2' : 'drop'
      const hit = mine.find((f) => f.priority === prio && (all ? ipv4Of(f, 'nw_dst') === null : ipv4Of(f, 'nw_dst') === r.cidr) && f.actionsText === want)
      if (!hit) missing.push(`priority ${prio} ${r.type} ${r.cidr}`)
    })
    if (missing.length > 0) {
      out.push(sdnFinding('egress.policy', { project: ns, node: c.node, vnid: v, missing }, [...evidence, ...mine.slice(0, 5).map((f) => flowEvidence(src, f))]))
    }
    if (unresolved.length > 0) {
      out.push(sdnFinding('egress.dns', { project: ns, node: c.node, vnid: v, unresolved }, [...evidence, ...mine.slice(0, 5).map((f) => flowEvidence(src, f))]))
    }
  }
  return out
}
