import type Database from 'better-sqlite3'
import type { TranscriptCommand, TranscriptEvents, TranscriptSearchHit, TranscriptSummary } from '../../contract'
import { indexText, lineExcerpt, lineMatches, matchRanges, parseSearchQuery, termNeedle, type SearchQuery } from '../../core/search/fts-text'
import { PlainTextStream } from '../../core/terminal/plain-text'
import { StringDecoder } from 'node:string_decoder'
import { AppError } from './app-error'

export interface NewTranscript {
  hostId: number | null
  hostName: string
  title: string
  term: string
  cols: number
  rows: number
  shellIntegration: boolean
  startedAt: string
}

export interface RecordedEvent {
  /** Seconds since the session started. */
  t: number
  kind: 'o' | 'i' | 'r' | 'm'
  /** Output bytes recorded before this event. */
  outOffset: number
  data: Buffer
}

/**
 * A chunk of a recording's plain text as the recorder saves it: its first line's number and its range of the output
 * bytes, from just after a line's LF (or the start) to just after a later line's LF (or the end of the output),
 * with the terminal's width at its start. Its text is read again from those bytes (`chunkText`).
 */
export interface RecordedChunk {
  firstLine: number
  outStart: number
  outEnd: number
  cols: number
}

/** A command as the recorder saves it (the store gives it its ids). */
export type RecordedCommand = Omit<TranscriptCommand, 'id' | 'transcriptId'>

interface SessionRow {
  id: number
  host_name: string
  title: string
  started_at: string
  ended_at: string | null
  end_reason: string | null
  output_bytes: number
  lines: number
  shell_integration: number
  cols: number
  rows: number
  term: string
  commands: number
}

/** A chunk of a recording's plain text, with its text. */
export interface ChunkRow {
  id: number
  session_id: number
  first_line: number
  text: string
}

/** A chunk as stored: its text (chunks recorded before schema 9), or its range of the output bytes. */
interface StoredChunk {
  id: number
  session_id: number
  first_line: number
  text: string
  out_start: number | null
  out_end: number | null
  cols: number | null
}

const chunkColumns = 'id, session_id, first_line, text, out_start, out_end, cols'

/**
 * The events a run of chunk reads shares (consecutive chunks lie in the same 128-256 KB output events: read once,
 * not once per 16 KB chunk). For one call only: events are never changed, but their ids are reused after a delete.
 */
class EventCache {
  private readonly held = new Map<number, Buffer>()
  get(id: number, read: () => Buffer): Buffer {
    const hit = this.held.get(id)
    if (hit) return hit
    const data = read()
    this.held.set(id, data)
    if (this.held.size > 8) this.held.delete(this.held.keys().next().value as number)
    return data
  }
}

interface CommandRow {
  id: number
  session_id: number
  command_line: string
  started_at: string
  ended_at: string
  exit_code: number | null
  output_start: number
  output_end: number
  first_line: number
}

function toSummary(r: SessionRow): TranscriptSummary {
  return {
    id: r.id,
    hostName: r.host_name,
    title: r.title,
    startedAt: r.started_at,
    endedAt: r.ended_at,
    endReason: r.end_reason,
    outputBytes: r.output_bytes,
    lines: r.lines,
    commands: r.commands,
    shellIntegration: r.shell_integration !== 0
  }
}

function toCommand(r: CommandRow): TranscriptCommand {
  return {
    id: r.id,
    transcriptId: r.session_id,
    commandLine: r.command_line,
    startedAt: r.started_at,
    endedAt: r.ended_at,
    exitCode: r.exit_code,
    outputStart: r.output_start,
    outputEnd: r.output_end,
    firstLine: r.first_line
  }
}

const summarySql = `SELECT s.*, (SELECT count(*) FROM terminal_commands c WHERE c.session_id = s.id) AS commands FROM terminal_sessions s`

/** Terminal recordings of the case: events, commands, and the plain text with its full-text index. */
export class TranscriptStore {
  constructor(private readonly db: Database.Database) {}

  create(t: NewTranscript): number {
    const info = this.db
      .prepare('INSERT INTO terminal_sessions (host_id, host_name, title, term, cols, rows, shell_integration, started_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)')
      .run(t.hostId, t.hostName, t.title, t.term, t.cols, t.rows, t.shellIntegration ? 1 : 0, t.startedAt)
    return Number(info.lastInsertRowid)
  }

  /** One flush of a live recording, in one transaction: nothing of it is half-written. */
  append(id: number, batch: { events: RecordedEvent[]; chunks: RecordedChunk[]; commands: RecordedCommand[]; outputBytes: number; lines: number }): void {
    const ev = this.db.prepare('INSERT INTO terminal_events (session_id, t, kind, out_offset, data) VALUES (?, ?, ?, ?, ?)')
    const ch = this.db.prepare("INSERT INTO terminal_chunks (session_id, first_line, text, out_start, out_end, cols) VALUES (?, ?, '', ?, ?, ?)")
    const cmd = this.db.prepare(
      'INSERT INTO terminal_commands (session_id, command_line, started_at, ended_at, exit_code, output_start, output_end, first_line) VALUES (?, ?, ?, ?, ?, ?, ?, ?)'
    )
    this.db.transaction(() => {
      for (const e of batch.events) ev.run(id, e.t, e.kind, e.outOffset, e.data)
      for (const c of batch.chunks) ch.run(id, c.firstLine, c.outStart, c.outEnd, c.cols)
      for (const c of batch.commands) cmd.run(id, c.commandLine, c.startedAt, c.endedAt, c.exitCode, c.outputStart, c.outputEnd, c.firstLine)
      this.db.prepare('UPDATE terminal_sessions SET output_bytes = ?, lines = ? WHERE id = ?').run(batch.outputBytes, batch.lines, id)
    })()
  }

  /**
   * Indexes stored chunks not yet in the full-text index, oldest first, up to about `budgetChars` of text (in
   * transactions of at most that much); returns how many chunks are still waiting (counted on the partial index:
   * summing their lengths read every waiting chunk's text, 200 MB after a big `cat`, on every call). Indexing
   * costs more than receiving (a line of random base64 is one long token), so it runs when the terminals are
   * quiet, in short slices, and before a search.
   */
  indexPending(budgetChars: number): number {
    const rowsPerSlice = Math.max(1, Math.min(64, Math.ceil(budgetChars / (16 * 1024))))
    const pick = this.db.prepare(`SELECT ${chunkColumns} FROM terminal_chunks WHERE indexed = 0 ORDER BY id LIMIT ?`)
    const fts = this.db.prepare('INSERT INTO terminal_fts (rowid, body) VALUES (?, ?)')
    const done = this.db.prepare('UPDATE terminal_chunks SET indexed = 1 WHERE id = ?')
    const cache = new EventCache()
    let spent = 0
    while (spent < budgetChars) {
      const rows = (pick.all(rowsPerSlice) as StoredChunk[]).map((r) => this.withText(r, cache))
      if (rows.length === 0) return 0
      this.db.transaction(() => {
        for (const r of rows) {
          fts.run(r.id, indexText(r.text))
          done.run(r.id)
          spent += r.text.length
        }
      })()
    }
    return (this.db.prepare('SELECT count(*) AS n FROM terminal_chunks WHERE indexed = 0').get() as { n: number }).n
  }

  finish(id: number, endedAt: string, reason: string): void {
    this.db.prepare('UPDATE terminal_sessions SET ended_at = ?, end_reason = ? WHERE id = ?').run(endedAt, reason, id)
  }

  /** Sessions a crash left without an end are marked so, when the case opens. */
  markInterrupted(): void {
    this.db.prepare("UPDATE terminal_sessions SET ended_at = started_at, end_reason = 'the workbench stopped while it was recording' WHERE ended_at IS NULL").run()
  }

  list(): TranscriptSummary[] {
    return (this.db.prepare(`${summarySql} ORDER BY s.id DESC`).all() as SessionRow[]).map(toSummary)
  }

  get(id: number): TranscriptSummary & { cols: number; rows: number; term: string } {
    const r = this.db.prepare(`${summarySql} WHERE s.id = ?`).get(id) as SessionRow | undefined
    if (!r) throw new AppError('not_found', `Terminal recording ${id} does not exist in this case.`)
    return { ...toSummary(r), cols: r.cols, rows: r.rows, term: r.term }
  }

  commands(id: number): TranscriptCommand[] {
    return (this.db.prepare('SELECT * FROM terminal_commands WHERE session_id = ? ORDER BY id').all(id) as CommandRow[]).map(toCommand)
  }

  command(id: number, commandId: number): TranscriptCommand {
    const r = this.db.prepare('SELECT * FROM terminal_commands WHERE session_id = ? AND id = ?').get(id, commandId) as CommandRow | undefined
    if (!r) throw new AppError('not_found', `Command ${commandId} is not in terminal recording ${id}.`)
    return toCommand(r)
  }

  /** Events in order after an event id, for replay and export. */
  events(id: number, after: number, limit: number): { id: number; t: number; kind: 'o' | 'i' | 'r' | 'm'; data: Buffer }[] {
    return this.db.prepare('SELECT id, t, kind, data FROM terminal_events WHERE session_id = ? AND id > ? ORDER BY id LIMIT ?').all(id, after, limit) as {
      id: number
      t: number
      kind: 'o' | 'i' | 'r' | 'm'
      data: Buffer
    }[]
  }

  eventsWindow(id: number, after: number, limit: number, decode: (rows: { kind: string; data: Buffer }[]) => string[]): TranscriptEvents {
    const s = this.get(id)
    const rows = this.events(id, after, limit)
    const texts = decode(rows)
    const last = rows[rows.length - 1]
    return {
      transcriptId: id,
      cols: s.cols,
      rows: s.rows,
      events: rows.map((r, i) => [r.t, r.kind, texts[i] ?? ''] as [number, 'o' | 'i' | 'r' | 'm', string]),
      next: rows.length === limit && last ? last.id : null
    }
  }

  /** The recorded output bytes in [start, end). */
  output(id: number, start: number, end: number): Buffer {
    const rows = this.db
      .prepare("SELECT out_offset, data FROM terminal_events WHERE session_id = ? AND kind = 'o' AND out_offset < ? AND out_offset + length(data) > ? ORDER BY id")
      .all(id, end, start) as { out_offset: number; data: Buffer }[]
    const parts = rows.map((r) => r.data.subarray(Math.max(0, start - r.out_offset), Math.min(r.data.length, end - r.out_offset)))
    return Buffer.concat(parts)
  }

  delete(id: number): void {
    this.get(id)
    this.db.prepare('DELETE FROM terminal_sessions WHERE id = ?').run(id)
  }

  /**
   * A chunk's plain text, read again from its output bytes as the recorder read them: from a new stream of the
   * chunk's width, the resizes within it applied where they came, the unfinished last line of a recording's end
   * included. A chunk recorded before schema 9 has its text stored.
   */
  chunkText(c: { session_id: number; text: string; out_start: number | null; out_end: number | null; cols: number | null }, cache = new EventCache()): string {
    if (c.out_start === null || c.out_end === null || c.cols === null) return c.text
    const st = new PlainTextStream(c.cols)
    const decoder = new StringDecoder('utf8')
    const lines: string[] = []
    for (const p of this.chunkParts(c.session_id, c.out_start, c.out_end, cache)) {
      if (typeof p === 'number') st.setCols(p || c.cols)
      else for (const l of st.push(decoder.write(p))) lines.push(l)
    }
    const tail = st.flush()
    if (tail !== null) lines.push(tail)
    return lines.join('\n')
  }

  /**
   * Whether a chunk cannot hold every needle: its output is plain lines (no control character but LF and the CR
   * before one: its text is then its bytes' text without those CRs, whatever the width) and lacks one of them. A
   * search reads a chunk not indexed yet this way before its text is read (the text costs ~10× a substring search).
   */
  chunkLacks(c: { session_id: number; out_start: number | null; out_end: number | null; cols: number | null }, needles: readonly string[], cache: EventCache): boolean {
    if (c.out_start === null || c.out_end === null || c.cols === null) return false
    const parts = this.chunkParts(c.session_id, c.out_start, c.out_end, cache).filter((p) => typeof p !== 'number')
    const text = (parts.length === 1 ? (parts[0] as Buffer) : Buffer.concat(parts)).toString('utf8')
    if (/[\x00-\x09\x0b\x0c\x0e-\x1f\x7f]|\r(?!\n)/.test(text)) return false
    const lower = text.toLowerCase()
    return !needles.every((x) => lower.includes(x))
  }

  /** Prepared once: a search reads thousands of chunks. */
  private partQueries: { from: Database.Statement; rows: Database.Statement; data: Database.Statement } | null = null

  /** The output bytes of [start, end) in order, with the widths of the resizes within (numbers), where they came. */
  private chunkParts(session: number, start: number, end: number, cache: EventCache): (Buffer | number)[] {
    // From the output event holding the chunk's first byte (events are merged output, up to 256 KB each).
    const q = (this.partQueries ??= {
      from: this.db.prepare("SELECT max(out_offset) FROM terminal_events WHERE session_id = ? AND kind = 'o' AND out_offset <= ?").pluck(),
      rows: this.db.prepare("SELECT id, kind, out_offset FROM terminal_events WHERE session_id = ? AND out_offset >= ? AND out_offset < ? AND kind IN ('o', 'r') ORDER BY id"),
      data: this.db.prepare('SELECT data FROM terminal_events WHERE id = ?').pluck()
    })
    const from = (q.from.get(session, start) as number | null) ?? start
    const rows = q.rows.all(session, from, end) as { id: number; kind: 'o' | 'r'; out_offset: number }[]
    const data = q.data
    const out: (Buffer | number)[] = []
    for (const r of rows) {
      const bytes = cache.get(r.id, () => data.get(r.id) as Buffer)
      if (r.kind === 'r') {
        if (r.out_offset >= start) out.push(Number(bytes.toString('utf8').split('x')[0]) || 0)
        continue
      }
      const part = bytes.subarray(Math.max(0, start - r.out_offset), Math.min(bytes.length, end - r.out_offset))
      if (part.length > 0) out.push(part)
    }
    return out
  }

  private withText(c: StoredChunk, cache?: EventCache): ChunkRow {
    return { id: c.id, session_id: c.session_id, first_line: c.first_line, text: this.chunkText(c, cache) }
  }

  /** Full-text search over the plain text of every recording: matching lines with their line numbers. */
  search(query: string, maxTranscripts = 50, maxLines = 20): { hits: TranscriptSearchHit[]; tookMs: number } {
    const started = performance.now()
    const q = parseSearchQuery(query)
    if (!q) return { hits: [], tookMs: 0 }
    // What is stored but not indexed yet is indexed first: a search sees every recorded line.
    this.indexPending(Number.POSITIVE_INFINITY)
    const { rows } = this.indexedMatches(q, query, maxLines)
    return { hits: this.hits(q, rows, maxTranscripts, maxLines), tookMs: Math.round((performance.now() - started) * 10) / 10 }
  }

  /**
   * The indexed chunks holding every term (at most enough of each recording for `maxLines` lines, counted in
   * `perSession`), and the ids of the chunks not indexed yet — both read at one moment, so a chunk the indexer takes
   * meanwhile is in one of them.
   */
  indexedMatches(q: SearchQuery, query: string, maxLines = 20): { rows: ChunkRow[]; waiting: number[]; perSession: Map<number, number> } {
    try {
      return this.db.transaction(() => {
        const ids = this.db.prepare('SELECT rowid FROM terminal_fts WHERE terminal_fts MATCH ? ORDER BY rowid').pluck().all(q.fts) as number[]
        const get = this.db.prepare(`SELECT ${chunkColumns} FROM terminal_chunks WHERE id = ?`)
        const rows: ChunkRow[] = []
        const perSession = new Map<number, number>()
        const cache = new EventCache()
        for (const cid of ids) {
          const stored = get.get(cid) as StoredChunk | undefined
          if (!stored) continue
          // Enough lines of this recording already: its other chunks are not read.
          const n = perSession.get(stored.session_id) ?? 0
          if (n >= maxLines) continue
          const r = this.withText(stored, cache)
          rows.push(r)
          perSession.set(r.session_id, n + r.text.split('\n').filter((l) => lineMatches(l, q.terms)).length)
        }
        const waiting = this.db.prepare('SELECT id FROM terminal_chunks WHERE indexed = 0 ORDER BY id').pluck().all() as number[]
        return { rows, waiting, perSession }
      })()
    } catch (err) {
      throw new AppError('invalid_input', `The search "${query}" could not be run: ${(err as Error).message}. Use words, "quoted phrases" and a trailing * for a prefix.`)
    }
  }

  /**
   * Chunks not indexed yet, read as they are: those of `ids` holding a line with every term. Each term's needle
   * (`termNeedle`) must occur in the chunk's lower-cased text, then in a line's, before that line is tokenized:
   * text without the words costs a substring search.
   */
  scanChunks(q: SearchQuery, ids: readonly number[], perSession: Map<number, number>, maxLines = 20): ChunkRow[] {
    const needles = q.terms.map(termNeedle)
    const get = this.db.prepare(`SELECT ${chunkColumns} FROM terminal_chunks WHERE id = ?`)
    const out: ChunkRow[] = []
    const cache = new EventCache()
    for (const id of ids) {
      const stored = get.get(id) as StoredChunk | undefined
      if (!stored) continue
      // Enough lines of this recording already (counted with the indexed ones): its other chunks are not kept.
      const n = perSession.get(stored.session_id) ?? 0
      if (n >= maxLines || this.chunkLacks(stored, needles, cache)) continue
      const r = this.withText(stored, cache)
      const lower = r.text.toLowerCase()
      if (!needles.every((x) => lower.includes(x))) continue
      const found = r.text.split('\n').filter((l) => needles.every((x) => l.toLowerCase().includes(x)) && lineMatches(l, q.terms)).length
      if (found === 0) continue
      out.push(r)
      perSession.set(r.session_id, n + found)
    }
    return out
  }

  /** The hits of matching chunks (in chunk order): each recording with its matching lines, newest recording first. */
  hits(q: SearchQuery, rows: readonly ChunkRow[], maxTranscripts = 50, maxLines = 20): TranscriptSearchHit[] {
    const bySession = new Map<number, TranscriptSearchHit>()
    for (const r of [...rows].sort((a, b) => a.id - b.id)) {
      let hit = bySession.get(r.session_id)
      if (!hit) {
        if (bySession.size >= maxTranscripts) continue
        hit = { transcript: this.get(r.session_id), lines: [], moreLines: false }
        bySession.set(r.session_id, hit)
      }
      const ls = r.text.split('\n')
      for (let i = 0; i < ls.length; i++) {
        const l = ls[i] as string
        if (l === '' || !lineMatches(l, q.terms)) continue
        if (hit.lines.length >= maxLines) {
          hit.moreLines = true
          break
        }
        hit.lines.push({ line: r.first_line + i, ...lineExcerpt(l, matchRanges(l, q.terms)) })
      }
    }
    return [...bySession.values()].filter((h) => h.lines.length > 0).sort((a, b) => b.transcript.id - a.transcript.id)
  }
}
