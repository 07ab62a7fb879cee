// `sdnwb report CASE --format html|md|pdf [--redact] -o FILE`: the case's report (the newest saved one, or
// --report ID; a case without one gets the default picks: its confirmed and fixed findings and the runs that found
// them) rendered by the same code as the UI's export, and kept in the case when it is writable and saved there.
import { createHash } from 'node:crypto'
import { writeFileSync } from 'node:fs'
import { reportFormats, type ReportFormat } from '../../contract'
import { FlowDiffService } from '../backend/flow-diff-handlers'
import { TraceService } from '../trace/trace-service'
import { defaultReportSpec } from '../report/build'
import { ChromiumPdfPrinter } from '../report/pdf'
import { renderReport } from '../report/report-service'
import { withCase, type Io } from './case-verbs'

export function reportVerb(casePath: string, o: { format: string | undefined; redact: boolean; out: string | undefined; report: string | undefined; json: boolean }, io: Io): Promise<number> {
  const format = (o.format ?? 'html') as ReportFormat
  if (!reportFormats.includes(format)) {
    io.err(`sdnwb: --format is one of ${reportFormats.join(', ')}, not ${o.format}\n`)
    return Promise.resolve(1)
  }
  if (!o.out) {
    io.err('sdnwb: report needs -o FILE, the report to write\n')
    return Promise.resolve(1)
  }
  const reportId = o.report === undefined ? null : Number(o.report)
  if (reportId !== null && !(Number.isInteger(reportId) && reportId > 0)) {
    io.err(`sdnwb: --report takes a report number, not ${o.report}\n`)
    return Promise.resolve(1)
  }
  const out = o.out
  return withCase(
    casePath,
    false,
    io,
    async (db) => {
      const saved = reportId !== null ? db.reports.get(reportId) : (() => {
        const newest = db.reports.list()[0]
        return newest ? db.reports.get(newest.id) : null
      })()
      const spec = saved?.spec ?? defaultReportSpec(db)
      const diffs = new FlowDiffService(() => db)
      const tracer = new TraceService(() => db)
      const r = await renderReport(db, spec, { format, redact: o.redact, diff: (a, b, moved) => diffs.reportDiff(a, b, moved), trace: (id, flow, ct) => tracer.forReport(id, flow, ct), printer: new ChromiumPdfPrinter() })
      writeFileSync(out, r.content)
      const sha256 = createHash('sha256').update(r.content).digest('hex')
      let kept: number | null = null
      if (saved && db.readOnly === null) {
        kept = db.reports.addExport({ reportId: saved.report.id, format, redacted: o.redact, options: { cli: true, evidence: r.doc.evidence.length }, fileName: r.fileName, sha256, pages: r.pages, writtenTo: out, tookMs: r.tookMs, content: r.content }).id
      }
      const summary = { path: out, format, redacted: o.redact, report: saved?.report.id ?? null, keptAs: kept, bytes: r.content.length, sha256, pages: r.pages, findings: r.doc.findings.length, runs: r.doc.runs.length, diffs: r.doc.diffs.length, evidence: r.doc.evidence.length, tookMs: r.tookMs }
      if (o.json) io.out(JSON.stringify(summary) + '\n')
      else
        io.out(
          `Wrote ${out} (${format}${o.redact ? ', redacted' : ''}${r.pages !== null ? `, ${r.pages} pages` : ''}, ${r.content.length} bytes): ${summary.findings} findings, ${summary.runs} runbook runs, ${summary.diffs} flow diffs, ${summary.evidence} evidence items; ${saved ? `report ${saved.report.id}` : 'the default picks (the case has no saved report)'}${kept !== null ? `, kept in the case as export ${kept}` : ''}\n`
        )
      return 0
    },
    true
  )
}
