import { z } from 'zod'
import type { DiffRow, DiffRowKind, DiffTableSummary } from '../core/flows/diff-view'
import type { CaptureLabel } from './findings'

export type { DiffRow as FlowDiffRow, DiffRowKind as FlowDiffRowKind, DiffTableSummary as FlowDiffTable, TextPiece } from '../core/flows/diff-view'

export const diffRowKinds = ['removed', 'added', 'changed', 'moved'] as const satisfies readonly DiffRowKind[]

/** A diff computed and kept by the backend: its summary; the rows are read a window at a time. */
export interface FlowDiffSummary {
  diffId: string
  a: CaptureLabel
  b: CaptureLabel
  nodeVsNode: boolean
  acrossOfVersions: boolean
  totals: { added: number; removed: number; changed: number; moved: number; unchanged: number; perNode: number }
  tables: DiffTableSummary[]
  rows: number
  tookMs: number
}

export interface FlowDiffWindow {
  total: number
  offset: number
  rows: DiffRow[]
}

export const DiffId = z.string().regex(/^diff-\d+$/)
export const FlowDiffRowsQuery = z
  .object({
    diffId: DiffId,
    offset: z.number().int().min(0),
    limit: z.number().int().min(1).max(1000),
    kinds: z.array(z.enum(diffRowKinds)).max(4).optional(),
    table: z.number().int().min(0).max(254).nullable().optional(),
    /** Node vs node: leave out the differences every node has. */
    hidePerNode: z.boolean().optional()
  })
  .strict()

/** The rows with unchanged flows around each change (`context` of them) and the runs between collapsed; `expanded`: gaps shown whole. */
export const FlowDiffItemsQuery = FlowDiffRowsQuery.extend({
  context: z.number().int().min(0).max(20).optional(),
  expanded: z.array(z.string().regex(/^\d+:\d+$/)).max(10_000).optional()
}).strict()

export type { DiffItem as FlowDiffItem, RailMark as FlowDiffRailMark } from '../core/flows/diff-context'
import type { DiffItem, RailMark } from '../core/flows/diff-context'

export interface FlowDiffItemsWindow {
  total: number
  offset: number
  items: DiffItem[]
  /** Where every shown change sits in the two tables' whole order (0..1), and its item index. */
  rail: RailMark[]
}

export type { FlowsPerTable, TopCounter, DropSeries } from '../core/flows/charts'
import type { DropSeries, FlowsPerTable, TopCounter } from '../core/flows/charts'

/** The case's flow dumps in charts: flows per table per node; one node's top counters and default drops over time. */
export interface FlowCharts {
  /** The hosts that have a br0 dump. */
  hosts: string[]
  /** The host the top counters and drops are of (null: the case has no dump). */
  host: string | null
  perTable: FlowsPerTable
  top: { captureId: number; startedAt: string; rows: TopCounter[] } | null
  drops: DropSeries
}

export type { DiffReportBlock as FlowDiffReportBlock } from '../core/flows/diff-export'
