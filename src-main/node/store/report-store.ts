import type Database from 'better-sqlite3'
import { ReportSpec, type ReportExportSummary, type ReportFormat, type ReportSummary } from '../../contract'
import { AppError } from './app-error'

interface ReportRow {
  id: number
  title: string
  spec: string
  created_at: string
  updated_at: string
  exports: number
}

interface ExportRow {
  id: number
  report_id: number
  format: ReportFormat
  redacted: number
  created_at: string
  file_name: string
  bytes: number
  sha256: string
  pages: number | null
  written_to: string | null
  took_ms: number
}

const summary = (r: ReportRow): ReportSummary => ({ id: r.id, title: r.title, createdAt: r.created_at, updatedAt: r.updated_at, exports: r.exports })
const exportSummary = (r: ExportRow): ReportExportSummary => ({
  id: r.id,
  reportId: r.report_id,
  format: r.format,
  redacted: r.redacted === 1,
  createdAt: r.created_at,
  fileName: r.file_name,
  bytes: r.bytes,
  sha256: r.sha256,
  pages: r.pages,
  writtenTo: r.written_to,
  tookMs: r.took_ms
})

export interface NewReportExport {
  reportId: number
  format: ReportFormat
  redacted: boolean
  options: Record<string, unknown>
  fileName: string
  sha256: string
  pages: number | null
  writtenTo: string | null
  tookMs: number
  content: Buffer
}

const now = () => new Date().toISOString()
const exportCols = 'id, report_id, format, redacted, created_at, file_name, bytes, sha256, pages, written_to, took_ms'

/** Reports of a case: the engineer's picks and text, and every export kept with its options and content. */
export class ReportStore {
  constructor(private readonly db: Database.Database) {}

  list(): ReportSummary[] {
    const rows = this.db.prepare('SELECT r.*, (SELECT count(*) FROM report_exports e WHERE e.report_id = r.id) AS exports FROM reports r ORDER BY r.updated_at DESC, r.id DESC').all() as ReportRow[]
    return rows.map(summary)
  }

  private row(id: number): ReportRow {
    const r = this.db.prepare('SELECT r.*, (SELECT count(*) FROM report_exports e WHERE e.report_id = r.id) AS exports FROM reports r WHERE r.id = ?').get(id) as ReportRow | undefined
    if (!r) throw new AppError('not_found', `The case has no report ${id}.`)
    return r
  }

  get(id: number): { report: ReportSummary; spec: ReportSpec } {
    const r = this.row(id)
    // A spec stored by an older workbench may lack a field: read it through the contract, defaults filled.
    const parsed = ReportSpec.safeParse(JSON.parse(r.spec))
    if (!parsed.success) throw new AppError('case_refused', `Report ${id} in this case cannot be read (${parsed.error.issues[0]?.message ?? 'bad spec'}). Delete it and build it again.`)
    return { report: summary(r), spec: parsed.data }
  }

  create(spec: ReportSpec): number {
    const t = now()
    return Number(this.db.prepare('INSERT INTO reports (title, spec, created_at, updated_at) VALUES (?, ?, ?, ?)').run(spec.title, JSON.stringify(spec), t, t).lastInsertRowid)
  }

  save(id: number, spec: ReportSpec): void {
    const r = this.db.prepare('UPDATE reports SET title = ?, spec = ?, updated_at = ? WHERE id = ?').run(spec.title, JSON.stringify(spec), now(), id)
    if (r.changes === 0) throw new AppError('not_found', `The case has no report ${id}.`)
  }

  delete(id: number): void {
    this.db.prepare('DELETE FROM reports WHERE id = ?').run(id)
  }

  addExport(e: NewReportExport): ReportExportSummary {
    const id = Number(
      this.db
        .prepare('INSERT INTO report_exports (report_id, format, redacted, options, created_at, file_name, sha256, bytes, pages, written_to, took_ms, content) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)')
        .run(e.reportId, e.format, e.redacted ? 1 : 0, JSON.stringify(e.options), now(), e.fileName, e.sha256, e.content.length, e.pages, e.writtenTo, e.tookMs, e.content).lastInsertRowid
    )
    return exportSummary(this.db.prepare(`SELECT ${exportCols} FROM report_exports WHERE id = ?`).get(id) as ExportRow)
  }

  exports(reportId: number): ReportExportSummary[] {
    return (this.db.prepare(`SELECT ${exportCols} FROM report_exports WHERE report_id = ? ORDER BY id DESC`).all(reportId) as ExportRow[]).map(exportSummary)
  }

  exportContent(exportId: number): { summary: ReportExportSummary; content: Buffer } {
    const r = this.db.prepare(`SELECT ${exportCols}, content FROM report_exports WHERE id = ?`).get(exportId) as (ExportRow & { content: Buffer }) | undefined
    if (!r) throw new AppError('not_found', `The case has no report export ${exportId}.`)
    return { summary: exportSummary(r), content: r.content }
  }
}
