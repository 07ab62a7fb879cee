import type { CaptureItemProgress, CaptureRun, CaptureRunProgress, ExecResult, SshErrorKind } from '../../contract'
import { planCapture, podOfNode, renderArgv, type CaptureSet, type OvsVia, type PlanHost, type PlannedCapture, type SdnPod } from '../../core/capture/capture-set'
import { commandLine } from '../../core/shell/quote'
import { parseOutput, parsedAs } from '../../core/parse/registry'
import type { Logger } from '../log'
import type { CaptureStore } from '../store/capture-store'
import { liveCapture, statusOf } from './live-capture'

export interface CaptureExec {
  execWithId(execId: string, hostId: number, argv: readonly string[], opts: { sudo?: boolean; timeoutMs?: number }): Promise<ExecResult>
  cancel(execId: string): boolean
}

export interface CaptureRunnerDeps {
  exec: CaptureExec
  store: CaptureStore
  log: Logger
  onItem(p: CaptureItemProgress): void
  onRun(r: CaptureRun): void
}

export interface CaptureRequest {
  set: CaptureSet
  chosen: PlanHost[]
  allHosts: PlanHost[]
  ovsVia: OvsVia
  masterHostId: number | null
  /** Commands at once on one host (the SSH manager also caps channels per host and commands overall). */
  perHost?: number
}

/** Errors that mean the host cannot run anything now: the rest of its commands are not tried. */
const hostLevel: ReadonlySet<SshErrorKind> = new Set(['unreachable', 'timeout', 'auth', 'host-key-changed', 'host-key-rejected', 'host-key-revoked', 'key-file', 'jump', 'dropped'])

/**
 * One run of a capture set: every planned command on its host, several hosts at once, each output
 * saved the moment it completes in its own transaction (a crash loses nothing that finished).
 */
export class CaptureRunner {
  readonly run: CaptureRun
  readonly done: Promise<CaptureRun>
  private readonly items = new Map<string, CaptureItemProgress>()
  private readonly plan: ReturnType<typeof planCapture>
  private readonly running = new Map<string, string>()
  private cancelled = false
  private pods: Promise<SdnPod[] | { error: string }> | null = null
  private readonly hostFailed = new Map<number, string>()

  constructor(
    private readonly deps: CaptureRunnerDeps,
    private readonly req: CaptureRequest
  ) {
    this.plan = planCapture(req.set, req.chosen, req.allHosts, { ovsVia: req.ovsVia, masterHostId: req.masterHostId })
    this.run = deps.store.createRun({
      setId: req.set.id,
      setTitle: req.set.title,
      setVersion: req.set.version,
      ovsVia: req.ovsVia,
      planned: this.plan.items.length + (this.plan.podLookup ? 1 : 0)
    })
    if (this.plan.podLookup) {
      const l = this.plan.podLookup
      this.addItem({ key: `${l.hostId}/sdn-pods`, hostId: l.hostId, hostName: l.hostName, runOnHostName: l.hostName, commandId: 'sdn-pods', title: 'openshift-sdn pods', command: commandLine(l.argv) })
    }
    for (const i of this.plan.items) {
      this.addItem({ key: i.key, hostId: i.hostId, hostName: i.hostName, runOnHostName: i.runOnHostName, commandId: i.commandId, title: i.title, command: commandLine(i.argv) })
    }
    this.done = this.execute()
  }

  progress(): CaptureRunProgress {
    return { run: this.deps.store.getRun(this.run.id), items: [...this.items.values()], skipped: this.plan.skipped }
  }

  cancel(): void {
    if (this.cancelled) return
    this.cancelled = true
    for (const execId of this.running.values()) this.deps.exec.cancel(execId)
  }

  private addItem(i: Omit<CaptureItemProgress, 'runId' | 'state' | 'status' | 'captureId' | 'durationMs' | 'message'>): void {
    this.items.set(i.key, { ...i, runId: this.run.id, state: 'queued', status: null, captureId: null, durationMs: null, message: null })
  }

  private update(key: string, patch: Partial<CaptureItemProgress>): void {
    const cur = this.items.get(key)
    if (!cur) return
    const next = { ...cur, ...patch }
    this.items.set(key, next)
    this.deps.onItem(next)
  }

  private async execute(): Promise<CaptureRun> {
    this.deps.onRun(this.run)
    const byHost = new Map<number, PlannedCapture[]>()
    for (const i of this.plan.items) {
      const list = byHost.get(i.runOnHostId)
      if (list) list.push(i)
      else byHost.set(i.runOnHostId, [i])
    }
    if (this.plan.podLookup) this.pods = this.lookupPods()
    const perHost = Math.max(1, this.req.perHost ?? 3)
    await Promise.all(
      [...byHost.values()].map(async (queue) => {
        const workers = Array.from({ length: Math.min(perHost, queue.length) }, async () => {
          for (let item = queue.shift(); item; item = queue.shift()) await this.runItem(item)
        })
        await Promise.all(workers)
      })
    )
    if (this.pods) await this.pods
    let final: CaptureRun
    try {
      final = this.deps.store.finishRun(this.run.id, this.cancelled ? 'cancelled' : 'finished')
    } catch (err) {
      this.deps.log.error(`capture run ${this.run.id}: cannot record its end`, err)
      final = { ...this.run, status: this.cancelled ? 'cancelled' : 'finished', finishedAt: new Date().toISOString() }
    }
    this.deps.onRun(final)
    return final
  }

  private async lookupPods(): Promise<SdnPod[] | { error: string }> {
    const l = this.plan.podLookup as NonNullable<CapturePlanLookup>
    const key = `${l.hostId}/sdn-pods`
    const r = await this.exec(key, l.hostId, l.argv, false, 60_000)
    const saved = this.save({ key, hostId: l.hostId, hostName: l.hostName, viaHostName: null, commandId: 'sdn-pods', title: 'openshift-sdn pods' }, r)
    if (r.error || r.exitCode !== 0) return { error: `listing the openshift-sdn pods on ${l.hostName} failed (${saved.message ?? `exit ${r.exitCode}`})` }
    return parsedAs(parseOutput('oc.get.pods', r.stdout), 'oc.get.pods')?.records ?? []
  }

  private async runItem(item: PlannedCapture): Promise<void> {
    if (this.cancelled) return this.update(item.key, { state: 'skipped', message: 'not run: the capture was cancelled' })
    const down = this.hostFailed.get(item.runOnHostId)
    if (down) return this.update(item.key, { state: 'skipped', message: `not run: ${down}` })
    let argv = item.argv
    if (item.needsPods) {
      this.update(item.key, { state: 'running', message: 'waiting for the pod list' })
      const pods = this.pods ? await this.pods : { error: 'no pod list' }
      const host = this.req.allHosts.find((h) => h.id === item.hostId) as PlanHost
      const values = { ovsPod: undefined as string | undefined, sdnPod: undefined as string | undefined }
      let why: string | null = 'error' in pods ? pods.error : null
      if (!('error' in pods)) {
        values.ovsPod = podOfNode(pods, 'ovs', host) ?? undefined
        values.sdnPod = podOfNode(pods, 'sdn', host) ?? undefined
      }
      const rendered = renderArgv(argv, values)
      if (!why && rendered.missing.length > 0) why = `no ${rendered.missing.map((m) => (m === 'ovsPod' ? 'ovs' : 'sdn')).join('/')} pod runs on node ${host.name} (by the NODE column of \`oc -n openshift-sdn get pods -o wide\`)`
      if (why) return this.update(item.key, { state: 'skipped', message: `not run: ${why}` })
      argv = rendered.argv
      if (this.cancelled) return this.update(item.key, { state: 'skipped', message: 'not run: the capture was cancelled' })
    }
    this.update(item.key, { state: 'running', command: commandLine(argv), message: null })
    const r = await this.exec(item.key, item.runOnHostId, argv, item.sudo, item.timeoutMs)
    if (r.error && hostLevel.has(r.error.kind)) {
      const already = this.hostFailed.get(item.runOnHostId)
      // Commands that waited on the same failed login say so once; a drop mid-command keeps its partial output.
      if (already && r.error.kind !== 'dropped') return this.update(item.key, { state: 'skipped', message: `not run: ${already}` })
      if (!already) this.hostFailed.set(item.runOnHostId, `${item.runOnHostName}: ${r.error.message}`)
    }
    this.save(
      { key: item.key, hostId: item.hostId, hostName: item.hostName, viaHostName: item.runOnHostId === item.hostId ? null : item.runOnHostName, commandId: item.commandId, title: item.title, parser: item.parser },
      r
    )
  }

  private async exec(key: string, hostId: number, argv: string[], sudo: boolean, timeoutMs: number): Promise<ExecResult> {
    const execId = `capture-${this.run.id}-${key}`
    this.running.set(key, execId)
    try {
      return await this.deps.exec.execWithId(execId, hostId, argv, { sudo, timeoutMs })
    } finally {
      this.running.delete(key)
    }
  }

  private save(
    it: { key: string; hostId: number; hostName: string; viaHostName: string | null; commandId: string; title: string; parser?: string | null },
    r: ExecResult
  ): { message: string | null } {
    const status = statusOf(r)
    const message = r.error ? r.error.message : r.exitCode !== 0 ? `exit code ${r.exitCode ?? '?'}${r.signal ? ` (signal ${r.signal})` : ''}${r.stderr.trim() ? `: ${r.stderr.trim().split('\n')[0]}` : ''}` : null
    try {
      const { row } = liveCapture(r, { runId: this.run.id, hostId: it.hostId, hostName: it.hostName, viaHostName: it.viaHostName, commandId: it.commandId, title: it.title }, it.parser ?? null)
      const saved = this.deps.store.save(row)
      this.update(it.key, { state: 'done', status, captureId: saved.id, durationMs: r.durationMs, message })
    } catch (err) {
      this.deps.log.error(`capture run ${this.run.id}: saving ${it.key} failed`, err)
      this.update(it.key, { state: 'done', status: 'error', durationMs: r.durationMs, message: `the output could not be saved: ${(err as Error).message}` })
    }
    return { message }
  }
}

type CapturePlanLookup = ReturnType<typeof planCapture>['podLookup']
