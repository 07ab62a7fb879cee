import { z } from 'zod'
import { captureSetProblems, captureTargets, ovsVias, type CaptureSet, type OvsVia } from '../core/capture/capture-set'
import { parserIds } from '../core/parse/parser-ids'

export type { CaptureSet, CaptureCommand, CaptureTarget, OvsVia } from '../core/capture/capture-set'

const Slug = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[a-z0-9][a-z0-9-]*$/, 'Lower-case letters, digits and "-", starting with a letter or digit.')

export const CaptureCommandSchema = z
  .object({
    id: Slug,
    title: z.string().trim().min(1).max(200),
    on: z.enum(captureTargets, { error: `on is one of: ${captureTargets.join(', ')}.` }),
    argv: z.array(z.string().min(1, 'An argument cannot be empty.').max(4000)).min(1, 'argv needs the command.').max(200),
    sudo: z.boolean().default(false),
    ovs: z.boolean().default(false),
    timeoutSeconds: z.number().int().min(1).max(3600).default(60),
    parser: z.enum(parserIds).optional()
  })
  .strict()

/** A capture set as written in resources/capture-sets/*.yaml or by the user. */
export const CaptureSetSchema = z
  .object({
    id: Slug,
    title: z.string().trim().min(1).max(200),
    version: z.number().int().min(1),
    description: z.string().max(4000).default(''),
    commands: z.array(CaptureCommandSchema).min(1).max(500)
  })
  .strict()
  .superRefine((set, ctx) => {
    for (const p of captureSetProblems(set as CaptureSet)) ctx.addIssue({ code: 'custom', message: p, path: ['commands'] })
  })

export interface CaptureSetInfo {
  set: CaptureSet
  /** Shipped with the workbench (read-only) or saved by the user. */
  builtin: boolean
  /** The YAML as written, for the editor. */
  yaml: string
}

export interface CaptureSetFileProblem {
  file: string
  message: string
}

export const captureStatuses = ['ok', 'failed', 'error', 'cancelled'] as const
/** ok: exit 0; failed: ran, non-zero exit; error: did not complete (SSH error, timeout); cancelled. */
export type CaptureStatus = (typeof captureStatuses)[number]

export interface CaptureSummary {
  id: number
  runId: number | null
  /** The host the output is about (null when that host was deleted from the case). */
  hostId: number | null
  hostName: string
  /** Where it ran when not on the host itself (a master, for `oc exec` / `oc logs`). */
  viaHostName: string | null
  commandId: string | null
  title: string | null
  command: string
  source: 'live' | 'imported'
  /** Imported: the archive or file it came from, and the path inside. */
  origin: string | null
  startedAt: string
  durationMs: number | null
  status: CaptureStatus
  exitCode: number | null
  signal: string | null
  errorKind: string | null
  error: string | null
  stdoutBytes: number
  stdoutLines: number
  stderrBytes: number
  truncated: boolean
  parserId: string | null
  records: number | null
  diagnosticCount: number
}

export interface CaptureDiagnostic {
  line: number
  severity: 'error' | 'warning' | 'info'
  message: string
  text: string
}

export interface CaptureDetail {
  capture: CaptureSummary
  stderr: string
  /** The first diagnostics of the parse (all of them are counted in diagnosticCount). */
  diagnostics: CaptureDiagnostic[]
}

export interface CaptureText {
  id: number
  text: string
}

export const captureRunStatuses = ['running', 'finished', 'cancelled', 'interrupted'] as const
export type CaptureRunStatus = (typeof captureRunStatuses)[number]

export interface CaptureRun {
  id: number
  setId: string
  setTitle: string
  setVersion: number
  ovsVia: OvsVia
  startedAt: string
  finishedAt: string | null
  status: CaptureRunStatus
  planned: number
  saved: number
}

export type CaptureItemState = 'queued' | 'running' | 'done' | 'skipped'

export interface CaptureItemProgress {
  runId: number
  key: string
  hostId: number
  hostName: string
  runOnHostName: string
  commandId: string
  title: string
  command: string
  state: CaptureItemState
  status: CaptureStatus | null
  captureId: number | null
  durationMs: number | null
  /** Why it failed or was skipped. */
  message: string | null
}

export interface CaptureRunProgress {
  run: CaptureRun
  items: CaptureItemProgress[]
  /** Commands left out of the plan and why. */
  skipped: string[]
}

export interface SearchHitLine {
  line: number
  /** The line, or for a long one an excerpt around the first match (at most 1000 characters). */
  text: string
  /** Characters of the line left out before the excerpt (0: the line starts here). */
  from: number
  /** Where the terms match in text, for highlighting. */
  matches: { start: number; end: number }[]
  /** Set for a line of the command's stderr (line numbers count in stderr then). */
  stream?: 'stderr'
}

export interface SearchHit {
  capture: CaptureSummary
  lines: SearchHitLine[]
  /** Matching lines beyond those shown. */
  moreLines: boolean
}

export interface SearchResult {
  query: string
  hits: SearchHit[]
  /** Captures beyond the limit that were not examined (some may hold no matching line). */
  moreCaptures: number
  tookMs: number
}

/** A window of a parsed flow table, filtered and sorted in the backend (the grid is virtualized). */
export type { FlowGridRow as FlowRow, FlowGridWindow as FlowWindow } from '../core/capture/parsed-view'
export { flowSortKeys } from '../core/capture/parsed-view'

export type { FlowExplanation, FlowNote } from '../core/flows/explain'
export type { OfprotoTrace, TracePass, TraceStep, TraceAction, TraceVerdict } from '../core/parse/ofproto-trace'
export type { ParsedDocument, DocBlock, DocTable, DocTree, DocTreeNode, DocFacts, DocRow, DocCell, DocColumn, Tone as DocTone } from '../core/capture/documents'
import type { ParsedDocument } from '../core/capture/documents'

export interface ParsedView {
  parserId: string | null
  /** `trace`: an ofproto/trace walk, shown table by table (in `trace`); `document`: tables, trees and facts (in `document`). */
  kind: 'flows' | 'trace' | 'document' | 'none'
  trace?: Omit<import('../core/parse/ofproto-trace').OfprotoTrace, 'diagnostics'>
  /** A trace's steps in the newest br0 dump of the same host: that capture, and per pass and step the flow's line (null: not in it). */
  traceLinks?: { captureId: number; label: string; lines: (number | null)[][] } | null
  document?: ParsedDocument
  records: number
  diagnostics: CaptureDiagnostic[]
  diagnosticCount: number
}

export const CaptureId = z.number().int().positive()
export const CaptureSetYaml = z.string().max(1024 * 1024, 'A capture set over 1 MB is not one.')
export const SearchText = z.string().trim().min(1, 'Type something to search for.').max(1000)
export const OvsViaInput = z.enum(ovsVias)
export const CaptureListFilter = z
  .object({
    hostName: z.string().max(253).optional(),
    runId: z.number().int().positive().optional(),
    commandId: z.string().max(64).optional()
  })
  .strict()

export type ImportLayout = 'sosreport' | 'collector' | 'must-gather' | 'files'

export interface ImportPreviewItem {
  /** Path inside the folder or archive. */
  path: string
  size: number
  hostName: string | null
  /** Where the host comes from: the bundle's own data (sosreport hostname, collector manifest, must-gather node), a guess from the file name, or the engineer. */
  hostFrom: 'bundle' | 'guess' | 'given' | null
  command: string | null
  /** Where the command comes from: the bundle's manifest, its layout (a sos file name, a must-gather path), a guess from the file name, the engineer; `unmapped`: a sos name no known command gives (kept as text, no command invented). */
  commandFrom: 'manifest' | 'bundle' | 'guess' | 'given' | 'unmapped' | null
  commandId: string | null
  /** The parser that will read it (by its command, or as the engineer chose); null: kept as text only. */
  parserId: string | null
  /** Imported as a capture, or left out for the reason given. */
  take: boolean
  reason: string | null
}

export interface ImportPreview {
  path: string
  bundleName: string
  bundleKind: 'folder' | 'tar' | 'file'
  layout: ImportLayout
  /** The host the bundle says it came from (sosreport hostname, collector manifest), if any. */
  hostName: string | null
  items: ImportPreviewItem[]
  /** Files of the bundle that are not outputs the workbench reads (logs of other services…). */
  ignoredFiles: number
  /** Entries refused while reading: links not followed, names leading outside, files too large. */
  refused: { path: string; reason: string }[]
  /** The archive broke off part way: what is listed came before. */
  damage: string | null
}

export interface ImportResult {
  preview: ImportPreview
  captureIds: number[]
  /** Items of the preview already imported from the same bundle earlier: not imported twice. */
  alreadyImported: number
  /** Items that were to be taken but could not be (unreadable…), with why. */
  failed: { path: string; reason: string }[]
  tookMs: number
}

export interface ImportProgress {
  importId: string
  phase: 'reading' | 'saving'
  done: number
  total: number
}

export const ImportPath = z.string().trim().min(1, 'Give the path of a file, folder or archive.').max(4096)
const ImportHostName = z.string().trim().min(1).max(253).regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'Not a host name.')
/** One row of the preview as the engineer edited it: its host, command, parser, and whether to import it. */
export const ImportRowEdit = z
  .object({
    path: z.string().min(1).max(4096),
    hostName: ImportHostName.optional(),
    command: z.string().trim().min(1).max(2000).optional(),
    /** A parser id, or null to keep it as text only. */
    parserId: z.enum(parserIds).nullable().optional(),
    take: z.boolean().optional()
  })
  .strict()
export type ImportRowEdit = z.output<typeof ImportRowEdit>
export const ImportOverrides = {
  hostName: ImportHostName.nullable().optional(),
  command: z.string().trim().min(1).max(2000).nullable().optional(),
  rows: z.array(ImportRowEdit).max(50_000).optional()
}

export interface CollectorScriptInfo {
  fileName: string
  script: string
  leftOut: string[]
}

import type { CaptureLabel } from './findings'
export type { Finding as SdnFinding } from '../core/sdn/evidence'
import type { Finding as SdnFindingType } from '../core/sdn/evidence'

/** The openshift-sdn checks run on one node's captures. */
export interface NodeCheckView {
  node: string
  findings: SdnFindingType[]
  ran: string[]
  skipped: { check: string; needs: string }[]
  /** The captures the checks read, by role. */
  used: { role: string; captureId: number; hostName: string; command: string }[]
  /** Roles several captures could serve, best first: the engineer may choose another (captures.checkNode `use`). */
  candidates: { role: string; chosen: number; captures: CaptureLabel[] }[]
  facts: { gateway: string | null; localSubnet: string | null; pluginId: number | null; plugin: string; ruleVersion: number | null; nodeIP: string | null }
  /** Each finding as stored in the case (same order as `findings`), and whether the case had it already. */
  stored: { findingId: number; seenBefore: boolean }[]
}
