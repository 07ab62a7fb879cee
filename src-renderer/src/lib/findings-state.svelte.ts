import type { CaseFindingView, ContractError, FindingSeverity, FindingStatus, MethodInput } from '../../../src-main/contract'
import { call, onBackendEvent } from './backend'

/** The case's findings as the Findings view shows them: filters, and the edits the engineer makes. */
class FindingsState {
  all = $state<CaseFindingView[]>([])
  status = $state<FindingStatus[]>(['open', 'confirmed'])
  severity = $state<FindingSeverity[]>([])
  host = $state('')
  error = $state<ContractError | null>(null)

  /** What the filters keep, in the order the backend gives (severity, then first seen). */
  shown = $derived(
    this.all.filter((f) => (this.status.length === 0 || this.status.includes(f.status)) && (this.severity.length === 0 || this.severity.includes(f.severity)) && (this.host === '' || f.host === this.host))
  )
  open = $derived(this.all.filter((f) => f.status === 'open' || f.status === 'confirmed').length)
  hosts = $derived([...new Set(this.all.flatMap((f) => (f.host ? [f.host] : [])))].sort())

  constructor() {
    onBackendEvent((e) => {
      if (e.name === 'findings.changed' || e.name === 'runs.changed' || e.name === 'case.changed') void this.refresh()
    })
  }

  async refresh(): Promise<void> {
    const r = await call('findings.list', {})
    this.all = r.ok ? r.value : []
  }

  private replace(f: CaseFindingView): void {
    this.all = this.all.map((x) => (x.id === f.id ? f : x))
  }

  async update(id: number, change: { status?: FindingStatus; note?: string }): Promise<boolean> {
    const r = await call('findings.update', { id, ...change })
    if (r.ok) this.replace(r.value)
    this.error = r.ok ? null : r.error
    return r.ok
  }

  async add(finding: MethodInput<'findings.add'>['finding']): Promise<ContractError | null> {
    const r = await call('findings.add', { finding })
    if (!r.ok) return r.error
    await this.refresh()
    return null
  }

  async remove(id: number): Promise<void> {
    const r = await call('findings.delete', { id })
    if (r.ok) this.all = this.all.filter((f) => f.id !== id)
    this.error = r.ok ? null : r.error
  }
}

export const findings = new FindingsState()

/** A request from a capture's text to write a finding with lines picked there (the Findings view opens the form). */
export const findingDraft = $state<{ value: { captureId: number; from: number; to: number; host: string } | null }>({ value: null })
