import type { ContractError, RedactionMappingEntry, RedactionTerm, ReportExportSummary, ReportFormat, ReportSpec, ReportSummary, ReportView } from '../../../src-main/contract'
import { app } from './app-state.svelte'
import { call, onBackendEvent } from './backend'

/**
 * The case's reports as the Report view edits them: the open report's picks and text (saved a moment after each
 * edit), its preview as the export would be (the backend renders it), its kept exports, and the redaction mapping.
 */
class ReportsState {
  list = $state<ReportSummary[]>([])
  current = $state<ReportView | null>(null)
  spec = $state<ReportSpec | null>(null)
  redact = $state(false)
  preview = $state<{ html: string; evidence: number; tookMs: number } | null>(null)
  previewing = $state(false)
  mapping = $state<RedactionMappingEntry[] | null>(null)
  exporting = $state<ReportFormat | null>(null)
  error = $state<ContractError | null>(null)
  note = $state<string | null>(null)
  terms = $state<RedactionTerm[]>([])
  copying = $state(false)
  private saveTimer: ReturnType<typeof setTimeout> | null = null
  private previewTimer: ReturnType<typeof setTimeout> | null = null
  private previewSeq = 0

  constructor() {
    onBackendEvent((e) => {
      if (e.name === 'case.changed') {
        this.current = null
        this.spec = null
        this.preview = null
        this.mapping = null
        void this.refresh()
      }
      if (e.name === 'reports.changed') void this.refresh()
      if (e.name === 'findings.changed' || e.name === 'runs.changed') this.schedulePreview()
    })
  }

  async refresh(): Promise<void> {
    const r = await call('reports.list', {})
    this.list = r.ok ? r.value : []
    if (this.current) {
      const g = await call('reports.get', { id: this.current.report.id })
      if (g.ok) this.current = { ...g.value, spec: this.current.spec }
      else this.select(null)
    }
  }

  /** The newest report open (when none is), for the view. */
  async openDefault(): Promise<void> {
    await this.refresh()
    if (!this.current && this.list[0]) await this.open(this.list[0].id)
  }

  private select(v: ReportView | null): void {
    this.current = v
    this.spec = v ? structuredClone(v.spec) : null
    this.mapping = null
    this.preview = null
    if (v) this.schedulePreview(0)
  }

  async open(id: number): Promise<void> {
    const r = await call('reports.get', { id })
    this.error = r.ok ? null : r.error
    if (r.ok) this.select(r.value)
  }

  async create(): Promise<void> {
    const r = await call('reports.create', {})
    this.error = r.ok ? null : r.error
    if (r.ok) {
      this.select(r.value)
      await this.refresh()
    }
  }

  async remove(): Promise<void> {
    if (!this.current) return
    const r = await call('reports.delete', { id: this.current.report.id })
    this.error = r.ok ? null : r.error
    if (r.ok) {
      this.select(null)
      await this.refresh()
    }
  }

  /** After an edit of the spec: saved, and the preview rendered again, each a moment after the last edit. */
  edited(): void {
    if (this.saveTimer) clearTimeout(this.saveTimer)
    this.saveTimer = setTimeout(() => void this.save(), 500)
    this.mapping = null
    this.schedulePreview()
  }

  async save(): Promise<boolean> {
    if (this.saveTimer) clearTimeout(this.saveTimer)
    this.saveTimer = null
    if (!this.current || !this.spec) return false
    const r = await call('reports.save', { id: this.current.report.id, spec: $state.snapshot(this.spec) })
    this.error = r.ok ? null : r.error
    if (r.ok) this.current = { ...r.value, spec: this.current.spec }
    return r.ok
  }

  schedulePreview(delay = 400): void {
    if (!this.spec) return
    if (this.previewTimer) clearTimeout(this.previewTimer)
    this.previewTimer = setTimeout(() => void this.renderPreview(), delay)
  }

  private async renderPreview(): Promise<void> {
    if (!this.spec) return
    const seq = ++this.previewSeq
    this.previewing = true
    const r = await call('reports.preview', { spec: $state.snapshot(this.spec), redact: this.redact })
    if (seq !== this.previewSeq) return
    this.previewing = false
    if (r.ok) this.preview = r.value
    this.error = r.ok ? null : r.error
  }

  async loadTerms(): Promise<void> {
    const r = await call('redaction.terms', {})
    if (r.ok) this.terms = r.value
  }

  async addTerm(term: RedactionTerm): Promise<boolean> {
    const r = await call('redaction.addTerm', term)
    this.error = r.ok ? null : r.error
    if (r.ok) this.termsChanged(r.value)
    return r.ok
  }

  async removeTerm(term: RedactionTerm): Promise<void> {
    const r = await call('redaction.removeTerm', term)
    this.error = r.ok ? null : r.error
    if (r.ok) this.termsChanged(r.value)
  }

  private termsChanged(terms: RedactionTerm[]): void {
    this.terms = terms
    this.mapping = null
    if (this.redact) this.schedulePreview(0)
  }

  /** A redacted copy of the whole case for a vendor (a new case file). */
  async exportCaseCopy(): Promise<void> {
    this.copying = true
    const r = await call('case.exportRedacted', {})
    this.copying = false
    this.error = r.ok ? null : r.error
    if (r.ok) this.note = `Wrote the redacted copy ${r.value.path}: ${r.value.captures} captures, ${r.value.runs} runbook runs, ${r.value.findings} findings (terminal recordings are not in a copy).`
  }

  async showMapping(): Promise<void> {
    if (!this.spec) return
    const r = await call('reports.mapping', { spec: $state.snapshot(this.spec) })
    this.error = r.ok ? null : r.error
    this.mapping = r.ok ? r.value.entries : null
  }

  /** Exports the report (saved first); in the desktop app to a file picked in a dialog, in the browser as a download. */
  async export(format: ReportFormat): Promise<ReportExportSummary | null> {
    if (!this.current || !(await this.save())) return null
    this.exporting = format
    this.note = null
    const r = await call('reports.export', { id: this.current.report.id, format, redact: this.redact, saveAs: app.info?.nativeDialogs ?? false })
    this.exporting = null
    this.error = r.ok ? null : r.error
    if (!r.ok) return null
    await this.refresh()
    if (r.value.writtenTo) this.note = `Saved ${r.value.writtenTo}.`
    else await this.download(r.value.id)
    return r.value
  }

  async download(exportId: number): Promise<void> {
    const r = await call('reports.download', { exportId })
    this.error = r.ok ? null : r.error
    if (!r.ok) return
    const d = r.value
    const body = d.encoding === 'base64' ? Uint8Array.from(atob(d.content), (ch) => ch.charCodeAt(0)) : d.content
    const url = URL.createObjectURL(new Blob([body], { type: d.mime }))
    const a = document.createElement('a')
    a.href = url
    a.download = d.fileName
    a.click()
    setTimeout(() => URL.revokeObjectURL(url), 10_000)
    this.note = `Downloaded ${d.fileName}.`
  }

  /** "Add to report" from a flow diff or a capture: into the newest report, which the Report view then shows. */
  async add(item: { diff: { a: number; b: number; moved: boolean } } | { capture: { captureId: number } } | { trace: { captureId: number; flow: string; ctNext: string[] } }): Promise<boolean> {
    const r = await call('reports.add', item)
    this.error = r.ok ? null : r.error
    if (r.ok) {
      this.select(r.value)
      await this.refresh()
    }
    return r.ok
  }
}

export const reports = new ReportsState()
