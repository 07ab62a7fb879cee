import { splitTopLevel } from '../parse/diagnostics'
import { canonicalFieldRef, fieldKind, isKnownFieldName } from './fields'
import { printFieldRef, printLoad, printNote, printOutput, printSetField } from './action-print'
import { actionDef, printNat, type ActionContext } from './action-vocabulary'
import { canonicalMac, parseInteger, parseIpv4Value } from './values'

/** One OpenFlow action, typed for the ones openshift-sdn uses; anything else is kept as name + argument. */
export type FlowAction =
  | { type: 'drop'; text: string }
  | { type: 'output'; text: string; port: number | string; field: string | null }
  | { type: 'goto_table'; text: string; table: number }
  /** `ct`: resubmit(port,table,ct), which looks up the connection's original direction. */
  | { type: 'resubmit'; text: string; port: string | null; table: number | null; ct: boolean }
  | { type: 'load'; text: string; value: string; dst: string }
  | { type: 'move'; text: string; src: string; dst: string }
  | { type: 'set_field'; text: string; value: string; field: string }
  /** `natFirst`: nat(...) was written before exec(...), so the switch prints it outside exec (format_CT). */
  | { type: 'ct'; text: string; commit: boolean; table: number | null; zone: string | null; nat: string | null; natFirst: boolean; exec: FlowAction[]; other: string[] }
  | { type: 'note'; text: string; bytes: string }
  | { type: 'other'; text: string; name: string; arg: string | null }

export interface ParsedActions {
  actions: FlowAction[]
  problems: string[]
}

export interface CanonOptions {
  /**
   * Compare dumps of one switch taken with different -O versions: OF1.0 prints `goto_table:N` as
   * `resubmit(,N)` and `set_field:V->F` as `load:V->F[]`. ovs-ofctl itself counts those as different.
   */
  acrossOfVersions?: boolean
  /** The flow around the actions (its L4 protocol, a VLAN tag): see actionContextOf. */
  context?: ActionContext
}

/** No protocol known, no VLAN tag: what a flow without a match gives. */
export const noContext: ActionContext = { l4: null, vlan: false }

/**
 * The context a canonical match gives its actions: the L4 protocol it names (tcp, udp, sctp, their v6 forms or
 * nw_proto) and whether it requires a VLAN tag (dl_vlan, vlan_vid, or vlan_tci with the CFI bit).
 */
export function actionContextOf(matchCanon: string): ActionContext {
  let l4: ActionContext['l4'] = null
  let vlan = false
  for (const item of matchCanon.split(',')) {
    const eq = item.indexOf('=')
    const key = eq < 0 ? item : item.slice(0, eq)
    const value = eq < 0 ? '' : item.slice(eq + 1)
    if (key === 'tcp' || key === 'tcp6') l4 = 'tcp'
    else if (key === 'udp' || key === 'udp6') l4 = 'udp'
    else if (key === 'sctp' || key === 'sctp6') l4 = 'sctp'
    else if (key === 'nw_proto') l4 = value === '6' ? 'tcp' : value === '17' ? 'udp' : value === '132' ? 'sctp' : l4
    else if (key === 'dl_vlan' || key === 'dl_vlan_pcp' || key === 'vlan_vid') vlan = true
    else if (key === 'vlan_tci') {
      const [v = '', m] = value.split('/')
      const tci = Number(v)
      const mask = m === undefined ? 0xffff : Number(m)
      vlan = (tci & mask & 0x1000) !== 0
    }
  }
  return { l4, vlan }
}

const fieldRefRe = /^[A-Za-z][A-Za-z0-9_]*(\[(\d+\.\.\d+|\d+)?\])?$/

function balanced(text: string): boolean {
  let round = 0
  let square = 0
  for (const c of text) {
    if (c === '(') round++
    else if (c === ')') round--
    else if (c === '[') square++
    else if (c === ']') square--
    if (round < 0 || square < 0) return false
  }
  return round === 0 && square === 0
}

function parseOne(text: string, problems: string[]): FlowAction {
  const t = text.trim()
  const lower = t.toLowerCase()
  if (lower === 'drop') return { type: 'drop', text: t }
  if (/^\d+$/.test(t)) return { type: 'output', text: t, port: Number(t), field: null }
  if (['local', 'in_port', 'normal', 'flood', 'all', 'controller'].includes(lower)) return { type: 'output', text: t, port: t.toUpperCase(), field: null }

  const colon = t.indexOf(':')
  const paren = t.indexOf('(')
  const useParen = paren >= 0 && (colon < 0 || paren < colon)
  const name = (useParen ? t.slice(0, paren) : colon >= 0 ? t.slice(0, colon) : t).toLowerCase()
  let arg: string | null = null
  if (useParen) {
    // check_pkt_larger(N)->FIELD[bit]: the one action whose text goes on after its parentheses.
    const larger = /^check_pkt_larger\((\d+)\)->(.+)$/i.exec(t)
    if (larger) return { type: 'other', text: t, name: 'check_pkt_larger', arg: `${larger[1]})->${larger[2]}` }
    if (!t.endsWith(')')) {
      problems.push(`${t}: unclosed "(" (text cut short?)`)
      return { type: 'other', text: t, name, arg: t.slice(paren + 1) }
    }
    arg = t.slice(paren + 1, -1)
  } else if (colon >= 0) arg = t.slice(colon + 1)

  if (!balanced(t)) problems.push(`${t}: unbalanced brackets (text cut short?)`)

  switch (name) {
    case 'output': {
      // output(port=N,max_len=M) is a truncating output: kept as written.
      if (arg === null || arg === '' || useParen) break
      if (arg.includes('[')) return { type: 'output', text: t, port: arg, field: canonicalFieldRef(arg) }
      const n = parseInteger(arg)
      return { type: 'output', text: t, port: n ?? arg, field: null }
    }
    case 'goto_table': {
      const n = arg === null ? null : parseInteger(arg)
      if (n === null) break
      return { type: 'goto_table', text: t, table: n }
    }
    case 'resubmit': {
      if (arg === null) break
      if (useParen) {
        const [port = '', table = '', ...rest] = arg.split(',')
        const tn = table.trim() === '' ? null : parseInteger(table)
        if (table.trim() !== '' && tn === null) break
        if (rest.length > 1 || (rest.length === 1 && rest[0]?.trim() !== 'ct')) break
        // in_port is the default port: resubmit(in_port,5) is resubmit(,5).
        const p = port.trim()
        return { type: 'resubmit', text: t, port: p === '' || p.toLowerCase() === 'in_port' ? null : p, table: tn, ct: rest.length === 1 }
      }
      return { type: 'resubmit', text: t, port: arg.trim(), table: null, ct: false }
    }
    case 'load':
    case 'move':
    case 'set_field': {
      if (arg === null) break
      const arrow = arg.indexOf('->')
      if (arrow < 0) {
        problems.push(`${t}: missing "->" (text cut short?)`)
        return { type: 'other', text: t, name, arg }
      }
      const left = arg.slice(0, arrow)
      const right = arg.slice(arrow + 2)
      if (!fieldRefRe.test(right) || (name === 'move' && !fieldRefRe.test(left))) {
        problems.push(`${t}: not a field reference (text cut short?)`)
        return { type: 'other', text: t, name, arg }
      }
      const unknown = [right, ...(name === 'move' ? [left] : [])].map((r) => r.replace(/\[.*$/, '')).filter((f) => !isKnownFieldName(f))
      if (unknown.length > 0) problems.push(`${t}: unknown field ${unknown.join(', ')} (text cut short?)`)
      if (name === 'load') return { type: 'load', text: t, value: left, dst: right }
      if (name === 'move') return { type: 'move', text: t, src: left, dst: right }
      return { type: 'set_field', text: t, value: left, field: right }
    }
    case 'ct': {
      const a: Extract<FlowAction, { type: 'ct' }> = { type: 'ct', text: t, commit: false, table: null, zone: null, nat: null, natFirst: true, exec: [], other: [] }
      for (const part of arg ? splitTopLevel(arg) : []) {
        const p = part.trim()
        if (p === '') continue
        if (p === 'commit') a.commit = true
        else if (p.startsWith('table=')) a.table = parseInteger(p.slice(6))
        else if (p.startsWith('zone=')) a.zone = p.slice(5)
        else if (p === 'nat' || p.startsWith('nat(')) {
          a.nat = p
          a.natFirst = a.exec.length === 0
        } else if (p.startsWith('exec(') && p.endsWith(')')) {
          // The switch prints a nat that is not the first nested action inside exec(...) (format_CT): the ct's NAT.
          for (const x of splitTopLevel(p.slice(5, -1)).map((y) => y.trim()).filter(Boolean)) {
            if (x === 'nat' || x.startsWith('nat(')) {
              a.nat = x
              a.natFirst = false
            } else a.exec.push(parseOne(x, problems))
          }
        }
        else a.other.push(p)
      }
      return a
    }
    case 'note':
      if (arg === null) break
      if (!/^[0-9a-f]{2}(\.?[0-9a-f]{2})*\.?$/i.test(arg)) {
        problems.push(`${t}: a note is hex bytes like 02.07.00`)
        break
      }
      return { type: 'note', text: t, bytes: arg.toLowerCase().replace(/\./g, '') }
  }
  if (!actionDef(name)) problems.push(`${t}: ${name} is not an action Open vSwitch knows (ovs-actions(7))`)
  return { type: 'other', text: t, name, arg }
}

export function parseActions(text: string): ParsedActions {
  const problems: string[] = []
  const trimmed = text.trim()
  if (trimmed === '') return { actions: [], problems: ['no actions after "actions=" (text cut short?)'] }
  const actions = splitTopLevel(trimmed)
    .map((a) => a.trim())
    .filter((a) => a !== '')
    .map((a) => parseOne(a, problems))
  return { actions, problems }
}

/** Whole-field set_field as the load OpenFlow 1.0 dumps print instead ("load:0xa000001->NXM_OF_IP_DST[]"). */
function asLoad(value: string, field: string): string | null {
  const kind = fieldKind(field)
  let n: bigint | null = null
  if (kind === 'ipv4') {
    const v = parseIpv4Value(value)
    n = v && v.prefix === 32 ? BigInt(v.address) : null
  } else if (kind === 'mac') {
    const m = canonicalMac(value)
    n = m && !m.includes('/') ? BigInt('0x' + m.replace(/:/g, '')) : null
  } else if (/^(0x[0-9a-f]+|\d+)$/i.test(value.trim())) n = BigInt(value.trim())
  if (n === null) return null
  const load = printLoad(`0x${n.toString(16)}`, `${field}[]`)
  return load.includes('->NXM_') || load.includes('->OXM_') ? load : null
}

/** Canonical text of one action: Open vSwitch's own printing of it (action-vocabulary.ts, action-print.ts). */
export function canonicalAction(a: FlowAction, opts: CanonOptions = {}, ctx: ActionContext = { ...(opts.context ?? noContext) }): string {
  switch (a.type) {
    case 'drop':
      return 'drop'
    case 'output':
      return a.field ? `output:${printFieldRef(String(a.port))}` : printOutput(a.port)
    case 'goto_table':
      return `goto_table:${a.table}`
    case 'resubmit': {
      if (opts.acrossOfVersions && a.port === null && a.table !== null && !a.ct) return `goto_table:${a.table}`
      const port = a.port === null ? '' : printOutput(/^\d+$/.test(a.port) ? Number(a.port) : a.port).replace(/^output:/, '')
      if (a.table === null && !a.ct) return `resubmit:${port}`
      return `resubmit(${port},${a.table ?? ''}${a.ct ? ',ct' : ''})`
    }
    case 'load':
      return printLoad(a.value, a.dst)
    case 'set_field': {
      // OF1.0 has no set_field: its dump shows the same action as a load of the whole field.
      if (opts.acrossOfVersions && !a.value.includes('/')) {
        const load = asLoad(a.value, a.field.replace(/\[\]$/, ''))
        if (load) return load
      }
      return printSetField(a.value, a.field.replace(/\[\]$/, ''))
    }
    case 'move':
      return `move:${printFieldRef(a.src)}->${printFieldRef(a.dst)}`
    case 'ct': {
      // format_CT's order: commit, force, table, zone, nat(...) when it is the first nested action, exec(...), alg.
      const parts: string[] = []
      const other = [...a.other]
      const take = (w: string) => {
        const i = other.indexOf(w)
        if (i >= 0) other.splice(i, 1)
        return i >= 0
      }
      if (a.commit) parts.push('commit')
      if (take('force')) parts.push('force')
      if (a.table !== null) parts.push(`table=${a.table}`)
      if (a.zone !== null) {
        const z = /^(0x[0-9a-f]+|\d+)$/i.test(a.zone) ? String(Number(a.zone)) : printFieldRef(a.zone)
        parts.push(`zone=${z}`)
      }
      const nat = a.nat === null ? null : printNat(a.nat)
      if (nat !== null && a.natFirst) parts.push(nat)
      // A nat written after exec(...) is the last of the nested actions: printed inside exec.
      const exec = [...a.exec.map((x) => canonicalAction(x, opts, { ...ctx })), ...(nat !== null && !a.natFirst ? [nat] : [])]
      if (exec.length) parts.push(`exec(${exec.join(',')})`)
      const alg = other.findIndex((o) => o.startsWith('alg='))
      if (alg >= 0) {
        const [x] = other.splice(alg, 1)
        const v = (x as string).slice(4)
        parts.push(`alg=${v === '21' ? 'ftp' : v === '69' ? 'tftp' : v}`)
      }
      parts.push(...other.sort())
      return `ct(${parts.join(',')})`
    }
    case 'note':
      return printNote(a.bytes)
    case 'other': {
      const def = actionDef(a.name)
      const paren = a.text.length > a.name.length && a.text[a.name.length] === '('
      if (def && !def.undumpable) {
        const printed = def.print
          ? def.print({ arg: a.arg, paren, ctx, nested: (text, c) => canonicalActionList(parseActions(text).actions, opts, c), split: splitTopLevel })
          : (def.expand?.(a.arg, ctx)?.join(',') ?? null)
        if (printed !== null) return printed
      }
      if (paren) return `${a.name}(${a.arg ?? ''})`
      return a.arg === null ? a.name : `${a.name}:${a.arg}`
    }
  }
}

function canonicalActionList(actions: readonly FlowAction[], opts: CanonOptions, ctx: ActionContext): string {
  // "drop" is the empty action list: OVS prints it only when nothing else is there.
  const printed = actions.filter((a) => a.type !== 'drop').map((a) => canonicalAction(a, opts, ctx)).filter((t) => t !== '')
  return printed.length === 0 ? 'drop' : printed.join(',')
}

/** The canonical text of an action list, in the flow's context (opts.context, from actionContextOf). */
export function canonicalActions(actions: readonly FlowAction[], opts: CanonOptions = {}): string {
  return canonicalActionList(actions, opts, { ...(opts.context ?? noContext) })
}

/**
 * The parse-time check of an actions text: brackets balanced over the whole text, and the last
 * action (where a cut-short line is damaged) parsed in full. The rest is parsed when used.
 */
const noProblems: string[] = []

/** s[from, to) is one or more digits. (A module function, not a closure: this runs once per flow.) */
function digitsFrom(s: string, from: number, to: number): boolean {
  if (from >= to) return false
  for (let i = from; i < to; i++) {
    const c = s.charCodeAt(i)
    if (c < 48 || c > 57) return false
  }
  return true
}

/** s[a, to) is goto_table:N, output:N, resubmit(,N), drop or output:NXM_NX_REGn[]: the usual last actions, whole. */
function isPlainLastAction(s: string, a: number, to: number): boolean {
  if (s.startsWith('goto_table:', a)) return digitsFrom(s, a + 11, to)
  if (s.startsWith('output:', a)) {
    if (digitsFrom(s, a + 7, to)) return true
    return s.startsWith('NXM_NX_REG', a + 7) && /^\d{1,2}\[\]$/.test(s.slice(a + 17, to))
  }
  if (s.startsWith('resubmit(,', a)) return /^\d+\)$/.test(s.slice(a + 10, to))
  return to - a === 4 && s.startsWith('drop', a)
}

export function lastActionProblems(text: string): string[] {
  return lastActionProblemsAt(text, 0, text.length) ?? noProblems
}

/** lastActionProblems of s[from, to) (the actions of one line of a whole dump), cutting nothing when well formed: null then. */
export function lastActionProblemsAt(s: string, from: number, to: number): string[] | null {
  let a = from
  let b = to
  while (a < b && s.charCodeAt(a) === 32) a++
  while (b > a && s.charCodeAt(b - 1) === 32) b--
  if (a === b) return ['no actions after "actions=" (text cut short?)']
  // Brackets over the whole text (a "(" cut short leaves commas that look top level) and the last
  // top-level ','. Letters (most of the text) skip at one comparison.
  let depth = 0
  let last = a
  for (let i = a; i < b; i++) {
    const c = s.charCodeAt(i)
    if (c > 93) continue
    if (c === 40 || c === 91) depth++
    else if (c === 41 || c === 93) {
      if (--depth < 0) break
    } else if (c === 44 && depth === 0) last = i + 1
  }
  if (depth === 0 && isPlainLastAction(s, last, b)) return null
  const trimmed = s.slice(a, b)
  const problems: string[] = []
  parseOne(trimmed.slice(last - a), problems)
  if (depth !== 0 && problems.length === 0) problems.push(`${trimmed}: unbalanced brackets (text cut short?)`)
  return problems.length === 0 ? null : problems
}
