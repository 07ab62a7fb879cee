import { diffFlows } from '../flows/diff'
import { flowEvidence, type Finding } from './evidence'
import type { NodeCaptures } from './facts'

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
      out.push({
        id: `drops.rising:${t.table}`,
        check: 'drops.rising',
        severity: t.table === 80 ? 'info' : 'warning',
        title: `Table ${t.table} dropped ${n} packet${n === 1 ? '' : 's'} between the two dumps${rate !== null ? ` (${rate < 1 ? rate.toFixed(2) : Math.round(rate)}/s)` : ''}`,
        detail: `The default drop of table ${t.table} counts ${meaning}. ${e.counters.seconds !== null ? `In ${Math.round(e.counters.seconds)} s` : 'Between the dumps'} it rose by ${n}${e.counters.reset ? ' (the flow was re-added in between: counted from zero)' : ''}. An ofproto/trace of the failing packet shows which flow it lacks.`,
        evidence: [
          { ...flowEvidence(prev.source, e.before as NonNullable<typeof e.before>) },
          { ...flowEvidence(c.flows.source, f) }
        ]
      })
    }
  }
  return out
}
