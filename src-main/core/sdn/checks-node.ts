import { canonicalFlowActions, type Flow } from '../flows/flow'
import { flowEvidence, type EvidenceLine, type Finding } from './evidence'
import { sdnFinding } from '../findings/catalog'
import { inCidr, type NodeCaptures, type NodeFacts } from './facts'
import { layoutFor } from './layouts'
import { pluginName, plugins, vxlanOverhead } from './tables'
import { mapOf, scalar } from '../parse/ovsdb-list'


/** Table 253 version note, default flows, unknown tables, vxlan0/tun0 ports (invariants 1-5). */
export function checkBridge(c: NodeCaptures, facts: NodeFacts): Finding[] {
  const out: Finding[] = []
  const flows = c.flows.data
  const src = c.flows.source
  const t253 = flows.filter((x) => x.table === 253)
  const configured = c.clusterNetwork?.data[0]?.pluginName ?? null
  const expectedPlugin = configured && Object.hasOwn(plugins, configured) ? plugins[configured] : undefined
  if (t253.length !== 1) {
    out.push(sdnFinding('bridge.version', { count: t253.length }, t253.map((x) => flowEvidence(src, x))))
  } else if (facts.pluginId !== null) {
    const v253 = t253[0] as Flow
    const layout = layoutFor(facts.ruleVersion)
    if (!layout.fullChecks) {
      out.push(sdnFinding('bridge.layout', { label: layout.label, ruleVersion: facts.ruleVersion, source: layout.source }, [flowEvidence(src, v253)]))
    }
    if (expectedPlugin && expectedPlugin.id !== facts.pluginId) {
      out.push(sdnFinding('bridge.plugin', { programmed: pluginName(facts.pluginId), configured: expectedPlugin.name }, [flowEvidence(src, v253)]))
    }
  }
  const pluginId = expectedPlugin?.id ?? facts.pluginId
  const layout = layoutFor(facts.ruleVersion)
  for (const t of layout.tables) {
    if (t.defaultActions === null || (t.networkPolicyOnly && pluginId !== 2)) continue
    const d = flows.find((x) => x.table === t.table && x.priority === t.defaultPriority && x.matchCanon === '')
    const p = { table: t.table, name: t.name, defaultPriority: t.defaultPriority, defaultActions: t.defaultActions, purpose: t.purpose }
    if (!d) out.push(sdnFinding('bridge.default', { ...p, actual: null }, []))
    // Another default is a warning: traffic still goes somewhere, maybe on purpose.
    else if (canonicalFlowActions(d, { acrossOfVersions: true }) !== t.defaultActions) out.push(sdnFinding('bridge.default', { ...p, actual: d.actionsText }, [flowEvidence(src, d)], 'warning'))
  }
  const unknown = new Map<number, Flow[]>()
  const known = new Set(layout.tables.map((t) => t.table))
  for (const x of flows) if (!known.has(x.table)) unknown.set(x.table, [...(unknown.get(x.table) ?? []), x])
  for (const [t, list] of unknown) {
    out.push(sdnFinding('bridge.unknown-table', { table: t, flows: list.length, label: layout.label }, list.slice(0, 5).map((x) => flowEvidence(src, x))))
  }

  // vxlan0 must be port 1 and tun0 port 2: the flows hard-code them.
  const portsByName = new Map<string, { ofport: number | string | null; ev: EvidenceLine }>()
  for (const p of c.ports?.data ?? []) portsByName.set(p.name, { ofport: p.ofport, ev: { source: c.ports!.source, line: p.line, text: `${p.ofport}(${p.name})` } })
  for (const r of c.interfaces?.data ?? []) {
    const name = String(scalar(r.columns.name) ?? '')
    if (!portsByName.has(name)) portsByName.set(name, { ofport: scalar(r.columns.ofport) as number | null, ev: { source: c.interfaces!.source, line: r.line, text: `${name} ofport=${scalar(r.columns.ofport)}` } })
    const err = scalar(r.columns.error)
    if (typeof err === 'string' && err !== '') out.push(sdnFinding('bridge.iface-error', { name, error: err }, [{ source: c.interfaces!.source, line: r.line, text: `${name} error="${err}"` }]))
  }
  if (portsByName.size > 0) {
    for (const [name, want] of [['vxlan0', 1], ['tun0', 2]] as const) {
      const p = portsByName.get(name)
      if (!p) out.push(sdnFinding('bridge.port', { name, want, actual: null, missing: true }, []))
      else if (p.ofport !== want) out.push(sdnFinding('bridge.port', { name, want, actual: p.ofport, missing: false }, [p.ev]))
    }
    const vx = c.interfaces?.data.find((r) => scalar(r.columns.name) === 'vxlan0')
    const dstPort = vx ? mapOf(vx.columns.options).dst_port : undefined
    if (vx && dstPort !== undefined && String(dstPort) !== '4789') {
      out.push(sdnFinding('bridge.vxlan-port', { port: String(dstPort) }, [{ source: c.interfaces!.source, line: vx.line, text: `vxlan0 options:dst_port=${dstPort}` }]))
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
      out.push(sdnFinding('host.ip-forward', { node: c.node, value: v.trim() }, [{ source: c.sysctl.source, line: 1, text: `net.ipv4.ip_forward = ${v}` }]))
    }
  }
  if (!c.links) return out
  const src = c.links.source
  const links = c.links.data
  const tun0 = links.find((l) => l.name === 'tun0')
  if (!tun0) {
    out.push(sdnFinding('host.tun0', { node: c.node }, []))
    return out
  }
  const ev = (l: typeof tun0): EvidenceLine => ({ source: src, line: l.line, text: `${l.name} mtu ${l.mtu} ${l.addresses.map((a) => `${a.address}/${a.prefixLength}`).join(' ')}` })
  const v4 = tun0.addresses.filter((a) => a.family === 'inet')
  if (facts.localSubnet) {
    const gw = facts.gateway
    const ok = v4.find((a) => (gw ? a.address === gw : inCidr(facts.localSubnet, a.address)) && a.prefixLength === facts.localSubnet!.prefix)
    if (!ok) {
      out.push(sdnFinding('host.tun0-address', { gateway: gw, prefix: facts.localSubnet.prefix, subnet: facts.localSubnet.text }, [ev(tun0)]))
    }
  }
  if (c.routes) {
    const wanted = [...facts.clusterNetworks.map((n) => n.text), ...(facts.serviceNetwork ? [facts.serviceNetwork.text] : [])]
    for (const net of wanted) {
      const r = c.routes.data.find((x) => x.destination === net)
      if (!r || r.dev !== 'tun0') {
        out.push(sdnFinding('host.route', { net, actual: r ? (r.dev ?? r.via ?? null) : null }, r ? [{ source: c.routes.source, line: r.line, text: `${r.destination} dev ${r.dev}` }] : []))
      }
    }
  }
  // MTU: tun0 must leave room for the VXLAN header on the underlay interface.
  const underlay = links.find((l) => facts.nodeIP !== null && l.addresses.some((a) => a.address === facts.nodeIP))
  if (underlay && tun0.mtu !== null && underlay.mtu !== null && tun0.mtu > underlay.mtu - vxlanOverhead) {
    out.push(sdnFinding('host.mtu', { tun0: tun0.mtu, underlay: underlay.name, underlayMtu: underlay.mtu, overhead: vxlanOverhead }, [ev(tun0), ev(underlay)]))
  }
  if (tun0.mtu !== null) {
    const veths = links.filter((l) => l.name.startsWith('veth') && l.mtu !== null && l.mtu !== tun0.mtu)
    if (veths.length > 0) {
      out.push(sdnFinding('host.mtu-veth', { veths: veths.length, tun0: tun0.mtu }, veths.slice(0, 5).map(ev)))
    }
  }
  return out
}
