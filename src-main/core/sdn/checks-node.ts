import { canonicalFlowActions, type Flow } from '../flows/flow'
import { flowEvidence, type EvidenceLine, type Finding } from './evidence'
import { inCidr, type NodeCaptures, type NodeFacts } from './facts'
import { layoutFor } from './layouts'
import { pluginName, plugins, vxlanOverhead } from './tables'
import { mapOf, scalar } from '../parse/ovsdb-list'

const f = (id: string, check: string, severity: Finding['severity'], title: string, detail: string, evidence: EvidenceLine[]): Finding => ({ id, check, severity, title, detail, evidence })

/** Table 253 version note, default flows, unknown tables, vxlan0/tun0 ports (invariants 1-5). */
export function checkBridge(c: NodeCaptures, facts: NodeFacts): Finding[] {
  const out: Finding[] = []
  const flows = c.flows.data
  const src = c.flows.source
  const t253 = flows.filter((x) => x.table === 253)
  const configured = c.clusterNetwork?.data[0]?.pluginName ?? null
  const expectedPlugin = configured ? plugins[configured] : undefined
  if (t253.length !== 1) {
    out.push(f('bridge.version', 'bridge.version', 'error', `Table 253 has ${t253.length} flows instead of exactly one version note`, 'openshift-sdn writes one note flow in table 253 when it sets up br0 and checks it at start; without it (or with several) the SDN rebuilds br0 on its next start, and the flows were not all set up by this SDN.', t253.map((x) => flowEvidence(src, x))))
  } else if (facts.pluginId !== null) {
    const v253 = t253[0] as Flow
    const layout = layoutFor(facts.ruleVersion)
    if (!layout.fullChecks) {
      out.push(f('bridge.layout', 'bridge.version', 'info', `br0 was programmed by ${layout.label}: judged by that release's table layout`, `Table 253 says rule version ${facts.ruleVersion}. Its tables and their default flows are checked as that release programs them (${layout.source}); the pod, node, service and policy checks are written for OpenShift 3.10/3.11 (rule version 7) and were not run.`, [flowEvidence(src, v253)]))
    }
    if (expectedPlugin && expectedPlugin.id !== facts.pluginId) {
      out.push(f('bridge.plugin', 'bridge.version', 'error', `br0 was set up for the ${pluginName(facts.pluginId)} plugin, the cluster runs ${expectedPlugin.name}`, 'The table 253 note says another network plugin programmed br0 (the cluster network plugin changed, or this node missed the change). Restarting the SDN pod rebuilds br0 for the configured plugin.', [flowEvidence(src, v253)]))
    }
  }
  const pluginId = expectedPlugin?.id ?? facts.pluginId
  const layout = layoutFor(facts.ruleVersion)
  for (const t of layout.tables) {
    if (t.defaultActions === null || (t.networkPolicyOnly && pluginId !== 2)) continue
    const d = flows.find((x) => x.table === t.table && x.priority === t.defaultPriority && x.matchCanon === '')
    if (!d) {
      out.push(f(`bridge.default:${t.table}`, 'bridge.default', 'error', `Table ${t.table} (${t.name}) has no default flow`, `Every openshift-sdn table ends with a priority ${t.defaultPriority} flow (${t.defaultActions}). Without it, packets that match nothing in table ${t.table} are dropped by OVS itself, invisibly in the counters. ${t.purpose}`, []))
    } else if (canonicalFlowActions(d, { acrossOfVersions: true }) !== t.defaultActions) {
      out.push(f(`bridge.default:${t.table}`, 'bridge.default', 'warning', `Table ${t.table} default flow does "${d.actionsText}", expected "${t.defaultActions}"`, t.purpose, [flowEvidence(src, d)]))
    }
  }
  const unknown = new Map<number, Flow[]>()
  const known = new Set(layout.tables.map((t) => t.table))
  for (const x of flows) if (!known.has(x.table)) unknown.set(x.table, [...(unknown.get(x.table) ?? []), x])
  for (const [t, list] of unknown) {
    out.push(f(`bridge.unknown-table:${t}`, 'bridge.unknown-table', 'warning', `${list.length} flow(s) in table ${t}, which ${layout.label} does not use`, 'Added by hand or by another controller, or the node runs another openshift-sdn release than its table 253 note says.', list.slice(0, 5).map((x) => flowEvidence(src, x))))
  }

  // vxlan0 must be port 1 and tun0 port 2: the flows hard-code them.
  const portsByName = new Map<string, { ofport: number | string | null; ev: EvidenceLine }>()
  for (const p of c.ports?.data ?? []) portsByName.set(p.name, { ofport: p.ofport, ev: { source: c.ports!.source, line: p.line, text: `${p.ofport}(${p.name})` } })
  for (const r of c.interfaces?.data ?? []) {
    const name = String(scalar(r.columns.name) ?? '')
    if (!portsByName.has(name)) portsByName.set(name, { ofport: scalar(r.columns.ofport) as number | null, ev: { source: c.interfaces!.source, line: r.line, text: `${name} ofport=${scalar(r.columns.ofport)}` } })
    const err = scalar(r.columns.error)
    if (typeof err === 'string' && err !== '') out.push(f(`bridge.iface-error:${name}`, 'bridge.ports', 'error', `OVS reports an error on interface ${name}: ${err}`, 'The interface is in the database but not working in the datapath.', [{ source: c.interfaces!.source, line: r.line, text: `${name} error="${err}"` }]))
  }
  if (portsByName.size > 0) {
    for (const [name, want] of [['vxlan0', 1], ['tun0', 2]] as const) {
      const p = portsByName.get(name)
      if (!p) out.push(f(`bridge.port:${name}`, 'bridge.ports', 'error', `br0 has no ${name} port`, `openshift-sdn creates ${name} as OpenFlow port ${want}; every flow that sends to port ${want} goes nowhere without it.`, []))
      else if (p.ofport !== want) out.push(f(`bridge.port:${name}`, 'bridge.ports', 'error', `${name} is port ${p.ofport}, not ${want}`, `The flows send to port ${want} for ${name}; with another number that traffic goes to the wrong port.`, [p.ev]))
    }
    const vx = c.interfaces?.data.find((r) => scalar(r.columns.name) === 'vxlan0')
    const dstPort = vx ? mapOf(vx.columns.options).dst_port : undefined
    if (vx && dstPort !== undefined && String(dstPort) !== '4789') {
      out.push(f('bridge.vxlan-port', 'bridge.ports', 'warning', `vxlan0 uses UDP port ${dstPort}, not 4789`, 'Every node must use the same VXLAN port (ClusterNetwork vxlanPort), and the firewall must allow it between nodes.', [{ source: c.interfaces!.source, line: vx.line, text: `vxlan0 options:dst_port=${dstPort}` }]))
    }
  }
  return out
}

/** tun0 holds the node's gateway, routes through tun0, MTU fits VXLAN, IP forwarding on. */
export function checkHostNetworking(c: NodeCaptures, facts: NodeFacts): Finding[] {
  const out: Finding[] = []
  if (c.sysctl) {
    const v = c.sysctl.data['net.ipv4.ip_forward']
    if (v !== undefined && v.trim() !== '1') {
      out.push(f('host.ip-forward', 'host.ip-forward', 'error', `IP forwarding is off (net.ipv4.ip_forward = ${v})`, 'Pods reach services, other nodes\' host networks and the outside through the node\'s IP stack: with forwarding off that traffic is dropped. Set net.ipv4.ip_forward=1 (and find what turned it off).', [{ source: c.sysctl.source, line: 1, text: `net.ipv4.ip_forward = ${v}` }]))
    }
  }
  if (!c.links) return out
  const src = c.links.source
  const links = c.links.data
  const tun0 = links.find((l) => l.name === 'tun0')
  if (!tun0) {
    out.push(f('host.tun0', 'host.tun0', 'error', 'The node has no tun0 interface', 'tun0 is the OVS internal port that connects pods to the node (services, external traffic, the node itself). Without it the SDN is not set up on this node.', []))
    return out
  }
  const ev = (l: typeof tun0): EvidenceLine => ({ source: src, line: l.line, text: `${l.name} mtu ${l.mtu} ${l.addresses.map((a) => `${a.address}/${a.prefixLength}`).join(' ')}` })
  const v4 = tun0.addresses.filter((a) => a.family === 'inet')
  if (facts.localSubnet) {
    const gw = facts.gateway
    const ok = v4.find((a) => (gw ? a.address === gw : inCidr(facts.localSubnet, a.address)) && a.prefixLength === facts.localSubnet!.prefix)
    if (!ok) {
      out.push(f('host.tun0-address', 'host.tun0', 'error', `tun0 does not hold the node's gateway ${gw ?? ''}/${facts.localSubnet.prefix} (subnet ${facts.localSubnet.text})`, 'tun0 must carry the first address of the node\'s HostSubnet with its prefix length; otherwise pods have no working default gateway.', [ev(tun0)]))
    }
  }
  if (c.routes) {
    const wanted = [...facts.clusterNetworks.map((n) => n.text), ...(facts.serviceNetwork ? [facts.serviceNetwork.text] : [])]
    for (const net of wanted) {
      const r = c.routes.data.find((x) => x.destination === net)
      if (!r || r.dev !== 'tun0') {
        out.push(f(`host.route:${net}`, 'host.routes', 'error', `No route to ${net} through tun0${r ? ` (it goes to ${r.dev ?? r.via})` : ''}`, 'The node reaches the cluster network and the service network through tun0; without the route, traffic from the node (and from host-network pods) to pods or services leaves the wrong way.', r ? [{ source: c.routes.source, line: r.line, text: `${r.destination} dev ${r.dev}` }] : []))
      }
    }
  }
  // MTU: tun0 must leave room for the VXLAN header on the underlay interface.
  const underlay = links.find((l) => facts.nodeIP !== null && l.addresses.some((a) => a.address === facts.nodeIP))
  if (underlay && tun0.mtu !== null && underlay.mtu !== null && tun0.mtu > underlay.mtu - vxlanOverhead) {
    out.push(f('host.mtu', 'host.mtu', 'error', `tun0 MTU ${tun0.mtu} is too large for ${underlay.name} MTU ${underlay.mtu} (VXLAN needs ${vxlanOverhead} bytes)`, `Packets between pods on different nodes larger than ${underlay.mtu - vxlanOverhead} bytes are dropped or fragmented: small requests work, large transfers hang. Set the SDN MTU (node-config mtu) to at most ${underlay.mtu - vxlanOverhead}.`, [ev(tun0), ev(underlay)]))
  }
  if (tun0.mtu !== null) {
    const veths = links.filter((l) => l.name.startsWith('veth') && l.mtu !== null && l.mtu !== tun0.mtu)
    if (veths.length > 0) {
      out.push(f('host.mtu-veth', 'host.mtu', 'warning', `${veths.length} pod veth(s) have an MTU other than tun0's ${tun0.mtu}`, 'Pods created before an MTU change keep the old MTU until they are re-created; a pod with a larger MTU than the path sends packets that are dropped.', veths.slice(0, 5).map(ev)))
    }
  }
  return out
}
