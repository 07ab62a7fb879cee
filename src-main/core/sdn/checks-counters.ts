import { diffFlows } from '../flows/diff'
import { flowEvidence, type Finding } from './evidence'
import { sdnFinding } from '../findings/catalog'
import { ipv4Of, tunDst, type NodeCaptures } from './facts'

/** What a rising default drop in each table means (sdn-flows invariant 22). */
const dropMeaning: Record<number, string> = {
  10: 'VXLAN packets from a sender that is no known node (no table 10 tun_src flow for it): a node whose HostSubnet is missing here, or traffic that is not from the cluster',
  20: 'packets from a local port, IP or MAC that is no known pod (table 20 checks all three): a pod whose flows are missing or stale, or a spoofing pod',
  30: 'ARP for an address outside every known subnet',
  50: 'ARP for a remote pod subnet without its table 50 flow: a remote node whose flows are missing here',
  70: 'IP packets to a local address where no pod runs (a deleted pod, or a missing table 70 flow)',
  80: 'packets refused by isolation: a NetworkPolicy or the project (VNID) rules drop them',
  90: 'IP packets to a remote pod subnet without its table 90 flow: a remote node whose flows are missing here'
}

/**
 * Two flow dumps of the node taken some time apart: the priority 0 drop flows of the SDN tables whose packet
 * counters rose point at the stage that fails (invariant 22). Flows re-added between the dumps count from zero.
 */
export function checkDropCounters(c: NodeCaptures): Finding[] {
  const prev = c.previousFlows
  if (!prev) return []
  const d = diffFlows(prev.data, c.flows.data)
  const out: Finding[] = []
  for (const t of d.tables) {
    const meaning = dropMeaning[t.table]
    if (!meaning) continue
    for (const e of t.moved) {
      const f = e.after
      if (!f || f.priority !== 0 || f.actionsText !== 'drop' || !e.counters || e.counters.packets === null || e.counters.packets <= 0) continue
      const n = e.counters.packets
      const rate = e.counters.packetsPerSecond
      // Table 80 drops what isolation and policies forbid: counting there is the SDN working, worth a note only.
      out.push(
        sdnFinding(
          'drops.rising',
          { table: t.table, packets: n, rate, meaning, seconds: e.counters.seconds, reset: e.counters.reset },
          [flowEvidence(prev.source, e.before as NonNullable<typeof e.before>), flowEvidence(c.flows.source, f)],
          t.table === 80 ? 'info' : undefined
        )
      )
    }
  }
  out.push(...egressLiveness(c, d))
  return out
}

/**
 * Invariant 23 (the SDN's vxlan monitor): traffic sent to a remote egress-IP node (table 100, VXLAN to its
 * HostIP) while nothing comes back from it (its table 10 tun_src flow did not count a packet) means that
 * node does not answer: egress traffic through it is lost.
 */
function egressLiveness(c: NodeCaptures, d: ReturnType<typeof diffFlows>): Finding[] {
  const out: Finding[] = []
  const entries = d.tables.flatMap((t) => [...t.moved, ...t.changed])
  const t10 = d.tables.find((t) => t.table === 10)
  const cameBack = (ip: string) => (t10?.moved ?? []).some((e) => e.after && ipv4Of(e.after, 'tun_src') === ip && (e.counters?.packets ?? 0) > 0)
  const seen = new Set<string>()
  for (const e of entries) {
    const f = e.after
    if (!f || f.table !== 100 || !e.counters || (e.counters.packets ?? 0) <= 0) continue
    const ip = tunDst(f)
    if (!ip || seen.has(ip) || cameBack(ip)) continue
    seen.add(ip)
    const known = c.flows.data.some((g) => g.table === 10 && ipv4Of(g, 'tun_src') === ip)
    out.push(sdnFinding('egress.liveness', { ip, packets: e.counters.packets ?? 0, known }, [flowEvidence(c.flows.source, f)]))
  }
  return out
}
