// The report document: what a support write-up holds (Environment, Issue, Diagnostic steps, Root cause,
// Resolution, Timeline, Evidence appendix, a redaction statement), assembled from the case by node/report and
// rendered by ./markdown and ./html. Plain data: every renderer and the redaction read the same document, so the
// HTML, the Markdown and the PDF say the same thing, and a redacted report is the same document with its strings
// redacted.
import type { DiffReportBlock } from '../flows/diff-export'

/** One piece of evidence in the appendix, cited in the body as E<ref>. */
export interface ReportEvidence {
  ref: number
  /** What it shows ("table 90 of node2: no flow for 10.129.0.0/23"). */
  label: string
  host: string
  command: string
  /** UTC, ISO 8601; null when unknown. */
  at: string | null
  /** Where it came from: "live over SSH", "imported from sosreport-node1.tar.xz", "terminal recording 3". */
  origin: string
  /** SHA-256 of the whole capture as the report's reader would have it (the redacted text in a redacted report). */
  sha256: string | null
  captureId: number | null
  lines: { n: number; text: string; hit: boolean }[]
  /** Lines of the capture not shown. */
  more: number
}

export interface ReportFinding {
  id: number
  severity: 'error' | 'warning' | 'info'
  status: 'open' | 'confirmed' | 'dismissed' | 'fixed'
  title: string
  explain: string
  subject: string
  note: string
  /** Who reported it: "Check SDN (node checks)", "runbook Pod to pod, step 4", "the engineer". */
  sources: string[]
  evidence: number[]
}

export interface ReportStep {
  title: string
  result: 'pass' | 'fail' | 'answered' | 'skipped' | 'decided'
  /** "yes" for a decided step, the answer of a question. */
  choice: string | null
  where: string | null
  command: string | null
  note: string | null
  checks: { expect: string; pass: boolean; reason: string }[]
  evidence: number[]
  at: string
}

export interface ReportRun {
  id: number
  title: string
  mode: 'live' | 'offline'
  status: 'open' | 'done'
  startedAt: string
  inputs: [string, string][]
  steps: ReportStep[]
  notes: string[]
}

export interface ReportCounterDelta {
  table: number
  name: string
  packets: number
}

export interface ReportDiff {
  block: DiffReportBlock
  /** Packets counted per table between the two dumps (before vs after): what the chart shows. */
  counters: ReportCounterDelta[]
}

export interface ReportTranscript {
  id: number
  host: string
  title: string
  startedAt: string
  commands: { line: string; exitCode: number | null; at: string; lines: string[]; more: number }[]
}

/** An offline trace as the report shows it: the packet, where, the walk in ofproto/trace's text, the verdict. */
export interface ReportTrace {
  node: string
  flow: string
  ctNext: string[]
  verdict: string
  text: string
  /** The dump it was traced on (evidence). */
  evidence: number | null
  /** Traced on on the destination node's dump after VXLAN. */
  continued: { node: string; verdict: string; text: string } | null
}

export interface ReportNode {
  name: string
  roles: string
  address: string | null
  version: string | null
  ovs: string | null
  status: string | null
}

export interface ReportEnvironment {
  openshift: string | null
  ovs: string | null
  plugin: string | null
  clusterNetwork: string | null
  serviceNetwork: string | null
  nodes: ReportNode[]
  /** Which captures the environment was read from. */
  readFrom: string[]
}

export interface ReportTimelineEntry {
  at: string
  host: string | null
  what: string
}

export interface ReportDoc {
  title: string
  caseName: string
  generatedAt: string
  redacted: boolean
  /** Markdown the engineer wrote. */
  summary: string
  issue: string
  rootCause: string
  resolution: string
  notes: string
  environment: ReportEnvironment
  findings: ReportFinding[]
  runs: ReportRun[]
  diffs: ReportDiff[]
  transcripts: ReportTranscript[]
  traces: ReportTrace[]
  timeline: ReportTimelineEntry[]
  evidence: ReportEvidence[]
  /** Said at the end of every report: redacted or not, and how. */
  redactionStatement: string
}

/** Strings of the document that are never redacted: times and hashes (no address or name can be in them). */
const keepKeys = new Set(['at', 'startedAt', 'generatedAt', 'sha256', 'severity', 'status', 'result', 'mode', 'kind'])

/** The document with every string (but times and hashes) passed through `f`: how a report is redacted. */
export function mapReportStrings(doc: ReportDoc, f: (s: string) => string): ReportDoc {
  const walk = (v: unknown, key: string | null): unknown => {
    if (typeof v === 'string') return key !== null && keepKeys.has(key) ? v : f(v)
    if (Array.isArray(v)) return v.map((x) => walk(x, null))
    if (v !== null && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x, k)]))
    return v
  }
  return walk(doc, null) as ReportDoc
}

export const severityWord: Record<ReportFinding['severity'], string> = { error: 'Error', warning: 'Warning', info: 'Info' }
export const resultWord: Record<ReportStep['result'], string> = { pass: 'passed', fail: 'failed', answered: 'answered', skipped: 'skipped', decided: 'decided' }

/** How a step's check reads: Passed/Failed, or Yes/No for a decide step (a comparison, not a failure). */
export const checkWord = (result: ReportStep['result'], pass: boolean) => (result === 'decided' ? (pass ? 'Yes' : 'No') : pass ? 'Passed' : 'Failed')

/** A UTC time as a report prints it: 2026-12-01 18:21:33Z (no milliseconds, no T to break a narrow column on). */
export const utc = (iso: string) => iso.replace('T', ' ').replace(/\.\d+Z$/, 'Z')

/** "E3, E4" for the body's citations. */
export const cite = (refs: readonly number[]) => refs.map((r) => `E${r}`).join(', ')
