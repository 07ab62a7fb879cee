// One finding model for every source (Check SDN, a runbook run, the engineer). A finding is keyed by its kind
// and subject, never by a line number or a capture, so the same problem seen again (live, then on an imported
// capture; a check run twice) merges its evidence into one finding instead of making another.
import { hostKey } from '../hosts/identity'

export const findingStatuses = ['open', 'confirmed', 'dismissed', 'fixed'] as const
export type FindingStatus = (typeof findingStatuses)[number]
export const findingSeverities = ['error', 'warning', 'info'] as const
export type FindingSeverity = (typeof findingSeverities)[number]

/** What a finding is about. Every part optional; `host` is the node or master it was found on. */
export interface FindingSubject {
  host?: string
  table?: number
  pod?: string
  namespace?: string
  hostSubnet?: string
  service?: string
  /** Anything else that tells two findings of one kind apart (a runbook's inputs, a check's own subject). */
  detail?: string
}

export type FindingSource =
  | { kind: 'check'; check: string }
  | { kind: 'runbook'; runId: number; runbookId: string; stepId: string }
  | { kind: 'engineer' }

/** Lines of one capture that support a finding. */
export interface FindingEvidence {
  /** null when the capture was deleted (the excerpt stays). */
  captureId: number | null
  /** 1-based line numbers, ascending. */
  lines: number[]
  excerpt: string
  /** What these lines show ("expected table 0 default: none found"). */
  label: string
  source: FindingSource
}

/** A finding as a source reports it, before it is stored. */
export interface FindingInput {
  kind: string
  subject: FindingSubject
  severity: FindingSeverity
  title: string
  explain: string
  source: FindingSource
  evidence: Omit<FindingEvidence, 'source'>[]
  continueWith?: { runbookId: string; inputs: Record<string, string> } | null
}

/** The subject as one key: host by its short name (host identity), the other parts as given, in a fixed order. */
export function subjectKey(s: FindingSubject): string {
  const parts: string[] = []
  if (s.host) parts.push(`host=${hostKey(s.host)}`)
  if (s.table !== undefined) parts.push(`table=${s.table}`)
  if (s.pod) parts.push(`pod=${s.pod}`)
  if (s.namespace) parts.push(`namespace=${s.namespace}`)
  if (s.hostSubnet) parts.push(`hostSubnet=${hostKey(s.hostSubnet)}`)
  if (s.service) parts.push(`service=${s.service}`)
  if (s.detail) parts.push(`detail=${s.detail}`)
  return parts.join(' ')
}

/** The key that makes two reports one finding. */
export function findingKey(f: Pick<FindingInput, 'kind' | 'subject'>): string {
  return `${f.kind}|${subjectKey(f.subject)}`
}

/** One text for a source, to tell evidence of different sources apart. */
export function sourceKey(s: FindingSource): string {
  switch (s.kind) {
    case 'check':
      return `check:${s.check}`
    case 'runbook':
      return `run:${s.runId}:${s.stepId}`
    case 'engineer':
      return 'engineer'
  }
}

/** Same capture, same lines: the same piece of evidence (merged, not repeated). */
export function evidenceKey(e: Pick<FindingEvidence, 'captureId' | 'lines'>): string {
  return `${e.captureId ?? '-'}:${e.lines.join(',')}`
}

const severityRank: Record<FindingSeverity, number> = { error: 0, warning: 1, info: 2 }

/** The more serious of two severities. */
export function worse(a: FindingSeverity, b: FindingSeverity): FindingSeverity {
  return severityRank[a] <= severityRank[b] ? a : b
}

export function compareSeverity(a: FindingSeverity, b: FindingSeverity): number {
  return severityRank[a] - severityRank[b]
}

/** Placeholders a template left unfilled ("{ownSubnet}"): a finding's text must never show one. */
export function unfilledPlaceholders(text: string): string[] {
  return [...text.matchAll(/\{([A-Za-z][A-Za-z0-9]*)\}/g)].map((m) => m[1] as string)
}
