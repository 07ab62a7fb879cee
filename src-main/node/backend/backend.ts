import { existsSync, mkdirSync, readdirSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { userInfo } from 'node:os'
import { caseFileExtension, type AppInfo, type BackendEvent, type CaseListEntry, type EventName, type EventPayloads } from '../../contract'
import { AppDb } from '../store/app-db'
import { AppError } from '../store/app-error'
import { CaseDb, readOnlyError } from '../store/case-db'
import type { Logger } from '../log'
import { SshManager, type SshManagerOptions } from '../ssh/ssh-manager'
import { knownHostInfo, parseKnownHosts } from '../ssh/known-hosts'
import { importHosts, previewHostImport } from '../hosts/host-import'
import { createDispatcher, type Caller, type Dispatch, type Handlers } from './dispatcher'
import { TerminalService } from '../terminal/terminal-service'
import { CaptureService } from './capture-handlers'
import { caseOverview } from '../store/case-overview'
import { FlowDiffService } from './flow-diff-handlers'
import { CaptureSetLibrary } from '../capture/capture-sets'
import { defaultResourcesDir } from '../paths'
import { RunbookService } from '../runbook/runbook-service'
import { RunbookLibrary } from '../runbook/runbook-library'
import { caseFileStem } from '../text'
import { ReportService } from '../report/report-service'
import { TraceService } from '../trace/trace-service'
import { caseRedaction } from '../redact/case-redaction'
import { ChromiumPdfPrinter, type PdfPrinter } from '../report/pdf'
import type { ReportFormat } from '../../contract'
// Sets up the YAML reader of the core's parsers (oc get -o yaml).
import '../yaml'

/** Native file dialogs, offered only by the Electron shell. */
export interface Dialogs {
  pickOpenPath(): Promise<string | null>
  pickSavePath(suggestedName: string): Promise<string | null>
  pickImportPath(folder: boolean): Promise<string | null>
  pickReportSavePath(suggestedName: string, format: ReportFormat): Promise<string | null>
}

export interface BackendOptions {
  version: string
  mode: AppInfo['mode']
  /** Folder of the app database (settings, recent cases). */
  dataDir: string
  /** Where new cases go when the UI gives only a name. */
  casesDir: string
  dialogs?: Dialogs
  log: Logger
  /** The shipped data (capture sets, runbooks); defaults to the package's resources folder. */
  resourcesDir?: string
  /** SSH timeouts and limits (tests shorten them); the agent socket defaults to SSH_AUTH_SOCK. */
  ssh?: Omit<SshManagerOptions, 'resolveHost' | 'knownHosts' | 'emit' | 'log'>
  /** Prints reports to PDF: Electron's printToPDF in the desktop app, else headless Chromium. */
  pdf?: PdfPrinter
}

/**
 * The store failures that are the user's situation, not a bug: a write into a read-only case, a full disk.
 * SQLite rolls back the statement or transaction that failed, so nothing is ever half-written.
 */
export function storeFailure(current: CaseDb | null, method: string, err: unknown): AppError | null {
  const code = typeof err === 'object' && err !== null && 'code' in err && typeof err.code === 'string' ? err.code : ''
  if (code.startsWith('SQLITE_READONLY') && current?.readOnly) return readOnlyError(current.path, current.readOnly, `The change (${method})`)
  if (code === 'SQLITE_FULL' || code === 'ENOSPC' || code === 'SQLITE_IOERR_WRITE') {
    const where = current ? dirname(current.path) : 'the workbench data folder'
    return new AppError(
      'disk_full',
      `The disk holding ${where} is full: the change (${method}) was not saved, and nothing was half-written (the change was rolled back, the case is as it was before). Free some space on that disk and try again.`
    )
  }
  return null
}

export { caseFileStem }

export class Backend {
  readonly dispatch: Dispatch
  readonly ssh: SshManager
  private readonly appDb: AppDb
  private current: CaseDb | null = null
  private readonly listeners = new Set<(e: BackendEvent) => void>()
  /** Attached clients (windows, WebSocket connections): every broadcast event, and the events addressed to them. */
  private readonly clients = new Map<string, (e: BackendEvent) => void>()
  private nextClient = 1
  private readonly terminals: TerminalService
  private readonly captures: CaptureService
  private readonly flowDiffs = new FlowDiffService(() => this.requireCase())
  private readonly tracer = new TraceService(() => this.requireCase())
  private readonly runbooks: RunbookService
  private readonly reports: ReportService

  constructor(private readonly opts: BackendOptions) {
    mkdirSync(opts.dataDir, { recursive: true })
    this.appDb = AppDb.openOrCreate(join(opts.dataDir, 'workbench.sqlite'))
    this.ssh = new SshManager({
      ...opts.ssh,
      log: opts.log,
      emit: (e) => this.emitEvent(e),
      resolveHost: (id) => this.requireCase().getHost(id),
      knownHosts: {
        entries: () => this.appDb.knownHosts(),
        remember: (pattern, key) => void this.appDb.addKnownHosts([{ pattern, key, marker: null }], 'accepted in the workbench')
      }
    })
    const resourcesDir = opts.resourcesDir ?? defaultResourcesDir()
    this.captures = new CaptureService({
      requireCase: () => this.requireCase(),
      ssh: this.ssh,
      sets: new CaptureSetLibrary(join(resourcesDir, 'capture-sets'), join(opts.dataDir, 'capture-sets')),
      log: opts.log,
      emit: (name, payload) => this.emit(name, payload),
      dialogs: opts.dialogs ?? null,
      version: opts.version
    })
    this.runbooks = new RunbookService({
      requireCase: () => this.requireCase(),
      ssh: this.ssh,
      library: new RunbookLibrary(join(resourcesDir, 'runbooks')),
      log: opts.log,
      emit: (name, payload) => this.emit(name, payload)
    })
    this.reports = new ReportService({
      requireCase: () => this.requireCase(),
      diff: (a, b, moved) => this.flowDiffs.reportDiff(a, b, moved),
      trace: (captureId, flow, ctNext) => this.tracer.forReport(captureId, flow, ctNext),
      printer: opts.pdf ?? new ChromiumPdfPrinter(),
      pickSavePath: opts.dialogs ? (name, format) => (opts.dialogs as Dialogs).pickReportSavePath(name, format) : null,
      changed: () => {
        const c = this.current
        if (c) this.emit('reports.changed', { caseId: c.summary().id })
      },
      redactedCopyPath: async (db) => {
        // Named after the redacted case name: the file name does not say what redaction replaced.
        const stem = `${caseFileStem(caseRedaction(db).redactor.redact(db.summary().name))}-redacted`
        if (opts.dialogs) return opts.dialogs.pickSavePath(stem)
        mkdirSync(opts.casesDir, { recursive: true })
        for (let i = 1; ; i++) {
          const p = join(opts.casesDir, `${stem}${i === 1 ? '' : `-${i}`}${caseFileExtension}`)
          if (!existsSync(p)) return p
        }
      }
    })
    this.terminals = new TerminalService({
      requireCase: () => this.requireCase(),
      ssh: this.ssh,
      log: opts.log,
      emit: (name, payload) => this.emit(name, payload),
      emitTo: (clientId, name, payload) => this.emitTo(clientId, { name, payload } as BackendEvent)
    })
    this.dispatch = createDispatcher(this.handlers(), opts.log, (method, err) => storeFailure(this.current, method, err))
  }

  /** Broadcast events, for in-process listeners (the CLI, tests); clients attach instead. */
  onEvent(listener: (e: BackendEvent) => void): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  /**
   * A client of the contract (a window, a WebSocket connection): it receives every broadcast event and the
   * events addressed to it, and calls with its caller. Detaching ends what it owned (its terminals).
   */
  attachClient(send: (e: BackendEvent) => void): { caller: Caller; detach(): void } {
    const clientId = `client-${this.nextClient++}`
    this.clients.set(clientId, send)
    return {
      caller: { clientId },
      detach: () => {
        if (!this.clients.delete(clientId)) return
        this.terminals.clientGone(clientId)
      }
    }
  }

  private emitTo(clientId: string, event: BackendEvent): void {
    const send = this.clients.get(clientId)
    if (!send) return
    try {
      send(event)
    } catch (err) {
      this.opts.log.error(`sending ${event.name} to ${clientId} failed`, err)
    }
  }

  close(): void {
    this.terminals.caseClosing()
    this.captures.caseClosing()
    this.ssh.closeAll()
    this.current?.close()
    this.current = null
    this.appDb.close()
  }

  private emit<E extends EventName>(name: E, payload: EventPayloads[E]): void {
    this.emitEvent({ name, payload } as BackendEvent)
  }

  private emitEvent(event: BackendEvent): void {
    for (const l of [...this.listeners, ...this.clients.values()]) {
      try {
        l(event)
      } catch (err) {
        this.opts.log.error(`event listener for ${event.name} failed`, err)
      }
    }
  }

  private requireCase(): CaseDb {
    if (!this.current) throw new AppError('no_case_open', 'No case is open. Create or open a case first.')
    return this.current
  }

  private setCurrent(next: CaseDb | null): void {
    if (this.current && this.current !== next) {
      // Host ids belong to a case: its runs, sessions, prompts and cached secrets end with it.
      this.terminals.caseClosing()
      this.captures.caseClosing()
      this.flowDiffs.caseClosing()
      this.tracer.caseClosing()
      this.runbooks.caseClosing()
      this.ssh.closeAll()
      this.current.close()
    }
    this.current = next
    if (next) {
      const s = next.summary()
      this.appDb.touchRecent(next.path, s.name)
      this.emit('case.changed', s)
    } else {
      this.emit('case.changed', null)
    }
  }

  private hostsChanged(db: CaseDb): void {
    this.emit('hosts.changed', { caseId: db.summary().id })
  }

  private newCasePath(name: string, path: string | null | undefined): string {
    if (path) return path.endsWith(caseFileExtension) ? path : path + caseFileExtension
    mkdirSync(this.opts.casesDir, { recursive: true })
    const stem = caseFileStem(name)
    for (let i = 1; ; i++) {
      const candidate = join(this.opts.casesDir, (i === 1 ? stem : `${stem}-${i}`) + caseFileExtension)
      if (!existsSync(candidate)) return candidate
    }
  }

  private listCases(): CaseListEntry[] {
    const recent = this.appDb.recentCases()
    const seen = new Set(recent.map((r) => r.path))
    const out: CaseListEntry[] = recent.map((r) => ({ path: r.path, name: r.name, lastOpenedAt: r.openedAt, exists: existsSync(r.path) }))
    let files: string[] = []
    try {
      files = readdirSync(this.opts.casesDir).filter((f) => f.endsWith(caseFileExtension)).sort()
    } catch {
      // The cases folder does not exist yet: nothing to list.
    }
    for (const f of files) {
      const p = join(this.opts.casesDir, f)
      if (!seen.has(p)) out.push({ path: p, name: f.slice(0, -caseFileExtension.length), lastOpenedAt: null, exists: true })
    }
    return out
  }

  private handlers(): Handlers {
    return {
      'app.info': () => ({
        version: this.opts.version,
        mode: this.opts.mode,
        casesDir: this.opts.casesDir,
        nativeDialogs: this.opts.dialogs !== undefined,
        openCase: this.current?.summary() ?? null
      }),
      'settings.get': () => this.appDb.settings(),
      'settings.update': (patch) => this.appDb.updateSettings(patch),

      'case.list': () => this.listCases(),
      'case.create': ({ name, path }) => {
        const db = CaseDb.create(this.newCasePath(name, path), name, userInfo().username)
        this.setCurrent(db)
        return db.summary()
      },
      'case.open': ({ path, readOnly }) => {
        if (this.current?.path === path && (readOnly ?? false) === (this.current.readOnly !== null)) return this.current.summary()
        // Opening the same case again another way: this workbench's own hold on it ends first.
        if (this.current?.path === path) this.setCurrent(null)
        const db = CaseDb.open(path, { readOnly })
        this.setCurrent(db)
        return db.summary()
      },
      'case.overview': () => caseOverview(this.requireCase()),
      'case.close': () => {
        this.setCurrent(null)
        return null
      },
      'case.forgetRecent': ({ path }) => {
        this.appDb.forgetRecent(path)
        return null
      },
      'case.pickOpenPath': async () => {
        if (!this.opts.dialogs) throw new AppError('unavailable', 'File dialogs exist only in the desktop app. Type the path of the case file instead.')
        return { path: await this.opts.dialogs.pickOpenPath() }
      },
      'case.pickSavePath': async ({ suggestedName }) => {
        if (!this.opts.dialogs) throw new AppError('unavailable', 'File dialogs exist only in the desktop app. Give the case a name; it is saved in the cases folder.')
        return { path: await this.opts.dialogs.pickSavePath(suggestedName) }
      },

      'hosts.list': () => this.requireCase().listHosts(),
      'hosts.create': ({ host }) => {
        const db = this.requireCase()
        const created = db.createHost(host)
        this.hostsChanged(db)
        return created
      },
      'hosts.update': ({ id, host }) => {
        const db = this.requireCase()
        const updated = db.updateHost(id, host)
        this.ssh.disconnect(id)
        this.hostsChanged(db)
        return updated
      },
      'hosts.delete': ({ id }) => {
        const db = this.requireCase()
        db.deleteHost(id)
        this.ssh.disconnect(id)
        this.hostsChanged(db)
        return { id }
      },

      'hosts.importPreview': ({ format, text }) => previewHostImport(this.requireCase(), format, text),
      'hosts.import': ({ format, text, only }) => {
        const db = this.requireCase()
        const result = importHosts(db, format, text, only)
        if (result.created.length > 0) this.hostsChanged(db)
        return result
      },

      'ssh.states': () => {
        this.requireCase()
        return this.ssh.allStates()
      },
      'ssh.connect': ({ hostId }) => {
        this.requireCase().getHost(hostId)
        return this.ssh.connect(hostId)
      },
      'ssh.disconnect': ({ hostId }) => this.ssh.disconnect(hostId),
      'ssh.test': ({ hostId }) => {
        this.requireCase().getHost(hostId)
        return this.ssh.test(hostId)
      },
      'ssh.exec': ({ hostId, argv, sudo, timeoutMs, execId }) => {
        this.requireCase().getHost(hostId)
        const opts = { sudo, timeoutMs }
        return execId ? this.ssh.execWithId(execId, hostId, argv, opts) : this.ssh.exec(hostId, argv, opts)
      },
      'ssh.cancelExec': ({ execId }) => ({ cancelled: this.ssh.cancel(execId) }),
      'ssh.answerHostKey': ({ promptId, decision }) => {
        if (!this.ssh.answerHostKey(promptId, decision)) throw new AppError('not_found', 'That host key question is no longer open (it was answered or timed out).')
        return null
      },
      'ssh.answerSecret': ({ promptId, secret }) => {
        if (!this.ssh.answerSecret(promptId, secret)) throw new AppError('not_found', 'That question is no longer open (it was answered or timed out).')
        return null
      },
      'ssh.pendingPrompts': () => this.ssh.pendingPrompts(),

      'knownHosts.list': () => this.appDb.knownHosts().map(knownHostInfo),
      'knownHosts.remove': ({ id }) => {
        if (!this.appDb.removeKnownHost(id)) throw new AppError('not_found', `Known host entry ${id} does not exist (already removed?).`)
        return { id }
      },
      'knownHosts.import': ({ text, source }) => {
        const { entries, problems } = parseKnownHosts(text)
        const added = this.appDb.addKnownHosts(entries, source)
        return { added, alreadyKnown: entries.length - added, problems }
      },

      ...this.captures.handlers(),
      ...this.flowDiffs.handlers(),
      ...this.runbooks.handlers(),
      ...this.terminals.handlers(),
      ...this.reports.handlers(),
      'trace.endpoints': ({ captureId }) => this.tracer.endpoints(captureId),
      'trace.run': (input) => this.tracer.run(input),
      'trace.matrix': ({ captureId }) => this.tracer.matrix(captureId)
    }
  }
}
