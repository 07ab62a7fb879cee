// One line of `ovs-ofctl dump-flows` output (or of an add-flows file) read into a Flow. The usual dump line
// is read by a dedicated left-to-right reader (dumpHeader, then the match as printed); anything else by the
// general reader (items in any order and spelling). ovs-dump-flows.ts walks a whole dump with it.
import { lastActionProblemsAt } from '../flows/actions'
import { defaultPriority, newFlowMore, plainFlow, type Flow, type FlowMore } from '../flows/flow'
import { printedMatchProtocol } from '../flows/fast-canon'
import { canonicalMatch, parseMatch } from '../flows/match'
import { canonicalInt } from '../flows/values'
import { diag, type Diagnostic } from './diagnostics'

/**
 * Flow properties that are not match fields. The flags (send_flow_rem…) print before the priority with
 * blanks between them and no comma: "n_bytes=0, send_flow_rem check_overlap priority=100,ip".
 */
const otherKeys = new Set(['send_flow_rem', 'check_overlap', 'reset_counts', 'no_packet_counts', 'no_byte_counts', 'out_port', 'out_group', 'flags'])
/** First characters of otherKeys: a match item starting otherwise is never sliced to be looked up. */
const otherFirst = new Set([...otherKeys].map((k) => k.charCodeAt(0)))

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

function bad(diagnostics: Diagnostic[], lineNo: number, src: string, ls: number, le: number, m: string): void {
  diagnostics.push(diag(lineNo, 'error', m, src.slice(ls, le)))
}

/**
 * A flow read from a dump. Every number is a field of this one object and the texts (the line, the
 * match, the actions) are cut from the dump when read: at 100,000 flows, four strings and a boxed
 * double per flow were most of the parse's garbage-collection time. `toJSON` gives the plain Flow.
 */
class DumpedFlow implements Flow {
  cookie = '0x0'
  table = 0
  priority = defaultPriority
  packets: number | null = null
  bytes: number | null = null
  more: FlowMore | null = null
  protocol: string | null = null
  /** Match bounds in src; ms < 0 when the match was rebuilt (mt holds it). */
  ms = -1
  me = -1
  mt: string | null = null
  /** Canonical match when it differs from the printed one. */
  canon: string | null = null
  /** Duration as whole seconds + df / dd (exactly how it was printed), dw < 0 when absent. */
  dw = -1
  df = 0
  dd = 1

  constructor(
    readonly line: number,
    private readonly src: string,
    private readonly ls: number,
    private readonly le: number,
    private readonly as: number,
    private readonly ae: number
  ) {}

  get text(): string {
    return this.src.slice(this.ls, this.le)
  }
  get actionsText(): string {
    return this.src.slice(this.as, this.ae)
  }
  get matchText(): string {
    return this.mt ?? (this.ms < 0 ? '' : this.src.slice(this.ms, this.me))
  }
  get matchCanon(): string {
    return this.canon ?? this.matchText
  }
  get duration(): number | null {
    return this.dw < 0 ? null : this.dw + this.df / this.dd
  }
  toJSON(): Flow {
    return plainFlow(this)
  }
}

/** Unsigned decimal or 0x-hex at src[from, to), or -1. */
function numberAt(src: string, a: number, b: number, from: number, lineNo: number, ls: number, le: number, diagnostics: Diagnostic[]): number | null {
  const n = uintAt(src, from, b)
  if (n >= 0) return n
  bad(diagnostics, lineNo, src, ls, le, `${src.slice(a, b)} is not a number`)
  return null
}

/** Reads "duration=49.845s" at src[a, b) into the flow. */
function durationAt(src: string, a: number, b: number, flow: DumpedFlow): boolean {
  if (src.charCodeAt(b - 1) !== 115 || a + 9 >= b - 1) return false
  let whole = 0
  let frac = 0
  let scale = 1
  let dot = false
  for (let i = a + 9; i < b - 1; i++) {
    const c = src.charCodeAt(i)
    if (c === 46 && !dot) dot = true
    else if (c >= 48 && c <= 57) {
      if (dot) {
        if (scale >= 1e9) continue
        frac = frac * 10 + (c - 48)
        scale *= 10
      } else whole = whole * 10 + (c - 48)
    } else return false
  }
  if (!Number.isSafeInteger(whole)) return false
  flow.dw = whole
  flow.df = frac
  flow.dd = scale
  return true
}

const ageKeys = [['idle_age=', 'idleAge'], ['hard_age=', 'hardAge'], ['idle_timeout=', 'idleTimeout'], ['hard_timeout=', 'hardTimeout'], ['importance=', 'importance']] as const

/** Reads a flow property (cookie, duration, table, counters...) at src[a, b) into flow; false for a match item. */
function propertyAt(src: string, a: number, b: number, flow: DumpedFlow, lineNo: number, ls: number, le: number, diagnostics: Diagnostic[]): boolean {
  switch (src.charCodeAt(a)) {
    case 99: // c
      if (src.startsWith('cookie=', a)) {
        let e = src.indexOf('/', a)
        if (e < 0 || e > b) e = b
        const c = e - a === 10 && src.startsWith('0x0', a + 7) ? '0x0' : canonicalInt(src.slice(a + 7, e))
        if (c === null) bad(diagnostics, lineNo, src, ls, le, `${src.slice(a, b)} is not a number`)
        else flow.cookie = c
        return true
      }
      break
    case 100: // d
      if (src.startsWith('duration=', a)) {
        if (!durationAt(src, a, b, flow)) bad(diagnostics, lineNo, src, ls, le, `${src.slice(a, b)} is not N.NNNs`)
        return true
      }
      break
    case 116: // t
      if (src.startsWith('table=', a)) {
        flow.table = numberAt(src, a, b, a + 6, lineNo, ls, le, diagnostics) ?? flow.table
        return true
      }
      break
    case 112: // p
      if (src.startsWith('priority=', a)) {
        flow.priority = numberAt(src, a, b, a + 9, lineNo, ls, le, diagnostics) ?? flow.priority
        return true
      }
      break
    case 110: // n
      if (src.startsWith('n_packets=', a)) {
        flow.packets = numberAt(src, a, b, a + 10, lineNo, ls, le, diagnostics)
        return true
      }
      if (src.startsWith('n_bytes=', a)) {
        flow.bytes = numberAt(src, a, b, a + 8, lineNo, ls, le, diagnostics)
        return true
      }
      break
    case 105: // i
    case 104: // h
      if (src.charCodeAt(a + 1) === 110) return false // in_port, the usual first match item
      for (const [prefix, key] of ageKeys) {
        if (src.startsWith(prefix, a)) {
          ;(flow.more ??= newFlowMore())[key] = numberAt(src, a, b, a + prefix.length, lineNo, ls, le, diagnostics)
          return true
        }
      }
      break
  }
  if (!otherFirst.has(src.charCodeAt(a))) return false
  const eq = src.indexOf('=', a)
  const key = eq >= 0 && eq < b ? src.slice(a, eq) : src.slice(a, b)
  if (!otherKeys.has(key)) return false
  ;(flow.more ??= newFlowMore()).extra[key] = eq >= 0 && eq < b ? src.slice(eq + 1, b) : ''
  return true
}

/** "actions=" at the start of an item in src[from, to), or -1. */
function findActions(src: string, from: number, to: number): number {
  if (src.startsWith('actions=', from)) return from
  let i = src.indexOf('actions=', from)
  while (i > from && i < to) {
    const before = src.charCodeAt(i - 1)
    if (before === 32 || before === 44 || before === 9) return i
    i = src.indexOf('actions=', i + 1)
  }
  return -1
}

const isBlank = (c: number) => c === 32 || c === 9

/** Bounds of the item nextItem found (blanks around it left out). */
let itemStart = 0
let itemEnd = 0
/**
 * The item at src[pos, at): its bounds in itemStart/itemEnd; returns where the next one starts. Items are
 * separated by commas or blanks, as ovs-ofctl reads them ("table=1 priority=90 ip nw_src=10.1.0.0/16"),
 * and a double-quoted value (in_port="s1 eth2") or a parenthesized one (packet_type=(1,0x800)) is one item.
 */
function nextItem(src: string, pos: number, at: number): number {
  let a = pos
  while (a < at && (src.charCodeAt(a) === 32 || src.charCodeAt(a) === 9)) a++
  let b = a
  let quoted = false
  let depth = 0
  for (; b < at; b++) {
    const c = src.charCodeAt(b)
    if (c === 34) quoted = !quoted
    else if (quoted) continue
    else if (c === 40) depth++
    else if (c === 41) depth--
    // packet_type=(1,0x894f) is one item: a comma inside parentheses does not end it.
    else if (depth <= 0 && (c === 44 || c === 32 || c === 9)) break
  }
  itemStart = a
  itemEnd = b
  return b + 1
}

/** End of the last number read by digitsAt. */
let digitsEnd = 0
/** Decimal digits at src[p...] (at least one, at most 15), or -1; digitsEnd is where they stop. */
function digitsAt(src: string, p: number): number {
  let v = 0
  let i = p
  for (; i < p + 16; i++) {
    const c = src.charCodeAt(i)
    if (c < 48 || c > 57) break
    v = v * 10 + (c - 48)
  }
  if (i === p || i === p + 16) return -1
  digitsEnd = i
  return v
}

/**
 * The properties of a dump line exactly as ovs-ofctl prints them, read left to right without
 * looking anything up: "cookie=0x…, duration=N.Ns, table=N, n_packets=N, n_bytes=N, [idle_age=N,
 * [hard_age=N, ]]priority=N[,]" (no priority: 32768). Returns where the match starts, `at` for no
 * match, or -1 when the line is anything else (the general reader takes it, from the start).
 */
const headRe = /cookie=0x[0-9a-f]+, duration=\d+(?:\.\d+)?s, table=\d+, n_packets=\d+, n_bytes=\d+(?:, idle_age=\d+(?:, hard_age=\d+)?)?(?:, priority=\d+)?/y

function dumpHeader(src: string, p: number, at: number, flow: DumpedFlow): number {
  // One native pass checks the whole header; the numbers are then read at known places (the
  // optional parts told apart by one letter, since the expression already matched them).
  headRe.lastIndex = p
  if (!headRe.test(src)) return -1
  const end = headRe.lastIndex
  if (end > at) return -1
  p += 9
  let e = p
  while (src.charCodeAt(e) !== 44) e++
  if (e - p === 1 && src.charCodeAt(p) === 48) flow.cookie = '0x0'
  else {
    if (src.charCodeAt(p) === 48) return -1
    flow.cookie = src.slice(p - 2, e)
  }
  const w = digitsAt(src, e + 11)
  if (w < 0) return -1
  p = digitsEnd
  let f = 0
  let d = 1
  if (src.charCodeAt(p) === 46) {
    f = digitsAt(src, p + 1)
    if (f < 0) return -1
    for (let i = p + 1; i < digitsEnd; i++) d *= 10
    p = digitsEnd
  }
  const t = digitsAt(src, p + 9)
  if (t < 0) return -1
  const np = digitsAt(src, digitsEnd + 12)
  if (np < 0) return -1
  const nb = digitsAt(src, digitsEnd + 10)
  if (nb < 0) return -1
  p = digitsEnd
  let idle = -1
  let hard = -1
  if (p < end && src.charCodeAt(p + 2) === 105) {
    idle = digitsAt(src, p + 11)
    if (idle < 0) return -1
    p = digitsEnd
    if (p < end && src.charCodeAt(p + 2) === 104) {
      hard = digitsAt(src, p + 11)
      if (hard < 0) return -1
      p = digitsEnd
    }
  }
  let prio = defaultPriority
  let match: number
  if (p < end) {
    prio = digitsAt(src, p + 11)
    if (prio < 0 || prio > 65535) return -1
    p = digitsEnd
    const c = src.charCodeAt(p)
    if (c === 44) match = p + 1
    else if (p === at - 1 && c === 32) match = at
    else return -1
  } else if (src.charCodeAt(p) === 44 && src.charCodeAt(p + 1) === 32) match = p + 2
  else return -1
  if (match > at) return -1
  flow.dw = w
  flow.df = f
  flow.dd = d
  flow.table = t
  flow.packets = np
  flow.bytes = nb
  flow.priority = prio
  if (idle >= 0) {
    const m = (flow.more = newFlowMore())
    m.idleAge = idle
    if (hard >= 0) m.hardAge = hard
  }
  return match
}

/**
 * Parses one flow line; returns null (with a diagnostic) when the line is not a readable flow.
 * Accepts dump-flows output (OF1.0/OF1.3, with or without stats) and add-flows syntax.
 */
export function parseFlowLine(raw: string, lineNo: number, diagnostics: Diagnostic[]): Flow | null {
  return parseFlowAt(raw, 0, raw.length, lineNo, diagnostics)
}

/** The flow on src[ls, le) (one line, without its line end). */
export function parseFlowAt(src: string, ls: number, le: number, lineNo: number, diagnostics: Diagnostic[]): DumpedFlow | null {
  let start = ls
  let stop = le
  while (start < stop && isBlank(src.charCodeAt(start))) start++
  while (stop > start && isBlank(src.charCodeAt(stop - 1))) stop--
  const at = findActions(src, start, stop)
  if (at < 0) {
    const raw = src.slice(ls, le)
    const looksLikeFlow = /(^|[ ,])(cookie|table|priority|n_packets)=/.test(raw)
    diagnostics.push(diag(lineNo, 'error', looksLikeFlow ? 'flow without "actions=" (line cut short?)' : 'not a flow line', raw))
    return null
  }
  const flow = new DumpedFlow(lineNo, src, ls, le, at + 8, stop)
  // Properties come first in a dump ("cookie=…, duration=…, table=…, n_packets=…, n_bytes=…,
  // priority=…,"): they are read in place. The first item that is not one starts the match.
  let first = dumpHeader(src, start, at, flow)
  if (first === at) first = -1
  else if (first < 0) first = readItems(src, start, at, flow, lineNo, ls, le, diagnostics, null)
  if (first >= 0) {
    let last = at
    while (last > first && (isBlank(src.charCodeAt(last - 1)) || src.charCodeAt(last - 1) === 44)) last--
    // The match as ovs-ofctl prints it (canonical items in print order, ',' between): taken as is.
    const proto = printedMatchProtocol(src, first, last)
    if (proto !== null) {
      flow.ms = first
      flow.me = last
      flow.protocol = proto === '' ? null : proto
    } else slowMatch(src, first, at, flow, lineNo, ls, le, diagnostics)
  }

  // Typed actions are built on first use (flowActions); a cut-short line can only be damaged at its
  // end, so the structure of the whole text and the last action in full are checked here.
  if (stop <= at + 8) {
    // "actions=" with nothing after it is a drop to OVS (an add-flows file may say so); said, in case the line was cut.
    diagnostics.push(diag(lineNo, 'info', 'empty actions: a drop, as Open vSwitch reads it (unless the line was cut short)', src.slice(ls, le)))
    return flow
  }
  const problems = lastActionProblemsAt(src, at + 8, stop)
  if (problems !== null) for (const p of problems) bad(diagnostics, lineNo, src, ls, le, p)
  return flow
}

/**
 * The items of src[pos, at): properties are read into the flow; match items are pushed to `items`,
 * or, without it, the start of the first one is returned (-1: there is none).
 */
function readItems(src: string, pos: number, at: number, flow: DumpedFlow, lineNo: number, ls: number, le: number, diagnostics: Diagnostic[], items: string[] | null): number {
  while (pos < at) {
    pos = nextItem(src, pos, at)
    if (itemStart === itemEnd || propertyAt(src, itemStart, itemEnd, flow, lineNo, ls, le, diagnostics)) continue
    if (items === null) return itemStart
    items.push(src.slice(itemStart, itemEnd))
  }
  return -1
}

/** Any other match spelling (spaces, other order, other bases, properties among the items): canonicalized. */
function slowMatch(src: string, from: number, at: number, flow: DumpedFlow, lineNo: number, ls: number, le: number, diagnostics: Diagnostic[]): void {
  const items: string[] = []
  readItems(src, from, at, flow, lineNo, ls, le, diagnostics, items)
  const text = items.join(',')
  const m = canonicalMatch(items)
  flow.mt = text
  flow.canon = m.canon === text ? null : m.canon
  flow.protocol = m.protocol
  // Field-level problems (a bad address...) can only come from items the fast path did not accept.
  if (m.slow) for (const p of parseMatch(items).problems) bad(diagnostics, lineNo, src, ls, le, p)
}
