import { flowEvidence, type EvidenceLine, type Finding } from './evidence'
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
      out.push({
        id: `service.flows:${s.namespace ?? ''}/${s.name}`,
        check: 'service.flows',
        severity: 'error',
        title: `No table 60 flow for service ${s.namespace ? `${s.namespace}/` : ''}${s.name} (${missing.join('; ')})`,
        detail: `Pods on ${c.node} reach a service through table 60, which tags the traffic with the service's VNID and sends it to tun0 for kube-proxy. Without these flows the traffic to ${s.clusterIP} is dropped by table 60's default. Restarting the SDN pod of ${c.node} reprograms the service flows.`,
        evidence: [svcEvidence(s)]
      })
      continue
    }
    const wrong = vnid === null ? [] : mine.filter((f) => loadedInto(f, 'reg1') !== vnid || loadedInto(f, 'reg2') !== 2)
    if (wrong.length > 0) {
      out.push({
        id: `service.vnid:${s.namespace ?? ''}/${s.name}`,
        check: 'service.flows',
        severity: 'error',
        title: `Table 60 tags service ${s.name} with the wrong VNID or port`,
        detail: `The flows for ${s.clusterIP} must load VNID ${vnid} (project ${s.namespace}) into reg1 and 2 (tun0) into reg2; these do not, so table 80 isolates the traffic wrongly.`,
        evidence: [svcEvidence(s), ...wrong.map((f) => flowEvidence(src, f))]
      })
    }
  }
  const stale = t60.filter((f) => {
    const ip = ipv4Of(f, 'nw_dst')
    return ip !== null && !ips.has(ip)
  })
  for (const ip of new Set(stale.map((f) => ipv4Of(f, 'nw_dst') as string))) {
    out.push({
      id: `service.stale:${ip}`,
      check: 'service.flows',
      severity: 'warning',
      title: `Table 60 still has flows for ${ip}, which is no service`,
      detail: 'Flows for a deleted service were not removed. They do no harm until the IP is given to a new service in another project, whose traffic would then get the old VNID.',
      evidence: stale.filter((f) => ipv4Of(f, 'nw_dst') === ip).map((f) => flowEvidence(src, f))
    })
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
      out.push({
        id: `vnid.global:${reg}`,
        check: 'vnid.rules',
        severity: 'error',
        title: `Table 80 lacks the ${reg}=0 rule (global projects)`,
        detail: `With ovs-multitenant, table 80 lets traffic ${reg === 'reg0' ? 'from' : 'to'} VNID 0 (default and global projects) through. Without this rule such traffic is isolated like any other project's.`,
        evidence: t80.slice(0, 3).map((f) => flowEvidence(src, f))
      })
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
      const hex = `0x${v.toString(16)}`
      out.push({
        id: `vnid.rule:${hex}`,
        check: 'vnid.rules',
        severity: 'error',
        title: `Table 80 has no rule for VNID ${hex}`,
        detail: `Pods of VNID ${hex} on ${c.node} cannot reach each other (or their services): table 80 needs priority=100,reg0=${hex},reg1=${hex} actions=output:NXM_NX_REG2[]. The SDN adds it when a pod of that project starts on the node.`,
        evidence: [flowEvidence(src, user)]
      })
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
    const hex = `0x${n.netid.toString(16)}`
    if (!flow) {
      out.push({
        id: `egress.flow:${n.name}`,
        check: 'egress.ip',
        severity: 'error',
        title: `No table 100 flow for the egress IP of project ${n.name} (${ip})`,
        detail: `Traffic of project ${n.name} (VNID ${hex}) leaving the cluster must be steered by a table 100 reg0=${hex} flow (${expected === 'mark' ? 'marked for SNAT to ' + ip + ' on this node' : expected === 'vxlan' ? 'sent to ' + holder?.host + ', which holds ' + ip : 'dropped while no node holds ' + ip}). Without it the traffic leaves with the node's own IP.`,
        evidence: [nsEvidence]
      })
      continue
    }
    const acts = flow.actionsText
    const actual = /^drop$/.test(acts) ? 'drop' : /pkt_mark/.test(acts) ? 'mark' : /tun_dst/.test(acts) ? 'vxlan' : 'other'
    const wrongTarget = actual === 'vxlan' && holder && holder !== self && !acts.includes(`set_field:${holder.hostIP}->tun_dst`)
    if (actual !== expected || wrongTarget) {
      out.push({
        id: `egress.target:${n.name}`,
        check: 'egress.ip',
        severity: 'error',
        title: `The table 100 flow of project ${n.name} does not match who holds ${ip}`,
        detail: `${holder ? `${ip} is held by ${holder.host}${holder === self ? ' (this node)' : ` (${holder.hostIP})`}` : `No node holds ${ip}`}, so the flow should ${expected === 'mark' ? 'mark the traffic for SNAT here' : expected === 'vxlan' ? `send it to ${holder?.hostIP}` : 'drop it'}; it does not. The egress IP moved and this node did not follow.`,
        evidence: [nsEvidence, flowEvidence(src, flow)]
      })
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
    const hex = `0x${v.toString(16)}`
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
      out.push({
        id: `multicast.flows:${n.name}`,
        check: 'multicast',
        severity: 'error',
        title: `Multicast of project ${n.name} is not programmed on ${c.node}`,
        detail: `The project is multicast-enabled and has ${ports.length} pod(s) here, so table 110 needs reg0=${hex} actions=goto_table:111 and table 120 reg0=${hex} with an output to each of its local ports (${ports.join(', ')}). ${!t110 ? 'Table 110 has no such flow: multicast from its pods is dropped.' : 'Table 120 has no such flow: multicast to its pods here is dropped.'}`,
        evidence: [nsEvidence, ...[t110, t120].filter((f): f is Flow => f !== undefined).map((f) => flowEvidence(src, f))]
      })
      continue
    }
    if (outPorts.join(',') !== ports.join(',')) {
      out.push({
        id: `multicast.ports:${n.name}`,
        check: 'multicast',
        severity: 'error',
        title: `Multicast of project ${n.name} goes to ports ${outPorts.join(', ') || 'none'}, not to its pods' ports ${ports.join(', ')}`,
        detail: 'Table 120 must list exactly the local ports of the project\'s pods: a missing port misses multicast, an extra one leaks it to another pod.',
        evidence: [nsEvidence, flowEvidence(src, t120)]
      })
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
    const hex = `0x${v.toString(16)}`
    const mine = t101.filter((f) => Number(intOf(f, 'reg0')) === v)
    const evidence: EvidenceLine[] = list.map((p) => ({ source: policies.source, line: p.line, text: `${ns}/${p.name}: ${p.rules.map((r) => `${r.type} ${r.cidr ?? r.dnsName ?? '?'}`).join(', ')}` }))
    if (list.length > 1) {
      // A single flow: a left-over allow rule next to the drop would still let traffic out.
      if (!(mine.length === 1 && mine[0]?.priority === 1 && mine[0].actionsText === 'drop')) {
        out.push({
          id: `egress.policy:${ns}:many`,
          check: 'egress.policy',
          severity: 'error',
          title: `Project ${ns} has ${list.length} EgressNetworkPolicies but table 101 does not drop its traffic`,
          detail: `More than one EgressNetworkPolicy in a project is not allowed; the SDN then drops all its external traffic with a single table 101 flow reg0=${hex}, priority 1, drop. Table 101 holds ${mine.length} flow(s) for the project instead, so its traffic is not handled as the SDN intends.`,
          evidence
        })
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
      out.push({
        id: `egress.policy:${ns}`,
        check: 'egress.policy',
        severity: 'error',
        title: `Table 101 does not enforce the egress policy of project ${ns} (${missing.join('; ')})`,
        detail: `Each rule of the project's EgressNetworkPolicy needs a table 101 flow reg0=${hex} with its priority, CIDR and action. Without them external traffic of the project is not filtered as the policy says. Restarting the SDN pod of ${c.node} reprograms the rules; the SDN log says why a policy was refused.`,
        evidence: [...evidence, ...mine.slice(0, 5).map((f) => flowEvidence(src, f))]
      })
    }
    if (unresolved.length > 0) {
      out.push({
        id: `egress.dns:${ns}`,
        check: 'egress.policy',
        severity: 'warning',
        title: `Table 101 has no flow for the DNS rule(s) of project ${ns} (${unresolved.join('; ')})`,
        detail: `A dnsName rule becomes one table 101 flow reg0=${hex} per address the node resolved for the name, at the rule's priority. There is none: the name does not resolve from ${c.node} (check its /etc/resolv.conf and the SDN log for "Could not resolve"), or the flows were removed. Traffic to that name then falls to the next rules of the policy.`,
        evidence: [...evidence, ...mine.slice(0, 5).map((f) => flowEvidence(src, f))]
      })
    }
  }
  return out
}
