import { StringDecoder } from 'node:string_decoder'
import { PlainTextStream } from '../../core/terminal/plain-text'
import type { RecordedChunk, RecordedCommand, RecordedEvent, TranscriptStore } from '../store/transcript-store'

/** Whole lines per indexed chunk, as captures have them (~16 KB of text, closed after the output that fills it). */
const chunkChars = 16 * 1024
/** Output chunks this close together are one event (asciicast players need no finer time). */
const mergeWithinSeconds = 0.02
const maxEventBytes = 256 * 1024
/** What is kept of the newest output in memory, for reading the echoed command line of a mark. */
const recentBytes = 256 * 1024

/**
 * Records one terminal session into the case as it happens: output bytes exactly as the channel gave them,
 * input the echo gate let through, resizes and marks, with times; the plain text's lines counted and cut into
 * chunks for the full-text index — each chunk a range of the output bytes from just after a line's LF (where the
 * plain text reads as from a new terminal of that width) to just after a later line's LF; its text is read again
 * from those bytes when it is indexed or shown (TranscriptStore.chunkText), so the output is stored once; the
 * commands the shell integration delimited. Written in batches (a timer, or 1 MB waiting), one transaction
 * each, so a crash loses at most the last fraction of a second.
 */
export class TerminalRecorder {
  private readonly started: number
  /** Events waiting for the next flush; an output event's bytes are kept as parts and joined once. */
  private events: (Omit<RecordedEvent, 'data'> & { parts: Buffer[]; bytes: number })[] = []
  private commands: RecordedCommand[] = []
  private chunks: RecordedChunk[] = []
  /** Characters of the lines finished since the chunk began. */
  private chunkChars = 0
  private chunkFirstLine = 1
  private chunkStart = 0
  private chunkCols: number
  /** The last line finished: the output offset just after its LF, the line count and the width there. */
  private lineEnd = { offset: 0, lines: 0, cols: 0 }
  private lines = 0
  private outOffset = 0
  private waitingBytes = 0
  private readonly text: PlainTextStream
  private readonly decoder = new StringDecoder('utf8')
  private recent: Buffer[] = []
  private recentLength = 0
  private recentStart = 0
  private timer: NodeJS.Timeout | null = null
  private closed = false
  private lastT = 0

  constructor(
    private readonly store: TranscriptStore,
    readonly transcriptId: number,
    startedAt: number,
    private readonly onError: (err: unknown) => void,
    cols: number,
    private readonly flushMs = 250
  ) {
    this.started = startedAt
    this.text = new PlainTextStream(cols)
    this.chunkCols = cols
    this.lineEnd.cols = cols
  }

  /** Output bytes recorded so far (the offset of the next byte). */
  get outputBytes(): number {
    return this.outOffset
  }

  /** Plain-text lines finished so far: the next line's number is this + 1. */
  get lineCount(): number {
    return this.lines
  }

  /** Seconds since the start, never before the event recorded last (asciicast times do not go back). */
  private t(now: number): number {
    this.lastT = Math.max(this.lastT, Math.round(now - this.started) / 1000)
    return this.lastT
  }

  output(chunk: Buffer, now: number): void {
    if (this.closed) return
    const t = this.t(now)
    const last = this.events[this.events.length - 1]
    // ssh2 hands out a fresh buffer per packet: it is kept as it is, not copied.
    if (last && last.kind === 'o' && t - last.t <= mergeWithinSeconds && last.bytes + chunk.length <= maxEventBytes) {
      last.parts.push(chunk)
      last.bytes += chunk.length
    } else this.events.push({ t, kind: 'o', outOffset: this.outOffset, parts: [chunk], bytes: chunk.length })
    const start = this.outOffset
    this.outOffset += chunk.length
    this.waitingBytes += chunk.length
    this.keepRecent(chunk)
    const decoded = this.decoder.write(chunk)
    const lines = this.text.push(decoded)
    for (const line of lines) {
      this.lines++
      this.chunkChars += line.length + 1
    }
    if (this.text.lastLineEnd >= 0) this.lineEndAt(chunk, start, decoded)
    if (this.chunkChars >= chunkChars) this.closeChunk()
    this.schedule()
  }

  input(text: string, now: number): void {
    this.push('i', text, now)
  }

  resize(cols: number, rows: number, now: number): void {
    this.text.setCols(cols)
    this.push('r', `${cols}x${rows}`, now)
  }

  marker(text: string, now: number): void {
    this.push('m', text, now)
  }

  command(c: RecordedCommand): void {
    this.commands.push(c)
    this.schedule()
  }

  /** The newest output bytes in [from, to), or null when they are no longer held in memory. */
  recentOutput(from: number, to: number): Buffer | null {
    if (from < this.recentStart || to > this.outOffset || from > to) return null
    return Buffer.concat(this.recent).subarray(from - this.recentStart, to - this.recentStart)
  }

  flush(): void {
    if (this.timer) clearTimeout(this.timer)
    this.timer = null
    // What was read so far becomes searchable now, not when a chunk fills.
    if (!this.closed) this.closeChunk()
    if (this.events.length === 0 && this.chunks.length === 0 && this.commands.length === 0) return
    const events = this.events.map(({ parts, bytes: _bytes, ...e }) => ({ ...e, data: parts.length === 1 ? (parts[0] as Buffer) : Buffer.concat(parts) }))
    const batch = { events, chunks: this.chunks, commands: this.commands, outputBytes: this.outOffset, lines: this.lines }
    this.events = []
    this.chunks = []
    this.commands = []
    this.waitingBytes = 0
    try {
      this.store.append(this.transcriptId, batch)
    } catch (err) {
      this.onError(err)
    }
  }

  close(reason: string, now: number): void {
    if (this.closed) return
    const tail = this.text.flush()
    if (tail !== null) this.lines++
    // The last chunk runs to the end of the output (its text ends with the unfinished line, if any).
    this.lineEnd = { offset: this.outOffset, lines: this.lines, cols: this.text.width }
    this.closeChunk()
    this.closed = true
    this.flush()
    try {
      this.store.finish(this.transcriptId, new Date(now).toISOString(), reason)
    } catch (err) {
      this.onError(err)
    }
  }

  private push(kind: 'i' | 'r' | 'm', text: string, now: number): void {
    if (this.closed) return
    const data = Buffer.from(text, 'utf8')
    this.events.push({ t: this.t(now), kind, outOffset: this.outOffset, parts: [data], bytes: data.length })
    this.schedule()
  }

  /**
   * The output offset just after the last line's LF. Every LF of the decoded text is an LF byte of the output, in
   * order (UTF-8 never holds one inside a character, and the decoder neither carries nor holds one back), so it is
   * the (n+1)-th LF byte from the end of this chunk, n the LFs the text has after that line's end.
   */
  private lineEndAt(chunk: Buffer, start: number, decoded: string): void {
    let after = 0
    for (let i = decoded.indexOf('\n', this.text.lastLineEnd); i !== -1; i = decoded.indexOf('\n', i + 1)) after++
    let pos = chunk.length
    for (let k = 0; k <= after; k++) {
      pos = pos === 0 ? -1 : chunk.lastIndexOf(0x0a, pos - 1)
      // Cannot happen; were it to, the chunk goes on to the next line end found.
      if (pos < 0) return
    }
    this.lineEnd = { offset: start + pos + 1, lines: this.lines, cols: this.text.width }
  }

  /** Ends the chunk at the last line finished: its lines and bytes are recorded, the next chunk begins there. */
  private closeChunk(): void {
    const end = this.lineEnd
    if (end.lines < this.chunkFirstLine) return
    this.chunks.push({ firstLine: this.chunkFirstLine, outStart: this.chunkStart, outEnd: end.offset, cols: this.chunkCols })
    this.chunkFirstLine = end.lines + 1
    this.chunkStart = end.offset
    this.chunkCols = end.cols
    this.chunkChars = 0
  }

  private keepRecent(chunk: Buffer): void {
    this.recent.push(chunk)
    this.recentLength += chunk.length
    while (this.recent.length > 1 && this.recentLength - (this.recent[0]?.length ?? 0) >= recentBytes) {
      const first = this.recent.shift() as Buffer
      this.recentLength -= first.length
      this.recentStart += first.length
    }
  }

  private schedule(): void {
    if (this.waitingBytes >= 1024 * 1024) return this.flush()
    this.timer ??= setTimeout(() => this.flush(), this.flushMs)
  }
}
