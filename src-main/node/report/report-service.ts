// Reports of the open case: built from the engineer's picks, previewed as the export would be, exported as HTML,
// Markdown or PDF (redacted on request) and each export kept in the case. The CLI renders through `renderReport`
// too, so `sdnwb report` writes what the UI would.
import { createHash } from 'node:crypto'
import { existsSync, writeFileSync } from 'node:fs'
import type { RedactionMappingEntry, ReportExportSummary, ReportFormat, ReportSpec, ReportView } from '../../contract'
import { reportHtml } from '../../core/report/html'
import { reportMarkdown } from '../../core/report/markdown'
import type { ReportDiff, ReportDoc } from '../../core/report/model'
import { caseFileStem } from '../text'
import { caseRedaction, exportRedactedCase } from '../redact/case-redaction'
import { AppError } from '../store/app-error'
import type { CaseDb } from '../store/case-db'
import type { Handlers } from '../backend/dispatcher'
import { buildReport, defaultReportSpec, type ReportTracer } from './build'
import { markdownToHtml } from './markdown-html'
import { pdfPageCount, type PdfPrinter } from './pdf'

export const reportMime: Record<ReportFormat, string> = { html: 'text/html', md: 'text/markdown', pdf: 'application/pdf' }

export interface RenderedReport {
  doc: ReportDoc
  content: Buffer
  fileName: string
  pages: number | null
  tookMs: number
}

export interface RenderOptions {
  format: ReportFormat
  redact: boolean
  diff: (a: number, b: number, moved: boolean) => ReportDiff
  trace?: ReportTracer
  printer: PdfPrinter
  now?: Date
  signal?: AbortSignal
}

export function reportDoc(db: CaseDb, spec: ReportSpec, opts: Pick<RenderOptions, 'redact' | 'diff' | 'trace' | 'now'>): ReportDoc {
  return buildReport(db, spec, { redaction: opts.redact ? caseRedaction(db) : null, diff: opts.diff, ...(opts.trace ? { trace: opts.trace } : {}), ...(opts.now ? { now: opts.now } : {}) })
}

export async function renderReport(db: CaseDb, spec: ReportSpec, opts: RenderOptions): Promise<RenderedReport> {
  const started = performance.now()
  const doc = reportDoc(db, spec, opts)
  const stem = `${caseFileStem(doc.title)}${doc.redacted ? '-redacted' : ''}`
  let content: Buffer
  let pages: number | null = null
  if (opts.format === 'md') content = Buffer.from(reportMarkdown(doc), 'utf8')
  else {
    const html = reportHtml(doc, markdownToHtml)
    if (opts.format === 'html') content = Buffer.from(html, 'utf8')
    else {
      content = await opts.printer.print(html, opts.signal)
      pages = pdfPageCount(content)
    }
  }
  return { doc, content, fileName: `${stem}.${opts.format}`, pages, tookMs: Math.round(performance.now() - started) }
}

const ipv4 = /(?<![\d.])\d{1,3}(?:\.\d{1,3}){3}(?![\d]|\.\d)/g
const mac = /\b[0-9a-fA-F]{2}(?::[0-9a-fA-F]{2}){5}\b/g
const ipv6 = /(?<![\w:.])(?:[0-9a-fA-F]{0,4}:){2,7}[0-9a-fA-F]{1,4}(?![\w:])/g

/** What redaction replaces in a report's text: each address and name found, with its pseudonym. */
export function redactionMapping(db: CaseDb, doc: ReportDoc): RedactionMappingEntry[] {
  const red = caseRedaction(db)
  const text = reportMarkdown(doc)
  const out: RedactionMappingEntry[] = []
  const seen = new Set<string>()
  const add = (kind: RedactionMappingEntry['kind'], original: string, pseudonym: string) => {
    const k = `${kind}:${original.toLowerCase()}`
    if (seen.has(k) || original.toLowerCase() === pseudonym.toLowerCase()) return
    seen.add(k)
    out.push({ kind, original, pseudonym })
  }
  for (const m of text.matchAll(ipv4)) add('ipv4', m[0], red.redactor.redact(m[0]))
  for (const m of text.matchAll(ipv6)) {
    // Six pairs of hex digits are a MAC, listed as one below.
    if (/^[0-9a-f]{2}(?::[0-9a-f]{2}){5}$/i.test(m[0])) continue
    const p = red.redactor.redact(m[0])
    if (p !== m[0] && m[0].includes('::') === p.includes('::')) add('ipv6', m[0], p)
  }
  for (const m of text.matchAll(mac)) add('mac', m[0], red.redactor.redact(m[0]))
  const lower = text.toLowerCase()
  const kinds = new Map(red.kinds)
  for (const [name, pseudonym] of red.names) if (lower.includes(name)) add(kinds.get(name) ?? 'term', name, pseudonym)
  const order = ['host', 'domain', 'cluster', 'user', 'term', 'ipv4', 'ipv6', 'mac']
  return out.sort((a, b) => order.indexOf(a.kind) - order.indexOf(b.kind) || a.original.localeCompare(b.original, undefined, { numeric: true }))
}

export interface ReportServiceDeps {
  requireCase: () => CaseDb
  diff: (a: number, b: number, moved: boolean) => ReportDiff
  trace: ReportTracer
  printer: PdfPrinter
  /** The desktop app's save dialog; absent in browser mode. */
  pickSavePath: ((suggestedName: string, format: ReportFormat) => Promise<string | null>) | null
  changed: () => void
  /** Where a redacted copy of the case goes: a save dialog's answer, or a new file beside the cases. */
  redactedCopyPath: (db: CaseDb) => Promise<string | null>
}

export class ReportService {
  constructor(private readonly deps: ReportServiceDeps) {}

  private view(db: CaseDb, id: number): ReportView {
    const { report, spec } = db.reports.get(id)
    return { report, spec, exports: db.reports.exports(id) }
  }

  /** A spec's picks that no longer exist (a finding or run deleted since) are dropped, not an error. */
  private checked(db: CaseDb, spec: ReportSpec): ReportSpec {
    const findings = new Set(db.findings.list().map((f) => f.id))
    const runs = new Set(db.runs.list().map((r) => r.id))
    return { ...spec, findingIds: spec.findingIds.filter((id) => findings.has(id)), runIds: spec.runIds.filter((id) => runs.has(id)) }
  }

  handlers(): Pick<Handlers, 'redaction.terms' | 'redaction.addTerm' | 'redaction.removeTerm' | 'case.exportRedacted' | 'reports.list' | 'reports.create' | 'reports.get' | 'reports.save' | 'reports.delete' | 'reports.add' | 'reports.preview' | 'reports.export' | 'reports.download' | 'reports.mapping'> {
    const d = this.deps
    const terms = (db: CaseDb) => db.redaction.terms()
    return {
      'redaction.terms': () => terms(d.requireCase()),
      'redaction.addTerm': ({ kind, name }) => {
        const db = d.requireCase()
        db.redaction.addTerm(kind, name)
        return terms(db)
      },
      'redaction.removeTerm': ({ kind, name }) => {
        const db = d.requireCase()
        db.redaction.removeTerm(kind, name)
        return terms(db)
      },
      'case.exportRedacted': async () => {
        const db = d.requireCase()
        const path = await d.redactedCopyPath(db)
        if (path === null) throw new AppError('unavailable', 'No redacted copy was written: no file was chosen.')
        if (existsSync(path)) throw new AppError('conflict', `${path} exists; a redacted copy is written to a new file. Pick another name.`)
        return exportRedactedCase(db, path)
      },
      'reports.list': () => d.requireCase().reports.list(),
      'reports.create': ({ title }) => {
        const db = d.requireCase()
        db.assertWritable('Creating a report')
        const id = db.reports.create(defaultReportSpec(db, title))
        d.changed()
        return this.view(db, id)
      },
      'reports.get': ({ id }) => this.view(d.requireCase(), id),
      'reports.save': ({ id, spec }) => {
        const db = d.requireCase()
        db.reports.save(id, spec)
        d.changed()
        return this.view(db, id)
      },
      'reports.delete': ({ id }) => {
        d.requireCase().reports.delete(id)
        d.changed()
        return { id }
      },
      'reports.add': ({ diff, capture, trace }) => {
        const db = d.requireCase()
        const newest = db.reports.list()[0]
        const id = newest ? newest.id : db.reports.create(defaultReportSpec(db))
        const { spec } = db.reports.get(id)
        if (diff) {
          db.captures.get(diff.a)
          db.captures.get(diff.b)
          if (!spec.diffs.some((x) => x.a === diff.a && x.b === diff.b)) spec.diffs.push(diff)
        }
        if (trace) {
          db.captures.get(trace.captureId)
          if (!spec.traces.some((x) => x.captureId === trace.captureId && x.flow === trace.flow && x.ctNext.join() === trace.ctNext.join())) spec.traces.push(trace)
        }
        if (capture) {
          db.captures.get(capture.captureId)
          if (!spec.captures.some((x) => x.captureId === capture.captureId && x.from === capture.from && x.to === capture.to)) spec.captures.push(capture)
        }
        db.reports.save(id, spec)
        d.changed()
        return this.view(db, id)
      },
      'reports.preview': ({ spec, redact }) => {
        const started = performance.now()
        const db = d.requireCase()
        const doc = reportDoc(db, this.checked(db, spec), { redact, diff: d.diff, trace: d.trace })
        return { html: reportHtml(doc, markdownToHtml), evidence: doc.evidence.length, tookMs: Math.round(performance.now() - started) }
      },
      'reports.mapping': ({ spec }) => {
        const db = d.requireCase()
        return { entries: redactionMapping(db, reportDoc(db, this.checked(db, spec), { redact: false, diff: d.diff, trace: d.trace })) }
      },
      'reports.export': async ({ id, format, redact, saveAs }) => {
        const db = d.requireCase()
        db.assertWritable('Exporting a report')
        const spec = this.checked(db, db.reports.get(id).spec)
        if (saveAs && !d.pickSavePath) throw new AppError('unavailable', 'Save dialogs exist only in the desktop app; in the browser the export is downloaded.')
        const r = await renderReport(db, spec, { format, redact, diff: d.diff, trace: d.trace, printer: d.printer })
        let path: string | null = null
        if (saveAs && d.pickSavePath) {
          // Named after the report's own (redacted) title: a file name never says what redaction replaced.
          path = await d.pickSavePath(r.fileName, format)
          if (path === null) throw new AppError('unavailable', 'The export was not saved: no file was chosen.')
          writeFileSync(path, r.content)
        }
        const saved: ReportExportSummary = db.reports.addExport({
          reportId: id,
          format,
          redacted: redact,
          options: { printer: format === 'pdf' ? d.printer.name : null, evidence: r.doc.evidence.length, findings: r.doc.findings.length, runs: r.doc.runs.length, diffs: r.doc.diffs.length },
          fileName: r.fileName,
          sha256: createHash('sha256').update(r.content).digest('hex'),
          pages: r.pages,
          writtenTo: path,
          tookMs: r.tookMs,
          content: r.content
        })
        d.changed()
        return saved
      },
      'reports.download': ({ exportId }) => {
        const { summary, content } = d.requireCase().reports.exportContent(exportId)
        const binary = summary.format === 'pdf'
        return { fileName: summary.fileName, mime: reportMime[summary.format], encoding: binary ? 'base64' : 'utf8', content: content.toString(binary ? 'base64' : 'utf8') }
      }
    }
  }
}
