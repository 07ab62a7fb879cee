import { flowEvidence, type EvidenceLine, type Finding } from './evidence'
import { sdnFinding } from '../findings/catalog'
import { inCidr, ipv4Of, loadedInto, portOf, type NodeCaptures, type NodeFacts } from './facts'
import { flowActions, type Flow } from '../flows/flow'
import { mapOf, scalar } from '../parse/ovsdb-list'

interface LocalPod {
  ip: string
  label: string
  namespace: string | null
  evidence: EvidenceLine
  /** From the OVS Interface table (external_ids:ip), when captured. */
  iface: { name: string; ofport: number | null; evidence: EvidenceLine } | null
}

/** Which pods should have flows here: from `oc get pods -o wide` (this node), else from OVS interface external_ids. */
function localPods(c: NodeCaptures, facts: NodeFacts): LocalPod[] | null {
  const ifaces = new Map<string, LocalPod['iface']>()
  for (const r of c.interfaces?.data ?? []) {
    const ip = mapOf(r.columns.external_ids).ip
    const ofport = scalar(r.columns.ofport)
    if (typeof ip === 'string') {
      ifaces.set(ip, {
        name: String(scalar(r.columns.name) ?? '?'),
        ofport: typeof ofport === 'number' ? ofport : null,
        evidence: { source: c.interfaces!.source, line: r.line, text: `${scalar(r.columns.name)} ofport=${ofport} external_ids:ip=${ip}` }
      })
    }
  }
  if (c.pods) {
    const pods = c.pods.data.filter((p) => p.ip && (p.node === null || p.node === c.node || p.node.split('.')[0] === c.node.split('.')[0]) && p.status !== 'Succeeded' && p.status !== 'Failed')
    // Host-network pods have the node's IP, outside the pod subnet: they have no OVS flows.
    const onSdn = pods.filter((p) => (facts.localSubnet ? inCidr(facts.localSubnet, p.ip) : p.ip !== facts.nodeIP))
    return onSdn.map((p) => ({
      ip: p.ip as string,
      label: `${p.namespace ? p.namespace + '/' : ''}${p.name}`,
      namespace: p.namespace,
      evidence: { source: c.pods!.source, line: p.line, text: `${p.namespace ?? ''} ${p.name} ${p.ip} ${p.node ?? ''}`.trim() },
      iface: ifaces.get(p.ip as string) ?? null
    }))
  }
  if (c.interfaces) return [...ifaces.entries()].map(([ip, iface]) => ({ ip, label: iface!.name, namespace: null, evidence: iface!.evidence, iface }))
  return null
}

/**
 * Every local pod has its port on br0 and its table 20 (ARP + IP), 40 and 70 flows with the right
 * port and VNID (sdn-flows invariants 12-15).
 */
export function checkLocalPods(c: NodeCaptures, facts: NodeFacts): Finding[] {
  const pods = localPods(c, facts)
  if (!pods) return []
  const src = c.flows.source
  const flows = c.flows.data
  const p100 = (t: number) => flows.filter((f) => f.table === t && f.priority === 100)
  const t20 = p100(20)
  const t40 = p100(40)
  const t70 = p100(70)
  const out: Finding[] = []
  const ports = c.ports ? new Map(c.ports.data.map((p) => [p.ofport, p])) : null
  const vnidOf = new Map((c.netNamespaces?.data ?? []).map((n) => [n.name, n.netid]))

  for (const pod of pods) {
    const f20arp = t20.find((f) => f.protocol === 'arp' && ipv4Of(f, 'arp_spa') === pod.ip)
    const f20ip = t20.find((f) => f.protocol === 'ip' && ipv4Of(f, 'nw_src') === pod.ip)
    const f40 = t40.find((f) => ipv4Of(f, 'arp_tpa') === pod.ip)
    const f70 = t70.find((f) => ipv4Of(f, 'nw_dst') === pod.ip)
    const missing: string[] = []
    if (!f20arp) missing.push('table 20 ARP (anti-spoofing, source VNID)')
    if (!f20ip) missing.push('table 20 IP (anti-spoofing, source VNID)')
    if (!f40) missing.push('table 40 (ARP to the pod)')
    if (!f70) missing.push('table 70 (IP to the pod)')
    const present = [f20arp, f20ip, f40, f70].filter((f): f is Flow => f !== undefined)
    if (missing.length > 0) {
      out.push(sdnFinding('local.flows', { pod: pod.label, ip: pod.ip, missing }, [pod.evidence, ...(pod.iface ? [pod.iface.evidence] : []), ...present.map((f) => flowEvidence(src, f))]))
    }

    // One port for the pod in every table, equal to its OVS interface, and present on br0.
    const port20 = f20ip ? portOf(f20ip) : f20arp ? portOf(f20arp) : null
    const port40 = f40 ? outPort(f40) : null
    const port70 = f70 ? loadedInto(f70, 'reg2') : null
    const expected = pod.iface?.ofport ?? (typeof port20 === 'number' ? port20 : null)
    const seen = [
      ['table 20 in_port', port20],
      ['table 40 output', port40],
      ['table 70 reg2', port70]
    ].filter(([, p]) => p !== null) as [string, number | string][]
    const wrong = expected === null ? [] : seen.filter(([, p]) => p !== expected)
    if (expected !== null && wrong.length > 0) {
      out.push(
        sdnFinding(
          'local.port',
          { pod: pod.label, ip: pod.ip, expected, wrong: wrong.map(([w, p]) => `${w} is ${p}`), ports: wrong.map(([, p]) => String(p)) },
          [...(pod.iface ? [pod.iface.evidence] : []), ...present.map((f) => flowEvidence(src, f))]
        )
      )
    }
    if (ports && expected !== null && !ports.has(expected)) {
      out.push(sdnFinding('local.noport', { pod: pod.label, ip: pod.ip, port: expected }, present.map((f) => flowEvidence(src, f))))
    }
    if (pod.iface === null && c.interfaces && missing.length < 4) {
      out.push(sdnFinding('local.noiface', { pod: pod.label, ip: pod.ip }, [pod.evidence]))
    }

    // VNID: table 20 loads it into reg0, table 70 into reg1; both equal the namespace's NETID.
    const v20 = f20ip ? loadedInto(f20ip, 'reg0') : null
    const v70 = f70 ? loadedInto(f70, 'reg1') : null
    const netid = pod.namespace !== null ? vnidOf.get(pod.namespace) : undefined
    const bad = (v20 !== null && v70 !== null && v20 !== v70) || (netid !== undefined && netid !== null && ((v20 !== null && v20 !== netid) || (v70 !== null && v70 !== netid)))
    if (bad) {
      out.push(sdnFinding('local.vnid', { pod: pod.label, ip: pod.ip, t20: v20, t70: v70, netid }, [pod.evidence, ...present.map((f) => flowEvidence(src, f))]))
    }
  }

  // Flows for IPs that are no running pod on this node.
  if (c.pods) {
    const ips = new Set(pods.map((p) => p.ip))
    for (const f of [...t20, ...t40, ...t70]) {
      const ip = ipv4Of(f, f.table === 20 ? (f.protocol === 'arp' ? 'arp_spa' : 'nw_src') : f.table === 40 ? 'arp_tpa' : 'nw_dst')
      if (ip && !ips.has(ip)) {
        out.push(sdnFinding('local.stale', { table: f.table, priority: f.priority, match: f.matchCanon, ip, node: c.node }, [flowEvidence(src, f)]))
      }
    }
  }
  return out
}

function outPort(f: Flow): number | string | null {
  for (const a of flowActions(f)) if (a.type === 'output' && a.field === null) return a.port
  return null
}

