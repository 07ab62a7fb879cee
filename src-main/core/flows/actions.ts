import { splitTopLevel } from '../parse/diagnostics'
import { canonicalFieldRef, fieldKind, isKnownFieldName } from './fields'
import { canonicalInt, canonicalMac, parseInteger, parseIpv4Value } from './values'

/** One OpenFlow action, typed for the ones openshift-sdn uses; anything else is kept as name + argument. */
export type FlowAction =
  | { type: 'drop'; text: string }
  | { type: 'output'; text: string; port: number | string; field: string | null }
  | { type: 'goto_table'; text: string; table: number }
  | { type: 'resubmit'; text: string; port: string | null; table: number | null }
  | { type: 'load'; text: string; value: string; dst: string }
  | { type: 'move'; text: string; src: string; dst: string }
  | { type: 'set_field'; text: string; value: string; field: string }
  | { type: 'ct'; text: string; commit: boolean; table: number | null; zone: string | null; nat: string | null; exec: FlowAction[]; other: string[] }
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
    if (!t.endsWith(')')) {
      problems.push(`${t}: unclosed "(" (text cut short?)`)
      return { type: 'other', text: t, name, arg: t.slice(paren + 1) }
    }
    arg = t.slice(paren + 1, -1)
  } else if (colon >= 0) arg = t.slice(colon + 1)

  if (!balanced(t)) problems.push(`${t}: unbalanced brackets (text cut short?)`)

  switch (name) {
    case 'output': {
      if (arg === null || arg === '') break
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
        return { type: 'resubmit', text: t, port: port.trim() || null, table: tn, ...(rest.length ? {} : {}) }
      }
      return { type: 'resubmit', text: t, port: arg.trim(), table: null }
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
      const a: Extract<FlowAction, { type: 'ct' }> = { type: 'ct', text: t, commit: false, table: null, zone: null, nat: null, exec: [], other: [] }
      for (const part of arg ? splitTopLevel(arg) : []) {
        const p = part.trim()
        if (p === '') continue
        if (p === 'commit') a.commit = true
        else if (p.startsWith('table=')) a.table = parseInteger(p.slice(6))
        else if (p.startsWith('zone=')) a.zone = p.slice(5)
        else if (p === 'nat' || p.startsWith('nat(')) a.nat = p
        else if (p.startsWith('exec(') && p.endsWith(')')) a.exec = splitTopLevel(p.slice(5, -1)).filter((x) => x.trim()).map((x) => parseOne(x, problems))
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

function canonValueFor(field: string, value: string): string {
  const base = field.replace(/\[.*$/, '')
  const kind = fieldKind(base)
  if (kind === 'ipv4') {
    const v = parseIpv4Value(value)
    if (v) return v.text
    const n = parseInteger(value)
    if (n !== null && n >= 0 && n <= 0xffffffff) return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.')
  }
  if (kind === 'mac') return canonicalMac(value) ?? value.toLowerCase()
  const [v, m] = value.split('/')
  const cv = v === undefined ? null : canonicalInt(v)
  if (cv === null) return value
  const cm = m === undefined ? null : canonicalInt(m)
  return cm === null ? cv : `${cv}/${cm}`
}

/** Canonical text of one action: equal for every spelling ovs-ofctl treats as the same action. */
export function canonicalAction(a: FlowAction, opts: CanonOptions = {}): string {
  switch (a.type) {
    case 'drop':
      return 'drop'
    case 'output':
      return a.field ? `output:${a.field}` : `output:${a.port}`
    case 'goto_table':
      return `goto_table:${a.table}`
    case 'resubmit':
      if (opts.acrossOfVersions && a.port === null && a.table !== null) return `goto_table:${a.table}`
      return `resubmit(${a.port ?? ''},${a.table ?? ''})`
    case 'load': {
      const dst = canonicalFieldRef(a.dst)
      // OF1.0 shows a set_field of a whole field as a load.
      if (opts.acrossOfVersions && dst.endsWith('[]')) return `set_field:${canonValueFor(dst, a.value)}->${dst.slice(0, -2)}`
      return `load:${canonicalInt(a.value) ?? a.value}->${dst}`
    }
    case 'set_field': {
      const f = canonicalFieldRef(a.field).replace(/\[\]$/, '')
      return `set_field:${canonValueFor(f, a.value)}->${f}`
    }
    case 'move':
      return `move:${canonicalFieldRef(a.src)}->${canonicalFieldRef(a.dst)}`
    case 'ct': {
      const parts: string[] = []
      if (a.commit) parts.push('commit')
      if (a.table !== null) parts.push(`table=${a.table}`)
      if (a.zone !== null) parts.push(`zone=${canonicalFieldRef(a.zone).replace(/\[\]$/, '')}`)
      if (a.exec.length) parts.push(`exec(${a.exec.map((x) => canonicalAction(x, opts)).join(',')})`)
      parts.push(...[...a.other].sort())
      if (a.nat !== null) parts.push(a.nat)
      return `ct(${parts.join(',')})`
    }
    case 'note':
      return `note:${a.bytes.replace(/(00)+$/, '')}`
    case 'other':
      return a.arg === null ? a.name : `${a.name}:${a.arg}`
  }
}

export function canonicalActions(actions: readonly FlowAction[], opts: CanonOptions = {}): string {
  if (actions.length === 0) return 'drop'
  return actions.map((a) => canonicalAction(a, opts)).join(',')
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
