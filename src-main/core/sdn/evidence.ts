import type { Flow } from '../flows/flow'

/** A line of a capture that supports a finding. */
export interface EvidenceLine {
  /** Which capture: "dump-flows br0 on node1", or a capture id the backend resolves. */
  source: string
  line: number
  text: string
}

export type Severity = 'error' | 'warning' | 'info'

export interface Finding {
  /** Stable id of the check plus its subject: "remote.flows:node2". */
  id: string
  check: string
  severity: Severity
  title: string
  /** What is wrong and what it means, in plain words. */
  detail: string
  evidence: EvidenceLine[]
}

export const flowEvidence = (source: string, f: Flow): EvidenceLine => ({ source, line: f.line, text: f.text.trim() })
