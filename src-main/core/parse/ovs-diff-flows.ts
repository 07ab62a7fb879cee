import { flowKey, plainFlow, type Flow } from '../flows/flow'
import { diag, splitLines, type Diagnostic } from './diagnostics'
import { parseFlowLine } from './flow-line'

export interface DiffFlowsLine {
  sign: '+' | '-'
  flow: Flow
}

export interface DiffFlowsOutput {
  lines: DiffFlowsLine[]
  /** Keys only in the second source, only in the first, and in both with other actions/cookie/timeouts. */
  added: string[]
  removed: string[]
  changed: string[]
  diagnostics: Diagnostic[]
}

/**
 * Reads `ovs-ofctl diff-flows A B` output: "-" lines are flows of A, "+" lines of B; a "-" and a "+"
 * with the same table, priority and match are one changed flow. Fields are separated by spaces
 * there ("table=10 priority=100,tun_src=… cookie=0x1 actions=…"), which this turns back into commas.
 */
export function parseDiffFlows(text: string): DiffFlowsOutput {
  const diagnostics: Diagnostic[] = []
  const lines: DiffFlowsLine[] = []
  splitLines(text).forEach((raw, i) => {
    const t = raw.trim()
    if (t === '' || t.startsWith('#')) return
    const sign = t[0]
    if (sign !== '+' && sign !== '-') {
      diagnostics.push(diag(i + 1, 'error', 'a diff-flows line starts with "+" or "-"', raw))
      return
    }
    const body = t.slice(1)
    const at = body.indexOf(' actions=')
    const normalized = at < 0 ? body : body.slice(0, at).replace(/ +/g, ',') + body.slice(at)
    const flow = parseFlowLine(normalized, i + 1, diagnostics)
    if (flow) lines.push({ sign, flow: { ...plainFlow(flow), text: raw } })
  })
  const minus = new Map<string, number>()
  const plus = new Map<string, number>()
  for (const l of lines) {
    const m = l.sign === '-' ? minus : plus
    const k = flowKey(l.flow)
    m.set(k, (m.get(k) ?? 0) + 1)
  }
  const changed = [...minus.keys()].filter((k) => plus.has(k))
  const removed = [...minus.keys()].filter((k) => !plus.has(k))
  const added = [...plus.keys()].filter((k) => !minus.has(k))
  return { lines, added, removed, changed, diagnostics }
}
