// The flow filter language of the flow views, evaluated on the typed model in the backend:
//   table=90 && n_packets>0        nw_dst=10.128.2.0/23        actions~tun_dst        !(priority=0)
//   vnid=0xabcdef                  node=node2                   pod=proj-a/web-1       words that must all appear
// A field is a flow property (table, priority, cookie, n_packets, n_bytes, duration, idle_age, match, actions), a
// match field by any of its names (nw_dst, ip_dst, tun_src, reg0…), or an openshift-sdn term (vnid, node, pod).
import { canonicalFlowActions, type Flow } from './flow'
import { fieldDef } from './vocabulary'
import { ipv4ToNumber } from '../net/address'
import { hostKey } from '../hosts/identity'

/** What the SDN terms refer to: a node's HostIP and subnet, a pod's IP (from the case's captures). */
export interface FilterContext {
  nodes: readonly { name: string; hostIP: string | null; subnet: string | null }[]
  pods: readonly { namespace: string | null; name: string; ip: string | null }[]
}

export type FlowPredicate = (f: Flow) => boolean

export interface CompiledFilter {
  test: FlowPredicate
  /** True when the text is plain words (no field expression): matched as words in the flow's text. */
  words: boolean
}

export interface FilterError {
  /** 0-based offset in the text. */
  at: number
  message: string
}

type Tok = { kind: 'and' | 'or' | 'not' | 'lp' | 'rp' } | { kind: 'cmp'; field: string; op: string; value: string; at: number } | { kind: 'word'; text: string; at: number }

const cmpRe = /^([A-Za-z_][A-Za-z0-9_]*)\s*(!=|>=|<=|=|>|<|~)\s*("([^"]*)"|[^\s()&|]+)/

function tokenize(text: string): Tok[] | FilterError {
  const out: Tok[] = []
  let i = 0
  while (i < text.length) {
    const c = text[i] as string
    if (/\s/.test(c)) {
      i++
      continue
    }
    if (text.startsWith('&&', i)) {
      out.push({ kind: 'and' })
      i += 2
    } else if (text.startsWith('||', i)) {
      out.push({ kind: 'or' })
      i += 2
    } else if (c === '!' && text[i + 1] !== '=') {
      out.push({ kind: 'not' })
      i++
    } else if (c === '(') {
      out.push({ kind: 'lp' })
      i++
    } else if (c === ')') {
      out.push({ kind: 'rp' })
      i++
    } else {
      const m = cmpRe.exec(text.slice(i))
      const bare = /^([A-Za-z_][A-Za-z0-9_]*)\s*(!=|>=|<=|=|>|<|~)\s*($|[()&|])/.exec(text.slice(i))
      if (!m && bare) return { at: i, message: `a value is missing after "${bare[1]}${bare[2]}"` }
      if (m) {
        out.push({ kind: 'cmp', field: (m[1] as string).toLowerCase(), op: m[2] as string, value: m[4] ?? (m[3] as string), at: i })
        i += m[0].length
      } else {
        const w = /^[^\s()&|!]+/.exec(text.slice(i))
        if (!w) return { at: i, message: `"${c}" is not part of a filter here` }
        out.push({ kind: 'word', text: w[0].toLowerCase(), at: i })
        i += w[0].length
      }
    }
  }
  return out
}

const num = (v: string): number | null => (/^(0x[0-9a-f]+|\d+)$/i.test(v) ? Number(v) : null)

function compareNum(op: string, a: number | null, b: number): boolean {
  if (a === null) return false
  switch (op) {
    case '=':
      return a === b
    case '!=':
      return a !== b
    case '>':
      return a > b
    case '<':
      return a < b
    case '>=':
      return a >= b
    case '<=':
      return a <= b
    default:
      return false
  }
}

/** The value a flow's canonical match gives a field (by its printed name), or null when the match does not hold it. */
function matchValue(matchCanon: string, printed: string): string | null {
  let at = 0
  for (;;) {
    const i = matchCanon.indexOf(`${printed}=`, at)
    if (i < 0) return null
    if (i === 0 || matchCanon[i - 1] === ',') {
      const end = matchCanon.indexOf(',', i)
      return matchCanon.slice(i + printed.length + 1, end < 0 ? undefined : end)
    }
    at = i + 1
  }
}

/** An IPv4 value or prefix as [start, end] numbers, or null. */
function ipRange(v: string): [number, number] | null {
  const [a, p] = v.split('/')
  const n = ipv4ToNumber(a ?? '')
  if (n === null) return null
  const bits = p === undefined ? 32 : Number(p)
  if (!Number.isInteger(bits) || bits < 0 || bits > 32) return null
  const size = 2 ** (32 - bits)
  const start = Math.floor(n / size) * size
  return [start, start + size - 1]
}

const numericProps: Record<string, (f: Flow) => number | null> = {
  table: (f) => f.table,
  priority: (f) => f.priority,
  n_packets: (f) => f.packets,
  packets: (f) => f.packets,
  n_bytes: (f) => f.bytes,
  bytes: (f) => f.bytes,
  duration: (f) => f.duration,
  idle_age: (f) => f.more?.idleAge ?? null,
  cookie: (f) => Number(f.cookie)
}

function compileCmp(t: Extract<Tok, { kind: 'cmp' }>, ctx: FilterContext): FlowPredicate | FilterError {
  const { field, op, value } = t
  const prop = numericProps[field]
  if (prop) {
    const b = num(value)
    if (b === null) return { at: t.at, message: `${field} compares with a number, not "${value}"` }
    return (f) => compareNum(op, prop(f), b)
  }
  if (field === 'actions' || field === 'match' || field === 'text') {
    const needle = value.toLowerCase()
    // A dump's text is the switch's own printing, so "contains" reads it as printed (fast on 100k flows).
    const of = field === 'actions' ? (f: Flow) => f.actionsText : field === 'match' ? (f: Flow) => `${f.matchText} ${f.matchCanon}` : (f: Flow) => f.text
    if (op === '~') return (f) => of(f).toLowerCase().includes(needle)
    if (op === '=') return field === 'actions' ? (f) => canonicalFlowActions(f).toLowerCase() === needle : (f) => f.matchCanon.toLowerCase() === needle
    if (op === '!=') return (f) => !of(f).toLowerCase().includes(needle)
    return { at: t.at, message: `${field} takes =, != or ~ (contains)` }
  }
  if (field === 'vnid') {
    const v = num(value)
    if (v === null) return { at: t.at, message: `a VNID is a number ("vnid=0xabcdef"), not "${value}"` }
    const hex = `0x${v.toString(16)}`
    // Where openshift-sdn carries a VNID: reg0 (source), reg1 (destination), tun_id, and the loads into them.
    const loads = [`load:${hex}->nxm_nx_reg0[]`, `load:${hex}->nxm_nx_reg1[]`, `set_field:${hex}->reg0`, `set_field:${hex}->reg1`, `set_field:${hex}->tun_id`, `load:${hex}->nxm_nx_tun_id[0..31]`]
    const has = (f: Flow) => {
      if (['reg0', 'reg1', 'tun_id'].some((k) => matchValue(f.matchCanon, k) === hex)) return true
      const a = f.actionsText.toLowerCase()
      return a.includes(hex) && loads.some((l) => a.includes(l))
    }
    return op === '!=' ? (f) => !has(f) : (f) => has(f)
  }
  if (field === 'node') {
    const n = ctx.nodes.find((x) => hostKey(x.name) === hostKey(value))
    if (!n) return { at: t.at, message: `no node "${value}" in the case's HostSubnets` }
    // The node's flows: VXLAN from or to its HostIP, traffic to its subnet.
    const ip = n.hostIP
    const subnet = n.subnet ? ipRange(n.subnet) : null
    const has = (f: Flow) => {
      if (ip && (matchValue(f.matchCanon, 'tun_src') === ip || f.actionsText.includes(`${ip}->tun_dst`))) return true
      const dst = matchValue(f.matchCanon, 'nw_dst') ?? matchValue(f.matchCanon, 'arp_tpa')
      const r = dst ? ipRange(dst) : null
      return !!(subnet && r && r[0] >= subnet[0] && r[1] <= subnet[1])
    }
    return op === '!=' ? (f) => !has(f) : (f) => has(f)
  }
  if (field === 'pod') {
    const [ns, name] = value.includes('/') ? value.split('/') : [null, value]
    const p = ctx.pods.find((x) => x.name === name && (ns === null || x.namespace === ns))
    if (!p?.ip) return { at: t.at, message: `no pod "${value}" with an IP in the case's pod list` }
    const ip = p.ip
    const has = (f: Flow) => ['nw_src', 'nw_dst', 'arp_spa', 'arp_tpa'].some((k) => matchValue(f.matchCanon, k) === ip) || f.actionsText.includes(ip)
    return op === '!=' ? (f) => !has(f) : (f) => has(f)
  }
  // A match field, by any of its names.
  const def = fieldDef(field)
  if (!def) return { at: t.at, message: `"${field}" is not a flow property, a match field or an SDN term (vnid, node, pod)` }
  const names = [def.name]
  const range = def.format === 'ipv4' ? ipRange(value) : null
  const wanted = value.toLowerCase()
  const numeric = num(value)
  const valueOf = (f: Flow) => {
    for (const n of names) {
      const v = matchValue(f.matchCanon, n)
      if (v !== null) return v
    }
    return null
  }
  const eq = (v: string | null): boolean => {
    if (v === null) return false
    if (range) {
      const r = ipRange(v)
      // A prefix asked for takes the flows whose value lies inside it (nw_dst=10.128.0.0/14 finds every subnet).
      return r !== null && r[0] >= range[0] && r[1] <= range[1]
    }
    if (numeric !== null && num(v.split('/')[0] ?? '') !== null) return Number(v.split('/')[0]) === numeric
    return v.toLowerCase() === wanted
  }
  switch (op) {
    case '=':
      return (f) => eq(valueOf(f))
    case '!=':
      return (f) => !eq(valueOf(f))
    case '~':
      return (f) => (valueOf(f) ?? '').toLowerCase().includes(wanted)
    default: {
      if (numeric === null) return { at: t.at, message: `${field} ${op} needs a number` }
      return (f) => {
        const v = valueOf(f)
        return compareNum(op, v === null ? null : num(v.split('/')[0] ?? ''), numeric)
      }
    }
  }
}

/**
 * Compiles a filter text: plain words (each must appear in the flow's text, as before) or an expression with
 * comparisons, `&&`, `||`, `!` and parentheses (words next to comparisons are words that must appear too).
 */
export function compileFilter(text: string, ctx: FilterContext = { nodes: [], pods: [] }): CompiledFilter | FilterError {
  const toks = tokenize(text)
  if ('message' in toks) return toks
  if (toks.every((t) => t.kind === 'word')) {
    const ws = toks.map((t) => (t as { text: string }).text)
    return { words: true, test: (f) => ws.every((w) => f.text.toLowerCase().includes(w)) }
  }
  let i = 0
  const peek = () => toks[i]
  const fail = (message: string): FilterError => ({ at: (peek() as { at?: number } | undefined)?.at ?? text.length, message })
  function primary(): FlowPredicate | FilterError {
    const t = peek()
    if (!t) return fail('the filter ends where a comparison was expected')
    if (t.kind === 'not') {
      i++
      const p = primary()
      return 'message' in p ? p : (f) => !p(f)
    }
    if (t.kind === 'lp') {
      i++
      const p = or()
      if ('message' in p) return p
      if (peek()?.kind !== 'rp') return fail('a "(" is not closed')
      i++
      return p
    }
    if (t.kind === 'cmp') {
      i++
      return compileCmp(t, ctx)
    }
    if (t.kind === 'word') {
      i++
      const w = t.text
      return (f) => f.text.toLowerCase().includes(w)
    }
    return fail(`"${t.kind === 'rp' ? ')' : t.kind === 'and' ? '&&' : '||'}" where a comparison was expected`)
  }
  function and(): FlowPredicate | FilterError {
    const first = primary()
    if ('message' in first) return first
    let left: FlowPredicate = first
    // Terms side by side mean "and", like words.
    while (peek() && (peek()?.kind === 'and' || peek()?.kind === 'cmp' || peek()?.kind === 'word' || peek()?.kind === 'not' || peek()?.kind === 'lp')) {
      if (peek()?.kind === 'and') i++
      const right = primary()
      if ('message' in right) return right
      const l: FlowPredicate = left
      left = (f) => l(f) && right(f)
    }
    return left
  }
  function or(): FlowPredicate | FilterError {
    const first = and()
    if ('message' in first) return first
    let left: FlowPredicate = first
    while (peek()?.kind === 'or') {
      i++
      const right = and()
      if ('message' in right) return right
      const l: FlowPredicate = left
      left = (f) => l(f) || right(f)
    }
    return left
  }
  const p = or()
  if ('message' in p) return p
  if (i < toks.length) return fail('unexpected text after the filter')
  return { words: false, test: p }
}
