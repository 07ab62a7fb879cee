// What a trace means, in plain words: where the packet went in each pass (delivered to a port, out through tun0,
// into VXLAN towards a node with a VNID, recirculated through conntrack) or where it was dropped and by which flow,
// and when a table's default drop caught it, which flow that table lacks for it. Names of ports, pods and nodes come
// from the caller (what the case knows); without them the words use numbers and addresses.
import type { PacketState } from '../flows/packet'
import { numberToIPv4 } from '../net/address'
import { sdnTableById } from '../sdn/tables'
import type { TraceOutput, TracePass, TraceResult } from './tracer'

export interface TraceNames {
  /** A port's name or the pod behind it ("veth3 (pod proj-a/web-1)"). */
  port?: (port: number) => string | null
  /** The node or pod behind an address ("node2 (10.200.1.2)"). */
  address?: (ip: string) => string | null
  /** The HostSubnet that holds an address, as the case knows it ("node2's HostSubnet 10.128.2.0/23, HostIP 10.200.1.2"). */
  hostSubnet?: (ip: string) => string | null
}

export type VerdictKind = 'delivered' | 'tun0' | 'vxlan' | 'recirculated' | 'dropped' | 'unmodelled' | 'error'

export interface PassVerdict {
  recircId: number
  kind: VerdictKind
  text: string
  /** The table and flow that decided it (the drop, the output). */
  table: number | null
  flowLine: number | null
}

const ipText = (n: bigint) => numberToIPv4(Number(n))
const hex = (n: bigint) => `0x${n.toString(16)}`

const tableName = (t: number) => {
  const n = sdnTableById.get(t)?.name
  return n ? `table ${t} (${n})` : `table ${t}`
}

/** What flow a table's default drop says is missing, for the tables whose key is plain. */
function missing(table: number, p: PacketState, names: TraceNames): string | null {
  const dst = ipText(p.get('nw_dst') ?? 0n)
  const src = ipText(p.get('nw_src') ?? 0n)
  const arp = (p.get('dl_type') ?? 0n) === 0x806n
  switch (table) {
    case 10:
      return `no table 10 flow accepts VXLAN from tun_src=${ipText(p.get('tun_src') ?? 0n)}: that node's HostSubnet is not programmed here`
    case 20:
      return `no table 20 flow for in_port=${p.get('in_port')} with ${arp ? `arp_spa=${src}` : `nw_src=${src}`}: the source is not the pod of that port (spoofed, or the pod's flows are missing)`
    case 40:
      return `no table 40 flow for arp_tpa=${dst}: no local pod has that address`
    case 50: {
      const hs = names.hostSubnet?.(dst)
      return hs ? `no table 50 flow for arp_tpa=${dst}, though ${hs} holds it: the flow openshift-sdn programs for that HostSubnet is missing` : `no table 50 flow for arp_tpa=${dst}: no remote HostSubnet holds it`
    }
    case 60:
      return `no table 60 flow for the service ${dst}${(p.get('nw_proto') ?? 0n) !== 0n ? ` port ${p.get('tp_dst')}` : ''}: no such service, or not on that port`
    case 70:
      return `no table 70 flow for nw_dst=${dst}: no local pod has that address`
    case 80:
      return `table 80 let nothing through from VNID ${hex(p.get('reg0') ?? 0n)} to VNID ${hex(p.get('reg1') ?? 0n)}: isolation or a NetworkPolicy denies it`
    case 90: {
      const hs = names.hostSubnet?.(dst)
      return hs ? `no table 90 flow for nw_dst=${dst}, though ${hs} holds it: the flow openshift-sdn programs for that HostSubnet is missing` : `no table 90 flow for nw_dst=${dst}: no remote HostSubnet holds it (a missing HostSubnet flow)`
    }
    default:
      return null
  }
}

export function outputWords(o: TraceOutput, names: TraceNames): string {
  if (o.tunnel) {
    const dst = ipText(o.packet.get('tun_dst') ?? 0n)
    return `sent over VXLAN to ${names.address?.(dst) ?? dst} with VNID ${hex(o.packet.get('tun_id') ?? 0n)}`
  }
  if (o.port === 2) return 'out through tun0 (port 2)'
  return `delivered to ${names.port?.(o.port) ?? `port ${o.port}`}`
}

function passVerdict(p: TracePass, names: TraceNames): PassVerdict {
  const base = { recircId: p.recircId }
  if (p.branches.length && !p.outputs.length) {
    const words = p.branches.map((b) => `bucket ${b.bucket}: ${b.outputs.length ? b.outputs.map((o) => outputWords(o, names)).join('; ') : 'dropped'}`)
    return { ...base, kind: p.branches.some((b) => b.outputs.some((o) => o.tunnel)) ? 'vxlan' : 'delivered', text: `select group ${p.branches[0]?.group}, the switch picks one bucket by hash: ${words.join(' | ')}`, table: p.last?.table ?? null, flowLine: p.last?.flow?.line ?? null }
  }
  if (p.outputs.length) {
    const words = p.outputs.map((o) => outputWords(o, names))
    const first = p.outputs[0]
    const kind: VerdictKind = first?.tunnel ? 'vxlan' : first?.port === 2 ? 'tun0' : 'delivered'
    return { ...base, kind, text: `${words.join('; ')} (${tableName(first?.table ?? 0)})`, table: first?.table ?? null, flowLine: first?.flow.line ?? null }
  }
  if (p.forks.length) return { ...base, kind: 'recirculated', text: `through conntrack, resumed in ${p.forks.map(tableName).join(', ')}`, table: p.last?.table ?? null, flowLine: p.last?.flow?.line ?? null }
  const last = p.last
  if (!last) return { ...base, kind: 'error', text: 'no table was looked up', table: null, flowLine: null }
  if (!last.flow) return { ...base, kind: 'dropped', text: `dropped in ${tableName(last.table)}: no flow matched at all (the table has no default flow)`, table: last.table, flowLine: null }
  const isDefault = last.flow.priority === 0 && last.flow.matchCanon === ''
  const why = isDefault ? missing(last.table, p.end, names) : null
  const flowText = `${last.flow.matchCanon ? `${last.flow.matchCanon}, ` : ''}priority ${last.flow.priority} actions=${last.flow.actionsText}`
  return { ...base, kind: 'dropped', text: `dropped in ${tableName(last.table)} by ${isDefault ? 'its default flow' : 'the flow'} "${flowText}"${why ? `: ${why}` : ''}`, table: last.table, flowLine: last.flow.line }
}

/** Each pass's verdict, and the trace's in one sentence (the last pass decides where the packet ended). */
export function traceVerdict(r: TraceResult, names: TraceNames = {}): { passes: PassVerdict[]; summary: string } {
  const passes = r.passes.map((p) => passVerdict(p, names))
  const ended = passes.filter((v) => v.kind !== 'recirculated')
  const summary = ended.length ? ended.map((v) => (passes.length > 1 ? `pass ${v.recircId}: ${v.text}` : v.text)).join('; ') : (passes.at(-1)?.text ?? 'nothing traced')
  const extra = r.unmodelled.length ? ` (not modelled: ${r.unmodelled.map((u) => `${u.action} in table ${u.table}`).join(', ')})` : ''
  return { passes, summary: `${summary.charAt(0).toUpperCase()}${summary.slice(1)}${extra}` }
}
