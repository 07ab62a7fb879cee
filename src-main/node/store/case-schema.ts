import type Database from 'better-sqlite3'
import type { Migration } from './migrate'

/** 'SDNW' in ASCII: marks an SQLite file as an SDN Workbench case. */
export const caseApplicationId = 0x53444e57

export const caseMigrations: readonly Migration[] = [
  {
    version: 1,
    sql: `
      CREATE TABLE case_info (
        singleton  INTEGER PRIMARY KEY CHECK (singleton = 1),
        case_id    TEXT NOT NULL,
        name       TEXT NOT NULL,
        created_at TEXT NOT NULL,
        created_by TEXT NOT NULL
      );
      CREATE TABLE hosts (
        id           INTEGER PRIMARY KEY,
        name         TEXT NOT NULL COLLATE NOCASE UNIQUE,
        address      TEXT NOT NULL,
        port         INTEGER NOT NULL CHECK (port BETWEEN 1 AND 65535),
        user         TEXT NOT NULL,
        role         TEXT NOT NULL CHECK (role IN ('master', 'infra', 'compute')),
        jump_host_id INTEGER REFERENCES hosts(id) ON DELETE RESTRICT,
        auth_method  TEXT NOT NULL CHECK (auth_method IN ('key', 'agent', 'password')),
        key_path     TEXT,
        created_at   TEXT NOT NULL,
        updated_at   TEXT NOT NULL,
        CHECK (jump_host_id IS NULL OR jump_host_id <> id)
      );
    `
  },
  {
    // Captures. The output lives only in capture_chunks (whole lines, ~16 KB each), so the full-text index
    // (contentless FTS5, one row per chunk) points at a chunk and the matching lines are found in it alone.
    version: 2,
    sql: `
      CREATE TABLE capture_runs (
        id          INTEGER PRIMARY KEY,
        set_id      TEXT NOT NULL,
        set_title   TEXT NOT NULL,
        set_version INTEGER NOT NULL,
        ovs_via     TEXT NOT NULL CHECK (ovs_via IN ('host', 'ovs-pod')),
        started_at  TEXT NOT NULL,
        finished_at TEXT,
        status      TEXT NOT NULL CHECK (status IN ('running', 'finished', 'cancelled', 'interrupted')),
        planned     INTEGER NOT NULL
      );
      CREATE TABLE captures (
        id                INTEGER PRIMARY KEY,
        run_id            INTEGER REFERENCES capture_runs(id) ON DELETE SET NULL,
        host_id           INTEGER REFERENCES hosts(id) ON DELETE SET NULL,
        host_name         TEXT NOT NULL,
        via_host_name     TEXT,
        command_id        TEXT,
        title             TEXT,
        command           TEXT NOT NULL,
        source            TEXT NOT NULL CHECK (source IN ('live', 'imported')),
        origin            TEXT,
        started_at        TEXT NOT NULL,
        duration_ms       INTEGER,
        status            TEXT NOT NULL CHECK (status IN ('ok', 'failed', 'error', 'cancelled')),
        exit_code         INTEGER,
        signal            TEXT,
        error_kind        TEXT,
        error             TEXT,
        stderr            TEXT NOT NULL DEFAULT '',
        stdout_bytes      INTEGER NOT NULL,
        stdout_lines      INTEGER NOT NULL,
        stderr_bytes      INTEGER NOT NULL,
        truncated         INTEGER NOT NULL DEFAULT 0,
        parser_id         TEXT,
        parse_records     INTEGER,
        diagnostic_count  INTEGER NOT NULL DEFAULT 0,
        diagnostics       TEXT NOT NULL DEFAULT '[]',
        created_at        TEXT NOT NULL
      );
      CREATE INDEX captures_by_host ON captures (host_name COLLATE NOCASE, command_id, started_at);
      CREATE INDEX captures_by_run ON captures (run_id);
      CREATE TABLE capture_chunks (
        id         INTEGER PRIMARY KEY,
        capture_id INTEGER NOT NULL REFERENCES captures(id) ON DELETE CASCADE,
        seq        INTEGER NOT NULL,
        first_line INTEGER NOT NULL,
        text       TEXT NOT NULL,
        UNIQUE (capture_id, seq)
      );
      CREATE VIRTUAL TABLE capture_fts USING fts5(body, content = '', contentless_delete = 1, tokenize = 'unicode61 remove_diacritics 0');
      CREATE TRIGGER capture_chunks_unindex AFTER DELETE ON capture_chunks BEGIN
        DELETE FROM capture_fts WHERE rowid = old.id;
      END;
    `
  },
  {
    // Runbook runs: the engine's state as JSON (it is the engine's own, versioned with the runbook), notes
    // per step, and the findings of every run in one table for the case.
    version: 3,
    sql: `
      CREATE TABLE runbook_runs (
        id              INTEGER PRIMARY KEY,
        runbook_id      TEXT NOT NULL,
        runbook_version INTEGER NOT NULL,
        title           TEXT NOT NULL,
        mode            TEXT NOT NULL CHECK (mode IN ('live', 'offline')),
        ovs_via         TEXT NOT NULL CHECK (ovs_via IN ('host', 'ovs-pod')),
        state           TEXT NOT NULL,
        status          TEXT NOT NULL CHECK (status IN ('open', 'done')),
        created_at      TEXT NOT NULL,
        updated_at      TEXT NOT NULL
      );
      CREATE TABLE run_notes (
        id         INTEGER PRIMARY KEY,
        run_id     INTEGER NOT NULL REFERENCES runbook_runs(id) ON DELETE CASCADE,
        step_index INTEGER,
        text       TEXT NOT NULL,
        created_at TEXT NOT NULL
      );
      CREATE TABLE findings (
        id          INTEGER PRIMARY KEY,
        run_id      INTEGER NOT NULL REFERENCES runbook_runs(id) ON DELETE CASCADE,
        step_id     TEXT NOT NULL,
        severity    TEXT NOT NULL CHECK (severity IN ('error', 'warning', 'info')),
        title       TEXT NOT NULL,
        explain     TEXT NOT NULL,
        evidence    TEXT NOT NULL,
        capture_ids TEXT NOT NULL,
        created_at  TEXT NOT NULL
      );
      CREATE INDEX findings_by_run ON findings (run_id);
    `
  },
  {
    // A finding may name the runbook to go on with, and the inputs the run already knows for it (JSON).
    version: 4,
    sql: `ALTER TABLE findings ADD COLUMN continue_with TEXT;`
  },
  {
    // One finding model for every source (Check SDN, runbook runs, the engineer): a finding is its kind and
    // subject (unique), with a status and note the engineer keeps; its evidence rows name a capture, lines and
    // the source that saw them, so a finding seen again gains evidence instead of a twin. A run's evidence goes
    // with the run. The findings of runs saved before move over with their evidence.
    version: 5,
    sql: `
      CREATE TABLE case_findings (
        id            INTEGER PRIMARY KEY,
        kind          TEXT NOT NULL,
        subject_key   TEXT NOT NULL,
        subject       TEXT NOT NULL,
        host          TEXT,
        severity      TEXT NOT NULL CHECK (severity IN ('error', 'warning', 'info')),
        title         TEXT NOT NULL,
        explain       TEXT NOT NULL,
        status        TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'confirmed', 'dismissed', 'fixed')),
        note          TEXT NOT NULL DEFAULT '',
        continue_with TEXT,
        created_at    TEXT NOT NULL,
        updated_at    TEXT NOT NULL,
        UNIQUE (kind, subject_key)
      );
      CREATE TABLE finding_evidence (
        id          INTEGER PRIMARY KEY,
        finding_id  INTEGER NOT NULL REFERENCES case_findings(id) ON DELETE CASCADE,
        capture_id  INTEGER REFERENCES captures(id) ON DELETE SET NULL,
        lines       TEXT NOT NULL,
        excerpt     TEXT NOT NULL,
        label       TEXT NOT NULL,
        source      TEXT NOT NULL,
        source_key  TEXT NOT NULL,
        run_id      INTEGER REFERENCES runbook_runs(id) ON DELETE CASCADE,
        created_at  TEXT NOT NULL
      );
      CREATE UNIQUE INDEX finding_evidence_once ON finding_evidence (finding_id, source_key, ifnull(capture_id, -1), lines, label);
      CREATE INDEX finding_evidence_by_run ON finding_evidence (run_id);
      CREATE INDEX finding_evidence_by_capture ON finding_evidence (capture_id);
    `,
    apply: moveRunFindings
  },
  {
    // Redaction: the case's secret key (its pseudonyms are the same in every export; never written into one) and
    // the names the engineer adds to what is replaced.
    version: 6,
    sql: `
      CREATE TABLE case_secrets (
        name   TEXT PRIMARY KEY,
        value  BLOB NOT NULL
      );
      CREATE TABLE redaction_terms (
        kind   TEXT NOT NULL CHECK (kind IN ('host', 'domain', 'cluster', 'user', 'term')),
        name   TEXT NOT NULL,
        PRIMARY KEY (kind, name)
      );
    `
  },
  {
    // Terminal sessions as evidence: the recording (asciicast-like events: output bytes exactly as received,
    // input only once the terminal echoed it, resizes, marks), one row per command the shell integration
    // delimited (its output a byte range of the recording), and the plain text in whole-line chunks with a
    // contentless full-text index, as captures have; a chunk is indexed after it is stored (indexed = 1), off the
    // path of a running terminal's output. Hosts can opt out of the prompt hook.
    version: 7,
    sql: `
      ALTER TABLE hosts ADD COLUMN shell_integration INTEGER NOT NULL DEFAULT 1;
      CREATE TABLE terminal_sessions (
        id                INTEGER PRIMARY KEY,
        host_id           INTEGER REFERENCES hosts(id) ON DELETE SET NULL,
        host_name         TEXT NOT NULL,
        title             TEXT NOT NULL,
        term              TEXT NOT NULL,
        cols              INTEGER NOT NULL,
        rows              INTEGER NOT NULL,
        shell_integration INTEGER NOT NULL,
        started_at        TEXT NOT NULL,
        ended_at          TEXT,
        end_reason        TEXT,
        output_bytes      INTEGER NOT NULL DEFAULT 0,
        lines             INTEGER NOT NULL DEFAULT 0
      );
      CREATE TABLE terminal_events (
        id          INTEGER PRIMARY KEY,
        session_id  INTEGER NOT NULL REFERENCES terminal_sessions(id) ON DELETE CASCADE,
        t           REAL NOT NULL,
        kind        TEXT NOT NULL CHECK (kind IN ('o', 'i', 'r', 'm')),
        out_offset  INTEGER NOT NULL,
        data        BLOB NOT NULL
      );
      CREATE INDEX terminal_events_by_session ON terminal_events (session_id, id);
      CREATE TABLE terminal_commands (
        id            INTEGER PRIMARY KEY,
        session_id    INTEGER NOT NULL REFERENCES terminal_sessions(id) ON DELETE CASCADE,
        command_line  TEXT NOT NULL,
        started_at    TEXT NOT NULL,
        ended_at      TEXT NOT NULL,
        exit_code     INTEGER,
        output_start  INTEGER NOT NULL,
        output_end    INTEGER NOT NULL,
        first_line    INTEGER NOT NULL
      );
      CREATE INDEX terminal_commands_by_session ON terminal_commands (session_id, id);
      CREATE TABLE terminal_chunks (
        id          INTEGER PRIMARY KEY,
        session_id  INTEGER NOT NULL REFERENCES terminal_sessions(id) ON DELETE CASCADE,
        first_line  INTEGER NOT NULL,
        text        TEXT NOT NULL,
        indexed     INTEGER NOT NULL DEFAULT 0
      );
      CREATE INDEX terminal_chunks_unindexed ON terminal_chunks (id) WHERE indexed = 0;
      CREATE INDEX terminal_chunks_by_session ON terminal_chunks (session_id, first_line);
      CREATE VIRTUAL TABLE terminal_fts USING fts5(body, content = '', contentless_delete = 1, tokenize = 'unicode61 remove_diacritics 0');
      CREATE TRIGGER terminal_chunks_unindex AFTER DELETE ON terminal_chunks BEGIN
        DELETE FROM terminal_fts WHERE rowid = old.id;
      END;
    `
  },
  {
    // Reports: what the engineer picked and wrote (the spec, as JSON in the contract's shape), and every export
    // kept with its date, options and content, so what was sent to the customer stays in the case.
    version: 8,
    sql: `
      CREATE TABLE reports (
        id          INTEGER PRIMARY KEY,
        title       TEXT NOT NULL,
        spec        TEXT NOT NULL,
        created_at  TEXT NOT NULL,
        updated_at  TEXT NOT NULL
      );
      CREATE TABLE report_exports (
        id          INTEGER PRIMARY KEY,
        report_id   INTEGER NOT NULL REFERENCES reports(id) ON DELETE CASCADE,
        format      TEXT NOT NULL CHECK (format IN ('html', 'md', 'pdf')),
        redacted    INTEGER NOT NULL,
        options     TEXT NOT NULL,
        created_at  TEXT NOT NULL,
        file_name   TEXT NOT NULL,
        sha256      TEXT NOT NULL,
        bytes       INTEGER NOT NULL,
        pages       INTEGER,
        written_to  TEXT,
        took_ms     INTEGER NOT NULL,
        content     BLOB NOT NULL
      );
      CREATE INDEX report_exports_by_report ON report_exports (report_id, id);
    `
  },
  {
    // A recording's indexed chunks name their range of the output bytes (and the width at its start) instead of
    // holding their plain text: the text is read again from the bytes when it is indexed or shown, so a recording is
    // stored once, not twice (a 200 MB `cat` wrote 400 MB, and the second 200 MB cost the terminal ~15% of its
    // speed on the lab). Chunks recorded before keep their text (out_start NULL).
    version: 9,
    sql: `
      ALTER TABLE terminal_chunks ADD COLUMN out_start INTEGER;
      ALTER TABLE terminal_chunks ADD COLUMN out_end INTEGER;
      ALTER TABLE terminal_chunks ADD COLUMN cols INTEGER;
      CREATE INDEX terminal_events_by_offset ON terminal_events (session_id, out_offset);
    `
  }
]

interface OldFinding {
  run_id: number
  runbook_id: string
  step_id: string
  severity: string
  title: string
  explain: string
  evidence: string
  capture_ids: string
  continue_with: string | null
  created_at: string
}

/** Migration 5's data step: each finding of the old per-run table becomes a case finding with its evidence. */
function moveRunFindings(db: Database.Database): void {
  const rows = db.prepare('SELECT f.*, r.runbook_id FROM findings f JOIN runbook_runs r ON r.id = f.run_id ORDER BY f.id').all() as OldFinding[]
  const insF = db.prepare(
    `INSERT INTO case_findings (kind, subject_key, subject, host, severity, title, explain, continue_with, created_at, updated_at)
     VALUES (?, ?, ?, NULL, ?, ?, ?, ?, ?, ?) ON CONFLICT (kind, subject_key) DO UPDATE SET updated_at = excluded.updated_at RETURNING id`
  )
  const insE = db.prepare('INSERT OR IGNORE INTO finding_evidence (finding_id, capture_id, lines, excerpt, label, source, source_key, run_id, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)')
  const captureExists = db.prepare('SELECT 1 FROM captures WHERE id = ?')
  for (const r of rows) {
    // The old rows had no subject: the run stands for it, until the run is saved again under the new model.
    const { id } = insF.get(`runbook:${r.runbook_id}.${r.step_id}`, `run=${r.run_id}`, JSON.stringify({ detail: `run ${r.run_id}` }), r.severity, r.title, r.explain, r.continue_with, r.created_at, r.created_at) as { id: number }
    const captureIds = (JSON.parse(r.capture_ids) as number[]).filter((c) => captureExists.get(c) !== undefined)
    const source = { kind: 'runbook', runId: r.run_id, runbookId: r.runbook_id, stepId: r.step_id }
    const evidence = JSON.parse(r.evidence) as { expect: string; reason: string; lines: { line: number; text: string }[] }[]
    for (const e of evidence.length ? evidence : [{ expect: r.title, reason: '', lines: [] }]) {
      insE.run(id, captureIds[0] ?? null, JSON.stringify(e.lines.map((l) => l.line)), e.lines.map((l) => l.text).join('\n'), e.reason ? `${e.expect}: ${e.reason}` : e.expect, JSON.stringify(source), `run:${r.run_id}:${r.step_id}`, r.run_id, r.created_at)
    }
  }
  db.exec('DROP TABLE findings')
}
