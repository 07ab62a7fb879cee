import { z } from 'zod'
import { carriedText } from './wire'
import { HostImportFormat, HostImportText, HostInput, type Host, type HostImportPreview, type HostImportResult } from './hosts'
import { themes, type Theme } from './vocabulary'
import { Argv, HostKeyDecision, KnownHostsText, PromptId, SecretAnswer, SourceName, type ExecResult, type HostKeyPrompt, type KnownHostInfo, type KnownHostsImportResult, type SecretPrompt, type SshHostState } from './ssh'
import { CaseName, CasePath, type CaseListEntry, type CaseOverview, type CaseSummary } from './cases'
import { NoteText, RunId, RunInputs, type InputSuggestions, type RunSummary, type RunView } from './runs'
import { EngineerFinding, FindingId, FindingNote, FindingsFilter, type CaseFindingView } from './findings'
import { findingStatuses } from './vocabulary'
import { DiffId, FlowDiffItemsQuery, FlowDiffRowsQuery, type FlowCharts, type FlowDiffItemsWindow, type FlowDiffReportBlock, type FlowDiffSummary, type FlowDiffWindow } from './flow-diff'
import type { Runbook } from './runbooks'
import { terminalMethods, type TerminalEventPayloads, type TerminalMethodOutputs } from './terminal'
import { reportMethods, type ReportMethodOutputs } from './reports'
import { traceMethods, type TraceMethodOutputs } from './trace'
import {
  ImportOverrides,
  ImportPath,
  type CollectorScriptInfo,
  type NodeCheckView,
  type ImportPreview,
  type ImportProgress,
  type ImportResult,
  CaptureId,
  CaptureListFilter,
  CaptureSetYaml,
  OvsViaInput,
  SearchText,
  flowSortKeys,
  type CaptureDetail,
  type CaptureItemProgress,
  type CaptureRun,
  type CaptureRunProgress,
  type CaptureSetFileProblem,
  type CaptureSetInfo,
  type CaptureSummary,
  type CaptureText,
  type FlowWindow,
  type FlowExplanation,
  type ParsedView,
  type SearchResult
} from './captures'

const NoInput = z.object({}).strict()
const Id = z.number({ error: 'An id is a number.' }).int().positive()


export interface Settings {
  theme: Theme
}

export interface AppInfo {
  version: string
  /** How the UI reaches the backend. */
  mode: 'electron' | 'browser'
  /** Where new cases go when no path is given. */
  casesDir: string
  /** True where the shell offers native open/save dialogs (Electron). */
  nativeDialogs: boolean
  openCase: CaseSummary | null
}

/**
 * Every backend method: its name and the schema of its input. The backend validates every
 * input against this table before a handler sees it; the renderer imports only the types.
 */
/** A step's output pasted into the run panel; larger outputs are imported as files. */
const PastedOutput = carriedText('This output', 'Save it to a file and import it as a capture (Import captures…), then check the step against it.')

export const methods = {
  'app.info': { input: NoInput },
  'settings.get': { input: NoInput },
  'settings.update': { input: z.object({ theme: z.enum(themes) }).partial().strict() },

  'case.list': { input: NoInput },
  'case.create': {
    input: z.object({ name: CaseName, path: CasePath.nullable().optional() }).strict()
  },
  /** readOnly: look at a case another workbench holds (or any case) without writing to it. */
  'case.open': { input: z.object({ path: CasePath, readOnly: z.boolean().optional() }).strict() },
  /** The open case at a glance: hosts, HostSubnets, captures, open findings, runs, last activity. */
  'case.overview': { input: NoInput },
  'case.close': { input: NoInput },
  'case.forgetRecent': { input: z.object({ path: CasePath }).strict() },
  'case.pickOpenPath': { input: NoInput },
  'case.pickSavePath': { input: z.object({ suggestedName: z.string().max(200) }).strict() },

  'hosts.list': { input: NoInput },
  'hosts.create': { input: z.object({ host: HostInput }).strict() },
  'hosts.update': { input: z.object({ id: Id, host: HostInput }).strict() },
  'hosts.delete': { input: z.object({ id: Id }).strict() },
  'hosts.importPreview': { input: z.object({ format: HostImportFormat, text: HostImportText }).strict() },
  /** Imports the rows of the preview that are new; `only` limits it to those names. */
  'hosts.import': { input: z.object({ format: HostImportFormat, text: HostImportText, only: z.array(z.string().max(253)).max(10_000).optional() }).strict() },

  'ssh.states': { input: NoInput },
  'ssh.connect': { input: z.object({ hostId: Id }).strict() },
  'ssh.disconnect': { input: z.object({ hostId: Id }).strict() },
  'ssh.test': { input: z.object({ hostId: Id }).strict() },
  'ssh.exec': {
    input: z
      .object({ hostId: Id, argv: Argv, sudo: z.boolean().optional(), timeoutMs: z.number().int().min(100).max(3_600_000).optional(), execId: z.string().max(100).optional() })
      .strict()
  },
  'ssh.cancelExec': { input: z.object({ execId: z.string().min(1).max(100) }).strict() },
  'ssh.answerHostKey': { input: z.object({ promptId: PromptId, decision: HostKeyDecision }).strict() },
  'ssh.answerSecret': { input: z.object({ promptId: PromptId, secret: SecretAnswer }).strict() },
  'ssh.pendingPrompts': { input: NoInput },

  'knownHosts.list': { input: NoInput },
  'knownHosts.remove': { input: z.object({ id: Id }).strict() },
  'knownHosts.import': { input: z.object({ text: KnownHostsText, source: SourceName }).strict() },

  'captureSets.list': { input: NoInput },
  /** Saves a user set from its YAML (validated); shipped sets cannot be replaced. */
  'captureSets.save': { input: z.object({ yaml: CaptureSetYaml }).strict() },
  'captureSets.delete': { input: z.object({ id: z.string().min(1).max(64) }).strict() },

  'capture.start': {
    input: z
      .object({
        setId: z.string().min(1).max(64),
        hostIds: z.array(Id).min(1, 'Choose at least one host.').max(1000),
        ovsVia: OvsViaInput.default('host'),
        masterHostId: Id.nullable().optional()
      })
      .strict()
  },
  'capture.cancel': { input: z.object({ runId: Id }).strict() },
  'capture.progress': { input: z.object({ runId: Id }).strict() },
  'capture.runs': { input: NoInput },

  'captures.list': { input: CaptureListFilter },
  'captures.get': { input: z.object({ id: CaptureId }).strict() },
  'captures.text': { input: z.object({ id: CaptureId }).strict() },
  'captures.parsed': { input: z.object({ id: CaptureId }).strict() },
  'captures.flows': {
    input: z
      .object({
        id: CaptureId,
        table: z.number().int().min(0).max(255).nullable().optional(),
        text: z.string().max(500).optional(),
        sort: z.enum(flowSortKeys).optional(),
        descending: z.boolean().optional(),
        offset: z.number().int().min(0),
        limit: z.number().int().min(1).max(5000)
      })
      .strict()
  },
  /** One flow of a dump read with what the case knows (VNIDs, pods, nodes, ports, the HostSubnet behind its cookie). */
  'captures.flowExplain': { input: z.object({ id: CaptureId, index: z.number().int().min(0).max(10_000_000) }).strict() },
  'captures.delete': { input: z.object({ id: CaptureId }).strict() },
  /** Deletes several captures at once (a whole capture run or import); findings keep their excerpts. */
  'captures.deleteMany': { input: z.object({ ids: z.array(CaptureId).min(1).max(100_000) }).strict() },
  /** Gives captures to another host (imported under the wrong name, or a host renamed). */
  'captures.move': { input: z.object({ ids: z.array(CaptureId).min(1).max(100_000), hostName: z.string().trim().min(1).max(253).regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'Not a host name.') }).strict() },
  'captures.search': { input: z.object({ query: SearchText, maxCaptures: z.number().int().min(1).max(500).optional() }).strict() },
  /** What importing a file, folder or archive (on the backend's machine) would take. */
  'captures.importPreview': { input: z.object({ path: ImportPath, ...ImportOverrides }).strict() },
  'captures.import': { input: z.object({ path: ImportPath, ...ImportOverrides, importId: z.string().min(1).max(100).optional() }).strict() },
  'captures.cancelImport': { input: z.object({ importId: z.string().min(1).max(100) }).strict() },
  'captures.pickImportPath': { input: z.object({ folder: z.boolean() }).strict() },
  /** The POSIX sh collector script for a capture set, for customers who give no SSH access. */
  'captureSets.collectorScript': { input: z.object({ setId: z.string().min(1).max(64) }).strict() },
  /** The openshift-sdn checks on a node, from the newest captures of the case. */
  'captures.checkNode': { input: z.object({ hostName: z.string().trim().min(1).max(253), use: z.record(z.string().regex(/^[a-zA-Z]+$/).max(40), CaptureId).optional() }).strict() },

  /** Diffs two flow captures (keyed by table, priority, canonical match); node vs node sets apart what every node has. */
  'flows.diff': { input: z.object({ a: CaptureId, b: CaptureId, acrossOfVersions: z.boolean().optional(), nodeVsNode: z.boolean().optional() }).strict() },
  'flows.diffRows': { input: FlowDiffRowsQuery },
  /** The diff as `ovs-ofctl diff-flows` prints it, to copy or save. */
  'flows.diffText': { input: z.object({ diffId: DiffId }).strict() },
  'flows.charts': { input: z.object({ host: z.string().trim().min(1).max(253).optional() }).strict() },
  'flows.diffItems': { input: FlowDiffItemsQuery },
  /** The diff as a report embeds it (a block the report renders) and as Markdown. */
  'flows.diffExport': { input: z.object({ diffId: DiffId, moved: z.boolean().optional(), hidePerNode: z.boolean().optional() }).strict() },

  'runbooks.list': { input: NoInput },
  'runbooks.get': { input: z.object({ id: z.string().min(1).max(64) }).strict() },
  /** Starts a run: live (commands over SSH) or offline (the case's captures answer the steps). */
  'runs.start': {
    input: z
      .object({ runbookId: z.string().min(1).max(64), inputs: RunInputs, mode: z.enum(['live', 'offline']), ovsVia: z.enum(['host', 'ovs-pod']).default('host') })
      .strict()
  },
  'runs.list': { input: NoInput },
  /** What the inputs of a runbook can be filled with, from the case's hosts and captures. */
  'runs.suggestions': { input: NoInput },
  'runs.get': { input: z.object({ runId: RunId }).strict() },
  /** Runs the current step (live) or evaluates it on the best capture (offline); mutating steps need confirm. */
  'runs.execute': { input: z.object({ runId: RunId, confirm: z.boolean().optional() }).strict() },
  'runs.useCapture': { input: z.object({ runId: RunId, captureId: CaptureId }).strict() },
  'runs.submitOutput': { input: z.object({ runId: RunId, text: PastedOutput, exitCode: z.number().int().min(0).max(255) }).strict() },
  'runs.answer': { input: z.object({ runId: RunId, choiceId: z.string().min(1).max(64) }).strict() },
  'runs.skip': { input: z.object({ runId: RunId, note: z.string().trim().min(1).max(2000) }).strict() },
  'runs.back': { input: z.object({ runId: RunId, index: z.number().int().min(0) }).strict() },
  'runs.note': { input: z.object({ runId: RunId, stepIndex: z.number().int().min(0).nullable().optional(), text: NoteText }).strict() },
  'runs.delete': { input: z.object({ runId: RunId }).strict() },
  /** The case's findings, from every source, filtered by status, severity and host. */
  'findings.list': { input: FindingsFilter },
  'findings.update': { input: z.object({ id: FindingId, status: z.enum(findingStatuses).optional(), note: FindingNote.optional() }).strict() },
  'findings.add': { input: z.object({ finding: EngineerFinding }).strict() },
  'findings.delete': { input: z.object({ id: FindingId }).strict() },
  ...terminalMethods,
  ...reportMethods,
  ...traceMethods
} as const satisfies Record<string, { input: z.ZodType }>

export interface MethodOutputs extends TerminalMethodOutputs, ReportMethodOutputs, TraceMethodOutputs {
  'app.info': AppInfo
  'settings.get': Settings
  'settings.update': Settings
  'case.list': CaseListEntry[]
  'case.create': CaseSummary
  'case.open': CaseSummary
  'case.overview': CaseOverview
  'case.close': null
  'case.forgetRecent': null
  'case.pickOpenPath': { path: string | null }
  'case.pickSavePath': { path: string | null }
  'hosts.list': Host[]
  'hosts.create': Host
  'hosts.update': Host
  'hosts.delete': { id: number }
  'hosts.importPreview': HostImportPreview
  'hosts.import': HostImportResult
  'ssh.states': SshHostState[]
  'ssh.connect': SshHostState
  'ssh.disconnect': SshHostState
  'ssh.test': { state: SshHostState; result: ExecResult | null }
  'ssh.exec': ExecResult
  'ssh.cancelExec': { cancelled: boolean }
  'ssh.answerHostKey': null
  'ssh.answerSecret': null
  'ssh.pendingPrompts': { hostKeys: HostKeyPrompt[]; secrets: SecretPrompt[] }
  'knownHosts.list': KnownHostInfo[]
  'knownHosts.remove': { id: number }
  'knownHosts.import': KnownHostsImportResult
  'captureSets.list': { sets: CaptureSetInfo[]; problems: CaptureSetFileProblem[] }
  'captureSets.save': CaptureSetInfo
  'captureSets.delete': { id: string }
  'capture.start': CaptureRunProgress
  'capture.cancel': { cancelled: boolean }
  'capture.progress': CaptureRunProgress | null
  'capture.runs': CaptureRun[]
  'captures.list': CaptureSummary[]
  'captures.get': CaptureDetail
  'captures.text': CaptureText
  'captures.parsed': ParsedView
  'captures.flows': FlowWindow
  'captures.flowExplain': FlowExplanation
  'captures.delete': { id: number }
  'captures.deleteMany': { deleted: number }
  'captures.move': { moved: number; hostName: string }
  'captures.search': SearchResult
  'captures.importPreview': ImportPreview
  'captures.import': ImportResult
  'captures.cancelImport': { cancelled: boolean }
  'captures.pickImportPath': { path: string | null }
  'captureSets.collectorScript': CollectorScriptInfo
  'captures.checkNode': NodeCheckView
  'flows.diff': FlowDiffSummary
  'flows.diffRows': FlowDiffWindow
  'flows.diffText': { text: string }
  'flows.charts': FlowCharts
  'flows.diffItems': FlowDiffItemsWindow
  'flows.diffExport': { block: FlowDiffReportBlock; markdown: string }
  'runbooks.list': { runbooks: Runbook[]; problems: { file: string; message: string }[] }
  'runbooks.get': Runbook
  'runs.start': RunView
  'runs.list': RunSummary[]
  'runs.suggestions': InputSuggestions
  'runs.get': RunView
  'runs.execute': RunView
  'runs.useCapture': RunView
  'runs.submitOutput': RunView
  'runs.answer': RunView
  'runs.skip': RunView
  'runs.back': RunView
  'runs.note': RunView
  'runs.delete': { runId: number }
  'findings.list': CaseFindingView[]
  'findings.update': CaseFindingView
  'findings.add': CaseFindingView
  'findings.delete': { id: number }
}

export type MethodName = keyof typeof methods
/** What a caller sends (before defaults and trimming). */
export type MethodInput<M extends MethodName> = z.input<(typeof methods)[M]['input']>
/** What a handler receives (validated, trimmed, transformed). */
export type ValidInput<M extends MethodName> = z.output<(typeof methods)[M]['input']>
export type MethodOutput<M extends MethodName> = MethodOutputs[M]

export function isMethodName(name: unknown): name is MethodName {
  return typeof name === 'string' && Object.prototype.hasOwnProperty.call(methods, name)
}

/**
 * Events the backend pushes: to every connected UI, except the terminal events (`addressedEvents`),
 * which go to the client that opened the terminal only.
 */
export interface EventPayloads extends TerminalEventPayloads {
  'case.changed': CaseSummary | null
  'hosts.changed': { caseId: string }
  'ssh.state': SshHostState
  'ssh.hostKeyPrompt': HostKeyPrompt
  'ssh.secretPrompt': SecretPrompt
  /** A prompt was answered or withdrawn (timeout, connection given up). */
  'ssh.promptClosed': { promptId: string }
  /** A capture run started, or ended (status finished/cancelled). */
  'capture.run': CaptureRun
  /** One command of a run changed state (queued -> running -> done/skipped). */
  'capture.item': CaptureItemProgress
  /** Captures were added or removed (a run saved one, an import ended, a delete). */
  'captures.changed': { caseId: string }
  /** An import reading its bundle or saving its captures. */
  'captures.importProgress': ImportProgress
  /** A run changed (a step applied, a note, deleted): its view and the findings may differ. */
  'runs.changed': { runId: number }
  /** The case's findings changed (Check SDN stored some, the engineer edited one). */
  'findings.changed': { caseId: string }
  /** A terminal recording started, ended or was deleted. */
  'transcripts.changed': { caseId: string }
  /** A report was saved, exported or deleted. */
  'reports.changed': { caseId: string }
}
export type EventName = keyof EventPayloads
/** An event as it travels: a union over the event names, so checking the name narrows the payload. */
export type BackendEvent<E extends EventName = EventName> = { [K in E]: { name: K; payload: EventPayloads[K] } }[E]
