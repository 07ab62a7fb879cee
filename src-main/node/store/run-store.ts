import type Database from 'better-sqlite3'
import type { FindingView, RunMode, RunNote, RunState, RunSummary } from '../../contract'
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
    createdAt: r.created_at,
    updatedAt: r.updated_at
  }
}

/** Runbook runs of a case: the engine state, saved whole after every step with its findings, in one transaction. */
export class RunStore {
  constructor(private readonly db: Database.Database) {}

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
      this.db.prepare('DELETE FROM findings WHERE run_id = ?').run(id)
      const ins = this.db.prepare('INSERT INTO findings (run_id, step_id, severity, title, explain, evidence, capture_ids, continue_with, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)')
      for (const f of state.findings) ins.run(id, f.stepId, f.severity, f.title, f.explain, JSON.stringify(f.evidence), JSON.stringify(f.captureIds), f.continueWith ? JSON.stringify(f.continueWith) : null, now)
    })()
    return this.get(id).run
  }

  delete(id: number): void {
    this.get(id)
    this.db.prepare('DELETE FROM runbook_runs WHERE id = ?').run(id)
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

  findings(): FindingView[] {
    const rows = this.db
      .prepare(
        `SELECT f.id, f.run_id AS runId, r.title AS runTitle, f.step_id AS stepId, f.severity, f.title, f.explain, f.evidence, f.capture_ids AS captureIds,
                f.continue_with AS continueWith, f.created_at AS createdAt
         FROM findings f JOIN runbook_runs r ON r.id = f.run_id
         ORDER BY CASE f.severity WHEN 'error' THEN 0 WHEN 'warning' THEN 1 ELSE 2 END, f.id`
      )
      .all() as (Omit<FindingView, 'evidence' | 'captureIds' | 'continueWith'> & { evidence: string; captureIds: string; continueWith: string | null })[]
    return rows.map((r) => ({
      ...r,
      evidence: JSON.parse(r.evidence) as FindingView['evidence'],
      captureIds: JSON.parse(r.captureIds) as number[],
      continueWith: r.continueWith === null ? null : (JSON.parse(r.continueWith) as FindingView['continueWith'])
    }))
  }
}
