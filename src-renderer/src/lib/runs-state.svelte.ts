import type { ContractError, Runbook, RunSummary, RunView } from '../../../src-main/contract'
import { call, onBackendEvent } from './backend'

/** Runbooks, the case's runs and the run on screen; changed by replies and events only. */
class RunsState {
  runbooks = $state<Runbook[]>([])
  problems = $state<{ file: string; message: string }[]>([])
  runs = $state<RunSummary[]>([])
  current = $state<RunView | null>(null)
  busy = $state(false)
  error = $state<ContractError | null>(null)
  /** A runbook to start next, proposed by a finding ("continue with"): the Runbooks view opens its form filled in. */
  proposed = $state<{ runbookId: string; inputs: Record<string, string>; mode: 'live' | 'offline'; ovsVia: 'host' | 'ovs-pod' } | null>(null)

  constructor() {
    onBackendEvent((e) => {
      if (e.name === 'runs.changed') void this.refreshLists()
      else if (e.name === 'case.changed') {
        this.current = null
        void this.refreshLists()
      }
    })
  }

  runbook(id: string): Runbook | undefined {
    return this.runbooks.find((r) => r.id === id)
  }

  async load(): Promise<void> {
    const r = await call('runbooks.list', {})
    if (r.ok) {
      this.runbooks = r.value.runbooks
      this.problems = r.value.problems
    }
    await this.refreshLists()
  }

  async refreshLists(): Promise<void> {
    const runs = await call('runs.list', {})
    this.runs = runs.ok ? runs.value : []
  }

  /** Every action on a run returns its new view; errors stay next to the step. */
  async act(p: Promise<{ ok: true; value: RunView } | { ok: false; error: ContractError }>): Promise<boolean> {
    this.busy = true
    this.error = null
    const r = await p
    this.busy = false
    if (r.ok) this.current = r.value
    else this.error = r.error
    return r.ok
  }

  /** Leaves the run on screen for the start form of the runbook a finding continues with. */
  propose(runbookId: string, inputs: Record<string, string>, from: { mode: 'live' | 'offline'; ovsVia: 'host' | 'ovs-pod' } | null): void {
    this.current = null
    this.proposed = { runbookId, inputs, mode: from?.mode ?? 'live', ovsVia: from?.ovsVia ?? 'host' }
  }

  open(runId: number): Promise<boolean> {
    return this.act(call('runs.get', { runId }))
  }
}

export const runs = new RunsState()
