// A trace printed as `ovs-appctl ofproto/trace` prints it (OVS 3.1, ofproto/ofproto-dpif-trace.c): "Flow:", the
// bridge's tree of tables, actions and their effects with OVS's indentation rule, "Final flow:", and for each
// recirculation its banner (the ct_state it resumes with, the NAT it simulates) and its own walk. The datapath
// lines (Megaflow, Datapath actions) are the switch's and are not printed: they are said to be left out.
import { fieldDef, fieldDefs, type FieldDef } from '../flows/vocabulary'
import { numberToIPv4 } from '../net/address'
import { ones, printMatch, type MaskedValue, type OvsMatch } from '../flows/masked'
import type { PacketState } from '../flows/packet'
import type { TraceNode, TracePass, TraceResult } from './tracer'

const defBySlot = new Map<string, FieldDef>()
for (const d of fieldDefs) if (!defBySlot.has(d.storage) || d.name === d.storage) defBySlot.set(d.storage, d)

/** The fields flow_format prints for a packet: what the packet has (by its type), and the context fields that are not zero. */
function packetSlots(s: PacketState): string[] {
  const dl = Number(s.get('dl_type') ?? 0n)
  const proto = Number(s.get('nw_proto') ?? 0n)
  const nonZero = (k: string) => (s.get(k) ?? 0n) !== 0n
  const out: string[] = []
  for (const k of ['recirc_id', 'ct_state', 'ct_zone', 'ct_mark', 'pkt_mark', 'metadata', ...Array.from({ length: 16 }, (_, i) => `reg${i}`)]) if (nonZero(k)) out.push(k)
  // A tunnel with a destination prints as a block (tunnelBlock); without one only its tun_id, when set.
  if (!nonZero('tun_dst') && nonZero('tun_id')) out.push('tun_id')
  if (nonZero('in_port')) out.push('in_port')
  out.push('vlan_tci', 'dl_src', 'dl_dst')
  if (dl === 0x0800) {
    out.push('nw_src', 'nw_dst', 'nw_tos', 'nw_ecn', 'nw_ttl', 'nw_frag')
    if ([6, 17, 132, 1].includes(proto)) out.push('tp_src', 'tp_dst')
    if (proto === 6) out.push('tcp_flags')
  } else if (dl === 0x0806) out.push('nw_src', 'nw_dst', 'arp_op', 'arp_sha', 'arp_tha')
  return out
}

/** A packet as flow_format prints it. */
export function formatFlow(s: PacketState): string {
  const m: OvsMatch = { dlType: Number(s.get('dl_type') ?? 0n) || null, nwProto: null, unknown: [], fields: new Map(), problems: [] }
  const dl = m.dlType
  if (dl === 0x0800 || dl === 0x86dd || dl === 0x0806) m.nwProto = Number(s.get('nw_proto') ?? 0n)
  if (dl === 0x0806) m.nwProto = null
  for (const slot of packetSlots(s)) {
    const def = defBySlot.get(slot)
    if (!def) continue
    const v: MaskedValue = { def, value: s.get(slot) ?? 0n, mask: ones(def.bits) }
    m.fields.set(slot, v)
  }
  if (dl === 0x0806) {
    const op = fieldDef('arp_op')
    if (op) m.fields.set(op.storage, { def: op, value: s.get(op.storage) ?? 0n, mask: ones(op.bits) })
  }
  let text = printMatch(m)
  if ((s.get('tun_dst') ?? 0n) !== 0n) {
    const block = tunnelBlock(s)
    text = /(^|,)in_port=/.test(text) ? text.replace(/(^|,)in_port=/, (x, c: string) => `${c}${block},in_port=`) : text.replace(/(^|,)vlan_tci=/, (x, c: string) => `${c}${block},vlan_tci=`)
  }
  // A recirculated packet's flow names its packet type ("eth") before the protocol, as match_format does then:
  // after the metadata it prints first (pkt_mark, recirc_id, dp_hash, skb_priority, the conntrack fields).
  if ((s.get('recirc_id') ?? 0n) !== 0n) text = text.replace(/^((?:pkt_mark|recirc_id|dp_hash|conj_id|skb_priority|actset_output|ct_state|ct_zone|ct_mark|ct_label|ct_nw_src|ct_ipv6_src|ct_nw_dst|ct_ipv6_dst|ct_nw_proto|ct_tp_src|ct_tp_dst)=[^,]*,)*/, (p) => `${p}eth,`)
  return text
}

const ipText = (n: bigint) => numberToIPv4(Number(n))

/**
 * The tunnel fields flow_format prints once a tunnel destination is set (flow_wildcards_init_for_packet): every
 * tunnel field, the ones this model does not keep at their zero value. tun_id is printed there only with OVS's
 * key flag, which a packet received on a keyed tunnel has and a packet given to ofproto/trace never has.
 */
function tunnelBlock(s: PacketState): string {
  return [`tun_src=${ipText(s.get('tun_src') ?? 0n)}`, `tun_dst=${ipText(s.get('tun_dst') ?? 0n)}`, 'tun_ipv6_src=::', 'tun_ipv6_dst=::', 'tun_gbp_id=0', 'tun_gbp_flags=0', 'tun_tos=0', 'tun_ttl=0', 'tun_erspan_ver=0', 'gtpu_flags=0', 'gtpu_msgtype=0', 'tun_flags=0'].join(',')
}

const terminal = (t: TraceNode['type']) => t === 'action' || t === 'detail' || t === 'warn' || t === 'error' || t === 'bucket'

/** oftrace_node_print_details: a node is indented one level more unless it is the last of its list and not terminal. */
export function printNodes(nodes: readonly TraceNode[], level = 0, out: string[] = []): string[] {
  nodes.forEach((n, i) => {
    const more = i < nodes.length - 1 || terminal(n.type) ? 1 : 0
    const pad = ' '.repeat((level + more) * 4)
    switch (n.type) {
      case 'detail':
        out.push(`${pad} -> ${n.text}`)
        break
      case 'warn':
        out.push(`${pad} >> ${n.text}`)
        break
      case 'error':
        out.push(`${pad} >>>> ${n.text} <<<<`)
        break
      default:
        out.push(`${pad}${n.text}`)
    }
    printNodes(n.subs, level + more + more, out)
  })
  return out
}

const sameState = (a: PacketState, b: PacketState) => a.size === b.size && [...a].every(([k, v]) => b.get(k) === v)

function ipFlow(s: PacketState): string {
  const ip = (k: string) => ipText(s.get(k) ?? 0n)
  return `nw_src=${ip('nw_src')},tp_src=${s.get('tp_src') ?? 0n},nw_dst=${ip('nw_dst')},tp_dst=${s.get('tp_dst') ?? 0n}`
}

function printPass(p: TracePass, bridge: string, datapath: boolean): string[] {
  const out: string[] = []
  if (p.recircId > 0) {
    out.push('', '='.repeat(79), `recirc(${`0x${p.recircId.toString(16)}`}) - resume conntrack with ${p.ctDefault ? 'default ct_state=trk|new (use --ct-next to customize)' : `ct_state=${p.ctState}`}`)
    if (p.nat) {
      const ranged = /^nat\((src|dst)=/.test(p.nat.action)
      out.push('Replacing src/dst IP/ports to simulate NAT:', ` Initial flow: ${ranged ? ipFlow(p.nat.before) : ''}`, ` Modified flow: ${ranged ? ipFlow(p.nat.after) : ''}`)
    }
    out.push('='.repeat(79), '')
  }
  out.push(`Flow: ${formatFlow(p.start)}`, '', `bridge("${bridge}")`, '-'.repeat(`bridge("${bridge}")`.length))
  printNodes(p.nodes, 0, out)
  out.push('', `Final flow: ${sameState(p.start, p.end) ? 'unchanged' : formatFlow(p.end)}`)
  // A simulated trace stands in for a real one where a parser reads its outcome: the OpenFlow outputs (or the
  // recirculation, or drop) in the place of the datapath's actions.
  if (datapath) out.push(`Datapath actions: ${p.outputs.length ? p.outputs.map((o) => o.port).join(',') : p.forks.length ? p.forks.map((_, i) => `recirc(0x${(p.recircId + i + 1).toString(16)})`).join(',') : 'drop'}`)
  return out
}

/** The whole trace in ofproto/trace's text format (without the datapath's Megaflow and Datapath actions lines). */
export function printTrace(r: TraceResult, bridge = 'br0', opts: { simulatedDatapath?: boolean } = {}): string {
  const lines = r.passes.flatMap((p) => printPass(p, bridge, opts.simulatedDatapath ?? false))
  return `${lines.join('\n')}\n`
}
