import type { ContractError, MethodInput, ReachabilityView, TraceEndpoint, TraceRunView } from '../../../src-main/contract'
import { call, onBackendEvent } from './backend'

/** The packet tracer's state: the dump traced through, what packets can come from and go to, the last trace, the matrix. */
class TracerState {
  captureId = $state<number | null>(null)
  node = $state<string | null>(null)
  endpoints = $state<TraceEndpoint[]>([])
  result = $state<TraceRunView | null>(null)
  matrix = $state<ReachabilityView | null>(null)
  busy = $state(false)
  error = $state<ContractError | null>(null)

  constructor() {
    onBackendEvent((e) => {
      if (e.name === 'case.changed') {
        this.captureId = null
        this.endpoints = []
        this.result = null
        this.matrix = null
      }
    })
  }

  async use(captureId: number): Promise<void> {
    if (this.captureId === captureId && this.endpoints.length) return
    this.captureId = captureId
    this.result = null
    this.matrix = null
    const r = await call('trace.endpoints', { captureId })
    this.error = r.ok ? null : r.error
    this.endpoints = r.ok ? r.value.endpoints : []
    this.node = r.ok ? r.value.node : null
  }

  async run(input: Omit<MethodInput<'trace.run'>, 'captureId'>): Promise<boolean> {
    if (this.captureId === null) return false
    this.busy = true
    const r = await call('trace.run', { captureId: this.captureId, ...input })
    this.busy = false
    this.error = r.ok ? null : r.error
    if (r.ok) this.result = r.value
    return r.ok
  }

  async computeMatrix(): Promise<void> {
    if (this.captureId === null) return
    this.busy = true
    const r = await call('trace.matrix', { captureId: this.captureId })
    this.busy = false
    this.error = r.ok ? null : r.error
    if (r.ok) this.matrix = r.value
  }
}

export const tracer = new TracerState()
