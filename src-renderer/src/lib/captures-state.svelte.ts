import type { CaptureItemProgress, CaptureRun, CaptureRunProgress, CaptureSetFileProblem, CaptureSetInfo, CaptureSummary, ContractError, OvsVia } from '../../../src-main/contract'
import { call, onBackendEvent } from './backend'

/** Capture sets, the run being watched, and the case's captures; changed only by replies and events. */
class CaptureState {
  sets = $state<CaptureSetInfo[]>([])
  setProblems = $state<CaptureSetFileProblem[]>([])
  /** The run shown in the Capture view (the last one started here, or picked up after a reload). */
  run = $state<CaptureRunProgress | null>(null)
  captures = $state<CaptureSummary[]>([])
  /** The capture open in the Captures view, and the line to show first (from a search hit). */
  selected = $state<{ id: number; line: number | null; stream?: 'stderr' } | null>(null)
  /** The captures list's filter text (another view may set it: the overview's "captures of node1"). */
  listFilter = $state('')
  error = $state<ContractError | null>(null)
  /** Hosts the engineer left out of the next capture (kept while moving between views). */
  excluded = $state<number[]>([])
  private refreshTimer: ReturnType<typeof setTimeout> | null = null

  constructor() {
    onBackendEvent((e) => {
      if (e.name === 'capture.item') this.onItem(e.payload as CaptureItemProgress)
      else if (e.name === 'capture.run') this.onRun(e.payload as CaptureRun)
      else if (e.name === 'captures.changed') this.scheduleRefresh()
      else if (e.name === 'case.changed') {
        this.run = null
        this.selected = null
        this.excluded = []
        this.captures = []
        void this.refresh()
      }
    })
  }

  private onItem(p: CaptureItemProgress): void {
    if (!this.run || this.run.run.id !== p.runId) return
    this.run.items = this.run.items.map((i) => (i.key === p.key ? p : i))
  }

  private onRun(r: CaptureRun): void {
    if (this.run?.run.id === r.id) this.run.run = r
  }

  /** Many captures arrive in a burst during a run: the list reloads at most every 300 ms. */
  private scheduleRefresh(): void {
    if (this.refreshTimer) return
    this.refreshTimer = setTimeout(() => {
      this.refreshTimer = null
      void this.refresh()
    }, 300)
  }

  async refresh(): Promise<void> {
    const r = await call('captures.list', {})
    this.captures = r.ok ? r.value : []
    // After a reload of the page, a run still going on in the backend is picked up again.
    if (!this.run && r.ok) {
      const runs = await call('capture.runs', {})
      const live = runs.ok ? runs.value.find((x) => x.status === 'running') : undefined
      if (live) {
        const p = await call('capture.progress', { runId: live.id })
        if (p.ok && p.value && !this.run) this.run = p.value
      }
    }
  }

  async loadSets(): Promise<void> {
    const r = await call('captureSets.list', {})
    if (r.ok) {
      this.sets = r.value.sets
      this.setProblems = r.value.problems
    } else this.error = r.error
  }

  async start(setId: string, hostIds: number[], ovsVia: OvsVia, masterHostId: number | null): Promise<ContractError | null> {
    const r = await call('capture.start', { setId, hostIds, ovsVia, masterHostId })
    if (!r.ok) return r.error
    this.run = r.value
    return null
  }

  async cancel(): Promise<void> {
    if (!this.run) return
    const r = await call('capture.cancel', { runId: this.run.run.id })
    if (!r.ok) this.error = r.error
  }

  open(id: number, line: number | null = null, stream?: 'stderr'): void {
    this.selected = stream ? { id, line, stream } : { id, line }
  }
}

export const captures = new CaptureState()
