import { StringDecoder } from 'node:string_decoder'
import { PlainTextStream } from '../../core/terminal/plain-text'
import type { RecordedCommand, RecordedEvent, TranscriptStore } from '../store/transcript-store'

/** Whole lines per indexed chunk, as captures have them (~16 KB). */
const chunkChars = 16 * 1024
/** Output chunks this close together are one event (asciicast players need no finer time). */
const mergeWithinSeconds = 0.02
const maxEventBytes = 256 * 1024
/** What is kept of the newest output in memory, for reading the echoed command line of a mark. */
const recentBytes = 256 * 1024

/**
 * Records one terminal session into the case as it happens: output bytes exactly as the channel gave them,
 * input the echo gate let through, resizes and marks, with times; the plain text in indexed chunks; the
 * commands the shell integration delimited. Written in batches (a timer, or 1 MB waiting), one transaction
 * each, so a crash loses at most the last fraction of a second.
 */
export class TerminalRecorder {
  private readonly started: number
  /** Events waiting for the next flush; an output event's bytes are kept as parts and joined once. */
  private events: (Omit<RecordedEvent, 'data'> & { parts: Buffer[]; bytes: number })[] = []
  private commands: RecordedCommand[] = []
  private chunks: { firstLine: number; text: string }[] = []
  private chunkText = ''
  private chunkFirstLine = 1
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
    this.outOffset += chunk.length
    this.waitingBytes += chunk.length
    this.keepRecent(chunk)
    for (const line of this.text.push(this.decoder.write(chunk))) this.addLine(line)
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
    if (tail !== null) this.addLine(tail)
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

  private addLine(line: string): void {
    this.lines++
    this.chunkText += (this.chunkText === '' && this.lines === this.chunkFirstLine ? '' : '\n') + line
    if (this.chunkText.length >= chunkChars) this.closeChunk()
  }

  private closeChunk(): void {
    if (this.lines >= this.chunkFirstLine && this.chunkText !== '') this.chunks.push({ firstLine: this.chunkFirstLine, text: this.chunkText })
    this.chunkText = ''
    this.chunkFirstLine = this.lines + 1
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
