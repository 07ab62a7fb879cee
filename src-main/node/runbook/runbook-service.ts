import { execFile } from 'node:child_process'
import type { CaptureSummary, EventName, EventPayloads, Host, NextStepView, RunView } from '../../contract'
import { podLookupArgv, podOfNode, type SdnPod } from '../../core/capture/capture-set'
import { parseCapture, parserFor } from '../../core/capture/parsed-view'
import { parseOutput, parsedAs, innerCommand } from '../../core/parse/registry'
import { shellWords } from '../../core/parse/shell-words'
import { applyAnswer, applyChecks, applyEvidence, applySkip, nextAction, startRun, stepBack, type ResolvedTarget, type RunState } from '../../core/runbook/engine'
import type { Runbook, RunbookStep } from '../../core/runbook/model'
import { commandLine } from '../../core/shell/quote'
import type { Handlers } from '../backend/dispatcher'
import type { Logger } from '../log'
import type { SshManager } from '../ssh/ssh-manager'
import { AppError } from '../store/app-error'
import type { CaseDb } from '../store/case-db'
import { parseOf } from '../store/capture-store'
import type { RunbookLibrary } from './runbook-library'
import { liveCapture } from '../capture/live-capture'
import { sameHostName, sameHostRecord } from '../../core/hosts/identity'
import { orderByUsefulness } from '../capture/node-check'
import { inputSuggestions } from './input-suggestions'
import { simulatedTraceCapture, traceCommand } from '../trace/simulate'
import { dumpForTrace } from '../trace/case-dumps'
import { stepFromDumps } from '../../core/runbook/from-dumps'
import { caseTopology } from '../capture/flow-knowledge'

export type RunbookMethod = Extract<keyof Handlers, `runbooks.${string}` | `runs.${string}` | `findings.${string}`>

export interface RunbookContext {
  requireCase(): CaseDb
  ssh: SshManager
  library: RunbookLibrary
  log: Logger
  emit<E extends EventName>(name: E, payload: EventPayloads[E]): void
}

/** Where a step runs in this case: the host, the argv to send there, and what the output is about. */
interface Placement {
  host: Host | null
  argv: string[]
  sudo: boolean
  /** The host the output is about (a node), for captures and offline matching. */
  aboutHost: string | null
  whereText: string
  problem: string | null
}

const now = () => new Date().toISOString()

const sameHost = (h: Pick<Host, 'name' | 'address'>, name: string): boolean => sameHostRecord(h, name)

/** The words of a command that decide what it shows: wrappers (sudo, oc exec … --) dropped. */
function core(command: string): string {
  return innerCommand(shellWords(command)).join(' ')
}

export class RunbookService {
  /** openshift-sdn pods per run (from the master), to reach a node's ovs pod. */
  private readonly pods = new Map<number, SdnPod[]>()

  constructor(private readonly ctx: RunbookContext) {}

  caseClosing(): void {
    this.pods.clear()
  }

  private changed(runId: number): void {
    this.ctx.emit('runs.changed', { runId })
    this.ctx.emit('findings.changed', { caseId: this.ctx.requireCase().summary().id })
  }

  /** A finding was edited, added or deleted: the views listing findings read them again. */
  private findingChanged<T>(value: T): T {
    this.ctx.emit('findings.changed', { caseId: this.ctx.requireCase().summary().id })
    return value
  }

  private master(db: CaseDb): Host | null {
    const masters = db.listHosts().filter((h) => h.role === 'master')
    const states = new Map(this.ctx.ssh.allStates().map((s) => [s.hostId, s.state]))
    return masters.find((m) => states.get(m.id) === 'connected') ?? masters[0] ?? null
  }

  private place(db: CaseDb, step: RunbookStep, target: ResolvedTarget, argv: string[], ovsVia: 'host' | 'ovs-pod', runId: number): Placement {
    const hosts = db.listHosts()
    if (target.kind === 'workstation') return { host: null, argv, sudo: false, aboutHost: 'workstation', whereText: 'this machine (outside the cluster)', problem: null }
    if (target.kind === 'master') {
      const m = this.master(db)
      return { host: m, argv, sudo: step.sudo ?? false, aboutHost: m?.name ?? null, whereText: 'a master', problem: m ? null : 'The case has no master host. Add one in Hosts, or use a capture.' }
    }
    const node = hosts.find((h) => sameHost(h, target.node)) ?? null
    if (target.kind === 'ovs' && ovsVia === 'ovs-pod') {
      const m = this.master(db)
      const pod = podOfNode(this.pods.get(runId) ?? [], 'ovs', { name: target.node, address: node?.address ?? target.node })
      const whereText = `${target.node}'s Open vSwitch (its ovs pod, through ${m?.name ?? 'a master'})`
      if (!m) return { host: null, argv, sudo: false, aboutHost: target.node, whereText, problem: 'OVS runs in the ovs pods here: the case needs a master host to reach them.' }
      return { host: m, argv: ['oc', '-n', 'openshift-sdn', 'exec', pod ?? '{ovsPod}', '--', ...argv], sudo: false, aboutHost: target.node, whereText, problem: null }
    }
    const whereText = target.kind === 'ovs' ? `${target.node}'s Open vSwitch (on the node)` : target.node
    return { host: node, argv, sudo: target.kind === 'ovs' ? true : (step.sudo ?? false), aboutHost: target.node, whereText, problem: node ? null : `No host named ${target.node} in the case (a node the run learned of). Add it in Hosts, or use a capture of it.` }
  }

  /** Captures that can stand for a step: same host, same parser; the same command first, newest first. */
  private candidates(db: CaseDb, step: RunbookStep, aboutHost: string | null, argv: string[]): CaptureSummary[] {
    const want = parserFor(commandLine(argv), step.parser ?? null)
    const wantCore = core(commandLine(argv))
    const all = db.captures.list().filter((c) => c.status === 'ok' || c.status === 'failed')
    const hostOk = (c: CaptureSummary) => aboutHost === null || sameHostName(c.hostName, aboutHost)
    const exact = all.filter((c) => hostOk(c) && core(c.command) === wantCore)
    // A trace answers only for the same packet; other outputs serve when the same parser reads them.
    const similar = want && want.id !== 'ovs-appctl.ofproto-trace' ? all.filter((c) => hostOk(c) && c.parserId === want.id && !exact.includes(c) && !/\btable=\d/.test(c.command)) : []
    // Completed outputs first; among dumps, a complete one before an excerpt (Check SDN's ranking).
    const ordered = [...exact, ...similar].sort((a, b) => Number(b.status === 'ok') - Number(a.status === 'ok'))
    return want ? orderByUsefulness(db.captures, want.id, ordered) : ordered
  }

  private next(db: CaseDb, runId: number, rb: Runbook, state: RunState, mode: 'live' | 'offline', ovsVia: 'host' | 'ovs-pod'): NextStepView {
    const a = nextAction(rb, state)
    if (a.kind === 'done') return { kind: 'done' }
    if (a.kind === 'blocked') return { kind: 'blocked', stepId: a.step.id, title: a.step.title, message: a.message }
    if (a.kind === 'ask') return { kind: 'ask', stepId: a.step.id, title: a.title, why: a.step.why, question: a.question, choices: a.choices }
    if (a.kind === 'decide') return { kind: 'blocked', stepId: a.step.id, title: a.step.title, message: 'internal: a decide step was not applied' }
    const p = this.place(db, a.step, a.target, a.argv, ovsVia, runId)
    const candidates = this.candidates(db, a.step, p.aboutHost, a.argv)
    // Offline, a trace with no saved trace of that packet is simulated on the node's saved dump.
    const trace = traceCommand(a.argv)
    const simulatedOn = mode === 'offline' && candidates.length === 0 && trace ? dumpForTrace(db, p.aboutHost, trace.bridge) : null
    // Offline, where a pod runs or a node's subnet can be read from the saved dumps when the oc output is missing.
    const fromDumps = mode === 'offline' && candidates.length === 0 && !trace && a.step.checks.some((c) => c.type === 'pod' || c.type === 'hostsubnet') ? stepFromDumps(rb, state, caseTopology(db)) : null
    const answeredFrom = fromDumps && 'evaluate' in fromDumps ? fromDumps.captureIds.map((id) => db.captures.get(id)) : []
    const missing = `No capture of \`${commandLine(a.argv)}\`${p.aboutHost ? ` from ${p.aboutHost}` : ''} in this case.`
    const problem =
      mode === 'offline'
        ? candidates.length || simulatedOn || answeredFrom.length
          ? null
          : `${missing}${fromDumps && 'problem' in fromDumps ? ` The saved br0 dumps do not answer it: ${fromDumps.problem}.` : ''} Import one, paste the output, or mark the step as not checkable.`
        : p.problem
    return {
      kind: 'run',
      stepId: a.step.id,
      title: a.title,
      why: a.step.why,
      whereText: p.whereText,
      simulatedOn,
      answeredFrom,
      hostName: mode === 'offline' ? p.aboutHost : (p.host?.name ?? p.aboutHost),
      command: commandLine(p.argv),
      mutating: a.mutating,
      candidates,
      problem
    }
  }

  private view(db: CaseDb, runId: number): RunView {
    const { run, state } = db.runs.get(runId)
    const rb = this.ctx.library.get(run.runbookId)
    return { run, state, next: this.next(db, runId, rb, state, run.mode, run.ovsVia), notes: db.runs.notes(runId) }
  }

  /** Decide steps compare facts: they are applied as soon as they come up. */
  private settle(rb: Runbook, state: RunState): RunState {
    let s = state
    for (let guard = 0; guard < 50 && nextAction(rb, s).kind === 'decide'; guard++) s = applyEvidence(rb, s, null, now())
    return s
  }

  private save(db: CaseDb, runId: number, rb: Runbook, state: RunState): RunView {
    db.runs.update(runId, this.settle(rb, state))
    this.changed(runId)
    return this.view(db, runId)
  }

  private load(db: CaseDb, runId: number): { rb: Runbook; state: RunState; mode: 'live' | 'offline'; ovsVia: 'host' | 'ovs-pod' } {
    const { run, state } = db.runs.get(runId)
    const rb = this.ctx.library.get(run.runbookId)
    if (rb.version !== run.runbookVersion) throw new AppError('conflict', `Run ${runId} followed version ${run.runbookVersion} of "${rb.title}"; version ${rb.version} is installed now. Start a new run.`)
    return { rb, state, mode: run.mode, ovsVia: run.ovsVia }
  }

  private async execute(runId: number, confirm: boolean): Promise<RunView> {
    const db = this.ctx.requireCase()
    const { rb, state, mode, ovsVia } = this.load(db, runId)
    const a = nextAction(rb, state)
    if (a.kind !== 'run') throw new AppError('conflict', 'The current step has no command to run; answer it, skip it or step back.')
    if (mode === 'offline') {
      const aboutHost = this.place(db, a.step, a.target, a.argv, ovsVia, runId).aboutHost
      const best = this.candidates(db, a.step, aboutHost, a.argv)[0]
      if (!best) {
        const simulated = simulatedTraceCapture(db, a.argv, aboutHost, a.title, `runbook:${rb.id}:${a.step.id}`)
        const saved = simulated ? db.captures.save(simulated) : null
        if (saved) {
          this.ctx.emit('captures.changed', { caseId: db.summary().id })
          return this.useCapture(runId, saved.id)
        }
        const fromDumps = stepFromDumps(rb, state, caseTopology(db))
        if ('evaluate' in fromDumps) {
          const cited = fromDumps.captureIds.map((id) => db.captures.get(id)).map((c) => `${c.hostName} (capture #${c.id})`).join(', ')
          const note = `Answered from the saved br0 dumps of ${cited}: the case has no capture of \`${commandLine(a.argv)}\`.`
          return this.save(db, runId, rb, applyChecks(rb, state, fromDumps.evaluate, { captureIds: fromDumps.captureIds, note, at: now(), argv: a.argv, target: a.target }))
        }
        throw new AppError('not_found', (this.next(db, runId, rb, state, mode, ovsVia) as { problem: string | null }).problem ?? 'No capture for this step.')
      }
      return this.useCapture(runId, best.id)
    }
    if (a.mutating && !confirm) throw new AppError('conflict', `"${a.title}" changes the cluster. It runs only when you confirm it.`)
    if (a.target.kind === 'workstation') return this.runHere(db, runId, rb, state, a.step, a.title, a.argv, a.target)
    if (a.target.kind === 'ovs' && ovsVia === 'ovs-pod' && !this.pods.has(runId)) {
      const m = this.master(db)
      if (m) {
        const r = await this.ctx.ssh.exec(m.id, podLookupArgv, { timeoutMs: 60_000 })
        const pods: SdnPod[] = parsedAs(parseOutput('oc.get.pods', r.stdout), 'oc.get.pods')?.records ?? []
        if (!r.error && r.exitCode === 0) this.pods.set(runId, pods)
      }
    }
    const p = this.place(db, a.step, a.target, a.argv, ovsVia, runId)
    if (p.problem || !p.host) throw new AppError('unavailable', p.problem ?? 'No host to run this step on.')
    if (p.argv.includes('{ovsPod}')) throw new AppError('unavailable', `No ovs pod runs on ${p.aboutHost} (by \`oc -n openshift-sdn get pods -o wide\` on ${p.host.name}).`)
    const r = await this.ctx.ssh.exec(p.host.id, p.argv, { sudo: p.sudo, timeoutMs: 120_000 })
    const { row, parsed } = liveCapture(
      r,
      {
        runId: null,
        hostId: db.listHosts().find((h) => p.aboutHost !== null && sameHost(h, p.aboutHost))?.id ?? p.host.id,
        hostName: p.aboutHost ?? p.host.name,
        viaHostName: p.aboutHost && !sameHost(p.host, p.aboutHost) ? p.host.name : null,
        commandId: `runbook:${rb.id}:${a.step.id}`,
        title: a.title
      },
      a.step.parser ?? null
    )
    const saved = db.captures.save(row)
    this.ctx.emit('captures.changed', { caseId: db.summary().id })
    if (r.error) throw new AppError('unavailable', `${p.host.name}: ${r.error.message} The step was not checked; its attempt is saved as capture ${saved.id}.`)
    return this.save(db, runId, rb, applyEvidence(rb, state, { exitCode: r.exitCode, text: r.stdout, parsed, captureId: saved.id }, now(), a.argv, a.target))
  }

  /**
   * A step for the engineer's own machine (outside the cluster: curl the URL, resolve the name): run here,
   * without a shell (argv as given, the program fixed by the runbook), output and errors together.
   */
  private async runHere(db: CaseDb, runId: number, rb: Runbook, state: RunState, step: RunbookStep, title: string, argv: string[], target: ResolvedTarget): Promise<RunView> {
    const startedAt = now()
    const t0 = Date.now()
    const r = await new Promise<{ stdout: string; stderr: string; code: number | null; error: string | null }>((resolve) => {
      execFile(argv[0] as string, argv.slice(1), { timeout: 60_000, maxBuffer: 64 * 1024 * 1024, encoding: 'utf8' }, (err, stdout, stderr) => {
        const e = err as (NodeJS.ErrnoException & { code?: string | number; killed?: boolean }) | null
        if (e && e.code === 'ENOENT') return resolve({ stdout: '', stderr: '', code: null, error: `${argv[0]} is not installed on this machine` })
        if (e?.killed) return resolve({ stdout, stderr, code: null, error: `${argv[0]} did not finish within 60 s` })
        resolve({ stdout, stderr, code: e ? (typeof e.code === 'number' ? e.code : 1) : 0, error: null })
      })
    })
    const text = r.stdout + r.stderr
    const parsed = text ? parseCapture(commandLine(argv), text, step.parser ?? null) : null
    const saved = db.captures.save({
      runId: null, hostId: null, hostName: 'workstation', viaHostName: null, commandId: `runbook:${rb.id}:${step.id}`, title,
      command: commandLine(argv), source: 'live', origin: null, startedAt, durationMs: Date.now() - t0,
      status: r.error ? 'error' : r.code === 0 ? 'ok' : 'failed', exitCode: r.code, signal: null, errorKind: r.error ? 'other' : null, error: r.error,
      stdout: text, stderr: '', truncated: false, parse: parseOf(parsed)
    })
    this.ctx.emit('captures.changed', { caseId: db.summary().id })
    if (r.error) throw new AppError('unavailable', `${r.error}. Run the command yourself and paste its output.`)
    return this.save(db, runId, rb, applyEvidence(rb, state, { exitCode: r.code, text, parsed, captureId: saved.id }, now(), argv, target))
  }

  private useCapture(runId: number, captureId: number): RunView {
    const db = this.ctx.requireCase()
    const { rb, state } = this.load(db, runId)
    const a = nextAction(rb, state)
    if (a.kind !== 'run') throw new AppError('conflict', 'The current step does not read command output.')
    const c = db.captures.get(captureId)
    const text = db.captures.text(captureId)
    const parsed = parseCapture(c.command, text, a.step.parser ?? c.parserId)
    return this.save(db, runId, rb, applyEvidence(rb, state, { exitCode: c.exitCode ?? (c.status === 'ok' ? 0 : null), text, parsed, captureId }, now(), a.argv, a.target))
  }

  handlers(): Pick<Handlers, RunbookMethod> {
    return {
      'runbooks.list': () => this.ctx.library.list(),
      'runbooks.get': ({ id }) => this.ctx.library.get(id),
      'runs.start': ({ runbookId, inputs, mode, ovsVia }) => {
        const db = this.ctx.requireCase()
        db.assertWritable('Starting a runbook run')
        const rb = this.ctx.library.get(runbookId)
        const started = startRun(rb, inputs)
        if ('missing' in started) {
          const label = (id: string) => rb.inputs.find((i) => i.id === id)?.label ?? id
          const invalid = started.invalid ?? []
          const parts = [...(started.missing.length ? [`Give ${started.missing.map(label).join(', ')}.`] : []), ...invalid.map((x) => `${label(x.id)}: expected ${x.problem}.`)]
          throw new AppError('invalid_input', parts.join(' '), [
            ...started.missing.map((m) => ({ path: `inputs.${m}`, message: 'Required.' })),
            ...invalid.map((x) => ({ path: `inputs.${x.id}`, message: `Expected ${x.problem}.` }))
          ])
        }
        const run = db.runs.create({ runbookId: rb.id, version: rb.version, title: rb.title, mode, ovsVia, state: this.settle(rb, started.state) })
        this.changed(run.id)
        return this.view(db, run.id)
      },
      'runs.list': () => this.ctx.requireCase().runs.list(),
      'runs.get': ({ runId }) => this.view(this.ctx.requireCase(), runId),
      'runs.execute': ({ runId, confirm }) => this.execute(runId, confirm ?? false),
      'runs.useCapture': ({ runId, captureId }) => this.useCapture(runId, captureId),
      'runs.submitOutput': ({ runId, text, exitCode }) => {
        const db = this.ctx.requireCase()
        const { rb, state, ovsVia } = this.load(db, runId)
        const a = nextAction(rb, state)
        if (a.kind !== 'run') throw new AppError('conflict', 'The current step does not read command output.')
        const p = this.place(db, a.step, a.target, a.argv, ovsVia, runId)
        const command = commandLine(a.argv)
        const parsed = parseCapture(command, text, a.step.parser ?? null)
        const saved = db.captures.save({
          runId: null, hostId: null, hostName: p.aboutHost ?? 'workstation', viaHostName: null, commandId: `runbook:${rb.id}:${a.step.id}`, title: a.title,
          command, source: 'imported', origin: `pasted into run ${runId}`, startedAt: now(), durationMs: null, status: exitCode === 0 ? 'ok' : 'failed',
          exitCode, signal: null, errorKind: null, error: null, stdout: text, stderr: '', truncated: false,
          parse: parseOf(parsed)
        })
        this.ctx.emit('captures.changed', { caseId: db.summary().id })
        return this.save(db, runId, rb, applyEvidence(rb, state, { exitCode, text, parsed, captureId: saved.id }, now(), a.argv, a.target))
      },
      'runs.answer': ({ runId, choiceId }) => {
        const db = this.ctx.requireCase()
        const { rb, state } = this.load(db, runId)
        const a = nextAction(rb, state)
        if (a.kind !== 'ask' || !a.choices.some((c) => c.id === choiceId)) throw new AppError('invalid_input', 'That answer does not belong to the current question.')
        return this.save(db, runId, rb, applyAnswer(rb, state, choiceId, now()))
      },
      'runs.skip': ({ runId, note }) => {
        const db = this.ctx.requireCase()
        const { rb, state } = this.load(db, runId)
        if (state.current === null) throw new AppError('conflict', 'The run is done.')
        return this.save(db, runId, rb, applySkip(rb, state, note, now()))
      },
      'runs.back': ({ runId, index }) => {
        const db = this.ctx.requireCase()
        const { rb, state } = this.load(db, runId)
        if (index >= state.history.length) throw new AppError('invalid_input', `The run has ${state.history.length} steps; there is no step ${index + 1} to go back to.`)
        return this.save(db, runId, rb, stepBack(state, index))
      },
      'runs.note': ({ runId, stepIndex, text }) => {
        const db = this.ctx.requireCase()
        db.runs.addNote(runId, stepIndex ?? null, text)
        this.changed(runId)
        return this.view(db, runId)
      },
      'runs.delete': ({ runId }) => {
        const db = this.ctx.requireCase()
        db.runs.delete(runId)
        this.pods.delete(runId)
        this.changed(runId)
        return { runId }
      },
      'runs.suggestions': () => inputSuggestions(this.ctx.requireCase()),
      'findings.list': (filter) => this.ctx.requireCase().findings.list(filter),
      'findings.update': ({ id, status, note }) => this.findingChanged(this.ctx.requireCase().findings.update(id, { status, note })),
      'findings.add': ({ finding }) => {
        const db = this.ctx.requireCase()
        const evidence = finding.evidence.map((e) => {
          const c = db.captures.get(e.captureId)
          const lines = db.captures.lines(e.captureId, e.from, e.to)
          return { captureId: c.id, lines: lines.map((l) => l.line), excerpt: lines.map((l) => l.text).join('\n'), label: 'picked by the engineer' }
        })
        const [id] = db.findings.record([
          {
            // The engineer's own finding: its own subject (nothing else reports it), numbered by time.
            kind: 'engineer',
            subject: { ...(finding.host ? { host: finding.host } : {}), detail: `${Date.now()}-${finding.title}` },
            severity: finding.severity,
            title: finding.title,
            explain: finding.explain,
            source: { kind: 'engineer' },
            evidence
          }
        ])
        return this.findingChanged(db.findings.get(id as number))
      },
      'findings.delete': ({ id }) => {
        this.ctx.requireCase().findings.delete(id)
        this.findingChanged(null)
        return { id }
      }
    }
  }
}
