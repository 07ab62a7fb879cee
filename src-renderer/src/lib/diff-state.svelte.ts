import type { ContractError, FlowDiffSummary } from '../../../src-main/contract'
import { call } from './backend'

/** The flow diff on screen: the two captures and the options it was computed with. */
class DiffState {
  summary = $state<FlowDiffSummary | null>(null)
  error = $state<ContractError | null>(null)
  busy = $state(false)
  /** From click to the summary on screen (the e2e reads it). */
  openMs = $state<number | null>(null)

  async compare(a: number, b: number, opts: { acrossOfVersions?: boolean; nodeVsNode?: boolean } = {}): Promise<boolean> {
    const t0 = performance.now()
    this.busy = true
    this.error = null
    const r = await call('flows.diff', { a, b, ...opts })
    this.busy = false
    if (!r.ok) {
      this.error = r.error
      return false
    }
    this.summary = r.value
    this.openMs = Math.round(performance.now() - t0)
    return true
  }
}

export const diffs = new DiffState()
