import { z } from 'zod'

export const caseFileExtension = '.sdncase'

export const CaseName = z.string().trim().min(1, 'Give the case a name.').max(200, 'At most 200 characters.')

/** An absolute path of a case file; the backend checks existence and content itself. */
export const CasePath = z
  .string()
  .min(1, 'Give the path of a case file.')
  .max(4096)
  .refine((p) => !p.includes('\0'), 'A path cannot contain NUL.')
  .refine((p) => p.startsWith('/') || /^[A-Za-z]:[\\/]/.test(p), 'Give an absolute path.')

export interface CaseSummary {
  path: string
  id: string
  name: string
  createdAt: string
  schemaVersion: number
  hostCount: number
  captureCount: number
  /** Why this case is open read-only (nothing can be saved to it), or null when it is open for writing. */
  readOnly: string | null
}

export interface CaseListEntry {
  path: string
  name: string
  /** When this backend last opened it; null for a file found in the cases folder only. */
  lastOpenedAt: string | null
  exists: boolean
}

/** A case at a glance (the overview it opens on). */
export interface CaseOverview {
  hosts: {
    id: number
    name: string
    role: 'master' | 'infra' | 'compute'
    address: string
    captures: number
    newestCapture: string | null
    openFindings: { error: number; warning: number; info: number }
  }[]
  /** Hosts captures name that the case has no host record of (imported bundles). */
  unknownHosts: { name: string; captures: number }[]
  /** The nodes' HostSubnets, from the newest `oc get hostsubnets` capture. */
  hostSubnets: { host: string; hostIP: string; subnet: string }[]
  hostSubnetsCaptureId: number | null
  captures: number
  captureRuns: number
  imports: number
  openFindings: { error: number; warning: number; info: number }
  runs: import('./runs').RunSummary[]
  lastActivity: string | null
}
