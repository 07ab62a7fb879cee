import { z } from 'zod'
import type { RunFinding, RunState } from '../core/runbook/engine'
import type { CaptureSummary } from './captures'

export type { RunState, StepRecord, RunFinding } from '../core/runbook/engine'

export type RunMode = 'live' | 'offline'

export interface RunSummary {
  id: number
  runbookId: string
  runbookVersion: number
  title: string
  mode: RunMode
  ovsVia: 'host' | 'ovs-pod'
  status: 'open' | 'done'
  steps: number
  findings: number
  /** The inputs it was started with (a new run of the same runbook starts from them). */
  inputs: Record<string, string>
  createdAt: string
  updatedAt: string
}

/** Values a runbook's inputs can take, by input type, from what the case knows (hosts, pods, HostSubnets…). */
export type InputSuggestions = Record<import('../core/runbook/model').RunbookInputType, string[]>

/** The next thing to do in a run, ready for the UI. */
export type NextStepView =
  | {
      kind: 'run'
      stepId: string
      title: string
      why: string
      /** Where it runs, in words ("node2", "node2's Open vSwitch (ovs pod, via master1)", "a master"). */
      whereText: string
      /** The host it will run on (live), or the host whose captures serve (offline). */
      hostName: string | null
      /** The exact command, shell-quoted, copyable. */
      command: string
      mutating: boolean
      /** Offline: the captures that can serve, best first. */
      candidates: CaptureSummary[]
      /** Offline, a trace step without a saved trace of its packet: the dump the offline tracer simulates it on. */
      simulatedOn: CaptureSummary | null
      /**
       * Offline, a step whose command has no saved output but whose checks the nodes' saved br0 dumps answer (where a
       * pod runs, a node's subnet and HostIP): the dumps it is answered from; empty otherwise.
       */
      answeredFrom: CaptureSummary[]
      /** Why it cannot run now (no such host in the case, no capture offline…), or null. */
      problem: string | null
    }
  | { kind: 'ask'; stepId: string; title: string; why: string; question: string; choices: { id: string; label: string }[] }
  | { kind: 'blocked'; stepId: string; title: string; message: string }
  | { kind: 'done' }

export interface RunNote {
  id: number
  stepIndex: number | null
  text: string
  createdAt: string
}

export interface RunView {
  run: RunSummary
  state: RunState
  next: NextStepView
  notes: RunNote[]
}

export interface FindingView extends RunFinding {
  id: number
  runId: number
  runTitle: string
  createdAt: string
}

export const RunId = z.number().int().positive()
export const RunInputs = z.record(z.string().regex(/^[a-zA-Z][a-zA-Z0-9]*$/).max(64), z.string().max(500))
export const NoteText = z.string().trim().min(1, 'Write something.').max(20_000)
