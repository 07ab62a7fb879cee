import { parseActions, type ParsedActions } from '../flows/actions'
import { defaultPriority, type Flow } from '../flows/flow'
import { canonicalMatch, parseMatch } from '../flows/match'
import { canonicalInt } from '../flows/values'
import { diag, looksBinary, splitLines, type Diagnostic } from './diagnostics'

export interface FlowDump {
  flows: Flow[]
  diagnostics: Diagnostic[]
  /** 'of13' (OFPST_FLOW header), 'of10' (NXST_FLOW header or idle_age), 'plain' (no header: --sort, --names, add-flows files). */
  format: 'of13' | 'of10' | 'plain'
  /** Multipart reply headers seen ("flags=[more]" parts included). */
  headers: number
  /** True when ports are shown by name (--names, or a TTY session). */
  portNames: boolean
  /** True when any line ended in CRLF (output taken through a TTY). */
  crlf: boolean
}

const headerRe = /^(OFPST_FLOW|NXST_FLOW|OFPST_AGGREGATE) reply\b/
const logLineRe = /^(\d{4}-\d\d-\d\dT[\d:.]+Z\|\d+\|[\w-]+\|(EMER|ERR|WARN|INFO|DBG)\||ovs-ofctl: |ovs-vsctl: |ovs-appctl: )/
const promptRe = /^(\[[^\]]*\][$#]|\$|#\s*ovs-|sh-[\d.]+[$#])\s*\S/

type NumberKey = 'table' | 'priority' | 'packets' | 'bytes' | 'idleAge' | 'hardAge' | 'idleTimeout' | 'hardTimeout'
const numberKeys: Record<string, NumberKey> = {
  table: 'table',
  priority: 'priority',
  n_packets: 'packets',
  n_bytes: 'bytes',
  idle_age: 'idleAge',
  hard_age: 'hardAge',
  idle_timeout: 'idleTimeout',
  hard_timeout: 'hardTimeout'
}
const otherKeys = new Set(['importance', 'send_flow_rem', 'check_overlap', 'reset_counts', 'no_packet_counts', 'no_byte_counts', 'out_port', 'out_group', 'flags'])

/** Memo shared by the lines of one dump: parsed action lists by their text (dumps repeat them a lot). */
export interface FlowParseCache {
  actions: Map<string, ParsedActions>
}

export const newFlowParseCache = (): FlowParseCache => ({ actions: new Map() })

/** Unsigned decimal or 0x-hex in s[from, to), or -1. */
function uintAt(s: string, from: number, to: number): number {
  if (from >= to) return -1
  let v = 0
  if (to - from > 2 && s.charCodeAt(from) === 48 && s.charCodeAt(from + 1) === 120) {
    for (let i = from + 2; i < to; i++) {
      const c = s.charCodeAt(i) | 32
      const d = c >= 48 && c <= 57 ? c - 48 : c >= 97 && c <= 102 ? c - 87 : -1
      if (d < 0) return -1
      v = v * 16 + d
    }
  } else {
    for (let i = from; i < to; i++) {
      const c = s.charCodeAt(i)
      if (c < 48 || c > 57) return -1
      v = v * 10 + (c - 48)
    }
  }
  return Number.isSafeInteger(v) ? v : -1
}

function bad(diagnostics: Diagnostic[], lineNo: number, raw: string, m: string): void {
  diagnostics.push(diag(lineNo, 'error', m, raw))
}

function findActions(line: string): number {
  if (line.startsWith('actions=')) return 0
  let i = line.indexOf('actions=')
  while (i > 0) {
    const before = line.charCodeAt(i - 1)
    if (before === 32 || before === 44 || before === 9) return i
    i = line.indexOf('actions=', i + 1)
  }
  return -1
}

/**
 * Parses one flow line; returns null (with a diagnostic) when the line is not a readable flow.
 * Accepts dump-flows output (OF1.0/OF1.3, with or without stats) and add-flows syntax.
 */
export function parseFlowLine(raw: string, lineNo: number, diagnostics: Diagnostic[], cache: FlowParseCache = newFlowParseCache()): Flow | null {
  const line = raw.trim()
  const at = findActions(line)
  if (at < 0) {
    const looksLikeFlow = /(^|[ ,])(cookie|table|priority|n_packets)=/.test(line)
    diagnostics.push(diag(lineNo, 'error', looksLikeFlow ? 'flow without "actions=" (line cut short?)' : 'not a flow line', raw))
    return null
  }
  const actionsText = line.slice(at + 8)
  const flow: Flow = {
    line: lineNo,
    text: raw,
    cookie: '0x0',
    table: 0,
    priority: defaultPriority,
    duration: null,
    packets: null,
    bytes: null,
    idleAge: null,
    hardAge: null,
    idleTimeout: null,
    hardTimeout: null,
    protocol: null,
    matchText: '',
    matchCanon: '',
    actionsText,
    actions: [],
    extra: null
  }
  const items: string[] = []
  // Scan "k=v, k=v,k=v" up to "actions=" without splitting the whole line.
  let pos = 0
  while (pos < at) {
    let end = line.indexOf(',', pos)
    if (end < 0 || end > at) end = at
    let a = pos
    let b = end
    while (a < b && line.charCodeAt(a) === 32) a++
    while (b > a && line.charCodeAt(b - 1) === 32) b--
    pos = end + 1
    if (a === b) continue
    const eq = line.indexOf('=', a)
    const hasEq = eq >= 0 && eq < b
    const c0 = line.charCodeAt(a)
    // Flow properties start with c, d, t, n, p, i, h (cookie, duration, table, n_*, priority, idle_*, hard_*).
    if (hasEq && (c0 === 99 || c0 === 100 || c0 === 116 || c0 === 110 || c0 === 112 || c0 === 105 || c0 === 104)) {
      const key = line.slice(a, eq)
      const nk = numberKeys[key]
      if (nk !== undefined) {
        const n = uintAt(line, eq + 1, b)
        if (n < 0) bad(diagnostics, lineNo, raw, `${line.slice(a, b)} is not a number`)
        else flow[nk] = n
        continue
      }
      if (key === 'cookie') {
        const slash = line.indexOf('/', eq)
        const n = line.slice(eq + 1, slash > 0 && slash < b ? slash : b)
        if (n === '0x0') flow.cookie = n
        else {
          const c = canonicalInt(n)
          if (c === null) bad(diagnostics, lineNo, raw, `${line.slice(a, b)} is not a number`)
          else flow.cookie = c
        }
        continue
      }
      if (key === 'duration') {
        const d = line.charCodeAt(b - 1) === 115 ? Number(line.slice(eq + 1, b - 1)) : NaN
        if (!(d >= 0)) bad(diagnostics, lineNo, raw, `${line.slice(a, b)} is not N.NNNs`)
        else flow.duration = d
        continue
      }
    }
    const item = line.slice(a, b)
    if (hasEq && otherKeys.has(item.slice(0, eq - a))) (flow.extra ??= {})[item.slice(0, eq - a)] = item.slice(eq - a + 1)
    else if (!hasEq && otherKeys.has(item)) (flow.extra ??= {})[item] = ''
    else items.push(item)
  }

  flow.matchText = items.join(',')
  const m = canonicalMatch(items)
  flow.matchCanon = m.canon
  flow.protocol = m.protocol
  // Field-level problems (a bad address...) can only come from items the fast path did not accept.
  if (m.slow) for (const p of parseMatch(items).problems) bad(diagnostics, lineNo, raw, p)

  let parsed = cache.actions.get(actionsText)
  if (!parsed) {
    parsed = parseActions(actionsText)
    cache.actions.set(actionsText, parsed)
  }
  flow.actions = parsed.actions
  for (const p of parsed.problems) bad(diagnostics, lineNo, raw, p)
  return flow
}

/** Parses `ovs-ofctl dump-flows` output (any -O version, --no-stats, --names, --sort) or an add-flows file. Never throws. */
export function parseDumpFlows(text: string): FlowDump {
  const diagnostics: Diagnostic[] = []
  const flows: Flow[] = []
  const cache = newFlowParseCache()
  let headers = 0
  let format: FlowDump['format'] = 'plain'
  const crlf = text.includes('\r\n')
  const lines = splitLines(text)
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i] as string
    const lineNo = i + 1
    // Fast path: a flow line of dump-flows starts with " cookie=".
    if (raw.charCodeAt(0) === 32 && raw.startsWith(' cookie=')) {
      const f = parseFlowLine(raw, lineNo, diagnostics, cache)
      if (f) flows.push(f)
      continue
    }
    const t = raw.trim()
    if (t === '' || t.startsWith('#')) continue
    if (headerRe.test(t)) {
      headers++
      if (format === 'plain') format = t.startsWith('NXST') ? 'of10' : t.includes('(OF1.') && !t.includes('(OF1.0)') ? 'of13' : 'of10'
      continue
    }
    if (promptRe.test(t)) continue
    if (logLineRe.test(t)) {
      diagnostics.push(diag(lineNo, 'warning', 'a log or error line (stderr) is mixed into the output; it was skipped', raw))
      continue
    }
    if (looksBinary(t)) {
      diagnostics.push(diag(lineNo, 'error', 'binary data, not text output', raw))
      continue
    }
    const f = parseFlowLine(raw, lineNo, diagnostics, cache)
    if (f) flows.push(f)
  }
  if (format === 'plain' && flows.some((f) => f.idleAge !== null)) format = 'of10'
  const portNames = flows.some(
    (f) =>
      /(^|,)in_port=(?![A-Z_]+(,|$))[^\d,]/.test(f.matchText) ||
      f.actions.some((a) => a.type === 'output' && typeof a.port === 'string' && a.field === null && !/^[A-Z_]+$/.test(a.port))
  )
  return { flows, diagnostics, format, headers, portNames, crlf }
}
