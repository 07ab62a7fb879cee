// The actions of Open vSwitch 3.1 (ovs-actions(7)) as one declarative table: every name ovs-ofctl reads,
// how it is written, what the flow must match for the switch to take it, and how the switch prints it
// back after a round trip through OpenFlow 1.3 (lib/ofp-actions.c format_*, lib/learn.c learn_format).
// The action reader (actions.ts) names, checks and prints every action through this table; the typed
// actions the SDN checks read (output, resubmit, load, move, set_field, ct, note) are printed in
// actions.ts from their typed form, and their rows here say so. No other list of actions exists.
import { hex, printFieldRef, printOutput, printSetField, setFieldName, setFieldValue, big } from './action-print'
import { fieldDef } from './vocabulary'

/**
 * What a printer knows of the flow around the action: the L4 protocol its match names (mod_tp_src prints
 * as tcp_src or udp_src) and whether the packet has a VLAN tag at this point (mod_vlan_vid pushes one when
 * it has none). `vlan` is updated by the actions as the list is printed.
 */
export interface ActionContext {
  l4: 'tcp' | 'udp' | 'sctp' | null
  vlan: boolean
}

export type ActionFamily =
  | 'output'
  | 'vlan'
  | 'mpls'
  | 'encap'
  | 'field'
  | 'header'
  | 'tunnel'
  | 'queue'
  | 'conntrack'
  | 'learn'
  | 'control'
  | 'instruction'
  | 'debug'

/** How the action is written: `name`, `name:arg`, `name(arg)`; check_pkt_larger is `name(arg)->dst`. */
export type ActionForm = 'bare' | 'colon' | 'paren'

/** What the flow must match for the switch to accept the action (the round-trip test builds its flows from this). */
export type ActionNeeds = 'any' | 'ip' | 'l4' | 'tcp' | 'mpls' | 'vlan' | 'nsh' | 'alone'

export interface PrintArgs {
  arg: string | null
  paren: boolean
  ctx: ActionContext
  /** The canonical text of a nested action list (clone, write_actions), printed in this context. */
  nested: (text: string, ctx: ActionContext) => string
  split: (text: string) => string[]
}

export interface ActionDef {
  name: string
  /** Other names ovs-ofctl reads for the same action (case-insensitive). */
  aliases?: readonly string[]
  family: ActionFamily
  forms: readonly ActionForm[]
  needs: ActionNeeds
  /** Printed from the typed action in actions.ts (the SDN checks read these typed). */
  typed?: boolean
  /** ovs-ofctl cannot decode it in a dump (OVS's debug actions): compared as written. */
  undumpable?: boolean
  /** How the switch prints it; null when the text cannot be read (then it is compared as written). */
  print?: (p: PrintArgs) => string | null
  /** What the switch turns a shorthand into (mod_nw_dst -> set_field): also what the tracer applies. */
  expand?: (arg: string | null, ctx: ActionContext) => string[] | null
}

/** atoi: the leading decimal digits (OVS reads learn's timeouts and dec_ttl's ids this way: "0x10" is 0). */
function atoi(text: string): number {
  const m = /^\s*[+-]?\d+/.exec(text)
  return m ? Number(m[0]) : 0
}

const num = (arg: string | null): bigint | null => (arg === null ? null : big(arg))

/** An action with a number argument printed in decimal ("set_queue:0x3" -> "set_queue:3"). */
const decimalArg = (name: string) => (p: PrintArgs) => {
  const n = num(p.arg)
  return n === null ? null : `${name}:${n}`
}

/** An ethertype argument as 0x%04x ("pop_mpls:2048" -> "pop_mpls:0x0800"). */
const ethertypeArg = (name: string) => (p: PrintArgs) => {
  const n = num(p.arg)
  return n === null ? null : `${name}:0x${n.toString(16).padStart(4, '0')}`
}

const bare = (name: string) => (p: PrintArgs) => (p.arg === null || (p.paren && p.arg.trim() === '') ? name : null)

function vlanWrite(field: 'vlan_vid' | 'vlan_pcp', push: boolean) {
  return (arg: string | null, ctx: ActionContext): string[] | null => {
    const n = num(arg)
    if (n === null) return null
    const out = push && !ctx.vlan ? ['push_vlan:0x8100'] : []
    ctx.vlan = true
    return [...out, `set_field:${field === 'vlan_vid' ? n | 0x1000n : n}->${field}`]
  }
}

const fromExpand = (p: PrintArgs, e: ActionDef['expand']) => {
  const x = e?.(p.arg, p.ctx)
  return x ? x.join(',') : null
}

/** nat(...) as format_NAT prints it: src/dst, a range collapsed when both ends are equal, flags in their order. */
export function printNat(text: string): string {
  const m = /^nat(?:\((.*)\))?$/.exec(text.trim())
  if (!m || m[1] === undefined || m[1].trim() === '') return 'nat'
  const parts = m[1].split(',').map((x) => x.trim()).filter(Boolean)
  let kind: string | null = null
  let range = ''
  const flags = new Set<string>()
  for (const p of parts) {
    const kv = /^(src|dst)(?:=(.*))?$/.exec(p)
    if (kv) {
      kind = kv[1] as string
      range = kv[2] ?? ''
    } else flags.add(p)
  }
  if (kind === null) return `nat(${parts.join(',')})`
  let body = kind
  if (range !== '') {
    // addr[-addr][:port[-port]]; IPv6 addresses are in brackets.
    const r = /^(\[[^\]]*\]|[^:\-[]+)(?:-(\[[^\]]*\]|[^:\-[]+))?(?::(\d+)(?:-(\d+))?)?$/.exec(range)
    if (r) {
      const [lo, hi, plo, phi] = [r[1] as string, r[2], r[3], r[4]]
      body += `=${lo}${hi !== undefined && hi !== lo ? `-${hi}` : ''}`
      if (plo !== undefined && Number(plo) !== 0) body += `:${Number(plo)}${phi !== undefined && Number(phi) !== Number(plo) ? `-${Number(phi)}` : ''}`
    } else body += `=${range}`
  }
  const order = ['persistent', 'hash', 'random']
  const printed = [...order.filter((f) => flags.has(f)), ...[...flags].filter((f) => !order.includes(f)).sort()]
  return `nat(${[body, ...printed].join(',')})`
}

/** learn(...)'s properties in the order learn_format prints them, before its specs. */
const learnTimes = ['idle_timeout', 'hard_timeout', 'fin_idle_timeout', 'fin_hard_timeout', 'priority'] as const

function isFieldRef(text: string): boolean {
  const m = /^([A-Za-z][A-Za-z0-9_]*)(\[[\d.]*\])?$/.exec(text.trim())
  if (!m) return false
  return m[2] !== undefined || fieldDef(m[1] as string) !== undefined || /^(x{0,2})reg\d+$/i.test(m[1] as string)
}

/**
 * learn(...) as learn_format prints it: table (1 unless given), the timeouts and priority (read by OVS with
 * atoi, printed when not their default), send_flow_rem, delete_learned, cookie in hex, limit, result_dst, then
 * each spec: `field=value` with the field's own name and value format, `DST[=SRC]` with NXM names (SRC left out
 * when it is DST itself), load:… and output:… with NXM names.
 */
function printLearn(arg: string, split: (s: string) => string[]): string {
  let table = '1'
  const times = new Map<string, number>()
  const flags = new Set<string>()
  let cookie: bigint | null = null
  let limit: bigint | null = null
  let resultDst: string | null = null
  const specs: string[] = []
  for (const raw of split(arg)) {
    const p = raw.trim()
    if (p === '') continue
    const eq = p.indexOf('=')
    const key = eq < 0 ? p : p.slice(0, eq)
    const value = eq < 0 ? '' : p.slice(eq + 1)
    if (key === 'table' && eq > 0) table = value
    else if ((learnTimes as readonly string[]).includes(key) && eq > 0) times.set(key, atoi(value))
    else if (key === 'cookie' && eq > 0) cookie = big(value)
    else if (key === 'limit' && eq > 0) limit = big(value)
    else if (key === 'result_dst' && eq > 0) resultDst = printFieldRef(value)
    else if (eq < 0 && (p === 'send_flow_rem' || p === 'delete_learned')) flags.add(p)
    else if (p.startsWith('load:')) {
      const arrow = p.indexOf('->')
      const src = p.slice(5, arrow)
      const v = big(src)
      specs.push(`load:${isFieldRef(src) ? printFieldRef(src) : v === null ? src : hex(v)}->${printFieldRef(p.slice(arrow + 2))}`)
    } else if (p.startsWith('output:')) specs.push(`output:${printFieldRef(p.slice(7))}`)
    else if (eq > 0) {
      if (isFieldRef(value)) {
        const dst = printFieldRef(key)
        const src = printFieldRef(value)
        specs.push(dst === src ? dst : `${dst}=${src}`)
      } else if (key.includes('[')) {
        const v = big(value)
        specs.push(`${printFieldRef(key)}=${v === null ? value : hex(v)}`)
      } else {
        const name = setFieldName(key)
        specs.push(`${name}=${setFieldValue(fieldDef(name) ?? undefined, value)}`)
      }
    } else specs.push(isFieldRef(p) ? printFieldRef(p) : p)
  }
  const head = [`table=${table}`]
  for (const k of learnTimes) {
    const v = times.get(k)
    if (v === undefined) continue
    const dflt = k === 'priority' ? 32768 : 0
    if (v !== dflt) head.push(`${k}=${v}`)
  }
  if (flags.has('send_flow_rem')) head.push('send_flow_rem')
  if (flags.has('delete_learned')) head.push('delete_learned')
  if (cookie !== null && cookie !== 0n) head.push(`cookie=0x${cookie.toString(16)}`)
  if (limit !== null && limit !== 0n) head.push(`limit=${limit}`)
  if (resultDst !== null) head.push(`result_dst=${resultDst}`)
  return `learn(${[...head, ...specs].join(',')})`
}

/** controller(...) as format_CONTROLLER prints it: CONTROLLER:max_len when nothing else is set. */
function printController(p: PrintArgs): string | null {
  if (p.arg === null) return 'CONTROLLER:65535'
  if (!p.paren) {
    const n = num(p.arg)
    return n === null ? null : `CONTROLLER:${n}`
  }
  let reason = 'action'
  let maxLen = 65535n
  let id = 0n
  let userdata: string | null = null
  let pause = false
  let meter: bigint | null = null
  for (const part of p.arg.split(',').map((x) => x.trim()).filter(Boolean)) {
    const eq = part.indexOf('=')
    const k = eq < 0 ? part : part.slice(0, eq)
    const v = eq < 0 ? '' : part.slice(eq + 1)
    if (k === 'reason') reason = v
    else if (k === 'max_len') maxLen = big(v) ?? maxLen
    else if (k === 'id') id = big(v) ?? id
    else if (k === 'userdata') userdata = (v.replace(/\./g, '').match(/../g) ?? []).join('.').toLowerCase()
    else if (k === 'pause') pause = true
    else if (k === 'meter_id') meter = big(v)
    else return null
  }
  if (reason === 'action' && id === 0n && !userdata && !pause && meter === null) return `CONTROLLER:${maxLen}`
  const out: string[] = []
  if (reason !== 'action') out.push(`reason=${reason}`)
  if (maxLen !== 65535n) out.push(`max_len=${maxLen}`)
  if (id !== 0n) out.push(`id=${id}`)
  if (userdata) out.push(`userdata=${userdata}`)
  if (pause) out.push('pause')
  if (meter !== null) out.push(`meter_id=${meter}`)
  return `controller(${out.join(',')})`
}

/** output(port=P,max_len=N): a truncating output. */
function printOutputTrunc(arg: string): string | null {
  let port: string | null = null
  let maxLen: bigint | null = null
  for (const part of arg.split(',').map((x) => x.trim())) {
    const [k, v = ''] = part.split('=')
    if (k === 'port') port = v
    else if (k === 'max_len') maxLen = big(v)
    else return null
  }
  if (port === null || maxLen === null) return null
  const n = big(port)
  const printed = printOutput(n === null ? port : Number(n)).replace(/^output:/, '')
  return `output(port=${printed},max_len=${maxLen})`
}

/** sample(...) in format_SAMPLE's order (the two observation ids default to 0), then the rest as written. */
function printSample(p: PrintArgs): string | null {
  if (!p.paren || p.arg === null) return null
  const order = ['probability', 'collector_set_id', 'obs_domain_id', 'obs_point_id']
  const kv = new Map<string, string>()
  const rest: string[] = []
  for (const part of p.split(p.arg).map((x) => x.trim()).filter(Boolean)) {
    const eq = part.indexOf('=')
    const k = eq < 0 ? part : part.slice(0, eq)
    if (order.includes(k)) kv.set(k, String(big(part.slice(eq + 1)) ?? part.slice(eq + 1)))
    else rest.push(part)
  }
  if (!kv.has('obs_domain_id')) kv.set('obs_domain_id', '0')
  if (!kv.has('obs_point_id')) kv.set('obs_point_id', '0')
  return `sample(${[...order.filter((k) => kv.has(k)).map((k) => `${k}=${kv.get(k)}`), ...rest].join(',')})`
}

const setFieldOf = (field: string) => (arg: string | null): string[] | null => (arg === null ? null : [printSetField(arg, field)])

export const actionDefs: readonly ActionDef[] = [
  // ---- output ----
  {
    name: 'output',
    family: 'output',
    forms: ['colon', 'paren'],
    needs: 'any',
    typed: true,
    print: (p) => (p.paren && p.arg !== null ? printOutputTrunc(p.arg) : null)
  },
  { name: 'in_port', family: 'output', forms: ['bare'], needs: 'any', typed: true },
  { name: 'normal', family: 'output', forms: ['bare'], needs: 'any', typed: true },
  { name: 'flood', family: 'output', forms: ['bare'], needs: 'any', typed: true },
  { name: 'all', family: 'output', forms: ['bare'], needs: 'any', typed: true },
  { name: 'local', family: 'output', forms: ['bare'], needs: 'any', typed: true },
  { name: 'controller', family: 'output', forms: ['bare', 'colon', 'paren'], needs: 'any', print: printController },
  { name: 'drop', family: 'output', forms: ['bare'], needs: 'any', typed: true },
  {
    name: 'enqueue',
    family: 'queue',
    forms: ['colon', 'paren'],
    needs: 'any',
    expand: (arg) => {
      if (arg === null) return null
      const [port, queue] = arg.split(/[:,]/)
      if (port === undefined || queue === undefined) return null
      const q = big(queue)
      const n = big(port)
      return [`set_queue:${q ?? queue}`, printOutput(n !== null ? Number(n) : port), 'pop_queue']
    }
  },
  {
    name: 'bundle',
    family: 'output',
    forms: ['paren'],
    needs: 'any',
    print: (p) => (p.paren && p.arg !== null ? `bundle(${p.arg.split(',').map((x) => x.trim()).join(',')})` : null)
  },
  {
    name: 'bundle_load',
    family: 'output',
    forms: ['paren'],
    needs: 'any',
    print: (p) => {
      if (!p.paren || p.arg === null) return null
      const parts = p.arg.split(',').map((x) => x.trim())
      if (parts.length < 6) return null
      parts[4] = printFieldRef(parts[4] as string)
      return `bundle_load(${parts.join(',')})`
    }
  },
  { name: 'group', family: 'output', forms: ['colon'], needs: 'any', print: decimalArg('group') },
  // ---- VLAN ----
  { name: 'strip_vlan', aliases: ['pop_vlan'], family: 'vlan', forms: ['bare'], needs: 'vlan', print: (p) => ((p.ctx.vlan = false), 'pop_vlan') },
  {
    name: 'push_vlan',
    family: 'vlan',
    forms: ['colon'],
    needs: 'any',
    print: (p) => {
      const n = num(p.arg)
      if (n === null) return null
      p.ctx.vlan = true
      return `push_vlan:0x${n.toString(16)}`
    }
  },
  { name: 'mod_vlan_vid', family: 'vlan', forms: ['colon'], needs: 'any', expand: vlanWrite('vlan_vid', true), print: (p) => fromExpand(p, vlanWrite('vlan_vid', true)) },
  { name: 'mod_vlan_pcp', family: 'vlan', forms: ['colon'], needs: 'any', expand: vlanWrite('vlan_pcp', true), print: (p) => fromExpand(p, vlanWrite('vlan_pcp', true)) },
  { name: 'set_vlan_vid', family: 'vlan', forms: ['colon'], needs: 'vlan', expand: vlanWrite('vlan_vid', false), print: (p) => fromExpand(p, vlanWrite('vlan_vid', false)) },
  { name: 'set_vlan_pcp', family: 'vlan', forms: ['colon'], needs: 'vlan', expand: vlanWrite('vlan_pcp', false), print: (p) => fromExpand(p, vlanWrite('vlan_pcp', false)) },
  // ---- MPLS ----
  { name: 'push_mpls', family: 'mpls', forms: ['colon'], needs: 'ip', print: ethertypeArg('push_mpls') },
  { name: 'pop_mpls', family: 'mpls', forms: ['colon'], needs: 'mpls', print: ethertypeArg('pop_mpls') },
  { name: 'set_mpls_label', family: 'mpls', forms: ['colon', 'paren'], needs: 'mpls', expand: (a) => (num(a) === null ? null : [`set_field:${num(a)}->mpls_label`]) },
  { name: 'set_mpls_tc', family: 'mpls', forms: ['colon', 'paren'], needs: 'mpls', expand: (a) => (num(a) === null ? null : [`set_field:${num(a)}->mpls_tc`]) },
  { name: 'set_mpls_ttl', family: 'mpls', forms: ['colon', 'paren'], needs: 'mpls', print: (p) => (num(p.arg) === null ? null : `set_mpls_ttl(${num(p.arg)})`) },
  { name: 'dec_mpls_ttl', family: 'mpls', forms: ['bare'], needs: 'mpls', print: bare('dec_mpls_ttl') },
  // ---- encapsulation ----
  {
    name: 'encap',
    family: 'encap',
    forms: ['paren'],
    needs: 'any',
    print: (p) => (p.paren && p.arg !== null ? `encap(${p.arg.replace(/\s+/g, '')})` : null)
  },
  {
    name: 'decap',
    family: 'encap',
    forms: ['bare', 'paren'],
    needs: 'any',
    print: (p) => {
      if (p.arg === null || p.arg.trim() === '') return 'decap()'
      const m = /^packet_type\(ns=(\w+),type=(\w+)\)$/.exec(p.arg.replace(/\s+/g, ''))
      const ns = m ? big(m[1] as string) : null
      const type = m ? big(m[2] as string) : null
      return ns === null || type === null ? null : `decap(packet_type(ns=${ns},type=${hex(type)}))`
    }
  },
  { name: 'dec_nsh_ttl', family: 'encap', forms: ['bare'], needs: 'nsh', print: bare('dec_nsh_ttl') },
  // ---- fields ----
  { name: 'set_field', family: 'field', forms: ['colon'], needs: 'any', typed: true },
  { name: 'load', family: 'field', forms: ['colon'], needs: 'any', typed: true },
  { name: 'move', family: 'field', forms: ['colon'], needs: 'any', typed: true },
  {
    name: 'delete_field',
    family: 'field',
    forms: ['colon'],
    needs: 'any',
    print: (p) => (p.arg === null ? null : `delete_field:${p.arg.trim().toLowerCase().replace(/^nxm_nx_tun_metadata/, 'tun_metadata')}`)
  },
  { name: 'push', family: 'field', forms: ['colon'], needs: 'any', print: (p) => (p.arg === null ? null : `push:${printFieldRef(p.arg)}`) },
  { name: 'pop', family: 'field', forms: ['colon'], needs: 'any', print: (p) => (p.arg === null ? null : `pop:${printFieldRef(p.arg)}`) },
  // ---- header shorthands: what the switch turns them into ----
  { name: 'mod_dl_src', family: 'header', forms: ['colon'], needs: 'any', expand: setFieldOf('eth_src') },
  { name: 'mod_dl_dst', family: 'header', forms: ['colon'], needs: 'any', expand: setFieldOf('eth_dst') },
  { name: 'mod_nw_src', family: 'header', forms: ['colon'], needs: 'ip', expand: setFieldOf('ip_src') },
  { name: 'mod_nw_dst', family: 'header', forms: ['colon'], needs: 'ip', expand: setFieldOf('ip_dst') },
  { name: 'mod_nw_tos', family: 'header', forms: ['colon'], needs: 'ip', expand: (a) => (num(a) === null ? null : [`set_field:${(num(a) as bigint) >> 2n}->ip_dscp`]) },
  { name: 'mod_nw_ecn', family: 'header', forms: ['colon'], needs: 'ip', expand: (a) => (num(a) === null ? null : [`set_field:${num(a)}->nw_ecn`]) },
  { name: 'mod_nw_ttl', family: 'header', forms: ['colon'], needs: 'ip', print: decimalArg('mod_nw_ttl') },
  { name: 'mod_tp_src', family: 'header', forms: ['colon'], needs: 'l4', expand: (a, ctx) => (num(a) === null ? null : [`set_field:${num(a)}->${ctx.l4 ?? 'tcp'}_src`]) },
  { name: 'mod_tp_dst', family: 'header', forms: ['colon'], needs: 'l4', expand: (a, ctx) => (num(a) === null ? null : [`set_field:${num(a)}->${ctx.l4 ?? 'tcp'}_dst`]) },
  {
    name: 'dec_ttl',
    family: 'header',
    forms: ['bare', 'paren'],
    needs: 'ip',
    // The ids are read with atoi ("0x5" is 0).
    print: (p) => (p.paren && p.arg !== null && p.arg.trim() !== '' ? `dec_ttl(${p.arg.split(',').map((x) => String(atoi(x))).join(',')})` : 'dec_ttl')
  },
  {
    name: 'check_pkt_larger',
    family: 'control',
    forms: ['paren'],
    needs: 'any',
    print: (p) => {
      const m = p.arg === null ? null : /^(\d+)\)->(.+)$/.exec(p.arg)
      return m ? `check_pkt_larger(${m[1]})->${printFieldRef(m[2] as string)}` : null
    }
  },
  // ---- tunnel, queue ----
  { name: 'set_tunnel', family: 'tunnel', forms: ['colon'], needs: 'any', expand: (a) => (num(a) === null ? null : [`set_field:${hex(num(a) as bigint)}->tun_id`]) },
  { name: 'set_tunnel64', family: 'tunnel', forms: ['colon'], needs: 'any', expand: (a) => (num(a) === null ? null : [`set_field:${hex(num(a) as bigint)}->tun_id`]) },
  { name: 'set_queue', family: 'queue', forms: ['colon'], needs: 'any', print: decimalArg('set_queue') },
  { name: 'pop_queue', family: 'queue', forms: ['bare'], needs: 'any', print: bare('pop_queue') },
  // ---- connection tracking ----
  { name: 'ct', family: 'conntrack', forms: ['bare', 'paren'], needs: 'ip', typed: true },
  { name: 'ct_clear', family: 'conntrack', forms: ['bare'], needs: 'any', print: bare('ct_clear') },
  // ---- learning ----
  { name: 'learn', family: 'learn', forms: ['paren'], needs: 'any', print: (p) => (p.paren && p.arg !== null ? printLearn(p.arg, p.split) : null) },
  {
    name: 'fin_timeout',
    family: 'learn',
    forms: ['paren'],
    needs: 'tcp',
    print: (p) => {
      if (!p.paren || p.arg === null) return null
      const kv = new Map(p.arg.split(',').map((x) => x.trim().split('=') as [string, string?]).map(([k, v]) => [k, big(v ?? '')]))
      const out: string[] = []
      for (const k of ['idle_timeout', 'hard_timeout']) {
        const v = kv.get(k)
        if (v) out.push(`${k}=${v}`)
      }
      return `fin_timeout(${out.join(',')})`
    }
  },
  // ---- control flow ----
  { name: 'resubmit', family: 'control', forms: ['colon', 'paren'], needs: 'any', typed: true },
  {
    name: 'clone',
    family: 'control',
    forms: ['paren'],
    needs: 'any',
    print: (p) => (p.paren && p.arg !== null ? `clone(${p.nested(p.arg, { ...p.ctx })})` : null)
  },
  { name: 'exit', family: 'control', forms: ['bare'], needs: 'any', print: bare('exit') },
  {
    name: 'multipath',
    family: 'control',
    forms: ['paren'],
    needs: 'any',
    print: (p) => {
      if (!p.paren || p.arg === null) return null
      const parts = p.arg.split(',').map((x) => x.trim())
      const dst = parts.pop()
      return dst === undefined ? null : `multipath(${[...parts, printFieldRef(dst)].join(',')})`
    }
  },
  {
    name: 'conjunction',
    family: 'control',
    forms: ['paren'],
    needs: 'alone',
    print: (p) => {
      const m = p.arg === null ? null : /^\s*(\w+)\s*,\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(p.arg)
      const id = m ? big(m[1] as string) : null
      return m && id !== null ? `conjunction(${id},${Number(m[2])}/${Number(m[3])})` : null
    }
  },
  { name: 'note', family: 'control', forms: ['colon'], needs: 'any', typed: true },
  { name: 'sample', family: 'control', forms: ['paren'], needs: 'any', print: printSample },
  { name: 'meter', family: 'instruction', forms: ['colon'], needs: 'any', print: decimalArg('meter') },
  // ---- OpenFlow 1.1+ instructions (in this order in a flow) ----
  { name: 'clear_actions', family: 'instruction', forms: ['bare'], needs: 'any', print: bare('clear_actions') },
  {
    name: 'write_actions',
    family: 'instruction',
    forms: ['paren'],
    needs: 'any',
    // An empty write_actions() is no instruction at all: the switch prints the flow's actions as "drop".
    print: (p) => (p.paren && p.arg !== null ? (p.arg.trim() === '' ? '' : `write_actions(${p.nested(p.arg, { ...p.ctx })})`) : null)
  },
  {
    name: 'write_metadata',
    family: 'instruction',
    forms: ['colon'],
    needs: 'any',
    print: (p) => {
      if (p.arg === null) return null
      const [v, m] = p.arg.split('/')
      const bv = big(v ?? '')
      const bm = m === undefined ? null : big(m)
      if (bv === null || (m !== undefined && bm === null)) return null
      return `write_metadata:${hex(bv)}${bm === null ? '' : `/${hex(bm)}`}`
    }
  },
  { name: 'goto_table', family: 'instruction', forms: ['colon'], needs: 'any', typed: true },
  // ---- debugging (accepted by the switch, not decoded back by ovs-ofctl) ----
  { name: 'debug_recirc', family: 'debug', forms: ['bare'], needs: 'any', undumpable: true },
  { name: 'debug_slow', family: 'debug', forms: ['bare'], needs: 'any', undumpable: true }
]

const byName = new Map<string, ActionDef>()
for (const d of actionDefs) {
  byName.set(d.name, d)
  for (const a of d.aliases ?? []) byName.set(a, d)
}

/** The action a name means (case-insensitive), or undefined. */
export function actionDef(name: string): ActionDef | undefined {
  return byName.get(name.toLowerCase())
}

/** Every name ovs-ofctl reads as an action, aliases included. */
export function actionNames(): string[] {
  return [...byName.keys()]
}
