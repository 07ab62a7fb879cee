// Runbooks as data: a runbook is inputs + steps; a step runs a command somewhere (or asks a question),
// checks the parsed output, and names the next step and, for a fault, a finding. The engine (engine.ts)
// walks it as a pure state machine; checks.ts evaluates the declarative checks.
import type { ParserId } from '../parse/registry'
import type { Severity } from '../sdn/evidence'
import { readOnlyProblem } from '../shell/read-only'
import { runbookKind } from '../findings/catalog'

export const runbookInputTypes = ['pod', 'namespace', 'node', 'ip', 'cidr', 'port', 'url', 'hostname', 'text'] as const
export type RunbookInputType = (typeof runbookInputTypes)[number]

export interface RunbookInput {
  id: string
  label: string
  type: RunbookInputType
  required: boolean
  help?: string | undefined
  default?: string | undefined
}

/**
 * Where a step runs, with {placeholders} from inputs and facts:
 * master: any master; node: that node's shell; ovs: that node's Open vSwitch (on the node, or in its ovs pod
 * from a master on 3.10+); workstation: the engineer's own machine (outside the cluster); manual: no command.
 */
export type StepWhere =
  | { kind: 'master' }
  | { kind: 'node'; node: string }
  | { kind: 'ovs'; node: string }
  | { kind: 'workstation' }
  | { kind: 'manual' }
  /** No command: the checks compare facts already learned (e.g. "both pods on the same node?"). */
  | { kind: 'decide' }

export const checkTypes = ['exit', 'contains', 'notContains', 'matches', 'sysctl', 'pod', 'podOnNode', 'hostsubnet', 'flow', 'port', 'route', 'link', 'mtu', 'trace', 'records', 'same'] as const
export type CheckType = (typeof checkTypes)[number]

export type CheckParam = string | number | boolean

export interface CheckSpec {
  type: CheckType
  /** What passing means, in words ("ip_forward is 1"); shown with the result. */
  expect: string
  params: Record<string, CheckParam>
  /** Where to go when this check fails (else the step's fail outcome). */
  fail?: Outcome | undefined
}

/** A finding only this runbook step reports: its own kind (runbook and step) and its own words. */
export interface OwnFindingSpec {
  kind?: undefined
  severity: Severity
  title: string
  /** What it means and what to do, in our words; {placeholders} allowed. */
  explain: string
  /** The runbook to go on with, and its inputs from this run's values ({placeholders}). */
  continue?: ContinueSpec | undefined
}

/**
 * A finding of a kind in the finding catalog (core/findings/catalog.ts) — what Check SDN also reports, such as
 * "host.ip-forward": its title and explanation come from the catalog, its parameters from this run's values
 * ({placeholders}), and found by Check SDN too it is the same finding.
 */
export interface CatalogFindingSpec {
  kind: string
  params: Record<string, string>
  /** The catalog's severity unless given. */
  severity?: Severity | undefined
  continue?: ContinueSpec | undefined
}

export type FindingSpec = OwnFindingSpec | CatalogFindingSpec

export interface ContinueSpec {
  runbook: string
  inputs: Record<string, string>
}

export interface Outcome {
  /** A step id, or "done". */
  next: string
  finding?: FindingSpec | undefined
}

export interface Choice {
  id: string
  label: string
  next: string
  finding?: FindingSpec | undefined
}

export interface RunbookStep {
  id: string
  title: string
  /** Short markdown: why this step, what it tells. */
  why: string
  where: StepWhere
  /** The command as an argument list with {placeholders}; quoted as a whole when sent. */
  command?: string[] | undefined
  parser?: ParserId | undefined
  /** Changes the cluster: never run without an explicit confirmation. */
  mutating: boolean
  /** Needs root on the node (sudo -n when the login user is not root); OVS steps always do. */
  sudo?: boolean | undefined
  checks: CheckSpec[]
  pass?: Outcome | undefined
  fail?: Outcome | undefined
  /** Where to go when the step is skipped or cannot be checked (default: the pass outcome's next, no finding). */
  skip?: Outcome | undefined
  /** Manual steps: a question and its answers. */
  question?: string | undefined
  choices?: Choice[] | undefined
}

export interface Runbook {
  id: string
  title: string
  version: number
  /** The guide section it follows ("S7 Debugging Local Networking", or "beyond the guide"). */
  section: string
  summary: string
  inputs: RunbookInput[]
  steps: RunbookStep[]
}

// {name}, but not inside {{…}} (Go templates of `oc get --template` are literal text).
export const placeholder = /(?<!\{)\{([A-Za-z][A-Za-z0-9]*)\}(?!\})/g

/** A value of each input type that passes its checks, to read a command as it could run. */
const sampleValues: Record<RunbookInputType, string> = {
  pod: 'pod-1',
  namespace: 'proj-a',
  node: 'node1',
  ip: '192.0.2.1',
  cidr: '10.128.0.0/14',
  port: '8080',
  url: 'https://app.example.com/',
  hostname: 'app.example.com',
  text: 'x'
}

/**
 * A step that does not say it changes the cluster must have a command the read-only classifier proves, with
 * any values filled in (inputs by their type, facts of earlier steps as a plain word).
 */
function unprovenReadOnly(rb: Runbook, s: RunbookStep): string | null {
  if (!s.command || s.mutating) return null
  const types = new Map(rb.inputs.map((i) => [i.id, i.type]))
  const argv = s.command.map((a) => a.replace(placeholder, (_, name: string) => sampleValues[types.get(name) ?? 'text']))
  return readOnlyProblem(argv)
}

/** The structural rules a schema cannot state: unique ids, known next steps, placeholders that will exist. */
export function runbookProblems(rb: Runbook): string[] {
  const problems: string[] = []
  const ids = new Set<string>()
  for (const s of rb.steps) {
    if (ids.has(s.id)) problems.push(`step id "${s.id}" is used twice`)
    ids.add(s.id)
  }
  const known = (next: string) => next === 'done' || ids.has(next)
  for (const s of rb.steps) {
    const outs: [string, Outcome | undefined][] = [['pass', s.pass], ['fail', s.fail], ['skip', s.skip], ...s.checks.map((c, i) => [`checks[${i}].fail`, c.fail] as [string, Outcome | undefined])]
    for (const [where, o] of outs) if (o && !known(o.next)) problems.push(`step "${s.id}" ${where}: no step "${o.next}"`)
    for (const c of s.choices ?? []) if (!known(c.next)) problems.push(`step "${s.id}" choice "${c.id}": no step "${c.next}"`)
    if (s.where.kind === 'manual' && !(s.question && s.choices?.length)) problems.push(`step "${s.id}": a manual step needs a question and choices`)
    if (s.where.kind !== 'manual' && s.where.kind !== 'decide' && !s.command) problems.push(`step "${s.id}": runs on ${s.where.kind} but has no command`)
    if (s.where.kind === 'decide' && (s.command || s.checks.length === 0)) problems.push(`step "${s.id}": a decide step has checks and no command`)
    if (s.command && !s.pass) problems.push(`step "${s.id}": no pass outcome`)
    // The program itself is fixed by the runbook: inputs fill arguments only.
    if (s.command && /\{/.test(s.command[0] ?? '')) problems.push(`step "${s.id}": the command's first word cannot be a placeholder`)
    if (s.checks.length > 0 && !s.fail && s.checks.some((c) => !c.fail)) problems.push(`step "${s.id}": a check can fail but the step has no fail outcome`)
    const unproven = unprovenReadOnly(rb, s)
    if (unproven) problems.push(`step "${s.id}": its command is not proven read-only (${unproven}); mark the step mutating: true so it runs only when confirmed`)
  }
  for (const { where, spec } of findingSpecs(rb)) {
    if (spec.kind === undefined) continue
    const k = runbookKind(spec.kind)
    if (!k) {
      problems.push(`${where}: "${spec.kind}" is no finding kind a runbook can name (see core/findings/catalog.ts)`)
      continue
    }
    for (const p of k.params) if (!(p in spec.params)) problems.push(`${where}: finding kind "${spec.kind}" needs the parameter "${p}"`)
    for (const p of Object.keys(spec.params)) if (!k.params.includes(p)) problems.push(`${where}: finding kind "${spec.kind}" has no parameter "${p}"`)
  }
  if (rb.steps.length === 0) problems.push('no steps')
  return problems
}

/** Every finding a runbook can make, with where it is written. */
function findingSpecs(rb: Runbook): { where: string; spec: FindingSpec }[] {
  const out: { where: string; spec: FindingSpec }[] = []
  for (const s of rb.steps) {
    const outs: [string, Outcome | undefined][] = [['pass', s.pass], ['fail', s.fail], ['skip', s.skip], ...s.checks.map((c, i) => [`checks[${i}].fail`, c.fail] as [string, Outcome | undefined])]
    for (const [w, o] of outs) if (o?.finding) out.push({ where: `step "${s.id}" ${w}`, spec: o.finding })
    for (const c of s.choices ?? []) if (c.finding) out.push({ where: `step "${s.id}" choice "${c.id}"`, spec: c.finding })
  }
  return out
}

/** Across a library: a finding that continues with a runbook names one that exists, and only its inputs. */
export function continueProblems(runbooks: readonly Runbook[]): { runbookId: string; message: string }[] {
  const problems: { runbookId: string; message: string }[] = []
  for (const rb of runbooks) {
    for (const { where, spec } of findingSpecs(rb)) {
      if (!spec.continue) continue
      const target = runbooks.find((r) => r.id === spec.continue?.runbook)
      if (!target) {
        problems.push({ runbookId: rb.id, message: `${where}: continues with runbook "${spec.continue.runbook}", which does not exist` })
        continue
      }
      for (const k of Object.keys(spec.continue.inputs)) {
        if (!target.inputs.some((i) => i.id === k)) problems.push({ runbookId: rb.id, message: `${where}: runbook "${target.id}" has no input "${k}"` })
      }
    }
  }
  return problems
}
