import { parseActions } from '../flows/actions'
import { defaultPriority, type Flow } from '../flows/flow'
import { parseMatch } from '../flows/match'
import { canonicalInt, parseInteger } from '../flows/values'
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

const statKeys = new Set([
  'cookie', 'duration', 'table', 'n_packets', 'n_bytes', 'idle_age', 'hard_age', 'idle_timeout', 'hard_timeout',
  'priority', 'importance', 'send_flow_rem', 'check_overlap', 'reset_counts', 'no_packet_counts', 'no_byte_counts',
  'out_port', 'out_group', 'flags'
])

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

function numberOr(value: string, what: string, onBad: (m: string) => void): number | null {
  const n = parseInteger(value)
  if (n === null) onBad(`${what}=${value} is not a number`)
  return n
}

/**
 * Parses one flow line; returns null (with a diagnostic) when the line is not a readable flow.
 * Accepts dump-flows output (OF1.0/OF1.3, with or without stats) and add-flows syntax.
 */
export function parseFlowLine(raw: string, lineNo: number, diagnostics: Diagnostic[]): Flow | null {
  const line = raw.trim()
  const at = findActions(line)
  if (at < 0) {
    const looksLikeFlow = /(^|[ ,])(cookie|table|priority|n_packets)=/.test(line)
    diagnostics.push(diag(lineNo, 'error', looksLikeFlow ? 'flow without "actions=" (line cut short?)' : 'not a flow line', raw))
    return null
  }
  const pre = line.slice(0, at)
  const actionsText = line.slice(at + 8)
  const problems: string[] = []
  const bad = (m: string) => problems.push(m)

  let cookie = '0x0'
  let table = 0
  let priority = defaultPriority
  let duration: number | null = null
  let packets: number | null = null
  let bytes: number | null = null
  let idleAge: number | null = null
  let hardAge: number | null = null
  let idleTimeout: number | null = null
  let hardTimeout: number | null = null
  const extra: Record<string, string> = {}
  const matchItems: string[] = []

  for (const part of pre.split(',')) {
    const item = part.trim()
    if (item === '') continue
    const eq = item.indexOf('=')
    const key = eq < 0 ? item : item.slice(0, eq)
    if (!statKeys.has(key)) {
      matchItems.push(item)
      continue
    }
    const value = eq < 0 ? '' : item.slice(eq + 1)
    switch (key) {
      case 'cookie': {
        const c = canonicalInt(value.split('/')[0] ?? '')
        if (c === null) bad(`cookie=${value} is not a number`)
        else cookie = c
        break
      }
      case 'duration': {
        const d = /^(\d+(?:\.\d+)?)s$/.exec(value)
        if (!d) bad(`duration=${value} is not N.NNNs`)
        else duration = Number(d[1])
        break
      }
      case 'table': {
        const n = numberOr(value, 'table', bad)
        if (n !== null) table = n
        break
      }
      case 'priority': {
        const n = numberOr(value, 'priority', bad)
        if (n !== null) priority = n
        break
      }
      case 'n_packets':
        packets = numberOr(value, 'n_packets', bad)
        break
      case 'n_bytes':
        bytes = numberOr(value, 'n_bytes', bad)
        break
      case 'idle_age':
        idleAge = numberOr(value, 'idle_age', bad)
        break
      case 'hard_age':
        hardAge = numberOr(value, 'hard_age', bad)
        break
      case 'idle_timeout':
        idleTimeout = numberOr(value, 'idle_timeout', bad)
        break
      case 'hard_timeout':
        hardTimeout = numberOr(value, 'hard_timeout', bad)
        break
      default:
        extra[key] = value
    }
  }

  const m = parseMatch(matchItems)
  const a = parseActions(actionsText)
  for (const p of [...problems, ...m.problems, ...a.problems]) diagnostics.push(diag(lineNo, 'error', p, raw))
  return {
    line: lineNo,
    text: raw,
    cookie,
    table,
    priority,
    duration,
    packets,
    bytes,
    idleAge,
    hardAge,
    idleTimeout,
    hardTimeout,
    protocol: m.protocol,
    match: m.fields,
    matchCanon: m.canon,
    actionsText,
    actions: a.actions,
    extra
  }
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
    const first = raw.charCodeAt(0)
    // Fast path: a flow line of dump-flows starts with " cookie=".
    if (first === 32 && raw.startsWith(' cookie=')) {
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
  if (format === 'plain' && flows.some((f) => f.idleAge !== null)) format = 'of10'
  const portNames = flows.some(
    (f) => f.match.some((m) => m.kind === 'port' && typeof m.port === 'string' && !/^[A-Z_]+$/.test(m.port)) ||
      f.actions.some((a) => a.type === 'output' && typeof a.port === 'string' && a.field === null && !/^[A-Z_]+$/.test(a.port))
  )
  return { flows, diagnostics, format, headers, portNames, crlf }
}
