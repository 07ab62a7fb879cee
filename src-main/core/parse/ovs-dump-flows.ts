import { lastActionProblems } from '../flows/actions'
import { defaultPriority, newFlowMore, type Flow } from '../flows/flow'
import { printedMatchProtocol } from '../flows/fast-canon'
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

const otherKeys = new Set(['importance', 'send_flow_rem', 'check_overlap', 'reset_counts', 'no_packet_counts', 'no_byte_counts', 'out_port', 'out_group', 'flags'])

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

// Scratch space for match item ranges [start, end) of the line being parsed (reused, never shared).
let ranges: Int32Array = new Int32Array(64)
function growRanges(r: Int32Array): Int32Array {
  const n = new Int32Array(r.length * 2)
  n.set(r)
  return n
}
function rangesLength(n: number): number {
  let total = n - 1
  for (let i = 0; i < n; i++) total += (ranges[i * 2 + 1] as number) - (ranges[i * 2] as number)
  return total
}

/** Seconds like "49.845" in line[a, b) (the "s" already cut), or -1. */
function secondsAt(line: string, a: number, b: number): number {
  let whole = 0
  let frac = 0
  let scale = 1
  let dot = false
  if (a >= b) return -1
  for (let i = a; i < b; i++) {
    const c = line.charCodeAt(i)
    if (c === 46 && !dot) dot = true
    else if (c >= 48 && c <= 57) {
      if (dot) {
        frac = frac * 10 + (c - 48)
        scale *= 10
      } else whole = whole * 10 + (c - 48)
    } else return -1
  }
  return whole + frac / scale
}

function numberAt(line: string, a: number, b: number, from: number, lineNo: number, raw: string, diagnostics: Diagnostic[]): number | null {
  const n = uintAt(line, from, b)
  if (n >= 0) return n
  bad(diagnostics, lineNo, raw, `${line.slice(a, b)} is not a number`)
  return null
}

/** Reads a flow property (cookie, duration, table, counters...) at line[a, b) into flow; false for a match item. */
function propertyAt(line: string, a: number, b: number, flow: Flow, lineNo: number, raw: string, diagnostics: Diagnostic[]): boolean {
  switch (line.charCodeAt(a)) {
    case 99: // c
      if (line.startsWith('cookie=', a)) {
        let e = line.indexOf('/', a)
        if (e < 0 || e > b) e = b
        const c = e - a === 10 && line.startsWith('0x0', a + 7) ? '0x0' : canonicalInt(line.slice(a + 7, e))
        if (c === null) bad(diagnostics, lineNo, raw, `${line.slice(a, b)} is not a number`)
        else flow.cookie = c
        return true
      }
      break
    case 100: // d
      if (line.startsWith('duration=', a)) {
        const d = line.charCodeAt(b - 1) === 115 ? secondsAt(line, a + 9, b - 1) : -1
        if (d < 0) bad(diagnostics, lineNo, raw, `${line.slice(a, b)} is not N.NNNs`)
        else flow.duration = d
        return true
      }
      break
    case 116: // t
      if (line.startsWith('table=', a)) {
        flow.table = numberAt(line, a, b, a + 6, lineNo, raw, diagnostics) ?? flow.table
        return true
      }
      break
    case 112: // p
      if (line.startsWith('priority=', a)) {
        flow.priority = numberAt(line, a, b, a + 9, lineNo, raw, diagnostics) ?? flow.priority
        return true
      }
      break
    case 110: // n
      if (line.startsWith('n_packets=', a)) {
        flow.packets = numberAt(line, a, b, a + 10, lineNo, raw, diagnostics)
        return true
      }
      if (line.startsWith('n_bytes=', a)) {
        flow.bytes = numberAt(line, a, b, a + 8, lineNo, raw, diagnostics)
        return true
      }
      break
    case 105: // i
    case 104: // h
      for (const [prefix, key] of [['idle_age=', 'idleAge'], ['hard_age=', 'hardAge'], ['idle_timeout=', 'idleTimeout'], ['hard_timeout=', 'hardTimeout']] as const) {
        if (line.startsWith(prefix, a)) {
          ;(flow.more ??= newFlowMore())[key] = numberAt(line, a, b, a + prefix.length, lineNo, raw, diagnostics)
          return true
        }
      }
      break
  }
  const eq = line.indexOf('=', a)
  const key = eq >= 0 && eq < b ? line.slice(a, eq) : line.slice(a, b)
  if (!otherKeys.has(key)) return false
  ;(flow.more ??= newFlowMore()).extra[key] = eq >= 0 && eq < b ? line.slice(eq + 1, b) : ''
  return true
}

function findActions(line: string, from: number): number {
  if (line.startsWith('actions=', from)) return from
  let i = line.indexOf('actions=', from)
  while (i > from) {
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
export function parseFlowLine(raw: string, lineNo: number, diagnostics: Diagnostic[]): Flow | null {
  // Work on the raw line with offsets: a trimmed copy per line is measurable garbage at 100k lines.
  const line = raw
  let start = 0
  let stop = raw.length
  while (start < stop && (raw.charCodeAt(start) === 32 || raw.charCodeAt(start) === 9)) start++
  while (stop > start && (raw.charCodeAt(stop - 1) === 32 || raw.charCodeAt(stop - 1) === 9)) stop--
  const at = findActions(line, start)
  if (at < 0) {
    const looksLikeFlow = /(^|[ ,])(cookie|table|priority|n_packets)=/.test(line)
    diagnostics.push(diag(lineNo, 'error', looksLikeFlow ? 'flow without "actions=" (line cut short?)' : 'not a flow line', raw))
    return null
  }
  const actionsText = line.slice(at + 8, stop)
  const flow: Flow = {
    line: lineNo,
    text: raw,
    cookie: '0x0',
    table: 0,
    priority: defaultPriority,
    duration: null,
    packets: null,
    bytes: null,
    more: null,
    protocol: null,
    matchText: '',
    matchCanon: '',
    actionsText
  }
  // Scan "k=v, k=v,k=v" up to "actions=": flow properties are read in place; match items are
  // remembered as ranges, so the usual dump line allocates nothing for its match.
  let pos = start
  let nItems = 0
  while (pos < at) {
    let end = line.indexOf(',', pos)
    if (end < 0 || end > at) end = at
    let a = pos
    let b = end
    while (a < b && line.charCodeAt(a) === 32) a++
    while (b > a && line.charCodeAt(b - 1) === 32) b--
    pos = end + 1
    if (a === b) continue
    const prop = propertyAt(line, a, b, flow, lineNo, raw, diagnostics)
    if (prop) continue
    if (nItems * 2 + 2 > ranges.length) ranges = growRanges(ranges)
    ranges[nItems * 2] = a
    ranges[nItems * 2 + 1] = b
    nItems++
  }

  const first = nItems > 0 ? (ranges[0] as number) : 0
  const last = nItems > 0 ? (ranges[nItems * 2 - 1] as number) : 0
  // Contiguous ',' separated items (no spaces, no properties between them): check in place.
  const proto = nItems > 0 && last - first === rangesLength(nItems) ? printedMatchProtocol(line, first, last) : nItems === 0 ? '' : null
  if (proto !== null) {
    const text = nItems > 0 ? line.slice(first, last) : ''
    flow.matchText = text
    flow.matchCanon = text
    flow.protocol = proto === '' ? null : proto
  } else {
    const items: string[] = []
    for (let i = 0; i < nItems; i++) items.push(line.slice(ranges[i * 2] as number, ranges[i * 2 + 1] as number))
    flow.matchText = items.join(',')
    const m = canonicalMatch(items)
    flow.matchCanon = m.canon
    flow.protocol = m.protocol
    // Field-level problems (a bad address...) can only come from items the fast path did not accept.
    if (m.slow) for (const p of parseMatch(items).problems) bad(diagnostics, lineNo, raw, p)
  }

  // Typed actions are built on first use (flowActions); a cut-short line can only be damaged at its
  // end, so the structure of the whole text and the last action in full are checked here.
  for (const p of lastActionProblems(actionsText)) bad(diagnostics, lineNo, raw, p)
  return flow
}

/** Parses `ovs-ofctl dump-flows` output (any -O version, --no-stats, --names, --sort) or an add-flows file. Never throws. */
export function parseDumpFlows(text: string): FlowDump {
  const diagnostics: Diagnostic[] = []
  const flows: Flow[] = []
  let headers = 0
  let format: FlowDump['format'] = 'plain'
  const crlf = text.includes('\r\n')
  const lines = splitLines(text)
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i] as string
    const lineNo = i + 1
    // Fast path: a flow line of dump-flows starts with " cookie=".
    if (raw.charCodeAt(0) === 32 && raw.startsWith(' cookie=')) {
      const f = parseFlowLine(raw, lineNo, diagnostics)
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
    const f = parseFlowLine(raw, lineNo, diagnostics)
    if (f) flows.push(f)
  }
  if (format === 'plain' && flows.some((f) => f.more?.idleAge != null)) format = 'of10'
  const portNames = flows.some(
    (f) =>
      /(^|,)in_port=(?![A-Z_]+(,|$))[^\d,]/.test(f.matchText) ||
      /(^|,)output:(?!NXM_|OXM_|[A-Z_]+(,|$))[^\d,]/.test(f.actionsText)
  )
  return { flows, diagnostics, format, headers, portNames, crlf }
}
