import { z } from 'zod'
import { findingSeverities, findingStatuses, type FindingEvidence, type FindingSeverity, type FindingSource, type FindingStatus, type FindingSubject } from '../core/findings/model'

export type { FindingSeverity, FindingSource, FindingStatus, FindingSubject } from '../core/findings/model'

/** What tells a capture apart wherever it is listed or picked: host, command, time, and where it came from. */
export interface CaptureLabel {
  id: number
  hostName: string
  command: string
  startedAt: string
  source: 'live' | 'imported'
  /** The file or archive path of an imported capture. */
  origin: string | null
}

export interface FindingEvidenceView extends FindingEvidence {
  id: number
  /** The capture as it is labelled, or null when it was deleted (the excerpt stays). */
  capture: CaptureLabel | null
  createdAt: string
}

export interface CaseFindingView {
  id: number
  kind: string
  /** kind + subject: what makes two reports the same finding. */
  key: string
  subject: FindingSubject
  host: string | null
  severity: FindingSeverity
  title: string
  explain: string
  /** What the finding's kind means, from the finding catalog (null for a runbook's own or the engineer's). */
  about: string | null
  status: FindingStatus
  note: string
  continueWith: { runbookId: string; inputs: Record<string, string> } | null
  /** Every source that reported it (Check SDN, runbook steps, the engineer). */
  sources: FindingSource[]
  evidence: FindingEvidenceView[]
  createdAt: string
  updatedAt: string
}

export const FindingId = z.number().int().positive()
export const FindingsFilter = z
  .object({
    status: z.array(z.enum(findingStatuses)).max(4).optional(),
    severity: z.array(z.enum(findingSeverities)).max(3).optional(),
    host: z.string().trim().min(1).max(253).optional()
  })
  .strict()
export type FindingsFilter = z.output<typeof FindingsFilter>

export const FindingNote = z.string().trim().max(20_000)
const Line = z.number().int().min(1)

/** A finding the engineer writes, with lines picked in a capture as its evidence (or none). */
export const EngineerFinding = z
  .object({
    severity: z.enum(findingSeverities),
    title: z.string().trim().min(1, 'Give the finding a title.').max(300),
    explain: z.string().trim().max(20_000),
    host: z.string().trim().min(1).max(253).optional(),
    evidence: z
      .array(z.object({ captureId: z.number().int().positive(), from: Line, to: Line }).strict().refine((e) => e.to >= e.from, 'The last line comes after the first.').refine((e) => e.to - e.from < 2000, 'Pick at most 2000 lines.'))
      .max(20)
  })
  .strict()
