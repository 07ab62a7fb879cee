// The runbook engine: a pure state machine. (runbook, state) -> the next action; (state, evidence or answer)
// -> the next state. Deterministic, no clock, no I/O: the caller supplies times and evidence, so a run is
// resumable from its saved state and every path is unit-testable.
import type { Severity } from '../sdn/evidence'
import { evaluateCheck, type CheckResult, type StepEvidence } from './checks'
import { isDnsName, isIPv4, isIPv6, parseIPv4Cidr } from '../net/address'
import { renderRunbookKind, runbookKind } from '../findings/catalog'
import { placeholder, type CheckParam, type CheckSpec, type FindingSpec, type Outcome, type Runbook, type RunbookInputType, type RunbookStep, type StepWhere } from './model'
import { readOnlyProblem } from '../shell/read-only'

/** `decided`: a decide step compared facts ("same node?"); its `choice` is yes or no, neither a failure. */
export type StepResultKind = 'pass' | 'fail' | 'answered' | 'skipped' | 'decided'

export interface StepRecord {
  stepId: string
  /** The step's title with what was known then filled in ("Does node1 forward IP?"). */
  title: string
  result: StepResultKind
  /** The command as it ran (placeholders filled in), and on which target. */
  argv: string[] | null
  target: ResolvedTarget | null
  checks: CheckResult[]
  choice: string | null
  /** Why a step was skipped ("declined: changes the cluster", "no capture of it offline"). */
  note: string | null
  captureIds: number[]
  /** Facts this step taught (kept per step so stepping back forgets them). */
  facts: Record<string, string>
  at: string
}

export interface RunFinding {
  stepId: string
  /** A finding catalog kind ("host.ip-forward"), its subject ("10.128.0.0/14") and the host it is about. */
  catalog?: { kind: string; subject: string | null; host: string | null } | undefined
  severity: Severity
  title: string
  explain: string
  /** The check results of the step that found it. */
  evidence: { expect: string; reason: string; lines: { line: number; text: string }[] }[]
  captureIds: number[]
  /** The runbook to go on with and the inputs this run already knows for it (absent in runs saved before). */
  continueWith?: { runbookId: string; inputs: Record<string, string> } | null
}

export interface RunState {
  runbookId: string
  runbookVersion: number
  inputs: Record<string, string>
  history: StepRecord[]
  /** The step to do next; null when the run is done. */
  current: string | null
  findings: RunFinding[]
}

export type ResolvedTarget = { kind: 'master' } | { kind: 'node'; node: string } | { kind: 'ovs'; node: string } | { kind: 'workstation' }

export type NextAction =
  | { kind: 'run'; step: RunbookStep; title: string; target: ResolvedTarget; argv: string[]; mutating: boolean }
  | { kind: 'ask'; step: RunbookStep; title: string; question: string; choices: { id: string; label: string }[] }
  | { kind: 'done'; findings: RunFinding[] }
  | { kind: 'blocked'; step: RunbookStep; message: string }
  /** A decide step: its checks compare facts; apply it with applyEvidence(…, null, …). */
  | { kind: 'decide'; step: RunbookStep }


/** Inputs and everything learned so far, later steps overriding earlier ones. */
export function knownValues(state: RunState): Record<string, string> {
  const v: Record<string, string> = { ...state.inputs }
  for (const r of state.history) Object.assign(v, r.facts)
  return v
}

/** Fills {placeholders}; a value is inserted as it is, the caller quotes the argv as a whole. */
/**
 * A finding's or title's text with its placeholders filled; one no step gave reads as plain words ("the own
 * subnet (not known)"), never as "{ownSubnet}".
 */
export function fillProse(text: string, values: Record<string, string>): string {
  return text.replace(placeholder, (_whole, name: string) => values[name] ?? `the ${name.replace(/([a-z0-9])([A-Z])/g, '$1 $2').toLowerCase()} (not known)`)
}

export function fill(text: string, values: Record<string, string>): { text: string; missing: string[] } {
  const missing: string[] = []
  const out = text.replace(placeholder, (whole, name: string) => {
    const v = values[name]
    if (v === undefined) {
      missing.push(name)
      return whole
    }
    return v
  })
  return { text: out, missing }
}

/** Why a value is not of its input's type, or null. Values are quoted when sent anyway; this catches typos. */
export function inputProblem(type: RunbookInputType, v: string): string | null {
  switch (type) {
    case 'pod':
    case 'namespace':
      return /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(v) && v.length <= 253 ? null : 'lower-case letters, digits, "-" and "." (a Kubernetes name)'
    case 'node':
    case 'hostname':
      return isDnsName(v) || isIPv4(v) ? null : 'a host name'
    case 'ip':
      return isIPv4(v) || isIPv6(v) ? null : 'an IPv4 or IPv6 address'
    case 'cidr':
      return parseIPv4Cidr(v) !== null ? null : 'a network in CIDR form, like 10.128.0.0/14'
    case 'port':
      return /^\d{1,5}$/.test(v) && Number(v) >= 1 && Number(v) <= 65535 ? null : 'a port number, 1 to 65535'
    case 'url':
      return /^https?:\/\/[^\s/]+/.test(v) ? null : 'an http:// or https:// URL'
    default:
      return null
  }
}

export function startRun(rb: Runbook, inputs: Record<string, string>): { state: RunState } | { missing: string[]; invalid?: { id: string; problem: string }[] } {
  const values: Record<string, string> = {}
  const missing: string[] = []
  const invalid: { id: string; problem: string }[] = []
  for (const i of rb.inputs) {
    const v = (inputs[i.id] ?? i.default ?? '').trim()
    if (v) {
      values[i.id] = v
      const p = inputProblem(i.type, v)
      if (p) invalid.push({ id: i.id, problem: p })
    } else if (i.required) missing.push(i.id)
  }
  if (missing.length > 0 || invalid.length > 0) return { missing, invalid }
  return { state: { runbookId: rb.id, runbookVersion: rb.version, inputs: values, history: [], current: rb.steps[0]?.id ?? null, findings: [] } }
}

function step(rb: Runbook, id: string): RunbookStep {
  const s = rb.steps.find((x) => x.id === id)
  if (!s) throw new Error(`runbook ${rb.id}: no step ${id}`)
  return s
}

function resolveTarget(where: StepWhere, values: Record<string, string>): { target: ResolvedTarget | null; missing: string[] } {
  switch (where.kind) {
    case 'node':
    case 'ovs': {
      const f = fill(where.node, values)
      return { target: { kind: where.kind, node: f.text }, missing: f.missing }
    }
    case 'master':
    case 'workstation':
      return { target: { kind: where.kind }, missing: [] }
    default:
      return { target: null, missing: [] }
  }
}

const escapeRegex = (v: string) => v.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')

function filledParams(params: Record<string, CheckParam>, values: Record<string, string>): { params: Record<string, CheckParam>; missing: string[] } {
  const out: Record<string, CheckParam> = {}
  const missing: string[] = []
  // An input inside a pattern is matched literally: a pod name with "." or "(" is not a regular expression.
  const literal = Object.fromEntries(Object.entries(values).map(([k, v]) => [k, escapeRegex(v)]))
  for (const [k, v] of Object.entries(params)) {
    if (typeof v !== 'string') {
      out[k] = v
      continue
    }
    const f = fill(v, k === 'regex' ? literal : values)
    out[k] = f.text
    missing.push(...f.missing)
  }
  return { params: out, missing }
}

/** What to do next. */
export function nextAction(rb: Runbook, state: RunState): NextAction {
  if (state.current === null) return { kind: 'done', findings: state.findings }
  const s = step(rb, state.current)
  const values = knownValues(state)
  if (s.where.kind === 'manual') {
    return { kind: 'ask', step: s, title: fill(s.title, values).text, question: fill(s.question ?? '', values).text, choices: (s.choices ?? []).map((c) => ({ id: c.id, label: fill(c.label, values).text })) }
  }
  const { target, missing } = resolveTarget(s.where, values)
  const argv = (s.command ?? []).map((a) => fill(a, values))
  const gaps = [...new Set([...missing, ...argv.flatMap((a) => a.missing)])]
  if (gaps.length > 0) return { kind: 'blocked', step: s, message: `step "${s.title}" needs ${gaps.map((g) => `{${g}}`).join(', ')}, which no earlier step or input gave` }
  if (s.where.kind === 'decide') return { kind: 'decide', step: s }
  const filled = argv.map((a) => a.text)
  // A step changes the cluster when its runbook says so, or when its command, as it will run, is not proven
  // read-only (the collector's classifier): such a step runs only when confirmed.
  return { kind: 'run', step: s, title: fill(s.title, values).text, target: target as ResolvedTarget, argv: filled, mutating: s.mutating || readOnlyProblem(filled) !== null }
}

/** A finding's title and explanation as the engineer reads them, with what the run knows filled in. */
export function renderFinding(spec: FindingSpec, values: Record<string, string>): Pick<RunFinding, 'title' | 'explain' | 'severity' | 'catalog'> {
  if (spec.kind === undefined) return { title: fillProse(spec.title, values), explain: fillProse(spec.explain, values), severity: spec.severity }
  const k = runbookKind(spec.kind)
  // Runbooks are checked when loaded (runbookProblems), so this is a library that skipped the check.
  if (!k) return { title: `Finding of unknown kind "${spec.kind}"`, explain: 'The runbook names a finding kind the catalog does not have (core/findings/catalog.ts).', severity: spec.severity ?? 'warning' }
  const params = Object.fromEntries(Object.entries(spec.params).map(([p, v]) => [p, fillProse(v, values)]))
  const r = renderRunbookKind(k.kind, params)
  // The host only when the run knows it: "the node (not known)" is no host.
  const host = k.host !== undefined && spec.params[k.host] !== undefined ? fill(spec.params[k.host] as string, values) : null
  return { title: r.title, explain: r.explain, severity: spec.severity ?? r.severity, catalog: { kind: k.kind, subject: r.subject ?? null, host: host && host.missing.length === 0 ? host.text : null } }
}

function findingOf(spec: FindingSpec, stepId: string, values: Record<string, string>, checks: CheckResult[], captureIds: number[]): RunFinding {
  return {
    stepId,
    ...renderFinding(spec, values),
    evidence: checks.map((c) => ({ expect: c.expect, reason: c.reason, lines: c.evidence })),
    captureIds,
    continueWith: spec.continue ? { runbookId: spec.continue.runbook, inputs: continueInputs(spec.continue.inputs, values) } : null
  }
}

/** The next runbook's inputs this run knows: a value whose placeholders are not all known is left for the engineer. */
function continueInputs(inputs: Record<string, string>, values: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {}
  for (const [k, v] of Object.entries(inputs)) {
    const f = fill(v, values)
    if (f.missing.length === 0) out[k] = f.text
  }
  return out
}

function advance(rb: Runbook, state: RunState, record: StepRecord, outcome: Outcome | undefined, checks: CheckResult[]): RunState {
  const history = [...state.history, record]
  const values = knownValues({ ...state, history })
  const findings = outcome?.finding ? [...state.findings, findingOf(outcome.finding, record.stepId, values, checks, record.captureIds)] : state.findings
  const next = outcome?.next ?? 'done'
  if (next !== 'done') step(rb, next)
  return { ...state, history, findings, current: next === 'done' ? null : next }
}

/** Evaluates one check whose params have their placeholders filled in (evaluateCheck on a step's output, or another source). */
export type CheckEvaluator = (c: CheckSpec, params: Record<string, CheckParam>) => CheckResult

/**
 * The current step's checks, in order, each with the facts of the ones before it; the first failing check stops
 * (its own fail outcome, else the step's). Pure: nothing is applied.
 */
export function runChecks(rb: Runbook, state: RunState, evaluate: CheckEvaluator): { results: CheckResult[]; facts: Record<string, string>; failed: { outcome: Outcome | undefined } | null } {
  const results: CheckResult[] = []
  const facts: Record<string, string> = {}
  if (state.current === null) return { results, facts, failed: null }
  const s = step(rb, state.current)
  for (const c of s.checks) {
    const values = { ...knownValues(state), ...facts }
    const { params } = filledParams(c.params, values)
    const r = evaluate({ ...c, expect: fill(c.expect, values).text }, params)
    results.push(r)
    Object.assign(facts, r.facts)
    if (!r.pass) return { results, facts, failed: { outcome: c.fail ?? s.fail } }
  }
  return { results, facts, failed: null }
}

/**
 * Applies the output of the current step: every check in order, facts gathered; the first failing check
 * decides (its own fail outcome, else the step's); all passing take the pass outcome.
 */
export function applyEvidence(rb: Runbook, state: RunState, ev: StepEvidence | null, at: string, argv: string[] = [], target: ResolvedTarget | null = null): RunState {
  const evidence: StepEvidence = ev ?? { exitCode: null, text: '', parsed: null, captureId: null }
  return applyChecks(rb, state, (c, params) => evaluateCheck(c, params, evidence), { captureIds: ev?.captureId != null ? [ev.captureId] : [], note: null, at, argv, target })
}

/**
 * Applies the current step with its checks answered by `evaluate` (a step's output, or the case's saved dumps for
 * a step whose command the case has no output of), the captures that answered them and a note saying how.
 */
export function applyChecks(rb: Runbook, state: RunState, evaluate: CheckEvaluator, how: { captureIds: number[]; note: string | null; at: string; argv?: string[]; target?: ResolvedTarget | null }): RunState {
  if (state.current === null) return state
  const s = step(rb, state.current)
  const { results, facts, failed } = runChecks(rb, state, evaluate)
  const decide = s.where.kind === 'decide'
  const record: StepRecord = {
    stepId: s.id,
    title: fill(s.title, knownValues(state)).text,
    result: decide ? 'decided' : failed ? 'fail' : 'pass',
    argv: s.command ? (how.argv ?? []) : null,
    target: how.target ?? null,
    checks: results,
    choice: decide ? (failed ? 'no' : 'yes') : null,
    note: how.note,
    captureIds: how.captureIds,
    facts,
    at: how.at
  }
  return advance(rb, state, record, failed ? failed.outcome : s.pass, results)
}

export function applyAnswer(rb: Runbook, state: RunState, choiceId: string, at: string): RunState {
  if (state.current === null) return state
  const s = step(rb, state.current)
  const c = (s.choices ?? []).find((x) => x.id === choiceId)
  if (!c) throw new Error(`step ${s.id} has no choice ${choiceId}`)
  const record: StepRecord = { stepId: s.id, title: fill(s.title, knownValues(state)).text, result: 'answered', argv: null, target: null, checks: [], choice: c.id, note: null, captureIds: [], facts: {}, at }
  return advance(rb, state, record, { next: c.next, finding: c.finding }, [])
}

/** The step is not done (declined, or nothing to check it against offline): its skip outcome, never a finding. */
export function applySkip(rb: Runbook, state: RunState, note: string, at: string): RunState {
  if (state.current === null) return state
  const s = step(rb, state.current)
  const record: StepRecord = { stepId: s.id, title: fill(s.title, knownValues(state)).text, result: 'skipped', argv: null, target: null, checks: [], choice: null, note, captureIds: [], facts: {}, at }
  const to = s.skip ?? { next: s.pass?.next ?? s.choices?.[0]?.next ?? 'done' }
  return advance(rb, state, record, { next: to.next, finding: s.skip?.finding }, [])
}

/** Goes back to the n-th step taken (0-based): it and everything after are forgotten, findings too. */
export function stepBack(state: RunState, n: number): RunState {
  const kept = state.history.slice(0, n)
  const target = state.history[n]
  if (!target) return state
  const keptIds = new Set(kept.map((r, i) => `${i}:${r.stepId}`))
  const findings = state.findings.filter((f) => kept.some((r, i) => r.stepId === f.stepId && keptIds.has(`${i}:${r.stepId}`)))
  return { ...state, history: kept, current: target.stepId, findings }
}
