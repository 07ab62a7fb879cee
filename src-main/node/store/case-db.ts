import { ReportStore } from './report-store'
import type Database from 'better-sqlite3'
import { randomUUID } from 'node:crypto'
import { basename } from 'node:path'
import type { CaseSummary, Host } from '../../contract'
import type { ValidInput } from '../../contract'
import { AppError } from './app-error'
import { CaptureStore } from './capture-store'
import { RunStore } from './run-store'
import { RedactionStore } from './redaction-store'
import { TranscriptStore } from './transcript-store'
import { FindingStore } from './finding-store'
import { caseApplicationId, caseMigrations } from './case-schema'
import { CaseLock, describeHolder } from './case-lock'
import { checkExisting, createNew, openReadOnly, openWritable, whyNotWritable, type DbKind } from './open-db'

type HostFields = ValidInput<'hosts.create'>['host']

const caseKind: DbKind = { label: 'case file', applicationId: caseApplicationId, migrations: caseMigrations }

interface HostRow {
  id: number
  name: string
  address: string
  port: number
  user: string
  role: Host['role']
  jump_host_id: number | null
  auth_method: Host['authMethod']
  key_path: string | null
  shell_integration: number
  created_at: string
  updated_at: string
}

function toHost(r: HostRow): Host {
  return {
    id: r.id,
    name: r.name,
    address: r.address,
    port: r.port,
    user: r.user,
    role: r.role,
    jumpHostId: r.jump_host_id,
    authMethod: r.auth_method,
    keyPath: r.key_path,
    shellIntegration: r.shell_integration !== 0,
    createdAt: r.created_at,
    updatedAt: r.updated_at
  }
}

/** The plain refusal of a change to a read-only case. */
export function readOnlyError(path: string, why: string, action: string): AppError {
  return new AppError(
    'read_only',
    `${action} was refused: ${basename(path)} is open read-only (${why}); nothing was saved. To change it, close it in the workbench that holds it and open it again, or copy it to a folder you can write to.`
  )
}

/** One open case file: the cluster inventory now; captures, runs and findings as they come. */
export class CaseDb {
  readonly captures: CaptureStore
  readonly runs: RunStore
  readonly findings: FindingStore
  readonly redaction: RedactionStore
  readonly transcripts: TranscriptStore
  readonly reports: ReportStore

  private constructor(
    readonly path: string,
    private readonly db: Database.Database,
    /** Why nothing may be written, or null when this workbench holds the case for writing. */
    readonly readOnly: string | null,
    private readonly lock: CaseLock | null
  ) {
    this.captures = new CaptureStore(db)
    this.findings = new FindingStore(db)
    this.runs = new RunStore(db, this.findings)
    this.redaction = new RedactionStore(db, () => this.readOnly === null)
    this.transcripts = new TranscriptStore(db)
    this.reports = new ReportStore(db)
    if (readOnly === null) this.transcripts.markInterrupted()
  }

  static create(path: string, name: string, createdBy: string): CaseDb {
    const db = createNew(path, caseKind, (d) => {
      d.prepare('INSERT INTO case_info (singleton, case_id, name, created_at, created_by) VALUES (1, ?, ?, ?, ?)').run(
        randomUUID(),
        name,
        new Date().toISOString(),
        createdBy
      )
    })
    const taken = CaseLock.acquire(path)
    return new CaseDb(path, db, null, taken.ok ? taken.lock : null)
  }

  /**
   * Opens a case for writing, holding its lock, or for reading only: when asked, when the file or its
   * folder cannot be written, or never silently when another workbench holds it (that is a case_locked
   * error naming the holder, so the engineer chooses).
   */
  static open(path: string, opts: { readOnly?: boolean } = {}): CaseDb {
    const checked = checkExisting(path, caseKind)
    const notWritable = whyNotWritable(path)
    if (notWritable !== null || opts.readOnly) {
      const why = notWritable ?? 'opened read-only'
      return CaseDb.ready(path, openReadOnly(path, caseKind, checked, why), why, null)
    }
    let taken
    try {
      taken = CaseLock.acquire(path)
    } catch (err) {
      throw new AppError('unavailable', `Cannot open ${path} for writing: its lock file could not be written (${(err as Error).message}). Check the folder, or open the case read-only.`)
    }
    if (!taken.ok) {
      const who = taken.holder ? describeHolder(taken.holder) : 'another program (its lock file cannot be read)'
      throw new AppError(
        'case_locked',
        `${path} is open in ${who}. One workbench writes a case at a time: open it read-only to look at it, or close it there first.`
      )
    }
    try {
      return CaseDb.ready(path, openWritable(path, caseKind), null, taken.lock)
    } catch (err) {
      taken.lock.release()
      throw err
    }
  }

  private static ready(path: string, db: Database.Database, readOnly: string | null, lock: CaseLock | null): CaseDb {
    const info = db.prepare('SELECT case_id FROM case_info WHERE singleton = 1').get()
    if (!info) {
      db.close()
      lock?.release()
      throw new AppError('case_refused', `Cannot open ${path}: the case has no case information record. Restore it from a copy.`)
    }
    const opened = new CaseDb(path, db, readOnly, lock)
    if (readOnly === null) opened.captures.markInterruptedRuns()
    return opened
  }

  /** Refuses, before any work starts, an action that would have to save into a read-only case. */
  assertWritable(action: string): void {
    if (this.readOnly !== null) throw readOnlyError(this.path, this.readOnly, action)
  }

  close(): void {
    if (this.db.open) this.db.close()
    this.lock?.release()
  }

  summary(): CaseSummary {
    const info = this.db.prepare('SELECT case_id, name, created_at FROM case_info WHERE singleton = 1').get() as
      | { case_id: string; name: string; created_at: string }
      | undefined
    const hostCount = (this.db.prepare('SELECT count(*) AS n FROM hosts').get() as { n: number }).n
    const captureCount = this.captures.count()
    return {
      path: this.path,
      id: info?.case_id ?? '',
      name: info?.name ?? basename(this.path),
      createdAt: info?.created_at ?? '',
      schemaVersion: this.db.pragma('user_version', { simple: true }) as number,
      hostCount,
      captureCount,
      readOnly: this.readOnly
    }
  }

  listHosts(): Host[] {
    return (this.db.prepare('SELECT * FROM hosts ORDER BY name').all() as HostRow[]).map(toHost)
  }

  getHost(id: number): Host {
    const row = this.db.prepare('SELECT * FROM hosts WHERE id = ?').get(id) as HostRow | undefined
    if (!row) throw new AppError('not_found', `Host ${id} does not exist in this case; it may have been deleted. Reload the host list.`)
    return toHost(row)
  }

  /** Runs fn in one transaction (nested calls become savepoints). */
  transaction<T>(fn: () => T): T {
    return this.db.transaction(fn)()
  }

  createHost(h: HostFields): Host {
    return this.db.transaction(() => {
      this.checkHost(h, null)
      const now = new Date().toISOString()
      const info = this.db
        .prepare(
          `INSERT INTO hosts (name, address, port, user, role, jump_host_id, auth_method, key_path, shell_integration, created_at, updated_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`
        )
        .run(h.name, h.address, h.port, h.user, h.role, h.jumpHostId, h.authMethod, h.keyPath, h.shellIntegration ? 1 : 0, now, now)
      return this.getHost(Number(info.lastInsertRowid))
    })()
  }

  updateHost(id: number, h: HostFields): Host {
    return this.db.transaction(() => {
      this.getHost(id)
      this.checkHost(h, id)
      this.db
        .prepare(
          `UPDATE hosts SET name = ?, address = ?, port = ?, user = ?, role = ?, jump_host_id = ?, auth_method = ?,
             key_path = ?, shell_integration = ?, updated_at = ? WHERE id = ?`
        )
        .run(h.name, h.address, h.port, h.user, h.role, h.jumpHostId, h.authMethod, h.keyPath, h.shellIntegration ? 1 : 0, new Date().toISOString(), id)
      return this.getHost(id)
    })()
  }

  deleteHost(id: number): void {
    this.db.transaction(() => {
      const host = this.getHost(id)
      const users = this.db.prepare('SELECT name FROM hosts WHERE jump_host_id = ? ORDER BY name').all(id) as { name: string }[]
      if (users.length > 0) {
        throw new AppError(
          'conflict',
          `Cannot delete ${host.name}: it is the jump host of ${users.map((u) => u.name).join(', ')}. Change their jump host first.`
        )
      }
      this.db.prepare('DELETE FROM hosts WHERE id = ?').run(id)
    })()
  }

  /** Rules that need the other hosts: unique name, an existing jump host, no jump loop. */
  private checkHost(h: HostFields, selfId: number | null): void {
    const clash = this.db.prepare('SELECT id FROM hosts WHERE name = ? COLLATE NOCASE').get(h.name) as { id: number } | undefined
    if (clash && clash.id !== selfId) {
      throw new AppError('conflict', `A host named ${h.name} already exists in this case.`, [
        { path: 'host.name', message: `A host named ${h.name} already exists.` }
      ])
    }
    if (h.jumpHostId === null) return
    const seen = new Set<number>(selfId === null ? [] : [selfId])
    let next: number | null = h.jumpHostId
    while (next !== null) {
      if (seen.has(next)) {
        throw new AppError('invalid_input', 'That jump host would make a loop (a host reached through itself).', [
          { path: 'host.jumpHostId', message: 'This jump host leads back to this host.' }
        ])
      }
      seen.add(next)
      const row = this.db.prepare('SELECT jump_host_id FROM hosts WHERE id = ?').get(next) as { jump_host_id: number | null } | undefined
      if (!row) {
        throw new AppError('invalid_input', 'The chosen jump host does not exist in this case.', [
          { path: 'host.jumpHostId', message: 'No such host.' }
        ])
      }
      next = row.jump_host_id
    }
  }
}
