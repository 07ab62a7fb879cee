import { diag, splitLines, type Diagnostic } from './diagnostics'

export interface TraceAction {
  line: number
  text: string
  /** "-> …" and ">> …" lines under the action: what it did, or why it failed. */
  notes: string[]
}

export interface TraceStep {
  line: number
  table: number
  /** The matched flow's match ("ip,in_port=5,nw_src=…"), '' when it matches everything; null for "No match". */
  match: string | null
  priority: number | null
  /** The flow's cookie when it is not 0 (HostSubnet flows carry one). */
  cookie: string | null
  actions: TraceAction[]
}

export interface TracePass {
  line: number
  /** "recirc(0x1) - resume conntrack with ct_state=est|rpl|trk" for a resumed pass, null for the first. */
  resumedBy: string | null
  flow: string | null
  bridge: string | null
  steps: TraceStep[]
  finalFlow: string | null
  megaflow: string | null
  datapathActions: string | null
}

export interface TraceVerdict {
  /** Datapath actions of the last pass are "drop" (or the trace ended without output). */
  dropped: boolean
  /** OpenFlow ports from "-> output port is N" (datapath port numbers are not OpenFlow ports). */
  outputPorts: number[]
  /** The table whose flow ended the walk: the one that dropped, or the last one visited. */
  lastTable: number | null
  /** ">> …" failures (e.g. "native tunnel routing failed"). */
  failures: string[]
  recirculated: boolean
}

export interface OfprotoTrace {
  passes: TracePass[]
  /** The error ovs-appctl gave instead of a trace (bad flow syntax, unknown bridge…). */
  error: string | null
  verdict: TraceVerdict
  diagnostics: Diagnostic[]
}

// "90. ip,nw_dst=10.128.2.0/23, priority 100, cookie 0x1002": OVS adds the cookie when it is not 0.
const stepRe = /^(\d+)\.\s+(.*?)(?:,\s*priority\s+(\d+)|\s*priority\s+(\d+))(?:,\s*cookie\s+(0x[0-9a-fA-F]+))?$/
const noMatchRe = /^(\d+)\.\s+No match\.?/

/** `ovs-appctl ofproto/trace BR FLOW` (with or without --ct-next): the table walk and its outcome. Never throws. */
export function parseOfprotoTrace(text: string): OfprotoTrace {
  const passes: TracePass[] = []
  const diagnostics: Diagnostic[] = []
  let error: string | null = null
  let pass: TracePass | null = null
  let step: TraceStep | null = null
  let action: TraceAction | null = null
  let pendingResume: string | null = null
  const newPass = (line: number): TracePass => {
    const p: TracePass = { line, resumedBy: pendingResume, flow: null, bridge: null, steps: [], finalFlow: null, megaflow: null, datapathActions: null }
    pendingResume = null
    passes.push(p)
    step = null
    action = null
    return p
  }
  splitLines(text).forEach((raw, i) => {
    const line = i + 1
    const t = raw.trim()
    if (t === '' || /^-+$/.test(t) || /^=+$/.test(t) || t.startsWith('#')) return
    let m: RegExpExecArray | null
    if (/^(Bad openflow flow syntax|ovs-appctl: |.*: unknown bridge|.*server returned an error)/.test(t)) {
      error = error ? `${error}\n${t}` : t
      return
    }
    if ((m = /^Flow:\s*(.*)$/.exec(t))) {
      pass = newPass(line)
      pass.flow = (m[1] as string).trim()
      return
    }
    if (/^recirc\(0x[0-9a-f]+\)/.test(t)) {
      pendingResume = t
      return
    }
    if (/^(Replacing src\/dst|Initial flow:|Modified flow:)/.test(t)) return
    const p = pass as TracePass | null
    if (!p) return void diagnostics.push(diag(line, 'error', 'not ofproto/trace output (no "Flow:" line before this)', raw))
    if ((m = /^bridge\("(.*)"\)$/.exec(t))) {
      p.bridge = m[1] as string
      return
    }
    if ((m = /^Final flow:\s*(.*)$/.exec(t))) return void (p.finalFlow = (m[1] as string).trim())
    if ((m = /^Megaflow:\s*(.*)$/.exec(t))) return void (p.megaflow = (m[1] as string).trim())
    if ((m = /^Datapath actions:\s*(.*)$/.exec(t))) return void (p.datapathActions = (m[1] as string).trim())
    if ((m = noMatchRe.exec(t))) {
      step = { line, table: Number(m[1]), match: null, priority: null, cookie: null, actions: [] }
      p.steps.push(step)
      action = null
      return
    }
    if ((m = stepRe.exec(t))) {
      const match = (m[2] as string).trim()
      step = { line, table: Number(m[1]), match: match === '' ? '' : match.replace(/,$/, ''), priority: Number(m[3] ?? m[4]), cookie: m[5] ?? null, actions: [] }
      p.steps.push(step)
      action = null
      return
    }
    if (t.startsWith('->') || t.startsWith('>>')) {
      const a = action as TraceAction | null
      if (a) a.notes.push(t)
      else diagnostics.push(diag(line, 'warning', 'a trace note with no action above it', raw))
      return
    }
    const s = step as TraceStep | null
    if (s) {
      action = { line, text: t, notes: [] }
      s.actions.push(action)
      return
    }
    if (/^(thaw|Resuming from table \d+)/.test(t)) return
    diagnostics.push(diag(line, 'error', 'not part of an ofproto/trace table walk', raw))
  })

  const last = passes[passes.length - 1]
  const outputPorts: number[] = []
  const failures: string[] = []
  for (const p of passes)
    for (const s of p.steps)
      for (const a of s.actions)
        for (const n of a.notes) {
          const o = /^-> output port is (\d+)/.exec(n)
          if (o) outputPorts.push(Number(o[1]))
          if (n.startsWith('>>')) failures.push(n.slice(2).trim())
        }
  const lastSteps = last?.steps ?? []
  const lastStep = lastSteps[lastSteps.length - 1]
  const dpa = last?.datapathActions ?? null
  if (passes.length === 0 && !error) diagnostics.push(diag(1, 'error', 'no trace found (no "Flow:" line)', text.slice(0, 200)))
  if (last && dpa === null && !error) diagnostics.push(diag(last.line, 'warning', 'the trace has no "Datapath actions:" line (cut short?)', ''))
  return {
    passes,
    error,
    diagnostics,
    verdict: {
      dropped: error === null && (dpa === 'drop' || (dpa === null && outputPorts.length === 0)),
      outputPorts,
      lastTable: lastStep ? lastStep.table : null,
      failures,
      recirculated: passes.length > 1 || /recirc\(/.test(dpa ?? '')
    }
  }
}
