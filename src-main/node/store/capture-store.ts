import type Database from 'better-sqlite3'
import type { CaptureDetail, CaptureDiagnostic, CaptureRun, CaptureRunStatus, CaptureStatus, CaptureSummary, SearchHit, SearchResult } from '../../contract'
import { lineCount, splitChunks } from '../../core/capture/chunks'
import { indexText, lineExcerpt, lineMatches, matchRanges, parseSearchQuery } from '../../core/search/fts-text'
import { AppError } from './app-error'

/** What a run or an import hands over; sizes and line counts are computed from the text. */
export type NewCapture = Omit<CaptureSummary, 'id' | 'stdoutBytes' | 'stdoutLines' | 'stderrBytes' | 'parserId' | 'records' | 'diagnosticCount'> & {
  stdout: string
  stderr: string
  /** parserId null: no parser read it (diagnostics may say why). */
  parse: { parserId: string | null; records: number; diagnostics: CaptureDiagnostic[] } | null
}

/** What a capture keeps of its parse (the parser, how many records, its diagnostics), or null when none read it. */
export function parseOf(parsed: { parser: string; records: number; diagnostics: CaptureDiagnostic[] } | null): NewCapture['parse'] {
  return parsed ? { parserId: parsed.parser, records: parsed.records, diagnostics: parsed.diagnostics } : null
}

interface CaptureRow {
  id: number
  run_id: number | null
  host_id: number | null
  host_name: string
  via_host_name: string | null
  command_id: string | null
  title: string | null
  command: string
  source: 'live' | 'imported'
  origin: string | null
  started_at: string
  duration_ms: number | null
  status: CaptureStatus
  exit_code: number | null
  signal: string | null
  error_kind: string | null
  error: string | null
  stdout_bytes: number
  stdout_lines: number
  stderr_bytes: number
  truncated: number
  parser_id: string | null
  parse_records: number | null
  diagnostic_count: number
}

const summaryColumns = `id, run_id, host_id, host_name, via_host_name, command_id, title, command, source, origin, started_at, duration_ms,
  status, exit_code, signal, error_kind, error, stdout_bytes, stdout_lines, stderr_bytes, truncated, parser_id, parse_records, diagnostic_count`

function toSummary(r: CaptureRow): CaptureSummary {
  return {
    id: r.id,
    runId: r.run_id,
    hostId: r.host_id,
    hostName: r.host_name,
    viaHostName: r.via_host_name,
    commandId: r.command_id,
    title: r.title,
    command: r.command,
    source: r.source,
    origin: r.origin,
    startedAt: r.started_at,
    durationMs: r.duration_ms,
    status: r.status,
    exitCode: r.exit_code,
    signal: r.signal,
    errorKind: r.error_kind,
    error: r.error,
    stdoutBytes: r.stdout_bytes,
    stdoutLines: r.stdout_lines,
    stderrBytes: r.stderr_bytes,
    truncated: r.truncated !== 0,
    parserId: r.parser_id,
    records: r.parse_records,
    diagnosticCount: r.diagnostic_count
  }
}

interface RunRow {
  id: number
  set_id: string
  set_title: string
  set_version: number
  ovs_via: CaptureRun['ovsVia']
  started_at: string
  finished_at: string | null
  status: CaptureRunStatus
  planned: number
  saved: number
}

const maxStoredDiagnostics = 200

/** Captures of one case file: each saved in its own transaction, its output chunked and indexed. */
export class CaptureStore {
  /** Each capture's chunk ids, first to last, sorted by first: maps index hits to captures without a join. */
  private chunkRanges: { captureId: number; first: number; last: number }[] | null = null

  constructor(private readonly db: Database.Database) {}

  /**
   * The matching chunks grouped by capture, newest capture first, chunks in order. A capture's chunks are
   * written in one transaction, so their ids run without gaps; the check below keeps that honest.
   */
  private groupByCapture(chunkIds: readonly number[]): Map<number, number[]> {
    if (!this.chunkRanges) {
      const rows = this.db
        .prepare('SELECT capture_id AS captureId, min(id) AS first, max(id) AS last, count(*) AS n FROM capture_chunks GROUP BY capture_id ORDER BY first')
        .all() as { captureId: number; first: number; last: number; n: number }[]
      if (rows.some((r) => r.last - r.first + 1 !== r.n)) return this.groupByJoin(chunkIds)
      this.chunkRanges = rows
    }
    const ranges = this.chunkRanges
    const groups = new Map<number, number[]>()
    for (const id of chunkIds) {
      let lo = 0
      let hi = ranges.length - 1
      while (lo <= hi) {
        const mid = (lo + hi) >> 1
        const r = ranges[mid] as { captureId: number; first: number; last: number }
        if (id < r.first) hi = mid - 1
        else if (id > r.last) lo = mid + 1
        else {
          const list = groups.get(r.captureId)
          if (list) list.push(id)
          else groups.set(r.captureId, [id])
          break
        }
      }
    }
    return new Map([...groups.entries()].sort((a, b) => b[0] - a[0]))
  }

  private groupByJoin(chunkIds: readonly number[]): Map<number, number[]> {
    const capOf = this.db.prepare('SELECT capture_id FROM capture_chunks WHERE id = ?').pluck()
    const groups = new Map<number, number[]>()
    for (const id of chunkIds) {
      const c = capOf.get(id) as number | undefined
      if (c === undefined) continue
      const list = groups.get(c)
      if (list) list.push(id)
      else groups.set(c, [id])
    }
    return new Map([...groups.entries()].sort((a, b) => b[0] - a[0]))
  }

  /** Runs left 'running' by a process that died are marked interrupted (their finished captures stay). */
  markInterruptedRuns(): number {
    return this.db.prepare("UPDATE capture_runs SET status = 'interrupted', finished_at = ? WHERE status = 'running'").run(new Date().toISOString()).changes
  }

  createRun(r: { setId: string; setTitle: string; setVersion: number; ovsVia: CaptureRun['ovsVia']; planned: number }): CaptureRun {
    const info = this.db
      .prepare("INSERT INTO capture_runs (set_id, set_title, set_version, ovs_via, started_at, status, planned) VALUES (?, ?, ?, ?, ?, 'running', ?)")
      .run(r.setId, r.setTitle, r.setVersion, r.ovsVia, new Date().toISOString(), r.planned)
    return this.getRun(Number(info.lastInsertRowid))
  }

  finishRun(id: number, status: Exclude<CaptureRunStatus, 'running'>): CaptureRun {
    this.db.prepare('UPDATE capture_runs SET status = ?, finished_at = ? WHERE id = ?').run(status, new Date().toISOString(), id)
    return this.getRun(id)
  }

  getRun(id: number): CaptureRun {
    const r = this.db.prepare('SELECT r.*, (SELECT count(*) FROM captures c WHERE c.run_id = r.id) AS saved FROM capture_runs r WHERE r.id = ?').get(id) as RunRow | undefined
    if (!r) throw new AppError('not_found', `Capture run ${id} does not exist in this case.`)
    return toRun(r)
  }

  listRuns(): CaptureRun[] {
    return (this.db.prepare('SELECT r.*, (SELECT count(*) FROM captures c WHERE c.run_id = r.id) AS saved FROM capture_runs r ORDER BY r.id DESC').all() as RunRow[]).map(toRun)
  }

  /**
   * Saves one output: the row, its chunks and their index entries, in one transaction. With `cancelled`,
   * the save polls it between chunks and, when it says so, rolls back and returns null: nothing of it kept.
   */
  save(c: NewCapture): CaptureSummary
  save(c: NewCapture, opts: { cancelled?: (() => boolean) | undefined }): CaptureSummary | null
  save(c: NewCapture, opts: { cancelled?: (() => boolean) | undefined } = {}): CaptureSummary | null {
    const chunks = splitChunks(c.stdout)
    const insertChunk = this.db.prepare('INSERT INTO capture_chunks (capture_id, seq, first_line, text) VALUES (?, ?, ?, ?)')
    const indexChunk = this.db.prepare('INSERT INTO capture_fts (rowid, body) VALUES (?, ?)')
    const stop = new Error('cancelled')
    const cancelled = opts.cancelled
    let id: number
    try {
      id = this.db.transaction(() => {
        const info = this.db
          .prepare(
            `INSERT INTO captures (run_id, host_id, host_name, via_host_name, command_id, title, command, source, origin, started_at, duration_ms,
               status, exit_code, signal, error_kind, error, stderr, stdout_bytes, stdout_lines, stderr_bytes, truncated, parser_id, parse_records,
               diagnostic_count, diagnostics, created_at)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`
          )
          .run(
            c.runId, c.hostId, c.hostName, c.viaHostName, c.commandId, c.title, c.command, c.source, c.origin, c.startedAt, c.durationMs,
            c.status, c.exitCode, c.signal, c.errorKind, c.error, c.stderr, Buffer.byteLength(c.stdout), lineCount(c.stdout), Buffer.byteLength(c.stderr),
            c.truncated ? 1 : 0, c.parse?.parserId ?? null, c.parse?.records ?? null, c.parse?.diagnostics.length ?? 0,
            JSON.stringify((c.parse?.diagnostics ?? []).slice(0, maxStoredDiagnostics)), new Date().toISOString()
          )
        const captureId = Number(info.lastInsertRowid)
        for (const ch of chunks) {
          // Every 64 chunks (1 MB): a cancel is seen within a few milliseconds of work.
          if (cancelled && (ch.seq & 63) === 63 && cancelled()) throw stop
          const chunkId = insertChunk.run(captureId, ch.seq, ch.firstLine, ch.text).lastInsertRowid
          indexChunk.run(chunkId, indexText(ch.text))
        }
        // stderr is searchable too ("Connection refused", "is not a bridge"): its chunks follow the output's
        // with negative seq, so a capture's chunk ids stay one range and the output reads seq >= 0 only.
        for (const ch of splitChunks(c.stderr)) {
          const chunkId = insertChunk.run(captureId, -1 - ch.seq, ch.firstLine, ch.text).lastInsertRowid
          indexChunk.run(chunkId, indexText(ch.text))
        }
        return captureId
      })()
    } catch (err) {
      if (err === stop) return null
      throw err
    }
    this.chunkRanges = null
    return this.get(id)
  }

  /** Another connection (an import's worker) wrote captures: the chunk map is read again when needed. */
  invalidate(): void {
    this.chunkRanges = null
  }

  get(id: number): CaptureSummary {
    const r = this.db.prepare(`SELECT ${summaryColumns} FROM captures WHERE id = ?`).get(id) as CaptureRow | undefined
    if (!r) throw new AppError('not_found', `Capture ${id} does not exist in this case; it may have been deleted.`)
    return toSummary(r)
  }

  detail(id: number): CaptureDetail {
    const capture = this.get(id)
    const r = this.db.prepare('SELECT stderr, diagnostics FROM captures WHERE id = ?').get(id) as { stderr: string; diagnostics: string }
    return { capture, stderr: r.stderr, diagnostics: JSON.parse(r.diagnostics) as CaptureDiagnostic[] }
  }

  /** The whole output, exactly as it came. */
  text(id: number): string {
    this.get(id)
    const parts = this.db.prepare('SELECT text FROM capture_chunks WHERE capture_id = ? AND seq >= 0 ORDER BY seq').pluck().all(id) as string[]
    return parts.join('')
  }

  /** Lines from..to (1-based, inclusive) of a capture's output, read from the chunks that hold them only. */
  lines(id: number, from: number, to: number): { line: number; text: string }[] {
    this.get(id)
    // The first chunk of the line `from` is in starts at that line's start (a long line's pieces share its number).
    const start = this.db
      .prepare('SELECT seq, first_line FROM capture_chunks WHERE capture_id = ? AND seq >= 0 AND first_line = (SELECT max(first_line) FROM capture_chunks WHERE capture_id = ? AND seq >= 0 AND first_line <= ?) ORDER BY seq LIMIT 1')
      .get(id, id, from) as { seq: number; first_line: number } | undefined
    if (!start) return []
    const texts = this.db.prepare('SELECT text FROM capture_chunks WHERE capture_id = ? AND seq >= ? AND first_line <= ? ORDER BY seq').pluck().all(id, start.seq, to) as string[]
    const all = texts.join('').split('\n')
    const out: { line: number; text: string }[] = []
    for (let i = Math.max(0, from - start.first_line); i < all.length && start.first_line + i <= to; i++) {
      // The piece after the output's last newline is no line of its own when it is empty.
      if (i === all.length - 1 && all[i] === '') break
      out.push({ line: start.first_line + i, text: (all[i] as string).replace(/\r$/, '') })
    }
    return out
  }

  list(filter: { hostName?: string | undefined; runId?: number | undefined; commandId?: string | undefined } = {}): CaptureSummary[] {
    const where: string[] = []
    const args: (string | number)[] = []
    if (filter.hostName !== undefined) {
      where.push('host_name = ? COLLATE NOCASE')
      args.push(filter.hostName)
    }
    if (filter.runId !== undefined) {
      where.push('run_id = ?')
      args.push(filter.runId)
    }
    if (filter.commandId !== undefined) {
      where.push('command_id = ?')
      args.push(filter.commandId)
    }
    const sql = `SELECT ${summaryColumns} FROM captures ${where.length ? 'WHERE ' + where.join(' AND ') : ''} ORDER BY host_name COLLATE NOCASE, started_at DESC, id DESC`
    return (this.db.prepare(sql).all(...args) as CaptureRow[]).map(toSummary)
  }

  /** Deletes the given captures in one transaction; returns how many there were. */
  deleteMany(ids: readonly number[]): number {
    const n = this.db.transaction(() => this.db.prepare('DELETE FROM captures WHERE id IN (SELECT value FROM json_each(?))').run(JSON.stringify(ids)).changes)()
    this.chunkRanges = null
    return n
  }

  /** Gives captures to another host (name, and the case's host record when there is one). */
  move(ids: readonly number[], hostName: string, hostId: number | null): number {
    return this.db.prepare('UPDATE captures SET host_name = ?, host_id = ? WHERE id IN (SELECT value FROM json_each(?))').run(hostName, hostId, JSON.stringify(ids)).changes
  }

  delete(id: number): void {
    this.get(id)
    this.db.transaction(() => this.db.prepare('DELETE FROM captures WHERE id = ?').run(id))()
    this.chunkRanges = null
  }

  /** Where imported captures came from ("<bundle>:<path>"), to import each file once. */
  importedOrigins(): Set<string> {
    return new Set(this.db.prepare("SELECT origin FROM captures WHERE source = 'imported' AND origin IS NOT NULL").pluck().all() as string[])
  }

  count(): number {
    return (this.db.prepare('SELECT count(*) AS n FROM captures').get() as { n: number }).n
  }

  /**
   * Full-text search: the index finds the chunks holding every term, newest capture first; the lines
   * shown are those of the first matching chunks of each capture that hold a term.
   */
  search(query: string, opts: { maxCaptures?: number; maxLinesPerCapture?: number } = {}): SearchResult {
    const started = performance.now()
    const maxCaptures = opts.maxCaptures ?? 50
    const maxLines = opts.maxLinesPerCapture ?? 20
    const q = parseSearchQuery(query)
    if (!q) return { query, hits: [], moreCaptures: 0, tookMs: 0 }
    let chunkIds: number[]
    try {
      chunkIds = this.db.prepare('SELECT rowid FROM capture_fts WHERE capture_fts MATCH ? ORDER BY rowid').pluck().all(q.fts) as number[]
    } catch (err) {
      throw new AppError('invalid_input', `The search "${query}" could not be run: ${(err as Error).message}. Use words, "quoted phrases" and a trailing * for a prefix.`)
    }
    const byCapture = this.groupByCapture(chunkIds)
    const chunkStmt = this.db.prepare('SELECT seq, first_line, text FROM capture_chunks WHERE id = ?')
    const hits: SearchHit[] = []
    let examined = 0
    for (const [captureId, ids] of byCapture) {
      if (hits.length >= maxCaptures) break
      examined++
      const lines: SearchHit['lines'] = []
      let more = false
      for (const chunkId of ids) {
        const ch = chunkStmt.get(chunkId) as { seq: number; first_line: number; text: string }
        const ls = ch.text.split('\n')
        for (let i = 0; i < ls.length; i++) {
          const l = (ls[i] as string).replace(/\r$/, '')
          if (l === '' || !lineMatches(l, q.terms)) continue
          if (lines.length >= maxLines) {
            more = true
            break
          }
          lines.push({ line: ch.first_line + i, ...lineExcerpt(l, matchRanges(l, q.terms)), ...(ch.seq < 0 ? { stream: 'stderr' as const } : {}) })
        }
        if (more) break
      }
      // Every term in the chunk but never all on one line: not a hit.
      if (lines.length > 0) hits.push({ capture: this.get(captureId), lines, moreLines: more })
    }
    return { query, hits, moreCaptures: byCapture.size - examined, tookMs: Math.round((performance.now() - started) * 10) / 10 }
  }
}

function toRun(r: RunRow): CaptureRun {
  return {
    id: r.id,
    setId: r.set_id,
    setTitle: r.set_title,
    setVersion: r.set_version,
    ovsVia: r.ovs_via,
    startedAt: r.started_at,
    finishedAt: r.finished_at,
    status: r.status,
    planned: r.planned,
    saved: r.saved
  }
}
