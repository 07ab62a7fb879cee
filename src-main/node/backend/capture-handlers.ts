import type { CaptureSummary, EventName, EventPayloads, Host, OfprotoTrace, ParsedView } from '../../contract'
import type { PlanHost } from '../../core/capture/capture-set'
import { flowRates, flowWindow, parseCapture, traceFlowLinks, type FlowRates } from '../../core/capture/parsed-view'
import type { Flow } from '../../core/flows/flow'
import { parsedAs, type ParsedOutput } from '../../core/parse/registry'
import { CaptureRunner } from '../capture/capture-runner'
import type { CaptureSetLibrary } from '../capture/capture-sets'
import type { Logger } from '../log'
import type { SshManager } from '../ssh/ssh-manager'
import { AppError } from '../store/app-error'
import type { CaseDb } from '../store/case-db'
import type { Dialogs } from './backend'
import type { Handlers } from './dispatcher'
import { importInWorker, previewInWorker } from '../capture/import/import-job'
import { collectorScript } from '../../core/capture/collector-script'
import { captureIdOfSource, checkNodeFromCaptures } from '../capture/node-check'
import { matchHostName } from '../capture/import/host-names'
import { fromNodeCheck } from '../../core/findings/sources'
import { filterContextOf } from '../runbook/input-suggestions'
import { earlierCapture } from '../capture/newest'
import { sameHostName } from '../../core/hosts/identity'
import { flowKnowledgeOf, withHostPortNumbers } from '../capture/flow-knowledge'
import { explainFlow } from '../../core/flows/explain'
import { parsedDocument } from '../../core/capture/documents'

export type CaptureMethod = Extract<keyof Handlers, `capture${string}`>

export interface CaptureContext {
  requireCase(): CaseDb
  ssh: SshManager
  sets: CaptureSetLibrary
  log: Logger
  emit<E extends EventName>(name: E, payload: EventPayloads[E]): void
  dialogs: Dialogs | null
  version: string
}

function planHost(h: Host): PlanHost {
  return { id: h.id, name: h.name, address: h.address, role: h.role, user: h.user }
}

/** Capture sets, runs, and the captures of the open case: the handlers and the state they share. */
export class CaptureService {
  private readonly runners = new Map<number, CaptureRunner>()
  /** The last parsed outputs (a 100k-flow dump takes a few hundred ms to parse; the grid pages through it). */
  private readonly parsed = new Map<number, ParsedOutput | null>()
  private rates: { key: string; value: FlowRates | null } | null = null
  /** The last flow dump's flows with port numbers for its names (the grid pages through one dump at a time). */
  private numbered: { id: number; flows: readonly Flow[] } | null = null
  private readonly imports = new Map<string, AbortController>()

  constructor(private readonly ctx: CaptureContext) {}

  /** The case is closing: stop its runs (what finished is saved) and forget its parses. */
  caseClosing(): void {
    for (const r of this.runners.values()) r.cancel()
    this.runners.clear()
    for (const a of this.imports.values()) a.abort()
    this.imports.clear()
    this.parsed.clear()
  }

  private changed(db: CaseDb): void {
    // What was derived from other captures (port numbers, rates) is derived again.
    this.numbered = null
    this.rates = null
    this.ctx.emit('captures.changed', { caseId: db.summary().id })
  }

  private parsedOf(db: CaseDb, id: number): ParsedOutput | null {
    if (this.parsed.has(id)) {
      const hit = this.parsed.get(id) as ParsedOutput | null
      this.parsed.delete(id)
      this.parsed.set(id, hit)
      return hit
    }
    const c = db.captures.get(id)
    const p = parseCapture(c.command, db.captures.text(id), c.parserId)
    this.parsed.set(id, p)
    while (this.parsed.size > 4) this.parsed.delete(this.parsed.keys().next().value as number)
    return p
  }

  /** Where each step of a trace is in the newest br0 dump of the same host (the dump the switch was tracing through, or the nearest the case has). */
  private traceLinksOf(db: CaseDb, c: CaptureSummary, trace: Pick<OfprotoTrace, 'passes'>): ParsedView['traceLinks'] {
    const bridge = /ofproto\/trace\s+(\S+)/.exec(c.command)?.[1] ?? 'br0'
    const dump = db.captures
      .list()
      .filter((x) => x.parserId === 'ovs-ofctl.dump-flows' && x.status === 'ok' && sameHostName(x.hostName, c.hostName) && new RegExp(`\\bdump-flows\\s+${bridge.replace(/[^\w-]/g, '')}\\b`).test(x.command))
      .sort((a, b) => Math.abs(Date.parse(a.startedAt) - Date.parse(c.startedAt)) - Math.abs(Date.parse(b.startedAt) - Date.parse(c.startedAt)))[0]
    const flows = dump ? parsedAs(this.parsedOf(db, dump.id), 'ovs-ofctl.dump-flows')?.flows : undefined
    if (!dump || !flows) return null
    const idx = traceFlowLinks(trace, flows)
    return { captureId: dump.id, label: `${dump.hostName} ${dump.title ?? dump.command}`, lines: idx.map((p) => p.map((i) => (i === null ? null : (flows[i]?.line ?? null)))) }
  }

  /** The flows' rates against the dump of the same bridge on the same host before this one (kept for the grid's pages). */
  private ratesOf(db: CaseDb, id: number, flows: readonly Flow[]): FlowRates | null {
    const c = db.captures.get(id)
    const before = earlierCapture(db, c)
    const key = `${id}:${before?.id ?? '-'}`
    if (this.rates?.key === key) return this.rates.value
    const older = before ? parsedAs(this.parsedOf(db, before.id), 'ovs-ofctl.dump-flows')?.flows : undefined
    const value = before && older ? flowRates(flows, older, (Date.parse(c.startedAt) - Date.parse(before.startedAt)) / 1000, { captureId: before.id, startedAt: before.startedAt }) : null
    this.rates = { key, value }
    return value
  }

  handlers(): Pick<Handlers, CaptureMethod> {
    return {
      'captureSets.list': () => this.ctx.sets.list(),
      'captureSets.save': ({ yaml }) => this.ctx.sets.save(yaml),
      'captureSets.delete': ({ id }) => {
        this.ctx.sets.delete(id)
        return { id }
      },

      'capture.start': ({ setId, hostIds, ovsVia, masterHostId }) => {
        const db = this.ctx.requireCase()
        db.assertWritable('Running a capture set')
        const { set } = this.ctx.sets.get(setId)
        const all = db.listHosts()
        const chosen = hostIds.map((id) => all.find((h) => h.id === id) ?? db.getHost(id))
        if (masterHostId != null && db.getHost(masterHostId).role !== 'master') {
          throw new AppError('invalid_input', `${db.getHost(masterHostId).name} is not a master; OVS pods and SDN logs are read through a master.`)
        }
        const runner = new CaptureRunner(
          {
            exec: this.ctx.ssh,
            store: db.captures,
            log: this.ctx.log,
            onItem: (p) => {
              this.ctx.emit('capture.item', p)
              if (p.captureId !== null) this.changed(db)
            },
            onRun: (r) => this.ctx.emit('capture.run', r)
          },
          { set, chosen: chosen.map(planHost), allHosts: all.map(planHost), ovsVia, masterHostId: masterHostId ?? null }
        )
        this.runners.set(runner.run.id, runner)
        void runner.done.finally(() => this.runners.delete(runner.run.id))
        return runner.progress()
      },
      'capture.cancel': ({ runId }) => {
        const r = this.runners.get(runId)
        r?.cancel()
        return { cancelled: r !== undefined }
      },
      'capture.progress': ({ runId }) => this.runners.get(runId)?.progress() ?? null,
      'capture.runs': () => this.ctx.requireCase().captures.listRuns(),

      'captures.list': (filter) => this.ctx.requireCase().captures.list(filter),
      'captures.get': ({ id }) => this.ctx.requireCase().captures.detail(id),
      'captures.text': ({ id }) => ({ id, text: this.ctx.requireCase().captures.text(id) }),
      'captures.parsed': ({ id }): ParsedView => {
        const db = this.ctx.requireCase()
        const detail = db.captures.detail(id)
        const p = this.parsedOf(db, id)
        const base = { diagnostics: detail.diagnostics, diagnosticCount: detail.capture.diagnosticCount }
        if (!p) return { parserId: null, kind: 'none', records: 0, ...base }
        if (p.parser === 'ovs-ofctl.dump-flows') return { parserId: p.parser, kind: 'flows', records: p.records, ...base }
        const trace = parsedAs(p, 'ovs-appctl.ofproto-trace')
        if (trace) return { parserId: p.parser, kind: 'trace', records: p.records, trace: { passes: trace.passes, error: trace.error, verdict: trace.verdict }, traceLinks: this.traceLinksOf(db, detail.capture, trace), ...base }
        // Port statistics: rates against the capture of the same command on the same host before this one.
        const before = p.parser === 'ovs-ofctl.dump-ports' ? earlierCapture(db, detail.capture) : null
        const earlier = before ? { parsed: this.parsedOf(db, before.id), seconds: (Date.parse(detail.capture.startedAt) - Date.parse(before.startedAt)) / 1000 } : null
        const document = parsedDocument(p, earlier && earlier.parsed ? { parsed: earlier.parsed, seconds: earlier.seconds } : null)
        // Only a parser that failed outright (its diagnostics say why) has no document.
        return document ? { parserId: p.parser, kind: 'document', records: p.records, document, ...base } : { parserId: p.parser, kind: 'none', records: p.records, ...base }
      },
      'captures.flows': ({ id, table, text, sort, descending, offset, limit }) => {
        const db = this.ctx.requireCase()
        const p = this.parsedOf(db, id)
        if (p?.parser !== 'ovs-ofctl.dump-flows') throw new AppError('invalid_input', `Capture ${id} is not a flow dump (ovs-ofctl dump-flows).`)
        const flows = parsedAs(p, 'ovs-ofctl.dump-flows')?.flows ?? []
        // node= and pod= are read against the case's newest HostSubnets and pod list.
        const ctx = text && /\b(node|pod)\s*!?=/.test(text) ? filterContextOf(db) : undefined
        // In a --names dump, in_port=3 finds in_port=veth…: filtered on the numbers, shown as written.
        if (text && this.numbered?.id !== id) this.numbered = { id, flows: withHostPortNumbers(db, db.captures.get(id).hostName, flows) }
        const numbered = text && this.numbered ? this.numbered.flows : flows
        return flowWindow(numbered, { table, text, sort, descending, offset, limit }, ctx, this.ratesOf(db, id, flows), numbered === flows ? undefined : flows)
      },
      'captures.flowExplain': ({ id, index }) => {
        const db = this.ctx.requireCase()
        const flows = parsedAs(this.parsedOf(db, id), 'ovs-ofctl.dump-flows')?.flows
        if (!flows) throw new AppError('invalid_input', `Capture ${id} is not a flow dump (ovs-ofctl dump-flows).`)
        const f = flows[index]
        if (!f) throw new AppError('not_found', `Capture ${id} has ${flows.length} flows; there is no flow ${index + 1}.`)
        return explainFlow(f, flowKnowledgeOf(db, db.captures.get(id)))
      },
      'captures.delete': ({ id }) => {
        const db = this.ctx.requireCase()
        db.captures.delete(id)
        this.parsed.delete(id)
        this.changed(db)
        return { id }
      },
      'captures.deleteMany': ({ ids }) => {
        const db = this.ctx.requireCase()
        db.assertWritable('Deleting captures')
        const deleted = db.captures.deleteMany(ids)
        for (const id of ids) this.parsed.delete(id)
        this.changed(db)
        return { deleted }
      },
      'captures.move': ({ ids, hostName }) => {
        const db = this.ctx.requireCase()
        db.assertWritable('Moving captures')
        const moved = db.captures.move(ids, hostName, matchHostName(db.listHosts(), hostName))
        this.changed(db)
        return { moved, hostName }
      },
      'captures.search': ({ query, maxCaptures }) => this.ctx.requireCase().captures.search(query, { maxCaptures }),

      'captures.importPreview': ({ path, hostName, command, rows }) => {
        this.ctx.requireCase()
        return previewInWorker(path, { hostName, command, rows })
      },
      'captures.import': async ({ path, hostName, command, rows, importId }) => {
        const db = this.ctx.requireCase()
        db.assertWritable('Importing captures')
        const id = importId ?? `import-${Date.now()}`
        if (this.imports.has(id)) throw new AppError('conflict', `An import with id ${id} is already running.`)
        const ac = new AbortController()
        this.imports.set(id, ac)
        let last = 0
        try {
          const hosts = db.listHosts().map((h) => ({ id: h.id, name: h.name }))
          const result = await importInWorker(db.path, hosts, path, { hostName, command, rows }, {
            signal: ac.signal,
            onProgress: (phase, done, total) => {
              // At most ten progress events a second: a big archive reads in many chunks.
              const now = Date.now()
              if (now - last < 100 && done < total) return
              last = now
              this.ctx.emit('captures.importProgress', { importId: id, phase, done, total })
            }
          })
          if (result.captureIds.length > 0) this.changed(db)
          return result
        } finally {
          db.captures.invalidate()
          this.imports.delete(id)
        }
      },
      'captures.cancelImport': ({ importId }) => {
        const ac = this.imports.get(importId)
        ac?.abort()
        return { cancelled: ac !== undefined }
      },
      'captures.pickImportPath': async ({ folder }) => {
        if (!this.ctx.dialogs) throw new AppError('unavailable', 'File dialogs exist only in the desktop app. Type the path of the file, folder or archive instead.')
        return { path: await this.ctx.dialogs.pickImportPath(folder) }
      },
      'captures.checkNode': ({ hostName, use }) => {
        const db = this.ctx.requireCase()
        const view = checkNodeFromCaptures(db.captures, hostName, use ?? {})
        // Check SDN's findings are the case's: stored, merged with the same finding seen before (live or offline).
        const inputs = fromNodeCheck(hostName, view.findings, captureIdOfSource, view.used.find((u) => u.role === 'flows')?.captureId ?? null)
        const seen = inputs.map((f) => db.findings.exists(f))
        const ids = db.readOnly === null ? db.findings.record(inputs) : []
        if (db.readOnly === null) this.ctx.emit('findings.changed', { caseId: db.summary().id })
        return { ...view, stored: ids.map((findingId, i) => ({ findingId, seenBefore: seen[i] === true })) }
      },
      'captureSets.collectorScript': ({ setId }) => collectorScript(this.ctx.sets.get(setId).set, { generatedAt: new Date().toISOString(), version: this.ctx.version })
    }
  }
}
