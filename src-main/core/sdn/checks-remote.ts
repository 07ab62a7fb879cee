import { flowEvidence, type EvidenceLine, type Finding } from './evidence'
import { gotoTable, ipv4Of, outputsTo, tunDst, tunDsts, type NodeCaptures, type NodeFacts } from './facts'
import type { Flow } from '../flows/flow'
import type { HostSubnet } from '../parse/oc'

const what = {
  10: 'accepts VXLAN packets from that node (tun_src)',
  50: 'sends ARP for that node\'s pod subnet into VXLAN',
  90: 'sends IP traffic for that node\'s pod subnet into VXLAN'
} as const

/**
 * Every remote HostSubnet must have its table 10, 50 and 90 flows pointing at its HostIP (sdn-flows
 * invariants 6-9, 11). Needs the HostSubnets (oc get hostsubnets) and the node's flows.
 */
export function checkRemoteNodes(c: NodeCaptures, facts: NodeFacts): Finding[] {
  const subnets = c.hostSubnets
  if (!subnets) return []
  const flows = c.flows.data
  const src = c.flows.source
  const out: Finding[] = []
  const byTable = (t: number) => flows.filter((f) => f.table === t && f.priority === 100)
  const t10 = byTable(10)
  const t50 = byTable(50)
  const t90 = byTable(90)
  const defaultDrop = (t: number) => flows.find((f) => f.table === t && f.priority === 0)
  const hsEvidence = (h: HostSubnet): EvidenceLine => ({ source: subnets.source, line: h.line, text: `${h.name} ${h.host} ${h.hostIP} ${h.subnet}` })
  const isSelf = (h: HostSubnet) =>
    h.host === c.node || h.name === c.node || (facts.nodeIP !== null && h.hostIP === facts.nodeIP) || (facts.localSubnet !== null && h.subnet === facts.localSubnet.text)
  const remotes = subnets.data.filter((h) => !isSelf(h))

  for (const h of remotes) {
    const found: Record<10 | 50 | 90, Flow | undefined> = {
      10: t10.find((f) => ipv4Of(f, 'tun_src') === h.hostIP && gotoTable(f, 30)),
      50: t50.find((f) => f.protocol === 'arp' && ipv4Of(f, 'arp_tpa') === h.subnet),
      90: t90.find((f) => f.protocol === 'ip' && ipv4Of(f, 'nw_dst') === h.subnet)
    }
    for (const t of [10, 50, 90] as const) {
      const f = found[t]
      const drop = defaultDrop(t)
      if (!f) {
        out.push({
          id: `remote.flows:${h.host}:${t}`,
          check: 'remote.flows',
          severity: 'error',
          title: `No table ${t} flow for node ${h.host} (${h.hostIP}, subnet ${h.subnet})`,
          detail:
            `openshift-sdn must program a table ${t} flow that ${what[t]}. Without it, ` +
            (t === 10 ? `packets from pods on ${h.host} are dropped by table 10's default drop.` : `traffic to pods in ${h.subnet} falls through to table ${t}'s default drop.`) +
            ` Restarting the SDN pod of ${c.node} re-creates the flows; if it is missing again, check the SDN logs of ${c.node} for HostSubnet errors.`,
          evidence: [hsEvidence(h), ...(drop ? [flowEvidence(src, drop)] : [])]
        })
        continue
      }
      if (t !== 10) {
        const dst = tunDst(f)
        if (dst !== h.hostIP || !outputsTo(f, 1)) {
          out.push({
            id: `remote.flows:${h.host}:${t}:target`,
            check: 'remote.flows',
            severity: 'error',
            title: `Table ${t} sends ${h.subnet} to ${dst ?? 'nowhere'} instead of ${h.hostIP} (${h.host})`,
            detail: `The flow for ${h.subnet} must set tun_dst to the HostIP of ${h.host} and output to vxlan0 (port 1). A stale HostIP means the node's IP changed or the HostSubnet was re-created; the SDN pod of ${c.node} re-syncs the flows when restarted.`,
            evidence: [hsEvidence(h), flowEvidence(src, f)]
          })
        }
      }
    }
    const present = [found[10], found[50], found[90]].filter((f): f is Flow => f !== undefined)
    const cookies = new Set(present.map((f) => f.cookie))
    const want = c.hostSubnetCookies?.[h.host]
    const wrong = want === undefined ? [] : present.filter((f) => f.cookie !== want)
    if (wrong.length > 0) {
      out.push({
        id: `remote.cookie-uid:${h.host}`,
        check: 'remote.cookie',
        severity: 'warning',
        title: `Flows for ${h.host} carry cookie ${[...new Set(wrong.map((f) => f.cookie))].join(', ')}, not ${want} (its HostSubnet's UID)`,
        detail: `The SDN tags the table 10, 50 and 90 flows of a HostSubnet with the first 8 hex digits of the SHA-256 of its UID. Another cookie means the flows were written for an earlier HostSubnet of ${h.host} (the node was deleted and joined again) and were not replaced: they may point at an old address. Restarting the SDN pod of ${c.node} rewrites them.`,
        evidence: [hsEvidence(h), ...wrong.map((f) => flowEvidence(src, f))]
      })
    } else if (cookies.size > 1) {
      out.push({
        id: `remote.cookie:${h.host}`,
        check: 'remote.cookie',
        severity: 'warning',
        title: `Flows for ${h.host} carry different cookies (${[...cookies].join(', ')})`,
        detail: 'The table 10, 50 and 90 flows of one HostSubnet share one cookie (from the HostSubnet UID). Different cookies mean some flows are left over from an earlier HostSubnet of that node.',
        evidence: present.map((f) => flowEvidence(src, f))
      })
    }
  }

  // Table 111 (invariant 10): its one flow sends multicast to every other node, and only to them.
  const fan = flows.find((f) => f.table === 111 && f.priority === 100)
  if (fan) {
    const sent = new Set(tunDsts(fan))
    const missing = remotes.filter((h) => !sent.has(h.hostIP)).map((h) => `${h.host} (${h.hostIP})`)
    const extra = [...sent].filter((ip) => !remotes.some((h) => h.hostIP === ip))
    if (missing.length > 0 || extra.length > 0) {
      out.push({
        id: 'remote.multicast-fanout',
        check: 'remote.flows',
        severity: 'warning',
        title: `Table 111 sends multicast to ${missing.length ? `none of ${missing.join(', ')}` : ''}${missing.length && extra.length ? '; and ' : ''}${extra.length ? `${extra.join(', ')}, which no HostSubnet holds` : ''}`,
        detail: `The SDN keeps one table 111 flow with a set_field:<HostIP>->tun_dst,output:1 for every other node (rewritten on each HostSubnet change, multicast used or not). ${missing.length ? 'Multicast from pods here does not reach pods on the missing nodes. ' : ''}${extra.length ? 'Multicast is sent to addresses of nodes that are gone. ' : ''}Restarting the SDN pod of ${c.node} rewrites the flow.`,
        evidence: [flowEvidence(src, fan), ...remotes.filter((h) => !sent.has(h.hostIP)).slice(0, 5).map(hsEvidence)]
      })
    }
  }

  // Reverse direction: flows that point at no current HostSubnet (a departed node, or an old IP).
  const knownIPs = new Set(remotes.map((h) => h.hostIP))
  const knownSubnets = new Set(remotes.map((h) => h.subnet))
  for (const f of t10) {
    const ip = ipv4Of(f, 'tun_src')
    if (ip && !knownIPs.has(ip)) out.push(stale(c, f, `accepts VXLAN from ${ip}`, 10))
  }
  for (const f of [...t50, ...t90]) {
    const subnet = ipv4Of(f, f.table === 50 ? 'arp_tpa' : 'nw_dst')
    if (subnet && !knownSubnets.has(subnet)) out.push(stale(c, f, `sends ${subnet} to ${tunDst(f) ?? '?'}`, f.table))
  }
  if (facts.localSubnet) {
    for (const f of [...t50, ...t90]) {
      if (ipv4Of(f, f.table === 50 ? 'arp_tpa' : 'nw_dst') === facts.localSubnet.text) {
        out.push({
          id: `remote.self:${f.table}:${f.priority}:${f.matchCanon}`,
          check: 'remote.self',
          severity: 'error',
          title: `Table ${f.table} sends this node's own subnet ${facts.localSubnet.text} into VXLAN`,
          detail: 'A node never has remote flows for its own subnet: two HostSubnets share this subnet, or this node was given another node\'s subnet.',
          evidence: [flowEvidence(src, f)]
        })
      }
    }
  }
  return out
}

function stale(c: NodeCaptures, f: Flow, doing: string, table: number): Finding {
  return {
    id: `remote.stale:${table}:${f.priority}:${f.matchCanon}`,
    check: 'remote.stale',
    severity: 'warning',
    title: `Table ${table} flow ${doing}, but no HostSubnet matches`,
    detail: 'A flow for a node that is no longer in the cluster, or whose IP or subnet changed. It is harmless if the node is gone; if the subnet was reassigned it misroutes traffic. Restarting the SDN pod of this node removes stale flows.',
    evidence: [flowEvidence(c.flows.source, f)]
  }
}
