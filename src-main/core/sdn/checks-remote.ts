import { flowEvidence, type EvidenceLine, type Finding } from './evidence'
import { sdnFinding } from '../findings/catalog'
import { gotoTable, ipv4Of, outputsTo, tunDst, tunDsts, type NodeCaptures, type NodeFacts } from './facts'
import type { Flow } from '../flows/flow'
import type { HostSubnet } from '../parse/oc'

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
        out.push(sdnFinding('remote.flows', { node: c.node, host: h.host, hostIP: h.hostIP, subnet: h.subnet, table: t }, [hsEvidence(h), ...(drop ? [flowEvidence(src, drop)] : [])]))
        continue
      }
      if (t !== 10) {
        const dst = tunDst(f)
        if (dst !== h.hostIP || !outputsTo(f, 1)) {
          out.push(sdnFinding('remote.flows', { node: c.node, host: h.host, hostIP: h.hostIP, subnet: h.subnet, table: t, target: dst }, [hsEvidence(h), flowEvidence(src, f)]))
        }
      }
    }
    const present = [found[10], found[50], found[90]].filter((f): f is Flow => f !== undefined)
    const cookies = new Set(present.map((f) => f.cookie))
    const want = c.hostSubnetCookies?.[h.host]
    const wrong = want === undefined ? [] : present.filter((f) => f.cookie !== want)
    if (want !== undefined && wrong.length > 0) {
      out.push(sdnFinding('remote.cookie-uid', { node: c.node, host: h.host, cookies: [...new Set(wrong.map((f) => f.cookie))], want }, [hsEvidence(h), ...wrong.map((f) => flowEvidence(src, f))]))
    } else if (cookies.size > 1) {
      out.push(sdnFinding('remote.cookie', { host: h.host, cookies: [...cookies] }, present.map((f) => flowEvidence(src, f))))
    }
  }

  // Table 111 (invariant 10): its one flow sends multicast to every other node, and only to them.
  const fan = flows.find((f) => f.table === 111 && f.priority === 100)
  if (fan) {
    const sent = new Set(tunDsts(fan))
    const missing = remotes.filter((h) => !sent.has(h.hostIP)).map((h) => `${h.host} (${h.hostIP})`)
    const extra = [...sent].filter((ip) => !remotes.some((h) => h.hostIP === ip))
    if (missing.length > 0 || extra.length > 0) {
      out.push(sdnFinding('remote.multicast-fanout', { node: c.node, missing, extra }, [flowEvidence(src, fan), ...remotes.filter((h) => !sent.has(h.hostIP)).slice(0, 5).map(hsEvidence)]))
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
        out.push(sdnFinding('remote.self', { table: f.table, priority: f.priority, match: f.matchCanon, subnet: facts.localSubnet.text }, [flowEvidence(src, f)]))
      }
    }
  }
  return out
}

function stale(c: NodeCaptures, f: Flow, doing: string, table: number): Finding {
  return sdnFinding('remote.stale', { table, priority: f.priority, match: f.matchCanon, doing }, [flowEvidence(c.flows.source, f)])
}
