import { z } from 'zod'
import { redactionTermKinds } from './vocabulary'

export const ReportId = z.number().int().positive()
export const ReportExportId = z.number().int().positive()
const Id = z.number().int().positive()
const Markdown = z.string().max(100_000, 'At most 100,000 characters.')

const ReportTrace = z.object({ captureId: Id, flow: z.string().trim().min(1).max(2000), ctNext: z.array(z.string().regex(/^[+|,a-z]{3,60}$/)).max(16) }).strict()

/** What the engineer picked for a report and what they wrote. Stored in the case as it is edited. */
export const ReportSpec = z
  .object({
    title: z.string().trim().min(1, 'Give the report a title.').max(200),
    summary: Markdown,
    issue: Markdown,
    rootCause: Markdown,
    resolution: Markdown,
    notes: Markdown,
    findingIds: z.array(Id).max(1000),
    runIds: z.array(Id).max(200),
    /** Flow diffs by their two dumps (before/after or node/node); `moved`: the counters that moved too. */
    diffs: z.array(z.object({ a: Id, b: Id, moved: z.boolean() }).strict()).max(20),
    /** Captures or excerpts of them: lines from..to (1-based, inclusive); none: the start of the capture. */
    captures: z
      .array(
        z
          .object({ captureId: Id, from: z.number().int().positive().optional(), to: z.number().int().positive().optional() })
          .strict()
          .refine((c) => c.from === undefined || c.to === undefined || c.from <= c.to, 'An excerpt ends at or after its first line.')
      )
      .max(500),
    /** Terminal recordings: one command of one, or every command of one. */
    transcripts: z.array(z.object({ transcriptId: Id, commandId: Id.optional() }).strict()).max(200),
    /** Offline traces: a packet (ofproto/trace's flow syntax) through a saved dump, with its --ct-next states. */
    traces: z.array(ReportTrace).max(50).default([])
  })
  .strict()
export type ReportSpec = z.output<typeof ReportSpec>
export type ReportSpecInput = z.input<typeof ReportSpec>

export const reportFormats = ['html', 'md', 'pdf'] as const
export type ReportFormat = (typeof reportFormats)[number]

export interface ReportSummary {
  id: number
  title: string
  createdAt: string
  updatedAt: string
  exports: number
}

/** An export kept in the case: its date and options, the file it was written to. */
export interface ReportExportSummary {
  id: number
  reportId: number
  format: ReportFormat
  redacted: boolean
  createdAt: string
  fileName: string
  bytes: number
  sha256: string
  /** PDF only. */
  pages: number | null
  /** The file it was also written to (desktop app, CLI), if any. */
  writtenTo: string | null
  tookMs: number
}

export interface ReportView {
  report: ReportSummary
  spec: ReportSpec
  exports: ReportExportSummary[]
}

/** One row of the redaction mapping (private to the engineer: never in a report). */
export interface RedactionMappingEntry {
  kind: 'ipv4' | 'ipv6' | 'mac' | 'host' | 'domain' | 'cluster' | 'user' | 'term'
  original: string
  pseudonym: string
}

const RedactionTerm = z.object({ kind: z.enum(redactionTermKinds), name: z.string().trim().min(2, 'A term has at least two characters.').max(253) }).strict()
export type RedactionTerm = z.infer<typeof RedactionTerm>

export const reportMethods = {
  /** The names the engineer added to what redaction replaces (beyond the case's hosts, domains and users). */
  'redaction.terms': { input: z.object({}).strict() },
  'redaction.addTerm': { input: RedactionTerm },
  'redaction.removeTerm': { input: RedactionTerm },
  /**
   * A redacted copy of the case for a vendor: written to a new file (desktop app: picked in a save dialog; browser
   * mode: beside the cases, named after the case).
   */
  'case.exportRedacted': { input: z.object({}).strict() },
  'reports.list': { input: z.object({}).strict() },
  /** A new report, its picks defaulted from the case (confirmed and fixed findings, the runs that found them). */
  'reports.create': { input: z.object({ title: z.string().trim().min(1).max(200).optional() }).strict() },
  'reports.get': { input: z.object({ id: ReportId }).strict() },
  'reports.save': { input: z.object({ id: ReportId, spec: ReportSpec }).strict() },
  'reports.delete': { input: z.object({ id: ReportId }).strict() },
  /** Adds a flow diff or a capture excerpt to the newest report (a new one when the case has none). */
  'reports.add': {
    input: z
      .object({
        diff: z.object({ a: Id, b: Id, moved: z.boolean() }).strict().optional(),
        capture: z.object({ captureId: Id, from: z.number().int().positive().optional(), to: z.number().int().positive().optional() }).strict().optional(),
        trace: ReportTrace.optional()
      })
      .strict()
      .refine((o) => [o.diff, o.capture, o.trace].filter((x) => x !== undefined).length === 1, 'Add a diff, a capture or a trace.')
  },
  /** The report as HTML, as it would be exported (redacted when asked). */
  'reports.preview': { input: z.object({ spec: ReportSpec, redact: z.boolean() }).strict() },
  /**
   * Exports the saved report and keeps the export in the case. `saveAs` (desktop app): also written to a file the
   * engineer picks in a save dialog; in browser mode the page downloads it (`reports.download`). The renderer never
   * names a path to write.
   */
  'reports.export': { input: z.object({ id: ReportId, format: z.enum(reportFormats), redact: z.boolean(), saveAs: z.boolean().optional() }).strict() },
  /** A kept export's content (text; a PDF as base64). */
  'reports.download': { input: z.object({ exportId: ReportExportId }).strict() },
  /** What redaction replaces in this report: addresses and names, each with its pseudonym. */
  'reports.mapping': { input: z.object({ spec: ReportSpec }).strict() }
} as const

export interface ReportMethodOutputs {
  'redaction.terms': RedactionTerm[]
  'redaction.addTerm': RedactionTerm[]
  'redaction.removeTerm': RedactionTerm[]
  'case.exportRedacted': { path: string; captures: number; runs: number; findings: number }
  'reports.list': ReportSummary[]
  'reports.create': ReportView
  'reports.get': ReportView
  'reports.save': ReportView
  'reports.delete': { id: number }
  'reports.add': ReportView
  'reports.preview': { html: string; evidence: number; tookMs: number }
  'reports.export': ReportExportSummary
  'reports.download': { fileName: string; mime: string; encoding: 'utf8' | 'base64'; content: string }
  'reports.mapping': { entries: RedactionMappingEntry[] }
}
