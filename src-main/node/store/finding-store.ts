import type Database from 'better-sqlite3'
import type { CaptureLabel, CaseFindingView, FindingEvidenceView, FindingsFilter } from '../../contract'
import { compareSeverity, evidenceKey, findingKey, sourceKey, subjectKey, type FindingInput, type FindingSource, type FindingStatus, type FindingSubject } from '../../core/findings/model'
import { sameHostName } from '../../core/hosts/identity'
import { aboutKind } from '../../core/findings/catalog'
import { AppError } from './app-error'

interface FindingRow {
  id: number
  kind: string
  subject_key: string
  subject: string
  host: string | null
  severity: CaseFindingView['severity']
  title: string
  explain: string
  status: FindingStatus
  note: string
  continue_with: string | null
  created_at: string
  updated_at: string
}

interface EvidenceRow {
  id: number
  finding_id: number
  capture_id: number | null
  lines: string
  excerpt: string
  label: string
  source: string
  created_at: string
  c_host: string | null
  c_command: string | null
  c_started: string | null
  c_source: 'live' | 'imported' | null
  c_origin: string | null
}

const now = () => new Date().toISOString()

/**
 * The findings of a case, one model for every source. A report of a finding that exists (same kind and subject)
 * adds its evidence and refreshes the text; the engineer's status and note stay.
 */
export class FindingStore {
  constructor(private readonly db: Database.Database) {}

  /** Stores findings as one source reports them; `runId` ties the evidence to a runbook run (gone with it). */
  record(inputs: readonly FindingInput[], runId: number | null = null): number[] {
    const upsert = this.db.prepare(
      `INSERT INTO case_findings (kind, subject_key, subject, host, severity, title, explain, continue_with, created_at, updated_at)
       VALUES (@kind, @subjectKey, @subject, @host, @severity, @title, @explain, @continueWith, @at, @at)
       ON CONFLICT (kind, subject_key) DO UPDATE SET severity = excluded.severity, title = excluded.title, explain = excluded.explain,
         continue_with = coalesce(excluded.continue_with, continue_with), host = coalesce(host, excluded.host), updated_at = excluded.updated_at
       RETURNING id`
    )
    const insE = this.db.prepare('INSERT OR IGNORE INTO finding_evidence (finding_id, capture_id, lines, excerpt, label, source, source_key, run_id, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)')
    const ids: number[] = []
    this.db.transaction(() => {
      const at = now()
      for (const f of inputs) {
        const { id } = upsert.get({
          kind: f.kind,
          subjectKey: subjectKey(f.subject),
          subject: JSON.stringify(f.subject),
          host: f.subject.host ?? null,
          severity: f.severity,
          title: f.title,
          explain: f.explain,
          continueWith: f.continueWith ? JSON.stringify(f.continueWith) : null,
          at
        }) as { id: number }
        ids.push(id)
        const source = JSON.stringify(f.source)
        // A finding with nothing to point at still records who reported it.
        const evidence = f.evidence.length > 0 ? f.evidence : [{ captureId: null, lines: [], excerpt: '', label: f.title }]
        for (const e of evidence) insE.run(id, e.captureId, JSON.stringify([...e.lines].sort((a, b) => a - b)), e.excerpt, e.label, source, sourceKey(f.source), runId, at)
      }
    })()
    return ids
  }

  /**
   * A run's findings as its newest state has them: its earlier evidence is replaced, and a finding left with no
   * evidence at all is removed unless the engineer has worked on it (a status or a note).
   */
  replaceRun(runId: number, inputs: readonly FindingInput[]): void {
    this.db.transaction(() => {
      this.db.prepare('DELETE FROM finding_evidence WHERE run_id = ?').run(runId)
      this.record(inputs, runId)
      this.removeOrphans()
    })()
  }

  /** Findings whose every piece of evidence went with its run or capture source, and nobody touched. */
  removeOrphans(): void {
    this.db.prepare(`DELETE FROM case_findings WHERE status = 'open' AND note = '' AND NOT EXISTS (SELECT 1 FROM finding_evidence e WHERE e.finding_id = case_findings.id)`).run()
  }

  list(filter: FindingsFilter = {}): CaseFindingView[] {
    const rows = this.db.prepare('SELECT * FROM case_findings ORDER BY id').all() as FindingRow[]
    const kept = rows.filter(
      (r) =>
        (!filter.status || filter.status.includes(r.status)) &&
        (!filter.severity || filter.severity.includes(r.severity)) &&
        (!filter.host || (r.host !== null && sameHostName(r.host, filter.host)))
    )
    const evidence = this.evidenceOf(kept.map((r) => r.id))
    return kept
      .map((r) => this.view(r, evidence.get(r.id) ?? []))
      .sort((a, b) => compareSeverity(a.severity, b.severity) || a.id - b.id)
  }

  get(id: number): CaseFindingView {
    const r = this.db.prepare('SELECT * FROM case_findings WHERE id = ?').get(id) as FindingRow | undefined
    if (!r) throw new AppError('not_found', `Finding ${id} does not exist in this case; it may have been deleted.`)
    return this.view(r, this.evidenceOf([id]).get(id) ?? [])
  }

  update(id: number, change: { status?: FindingStatus | undefined; note?: string | undefined }): CaseFindingView {
    this.get(id)
    const sets: string[] = []
    const args: (string | number)[] = []
    if (change.status !== undefined) {
      sets.push('status = ?')
      args.push(change.status)
    }
    if (change.note !== undefined) {
      sets.push('note = ?')
      args.push(change.note)
    }
    if (sets.length > 0) this.db.prepare(`UPDATE case_findings SET ${sets.join(', ')}, updated_at = ? WHERE id = ?`).run(...args, now(), id)
    return this.get(id)
  }

  delete(id: number): void {
    this.get(id)
    this.db.prepare('DELETE FROM case_findings WHERE id = ?').run(id)
  }

  /** Whether a finding of this kind and subject exists (so a caller can tell "new" from "seen again"). */
  exists(f: Pick<FindingInput, 'kind' | 'subject'>): boolean {
    return this.db.prepare('SELECT 1 FROM case_findings WHERE kind = ? AND subject_key = ?').get(f.kind, subjectKey(f.subject)) !== undefined
  }

  private evidenceOf(ids: number[]): Map<number, FindingEvidenceView[]> {
    const out = new Map<number, FindingEvidenceView[]>()
    if (ids.length === 0) return out
    const rows = this.db
      .prepare(
        `SELECT e.*, c.host_name AS c_host, c.command AS c_command, c.started_at AS c_started, c.source AS c_source, c.origin AS c_origin
         FROM finding_evidence e LEFT JOIN captures c ON c.id = e.capture_id
         WHERE e.finding_id IN (SELECT value FROM json_each(?)) ORDER BY e.id`
      )
      .all(JSON.stringify(ids)) as EvidenceRow[]
    for (const r of rows) {
      const capture: CaptureLabel | null =
        r.capture_id !== null && r.c_host !== null && r.c_command !== null && r.c_started !== null && r.c_source !== null
          ? { id: r.capture_id, hostName: r.c_host, command: r.c_command, startedAt: r.c_started, source: r.c_source, origin: r.c_origin }
          : null
      const list = out.get(r.finding_id) ?? []
      list.push({ id: r.id, captureId: r.capture_id, lines: JSON.parse(r.lines) as number[], excerpt: r.excerpt, label: r.label, source: JSON.parse(r.source) as FindingSource, capture, createdAt: r.created_at })
      out.set(r.finding_id, list)
    }
    return out
  }

  private view(r: FindingRow, evidence: FindingEvidenceView[]): CaseFindingView {
    const sources = new Map<string, FindingSource>()
    for (const e of evidence) sources.set(sourceKey(e.source), e.source)
    // The same lines of the same capture seen by two sources are one piece of evidence to read.
    const seen = new Set<string>()
    const distinct = evidence.filter((e) => {
      const k = `${evidenceKey(e)}|${e.label}`
      if (seen.has(k)) return false
      seen.add(k)
      return true
    })
    return {
      id: r.id,
      kind: r.kind,
      key: findingKey({ kind: r.kind, subject: JSON.parse(r.subject) as FindingSubject }),
      subject: JSON.parse(r.subject) as FindingSubject,
      host: r.host,
      severity: r.severity,
      title: r.title,
      explain: r.explain,
      about: aboutKind(r.kind),
      status: r.status,
      note: r.note,
      continueWith: r.continue_with === null ? null : (JSON.parse(r.continue_with) as CaseFindingView['continueWith']),
      sources: [...sources.values()],
      evidence: distinct,
      createdAt: r.created_at,
      updatedAt: r.updated_at
    }
  }
}
