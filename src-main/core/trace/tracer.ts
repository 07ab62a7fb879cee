// The offline tracer: a packet through a saved OpenFlow table, as `ovs-appctl ofproto/trace` walks it (OVS 3.1,
// ofproto/ofproto-dpif-xlate.c), without a switch. The highest-priority matching flow wins (ties are reported);
// goto_table and resubmit look up a table (resubmit with its own in_port for the lookup only, returning to the
// action list); load, move and set_field change the packet (bit ranges, masks); output (to a port or a register's
// port) is recorded, output to the input port skipped; ct(..., table=N) forks a recirculation that resumes in table
// N with the next --ct-next state (trk|new when none is left); depth and resubmit limits are OVS's. The trace is
// kept as OVS keeps it, a tree of nodes (print.ts prints it as ofproto/trace does). An action it does not model is
// reported in the tree and listed, never skipped silently.
//
// Pure: the flows come in parsed (a dump-flows capture), the packet as ofproto/trace's flow syntax or fields.
import type { FlowAction } from '../flows/actions'
import { flowActions, type Flow } from '../flows/flow'
import { ones, printValue, readMatch, type OvsMatch } from '../flows/masked'
import { applyFieldWrite, readSubfield, type PacketState } from '../flows/packet'
import { parseFieldRef } from '../flows/action-print'
import { ctStateBits, fieldDef, fieldDefs } from '../flows/vocabulary'
import { splitTopLevel } from '../parse/diagnostics'
import { ipv4ToNumber } from '../net/address'
import type { OvsGroup } from '../parse/ovs-groups'

export type TraceNodeType = 'table' | 'action' | 'detail' | 'warn' | 'error' | 'thaw' | 'bucket'

export interface TraceNode {
  type: TraceNodeType
  text: string
  subs: TraceNode[]
  /** A table node: the table, and the flow that matched (null: no flow matched). */
  table?: number
  flow?: Flow | null
}

export interface TraceOutput {
  port: number
  /** Output to a tunnel port (vxlan0): the packet leaves with the tunnel fields it has. */
  tunnel: boolean
  table: number
  flow: Flow
  /** The packet as it left. */
  packet: PacketState
}

export interface TracePass {
  /** 0 for the first pass; recirculations are numbered from 1 (OVS gives them switch-wide ids). */
  recircId: number
  /** The conntrack state this pass resumed with, as ofproto/trace prints it ("est|rpl|trk"); null in the first pass. */
  ctState: string | null
  /** The state was OVS's default (no --ct-next left). */
  ctDefault: boolean
  /** NAT simulated on resuming (the first address of the range). */
  nat: { action: string; before: PacketState; after: PacketState } | null
  /** The table it resumed in (recirculations). */
  resumeTable: number | null
  start: PacketState
  end: PacketState
  nodes: TraceNode[]
  outputs: TraceOutput[]
  /** ct(..., table=N) forks: the tables they resume in. */
  forks: number[]
  /** Select groups met in this pass, every bucket a branch (not in ofproto/trace's text: the switch does not say which). */
  branches: SelectBranch[]
  /** The last table looked up and the flow that matched there (the one that dropped it, when nothing was output). */
  last: { table: number; flow: Flow | null } | null
}

export interface TraceResult {
  passes: TracePass[]
  /** Actions the tracer does not model, as written, with their table. */
  unmodelled: { table: number; action: string }[]
  /** Flows of equal priority that both matched the packet in one lookup (OVS picks one of them arbitrarily). */
  ties: { table: number; priority: number; flows: Flow[] }[]
  errors: string[]
}

export interface TraceOptions {
  /** The conntrack state of each recirculation in turn (ofproto/trace's --ct-next): "trk,est,rpl", "+trk+est", "trk|new". */
  ctNext?: readonly string[]
  /** Tunnel ports (default: port 1, openshift-sdn's vxlan0). */
  tunnelPorts?: ReadonlySet<number>
  /** Port numbers the bridge has: output elsewhere is "Nonexistent output port". Unknown: every port exists. */
  ports?: ReadonlySet<number> | null
  /** The bridge's groups (ovs-ofctl dump-groups); unknown: a group action is reported as not modelled. */
  groups?: ReadonlyMap<number, OvsGroup> | null
}

/** A select group's buckets, each traced on its own copy of the packet: the switch picks one by hash. */
export interface SelectBranch {
  group: number
  bucket: number
  nodes: TraceNode[]
  outputs: TraceOutput[]
}

/** OVS's limits (MAX_DEPTH, MAX_RESUBMITS) and the recirculations a trace follows. */
export const traceLimits = { depth: 64, resubmits: 64 * 64, recirculations: 4096 } as const

interface Entry {
  flow: Flow
  match: OvsMatch
  actions: readonly FlowAction[]
}

/**
 * Flows of one table that match on the same fields with the same masks (a "tuple", as OVS's classifier groups
 * them): a hash of their masked values finds the candidates of a packet in one step.
 */
interface Tuple {
  dlType: number | null
  nwProto: number | null
  fields: [string, bigint][]
  maxPriority: number
  byKey: Map<string, Entry[]>
}

function tupleKey(dlType: number | null, nwProto: number | null, fields: readonly [string, bigint][]): string {
  return `${dlType ?? '*'}|${nwProto ?? '*'}|${fields.map(([slot, mask]) => `${slot}/${mask.toString(16)}`).join(',')}`
}

function valuesKey(values: readonly bigint[]): string {
  let k = ''
  for (const v of values) k += `${v.toString(16)},`
  return k
}

/**
 * A switch's flow tables for lookups. Each table's flows are grouped by the fields and masks they match (tuple
 * space search, as OVS's classifier does), each group hashed by its flows' values, groups tried from the highest
 * priority they hold down until none can beat the best match found: the same winner as trying every flow in
 * priority order, in a few hash lookups.
 */
export class FlowTables {
  private readonly tables = new Map<number, Tuple[]>()

  constructor(flows: readonly Flow[]) {
    const byTable = new Map<number, Map<string, Tuple>>()
    flows.forEach((f) => {
      const match = readMatch(f.matchText === '' ? [] : splitTopLevel(f.matchText))
      // A match no packet can meet (a port known by name only, an unknown field) is never looked up.
      if (match.unknown.length || [...match.fields.values()].some((v) => v.portName !== undefined)) return
      const fields = [...match.fields].map(([slot, v]): [string, bigint] => [slot, v.mask]).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      const tuples = byTable.get(f.table) ?? new Map<string, Tuple>()
      byTable.set(f.table, tuples)
      const tk = tupleKey(match.dlType, match.nwProto, fields)
      let t = tuples.get(tk)
      if (!t) {
        t = { dlType: match.dlType, nwProto: match.nwProto, fields, maxPriority: f.priority, byKey: new Map() }
        tuples.set(tk, t)
      }
      t.maxPriority = Math.max(t.maxPriority, f.priority)
      const key = valuesKey(fields.map(([slot]) => (match.fields.get(slot) as { value: bigint }).value))
      const list = t.byKey.get(key) ?? []
      list.push({ flow: f, match, actions: flowActions(f) })
      t.byKey.set(key, list)
    })
    for (const [table, tuples] of byTable) {
      for (const t of tuples.values()) for (const list of t.byKey.values()) list.sort((a, b) => b.flow.priority - a.flow.priority || a.flow.line - b.flow.line)
      this.tables.set(table, [...tuples.values()].sort((a, b) => b.maxPriority - a.maxPriority))
    }
  }

  /** The flow that wins in `table` for the packet, and any other of the same priority that matched too. */
  lookup(table: number, packet: PacketState): { entry: Entry | null; tied: Entry[] } {
    const tuples = this.tables.get(table)
    if (!tuples) return { entry: null, tied: [] }
    let best: Entry | null = null
    const tied: Entry[] = []
    const dl = packet.get('dl_type')
    const proto = packet.get('nw_proto')
    for (const t of tuples) {
      if (best && t.maxPriority < best.flow.priority) break
      if (t.dlType !== null && dl !== BigInt(t.dlType)) continue
      if (t.nwProto !== null && proto !== BigInt(t.nwProto)) continue
      const values: bigint[] = []
      let absent = false
      for (const [slot, mask] of t.fields) {
        const v = packet.get(slot)
        if (v === undefined) {
          absent = true
          break
        }
        values.push(v & mask)
      }
      if (absent) continue
      const list = t.byKey.get(valuesKey(values))
      const top = list?.[0]
      if (!list || !top) continue
      for (const e of list) {
        if (e.flow.priority !== top.flow.priority) break
        if (!best || e.flow.priority > best.flow.priority || (e.flow.priority === best.flow.priority && e.flow.line < best.flow.line)) {
          if (best && best.flow.priority === e.flow.priority) tied.push(best)
          else tied.length = 0
          best = e
        } else if (e.flow.priority === best.flow.priority) tied.push(e)
      }
    }
    return { entry: best, tied }
  }
}

const storageSlots = [...new Set(fieldDefs.map((d) => d.storage))]

/** Reads ct_state flags in any of the forms ofproto/trace takes: "trk|est", "trk,est", "+trk+est". */
export function parseCtState(text: string): bigint | null {
  const names = text.split(/[|,+]/).map((s) => s.trim().toLowerCase()).filter(Boolean)
  let v = 0n
  for (const n of names) {
    const bit = ctStateBits.find(([name]) => name === n)
    if (!bit) return null
    v |= BigInt(bit[1])
  }
  return v
}

/** ct_state as ofproto/trace prints it: flag names by bit order, joined by "|". */
export function ctStateText(v: bigint): string {
  return ctStateBits.filter(([, b]) => (v & BigInt(b)) !== 0n).map(([n]) => n).join('|')
}

/**
 * A packet from ofproto/trace's flow syntax ("in_port=3,tcp,nw_src=10.129.0.2,nw_dst=172.30.0.1,tp_dst=443"): every
 * field of the switch's flow is there, zero unless given, as in OVS. Port names resolve through `portNumbers`.
 */
export function packetFromFlow(text: string, portNumbers: ReadonlyMap<string, number> = new Map()): { packet: PacketState; problems: string[] } {
  const packet: PacketState = new Map()
  for (const s of storageSlots) packet.set(s, 0n)
  for (let r = 0; r < 16; r++) packet.set(`reg${r}`, 0n)
  packet.set('dl_type', 0n)
  packet.set('nw_proto', 0n)
  const problems: string[] = []
  const items: string[] = []
  for (const raw of splitTopLevel(text.trim())) {
    const item = raw.trim()
    if (item === '') continue
    const eq = item.indexOf('=')
    const name = eq < 0 ? item : item.slice(0, eq).trim().toLowerCase()
    const value = eq < 0 ? '' : item.slice(eq + 1).trim()
    if (name === 'ct_state') {
      const v = parseCtState(value)
      if (v === null) problems.push(`ct_state=${value}: not a conntrack state (flags like trk|est|rpl)`)
      else packet.set('ct_state', v)
      continue
    }
    if (name === 'in_port' && !/^\d+$/.test(value)) {
      const n = portNumbers.get(value)
      if (n === undefined) problems.push(`in_port=${value}: no port of that name (give the port list, or its number)`)
      else packet.set('in_port', BigInt(n))
      continue
    }
    if (name === 'recirc_id' || name === 'dp_hash') continue
    items.push(item)
  }
  const m = readMatch(items)
  problems.push(...m.problems, ...m.unknown.map((u) => `${u}: not a field`))
  // ofproto/trace reads a packet strictly (parse_ofp_exact_flow): tp_src is tcp_src, so it needs TCP; udp_src UDP.
  for (const item of items) {
    const name = item.split('=')[0]?.trim().toLowerCase() ?? ''
    const want = /^(?:tp|tcp)_(?:src|dst)$/.test(name) ? 6 : /^udp_(?:src|dst)$/.test(name) ? 17 : /^sctp_(?:src|dst)$/.test(name) ? 132 : null
    if (want !== null && m.nwProto !== want) problems.push(`${name}: prerequisites not met (${name} needs ${want === 6 ? 'tcp' : want === 17 ? 'udp' : 'sctp'}${want === 6 ? '; for UDP write udp_src/udp_dst' : ''})`)
  }
  if (m.dlType !== null) packet.set('dl_type', BigInt(m.dlType))
  if (m.nwProto !== null) packet.set('nw_proto', BigInt(m.nwProto))
  for (const [slot, v] of m.fields) {
    if (v.mask !== ones(v.def.bits)) problems.push(`${v.def.name}: a packet has values, not masks`)
    packet.set(slot, v.value)
  }
  return { packet, problems }
}

const reservedPorts: Record<string, number> = { IN_PORT: 0xfff8, TABLE: 0xfff9, NORMAL: 0xfffa, FLOOD: 0xfffb, ALL: 0xfffc, CONTROLLER: 0xfffd, LOCAL: 0xfffe, NONE: 0xffff }

/** A value as ofproto/trace reports a field after a move: the whole field in its own format, a part of it in hex. */
function subfieldValue(state: PacketState, ref: string): string {
  const r = parseFieldRef(ref)
  const def = r ? fieldDef(r.name.replace(/^NXM_NX_|^NXM_OF_|^OXM_OF_/i, '')) ?? fieldDef(r.name) : undefined
  const v = readSubfield(state, ref)
  if (v === null) return '?'
  const whole = !r || ((r.start ?? 0) === 0 && (r.end === null || r.end === undefined || (def !== undefined && r.end >= def.bits - 1)))
  if (whole && def) return printValue(def.name, { def, value: v, mask: ones(def.bits) }).slice(def.name.length + 1)
  // ds_put_hex: the value's bytes from the first non-zero one, which is printed unpadded: plain hex.
  return v === 0n ? '0' : `0x${v.toString(16)}`
}

interface Pending {
  table: number
  state: PacketState
  nat: string | null
}

interface Ctx {
  tables: FlowTables
  opts: TraceOptions
  state: PacketState
  result: TraceResult
  pass: TracePass
  list: TraceNode[]
  table: number
  depth: number
  resubmits: number
  exit: boolean
  pending: Pending[]
}

const node = (ctx: Ctx, type: TraceNodeType, text: string): TraceNode => {
  const n: TraceNode = { type, text, subs: [] }
  ctx.list.push(n)
  return n
}

const pad2 = (n: number) => (n < 10 ? ` ${n}` : String(n))

function tableText(f: Flow): string {
  const match = f.matchCanon
  return `${match ? `${match}, ` : ''}priority ${f.priority}${f.cookie !== '0x0' ? `, cookie ${f.cookie}` : ''}`
}

function lookupTable(ctx: Ctx, inPort: bigint, table: number): void {
  if (ctx.depth >= traceLimits.depth) {
    node(ctx, 'error', `over max translation depth ${traceLimits.depth}`)
    ctx.exit = true
    return
  }
  if (ctx.resubmits >= traceLimits.resubmits) {
    node(ctx, 'error', `over ${traceLimits.resubmits} resubmit actions`)
    ctx.exit = true
    return
  }
  const oldTable = ctx.table
  ctx.table = table
  // The lookup sees the given in_port; the actions run with the packet's own.
  const own = ctx.state.get('in_port') ?? 0n
  ctx.state.set('in_port', inPort)
  const { entry, tied } = ctx.tables.lookup(table, ctx.state)
  ctx.state.set('in_port', own)
  if (tied.length && entry) ctx.result.ties.push({ table, priority: entry.flow.priority, flows: [entry.flow, ...tied.map((t) => t.flow)] })
  ctx.pass.last = { table, flow: entry?.flow ?? null }
  const n = node(ctx, 'table', `${pad2(table)}. ${entry ? tableText(entry.flow) : 'No match.'}`)
  n.table = table
  n.flow = entry?.flow ?? null
  const saved = ctx.list
  ctx.list = n.subs
  ctx.resubmits++
  const deepens = table <= oldTable ? 1 : 0
  ctx.depth += deepens
  runActions(ctx, entry ? entry.actions : [], entry?.flow ?? null)
  ctx.depth -= deepens
  ctx.list = saved
  ctx.table = oldTable
}

function output(ctx: Ctx, port: number, flow: Flow): void {
  const inPort = Number(ctx.state.get('in_port') ?? 0n)
  if (port === inPort) {
    node(ctx, 'warn', 'skipping output to input port')
    return
  }
  if (ctx.opts.ports && !ctx.opts.ports.has(port) && port < 0xff00) {
    node(ctx, 'warn', 'Nonexistent output port')
    return
  }
  const tunnel = (ctx.opts.tunnelPorts ?? new Set([1])).has(port)
  if (tunnel) node(ctx, 'detail', 'output to native tunnel')
  ctx.pass.outputs.push({ port, tunnel, table: ctx.table, flow, packet: new Map(ctx.state) })
}

const clearConntrack = (s: PacketState) => {
  for (const k of ['ct_state', 'ct_zone', 'ct_mark', 'ct_label', 'ct_nw_src', 'ct_nw_dst', 'ct_ipv6_src', 'ct_ipv6_dst', 'ct_nw_proto', 'ct_tp_src', 'ct_tp_dst']) if (s.has(k)) s.set(k, 0n)
}

function unmodelled(ctx: Ctx, a: FlowAction): void {
  node(ctx, 'warn', `${a.text}: not modelled by the offline tracer`)
  ctx.result.unmodelled.push({ table: ctx.table, action: a.text })
}

function runActions(ctx: Ctx, actions: readonly FlowAction[], flow: Flow | null): void {
  if (actions.length === 0) {
    node(ctx, 'action', 'drop')
    return
  }
  for (const a of actions) {
    if (ctx.exit) break
    node(ctx, 'action', a.text)
    switch (a.type) {
      case 'drop':
      case 'note':
        break
      case 'goto_table':
        lookupTable(ctx, ctx.state.get('in_port') ?? 0n, a.table)
        break
      case 'resubmit': {
        if (a.ct) {
          unmodelled(ctx, a)
          break
        }
        const inPort = a.port === null ? (ctx.state.get('in_port') ?? 0n) : /^\d+$/.test(a.port) ? BigInt(a.port) : a.port.toUpperCase() === 'IN_PORT' ? (ctx.state.get('in_port') ?? 0n) : null
        if (inPort === null) {
          unmodelled(ctx, a)
          break
        }
        lookupTable(ctx, inPort, a.table ?? ctx.table)
        break
      }
      case 'load':
      case 'set_field': {
        const why = applyFieldWrite(ctx.state, a)
        if (why) node(ctx, 'error', why)
        break
      }
      case 'move': {
        const why = applyFieldWrite(ctx.state, a)
        if (why) node(ctx, 'error', why)
        else node(ctx, 'detail', `${a.dst} is now ${subfieldValue(ctx.state, a.dst)}`)
        break
      }
      case 'output': {
        if (!flow) break
        if (a.field !== null) {
          const v = readSubfield(ctx.state, a.field)
          if (v === null || v > 0xffffn) {
            node(ctx, 'error', `${a.text}: no port in ${a.field}`)
            break
          }
          node(ctx, 'detail', `output port is ${v}`)
          output(ctx, Number(v), flow)
          break
        }
        const named = typeof a.port === 'string' ? reservedPorts[a.port.toUpperCase()] : undefined
        if (typeof a.port === 'number') output(ctx, a.port, flow)
        else if (named === reservedPorts.IN_PORT) {
          const p = Number(ctx.state.get('in_port') ?? 0n)
          ctx.pass.outputs.push({ port: p, tunnel: (ctx.opts.tunnelPorts ?? new Set([1])).has(p), table: ctx.table, flow, packet: new Map(ctx.state) })
        } else if (named === reservedPorts.LOCAL) output(ctx, 0xfffe, flow)
        else if (/^\d+$/.test(String(a.port))) output(ctx, Number(a.port), flow)
        else unmodelled(ctx, a)
        break
      }
      case 'ct':
        conntrack(ctx, a)
        break
      case 'other': {
        if (a.name.toLowerCase() === 'group') {
          group(ctx, a, flow)
          break
        }
        // Shorthands that are field writes (mod_dl_dst, set_tunnel, mod_nw_src…) are applied as such.
        const why = applyFieldWrite(ctx.state, a)
        if (why !== null || !writes.has(a.name.toLowerCase())) unmodelled(ctx, a)
        break
      }
    }
  }
}

/**
 * group:N. An all or indirect group runs every bucket (indirect: its one) on the packet as it came, each under a
 * "bucket N" node, as OVS's xlate_group_bucket does. A select group is decided by a hash OVS's trace does not compute
 * ("no live bucket"): that is what the trace says, and every bucket is traced as a branch beside it.
 */
function group(ctx: Ctx, a: FlowAction, flow: Flow | null): void {
  const id = a.type === 'other' && a.arg !== null && /^\d+$/.test(a.arg) ? Number(a.arg) : null
  const g = id === null ? undefined : ctx.opts.groups?.get(id)
  if (!ctx.opts.groups || id === null) return unmodelled(ctx, a)
  if (!g) {
    node(ctx, 'warn', `output to nonexistent group ${id}`)
    return
  }
  const runBucket = (b: OvsGroup['buckets'][number]) => {
    const saved = new Map(ctx.state)
    ctx.depth++
    runActions(ctx, b.actions, flow)
    ctx.depth--
    // Each bucket sees the packet as the group got it.
    ctx.state.clear()
    for (const [k, v] of saved) ctx.state.set(k, v)
  }
  if (g.type === 'select') {
    node(ctx, 'detail', 'no live bucket')
    for (const b of g.buckets) {
      const savedList = ctx.list
      const savedOutputs = ctx.pass.outputs
      const branch: SelectBranch = { group: g.id, bucket: b.id, nodes: [], outputs: [] }
      ctx.list = branch.nodes
      ctx.pass.outputs = branch.outputs
      runBucket(b)
      ctx.list = savedList
      ctx.pass.outputs = savedOutputs
      ctx.pass.branches.push(branch)
    }
    return
  }
  for (const b of g.type === 'indirect' ? g.buckets.slice(0, 1) : g.buckets) {
    const n = node(ctx, 'bucket', `bucket ${b.id}`)
    const saved = ctx.list
    ctx.list = n.subs
    runBucket(b)
    ctx.list = saved
  }
}

/** The 'other' actions applyFieldWrite applies (the rest are reported as not modelled). */
const writes = new Set(['mod_dl_src', 'mod_dl_dst', 'mod_nw_src', 'mod_nw_dst', 'mod_nw_tos', 'mod_nw_ecn', 'mod_nw_ttl', 'mod_tp_src', 'mod_tp_dst', 'set_tunnel', 'set_tunnel64'])

function conntrack(ctx: Ctx, a: Extract<FlowAction, { type: 'ct' }>): void {
  // The nested actions run as listed (OVS reports each): nat, then exec's field writes (a nat written inside exec
  // is the connection's NAT too).
  let nat = a.nat
  // OVS translates the nested list as any action list: an empty one reports "drop".
  if (!a.nat && a.exec.length === 0) node(ctx, 'action', 'drop')
  if (a.nat && a.natFirst) node(ctx, 'action', a.nat)
  for (const x of a.exec) {
    node(ctx, 'action', x.text)
    if (x.type === 'other' && x.name === 'nat') {
      nat = x.text
      continue
    }
    const why = applyFieldWrite(ctx.state, x)
    if (why) node(ctx, 'error', why)
  }
  if (a.nat && !a.natFirst) node(ctx, 'action', a.nat)
  if (a.table !== null) {
    const frozen = new Map(ctx.state)
    // The recirculated packet is in the connection's zone: a number, or a field's value.
    if (a.zone !== null) {
      const zone = /^\d+$/.test(a.zone) ? BigInt(a.zone) : readSubfield(ctx.state, a.zone)
      if (zone !== null) frozen.set('ct_zone', zone & 0xffffn)
    }
    ctx.pending.push({ table: a.table, state: frozen, nat })
    ctx.pass.forks.push(a.table)
    node(ctx, 'detail', `A clone of the packet is forked to recirculate. The forked pipeline will be resumed at table ${a.table}.`)
  }
  clearConntrack(ctx.state)
  node(ctx, 'detail', 'Sets the packet to an untracked state, and clears all the conntrack fields.')
}

/** nat(dst=A[-B][:P[-Q]]) / nat(src=…): the first address (and port) of the range, as ofproto/trace simulates it. */
function simulateNat(nat: string, s: PacketState): boolean {
  const m = /^nat\((src|dst)=([0-9.]+)(?:-[0-9.]+)?(?::(\d+)(?:-\d+)?)?/.exec(nat)
  if (!m) return false
  const ip = ipv4ToNumber(m[2] as string)
  if (ip === null) return false
  s.set(m[1] === 'src' ? 'nw_src' : 'nw_dst', BigInt(ip))
  if (m[3]) s.set(m[1] === 'src' ? 'tp_src' : 'tp_dst', BigInt(m[3]))
  return true
}

function newPass(recircId: number, state: PacketState): TracePass {
  return { recircId, ctState: null, ctDefault: false, nat: null, resumeTable: null, start: new Map(state), end: state, nodes: [], outputs: [], forks: [], branches: [], last: null }
}

/** Traces a packet through the tables from table 0, and each recirculation it forks, in the order OVS follows them. */
export function trace(tables: FlowTables, packet: PacketState, opts: TraceOptions = {}): TraceResult {
  const result: TraceResult = { passes: [], unmodelled: [], ties: [], errors: [] }
  const ctNext = [...(opts.ctNext ?? [])]
  const queue: Pending[] = []
  const run = (pass: TracePass, table: number, resumed: boolean) => {
    const ctx: Ctx = { tables, opts, state: pass.end, result, pass, list: pass.nodes, table: resumed ? table : 0, depth: 0, resubmits: 0, exit: false, pending: [] }
    if (resumed) {
      const thaw = node(ctx, 'thaw', 'thaw')
      thaw.subs.push({ type: 'thaw', text: `Resuming from table ${table}`, subs: [] })
    }
    lookupTable(ctx, pass.end.get('in_port') ?? 0n, table)
    queue.push(...ctx.pending)
    result.passes.push(pass)
  }
  run(newPass(0, new Map(packet)), 0, false)
  for (let id = 1; queue.length && id <= traceLimits.recirculations; id++) {
    const p = queue.shift() as Pending
    const state = new Map(p.state)
    state.set('recirc_id', BigInt(id))
    const next = ctNext.shift()
    let ct = next === undefined ? BigInt(0x21) : parseCtState(next)
    if (ct === null) {
      result.errors.push(`--ct-next ${next}: not a conntrack state`)
      ct = BigInt(0x21)
    }
    state.set('ct_state', ct)
    const pass = newPass(id, state)
    pass.ctState = ctStateText(ct)
    pass.ctDefault = next === undefined
    pass.resumeTable = p.table
    if (p.nat) {
      const before = new Map(state)
      simulateNat(p.nat, state)
      pass.nat = { action: p.nat, before, after: new Map(state) }
    }
    pass.start = new Map(state)
    run(pass, p.table, true)
  }
  return result
}
