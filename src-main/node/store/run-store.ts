import type Database from 'better-sqlite3'
import type { RunMode, RunNote, RunState, RunSummary } from '../../contract'
import { fromRun } from '../../core/findings/sources'
import type { FindingStore } from './finding-store'
import { AppError } from './app-error'

interface RunRow {
  id: number
  runbook_id: string
  runbook_version: number
  title: string
  mode: RunMode
  ovs_via: 'host' | 'ovs-pod'
  state: string
  status: 'open' | 'done'
  created_at: string
  updated_at: string
}

function summary(r: RunRow, state: RunState): RunSummary {
  return {
    id: r.id,
    runbookId: r.runbook_id,
    runbookVersion: r.runbook_version,
    title: r.title,
    mode: r.mode,
    ovsVia: r.ovs_via,
    status: r.status,
    steps: state.history.length,
    findings: state.findings.length,
    inputs: state.inputs,
    createdAt: r.created_at,
    updatedAt: r.updated_at
  }
}

/** Runbook runs of a case: the engine state, saved whole after every step with its findings, in one transaction. */
export class RunStore {
  constructor(
    private readonly db: Database.Database,
    private readonly findingStore: FindingStore
  ) {}

  create(r: { runbookId: string; version: number; title: string; mode: RunMode; ovsVia: 'host' | 'ovs-pod'; state: RunState }): RunSummary {
    const now = new Date().toISOString()
    const info = this.db
      .prepare('INSERT INTO runbook_runs (runbook_id, runbook_version, title, mode, ovs_via, state, status, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)')
      .run(r.runbookId, r.version, r.title, r.mode, r.ovsVia, JSON.stringify(r.state), r.state.current === null ? 'done' : 'open', now, now)
    return this.get(Number(info.lastInsertRowid)).run
  }

  get(id: number): { run: RunSummary; state: RunState } {
    const r = this.db.prepare('SELECT * FROM runbook_runs WHERE id = ?').get(id) as RunRow | undefined
    if (!r) throw new AppError('not_found', `Run ${id} does not exist in this case; it may have been deleted.`)
    const state = JSON.parse(r.state) as RunState
    return { run: summary(r, state), state }
  }

  list(): RunSummary[] {
    return (this.db.prepare('SELECT * FROM runbook_runs ORDER BY updated_at DESC, id DESC').all() as RunRow[]).map((r) => summary(r, JSON.parse(r.state) as RunState))
  }

  /** The new state and its findings replace the old ones together. */
  update(id: number, state: RunState): RunSummary {
    const now = new Date().toISOString()
    this.db.transaction(() => {
      const changed = this.db.prepare('UPDATE runbook_runs SET state = ?, status = ?, updated_at = ? WHERE id = ?').run(JSON.stringify(state), state.current === null ? 'done' : 'open', now, id)
      if (changed.changes === 0) throw new AppError('not_found', `Run ${id} does not exist in this case.`)
      // The run's findings join the case's: its evidence replaced, the engineer's status and notes kept.
      this.findingStore.replaceRun(id, fromRun(id, state))
    })()
    return this.get(id).run
  }

  delete(id: number): void {
    this.get(id)
    this.db.transaction(() => {
      // Its evidence goes with it (ON DELETE CASCADE); a finding left with none, untouched, goes too.
      this.db.prepare('DELETE FROM runbook_runs WHERE id = ?').run(id)
      this.findingStore.removeOrphans()
    })()
  }

  addNote(runId: number, stepIndex: number | null, text: string): RunNote {
    this.get(runId)
    const now = new Date().toISOString()
    const info = this.db.prepare('INSERT INTO run_notes (run_id, step_index, text, created_at) VALUES (?, ?, ?, ?)').run(runId, stepIndex, text, now)
    return { id: Number(info.lastInsertRowid), stepIndex, text, createdAt: now }
  }

  notes(runId: number): RunNote[] {
    return (this.db.prepare('SELECT id, step_index AS stepIndex, text, created_at AS createdAt FROM run_notes WHERE run_id = ? ORDER BY id').all(runId) as RunNote[])
  }
}
