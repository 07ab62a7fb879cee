import { StringDecoder } from 'node:string_decoder'
import { terminalFlow, type CaptureSummary, type Host, type EventName, type EventPayloads, type TerminalInfo } from '../../contract'
import { parseCapture } from '../../core/capture/parsed-view'
import { EchoGate } from '../../core/terminal/echo-gate'
import { sameHostName } from '../../core/hosts/identity'
import { parseSearchQuery } from '../../core/search/fts-text'
import { screenText } from '../../core/terminal/plain-text'
import type { Caller, Handlers } from '../backend/dispatcher'
import type { Logger } from '../log'
import type { ShellChannel } from '../ssh/shell'
import type { SshManager } from '../ssh/ssh-manager'
import { describeNetError } from '../ssh/ssh-errors'
import { AppError } from '../store/app-error'
import type { CaseDb } from '../store/case-db'
import { parseOf } from '../store/capture-store'
import { asciicast, plainTranscript, decodeEvents } from './transcript-export'
import { FlowWindow } from './flow-window'
import { TerminalRecorder } from './recorder'
import { shellHook } from './shell-hook'
import { ShellCommandTracker, ShellMarkScanner, type ShellMark } from './shell-marks'

export type TerminalMethod = Extract<keyof Handlers, `terminal.${string}` | `transcripts.${string}`>

export interface TerminalContext {
  requireCase(): CaseDb
  ssh: SshManager
  log: Logger
  /** To the client that opened the terminal only. */
  emitTo<E extends EventName>(clientId: string, name: E, payload: EventPayloads[E]): void
  emit<E extends EventName>(name: E, payload: EventPayloads[E]): void
}

/** After the shell's first output goes quiet this long, the prompt hook is typed. */
const hookQuietMs = 250
/** A shell that shows no mark this long after the hook is not one the hook works in. */
const hookAnswerMs = 5000
/**
 * Indexing waits until no terminal printed for this long, then indexes in slices of this much text for at most
 * `indexBudgetMs` every `indexTickMs`: the event loop is never held long (a Ctrl-C's prompt after a big `cat` waited
 * behind 1 MB slices and a count that read all waiting text: 0.9–1.4 s on the lab's first try).
 */
const indexQuietMs = 300
const indexSliceChars = 64 * 1024
const indexTickMs = 25
const indexBudgetMs = 10
/** A search reads chunks not indexed yet this many at a time (~1 MB), within the same budget per tick. */
const scanSliceChunks = 64

interface Terminal {
  info: TerminalInfo
  clientId: string
  shell: ShellChannel | null
  recorder: TerminalRecorder | null
  decoder: StringDecoder
  gate: EchoGate
  marks: ShellMarkScanner
  commands: ShellCommandTracker
  /** Bytes sent to the client and not yet acknowledged, and whether the channel is paused for them. */
  flow: FlowWindow
  /** Output not yet sent, as received. */
  frame: Buffer[]
  frameBytes: number
  frameQueued: boolean
  gateTimer: NodeJS.Timeout | null
  hookTimer: NodeJS.Timeout | null
  hookTyped: boolean
  /** Plain-text line where the running command's output starts. */
  outputLine: number | null
  /** Bumped by every (re)open: callbacks of an older shell are ignored. */
  generation: number
}

/**
 * The terminals of the open case: SSH shells with a PTY, each owned by the client that opened it, recorded
 * into the case as they run, with flow control from the channel to xterm.js and back.
 */
export class TerminalService {
  private readonly terminals = new Map<string, Terminal>()
  private next = 1
  private lastOutput = 0
  /** Searches reading unindexed text now: the indexer waits for them (it took ~40% of the event loop from them). */
  private searching = 0
  private indexTimer: NodeJS.Timeout | null = null

  constructor(private readonly ctx: TerminalContext) {}

  /** Recorded text is indexed for search in slices while no terminal is busy printing. */
  private scheduleIndexing(): void {
    if (this.indexTimer) return
    this.indexTimer = setInterval(() => {
      if (this.searching > 0 || Date.now() - this.lastOutput < indexQuietMs) return
      try {
        if (this.indexSlices() === 0) this.stopIndexing()
      } catch (err) {
        this.stopIndexing()
        if (!(err instanceof AppError)) this.ctx.log.error('indexing terminal recordings', err)
      }
    }, indexTickMs)
  }

  /** Indexes slices for at most `indexBudgetMs`; returns how many chunks still wait (none in a read-only case). */
  private indexSlices(): number {
    const db = this.ctx.requireCase()
    if (db.readOnly !== null) return 0
    const end = performance.now() + indexBudgetMs
    let waiting: number
    do waiting = db.transcripts.indexPending(indexSliceChars)
    while (waiting > 0 && performance.now() < end)
    return waiting
  }

  private stopIndexing(): void {
    if (this.indexTimer) clearInterval(this.indexTimer)
    this.indexTimer = null
  }

  /** A client went away: its terminals end (their recordings are kept). */
  clientGone(clientId: string): void {
    for (const t of [...this.terminals.values()]) if (t.clientId === clientId) this.end(t, 'the workbench window closed')
  }

  caseClosing(): void {
    for (const t of [...this.terminals.values()]) this.end(t, 'the case was closed')
    this.stopIndexing()
  }

  private own(caller: Caller, terminalId: string): Terminal {
    const t = this.terminals.get(terminalId)
    // Another client's terminal is as good as absent: its bytes and keys are not this caller's.
    if (!t || t.clientId !== caller.clientId) throw new AppError('not_found', `Terminal ${terminalId} is not open in this window (it was closed, or the page reloaded).`)
    return t
  }

  private announce(t: Terminal): void {
    this.ctx.emitTo(t.clientId, 'terminal.state', { ...t.info })
  }

  handlers(): Pick<Handlers, TerminalMethod> {
    return {
      'terminal.open': async ({ hostId, hostName, cols, rows }, caller) => {
        const db = this.ctx.requireCase()
        const host = hostId !== undefined ? db.getHost(hostId) : this.hostNamed(db, hostName ?? '')
        const t: Terminal = {
          info: {
            terminalId: `term-${this.next++}`,
            hostId: host.id,
            hostName: host.name,
            transcriptId: null,
            state: 'connecting',
            error: null,
            exitCode: null,
            shellIntegration: host.shellIntegration ? 'installing' : 'off',
            broadcast: false,
            cols,
            rows,
            startedAt: new Date().toISOString()
          },
          clientId: caller.clientId,
          ...fresh(),
          generation: 0
        }
        this.terminals.set(t.info.terminalId, t)
        await this.start(t)
        return { ...t.info }
      },
      'terminal.reconnect': async ({ terminalId }, caller) => {
        const t = this.own(caller, terminalId)
        if (t.info.state !== 'ended') throw new AppError('conflict', `Terminal ${terminalId} is still open; close it first.`)
        const host = this.ctx.requireCase().getHost(t.info.hostId)
        Object.assign(t, fresh())
        t.info = { ...t.info, state: 'connecting', error: null, exitCode: null, transcriptId: null, shellIntegration: host.shellIntegration ? 'installing' : 'off', startedAt: new Date().toISOString() }
        await this.start(t)
        return { ...t.info }
      },
      'terminal.input': ({ terminalId, data }, caller) => {
        const t = this.own(caller, terminalId)
        const targets = t.info.broadcast ? [...this.terminals.values()].filter((o) => o.clientId === caller.clientId && o.info.broadcast) : [t]
        for (const o of targets) this.type(o, data)
        return null
      },
      'terminal.resize': ({ terminalId, cols, rows }, caller) => {
        const t = this.own(caller, terminalId)
        t.info.cols = cols
        t.info.rows = rows
        t.shell?.resize(cols, rows)
        t.recorder?.resize(cols, rows, Date.now())
        return null
      },
      'terminal.ack': ({ terminalId, bytes, busyMs }, caller) => {
        const t = this.own(caller, terminalId)
        if (t.flow.acked(bytes, busyMs)) {
          // What may arrive after the next pause follows the page's speed too: its low mark (~60 ms of its work).
          t.shell?.holdWindow(t.flow.low)
          t.shell?.resume()
        }
        return null
      },
      'terminal.setBroadcast': ({ terminalId, on }, caller) => {
        const t = this.own(caller, terminalId)
        t.info.broadcast = on
        this.announce(t)
        return [...this.terminals.values()].filter((o) => o.clientId === caller.clientId).map((o) => ({ ...o.info }))
      },
      'terminal.close': ({ terminalId }, caller) => {
        const t = this.own(caller, terminalId)
        this.end(t, 'the tab was closed')
        this.terminals.delete(terminalId)
        return null
      },
      'terminal.list': (_i, caller) => [...this.terminals.values()].filter((t) => t.clientId === caller.clientId).map((t) => ({ ...t.info })),

      'transcripts.list': () => {
        this.flushRecordings()
        return this.ctx.requireCase().transcripts.list()
      },
      'transcripts.get': ({ transcriptId }) => {
        this.flushRecordings()
        const store = this.ctx.requireCase().transcripts
        const { cols: _c, rows: _r, term: _t, ...summary } = store.get(transcriptId)
        return { summary, commands: store.commands(transcriptId) }
      },
      'transcripts.events': ({ transcriptId, after, limit }) => {
        this.flushRecordings()
        return this.ctx.requireCase().transcripts.eventsWindow(transcriptId, after ?? 0, limit ?? 2000, decodeEvents)
      },
      'transcripts.export': ({ transcriptId, format }) => {
        this.flushRecordings()
        const db = this.ctx.requireCase()
        const s = db.transcripts.get(transcriptId)
        const stamp = s.startedAt.replace(/[:]/g, '').replace(/\.\d+Z$/, 'Z')
        const base = `${s.hostName}-terminal-${stamp}`
        return format === 'asciicast' ? { fileName: `${base}.cast`, text: asciicast(db.transcripts, transcriptId) } : { fileName: `${base}.txt`, text: plainTranscript(db.transcripts, transcriptId) }
      },
      'transcripts.search': async ({ query, maxTranscripts }) => {
        this.flushRecordings()
        const q = parseSearchQuery(query)
        if (!q) return { query, hits: [], tookMs: 0 }
        const started = performance.now()
        const db = this.ctx.requireCase()
        // Indexed text through the index; what is not indexed yet (a big `cat` a moment ago: indexing it takes
        // seconds) read as it is, in slices with the event loop let go between them, so terminals,
        // acknowledgements and other requests go on (indexing it all first held the backend 10-20 s on the lab).
        const { rows, waiting, perSession } = db.transcripts.indexedMatches(q, query)
        let sliceEnd = performance.now() + indexBudgetMs
        this.searching++
        try {
          for (let i = 0; i < waiting.length; i += scanSliceChunks) {
            if (performance.now() > sliceEnd) {
              await new Promise<void>((resolve) => setImmediate(resolve))
              if (this.ctx.requireCase() !== db) throw new AppError('conflict', 'The case was closed during the search: search again in the open case.')
              sliceEnd = performance.now() + indexBudgetMs
            }
            rows.push(...db.transcripts.scanChunks(q, waiting.slice(i, i + scanSliceChunks), perSession))
          }
        } finally {
          this.searching--
        }
        return { query, hits: db.transcripts.hits(q, rows, maxTranscripts), tookMs: Math.round((performance.now() - started) * 10) / 10 }
      },
      'transcripts.saveCapture': ({ transcriptId, commandId, selection, commandLine }) => this.saveCapture(transcriptId, commandId, selection, commandLine),
      'transcripts.delete': ({ transcriptId }) => {
        const db = this.ctx.requireCase()
        if ([...this.terminals.values()].some((t) => t.info.transcriptId === transcriptId && t.info.state !== 'ended')) {
          throw new AppError('conflict', 'That terminal is still recording: close its tab first.')
        }
        db.transcripts.delete(transcriptId)
        this.ctx.emit('transcripts.changed', { caseId: db.summary().id })
        return { transcriptId }
      }
    }
  }

  private hostNamed(db: CaseDb, name: string): Host {
    const host = db.listHosts().find((h) => sameHostName(h.name, name))
    if (!host) throw new AppError('not_found', `The case has no host named ${name}: add it in Hosts to open a terminal to it.`)
    return host
  }

  /** What live recordings hold in memory goes to the case, so a read sees everything so far. */
  private flushRecordings(): void {
    for (const t of this.terminals.values()) t.recorder?.flush()
  }

  private async start(t: Terminal): Promise<void> {
    const generation = ++t.generation
    this.announce(t)
    const db = this.ctx.requireCase()
    let shell: ShellChannel
    try {
      shell = await this.ctx.ssh.shell(t.info.hostId, { cols: t.info.cols, rows: t.info.rows }, {
        data: (chunk) => {
          if (t.generation === generation) this.output(t, chunk)
        },
        end: (how) => {
          if (t.generation !== generation) return
          t.info.exitCode = how.exitCode
          if (how.failure) t.info.error = how.failure.toSshError()
          this.end(t, how.failure ? how.failure.message : how.exitCode !== null ? `the shell exited with status ${how.exitCode}` : 'the channel closed')
        }
      })
    } catch (err) {
      const f = describeNetError(err, t.info.hostName)
      t.info.state = 'ended'
      t.info.error = f.toSshError()
      this.announce(t)
      return
    }
    if (t.generation !== generation || !this.terminals.has(t.info.terminalId)) {
      shell.close()
      return
    }
    const now = Date.now()
    const transcriptId = db.transcripts.create({
      hostId: t.info.hostId,
      hostName: t.info.hostName,
      title: `${t.info.hostName} terminal`,
      term: 'xterm-256color',
      cols: t.info.cols,
      rows: t.info.rows,
      shellIntegration: t.info.shellIntegration !== 'off',
      startedAt: new Date(now).toISOString()
    })
    t.recorder = new TerminalRecorder(db.transcripts, transcriptId, now, (err) => this.ctx.log.error(`recording terminal ${t.info.terminalId}`, err), t.info.cols)
    t.shell = shell
    t.info.transcriptId = transcriptId
    t.info.state = 'open'
    t.gateTimer = setInterval(() => this.record(t, t.gate.tick(Date.now())), 500)
    this.announce(t)
    this.ctx.emit('transcripts.changed', { caseId: db.summary().id })
  }

  private type(t: Terminal, data: string): void {
    if (!t.shell || t.info.state !== 'open') return
    t.shell.write(data)
    this.record(t, t.gate.input(data, Date.now()))
  }

  private record(t: Terminal, events: ReturnType<EchoGate['input']>): void {
    for (const e of events) {
      if (e.kind === 'input') t.recorder?.input(e.text, e.at)
      else t.recorder?.marker(`${e.chars} typed character${e.chars === 1 ? '' : 's'} not echoed by the terminal (a password?): not recorded`, e.at)
    }
  }

  private output(t: Terminal, chunk: Buffer): void {
    const now = Date.now()
    this.lastOutput = now
    this.scheduleIndexing()
    const rec = t.recorder
    // The chunk is recorded up to each mark before the mark is handled: the recording's line count is then
    // the line the mark sits on (a command's first output line), and its bytes are in memory for the tracker.
    const marks = t.marks.push(chunk)
    const chunkStart = rec?.outputBytes ?? 0
    let done = 0
    for (const m of marks) {
      const upTo = Math.min(chunk.length, Math.max(done, m.end - chunkStart))
      if (upTo > done) rec?.output(chunk.subarray(done, upTo), now)
      done = upTo
      this.mark(t, m, now)
    }
    if (done < chunk.length) rec?.output(chunk.subarray(done), now)
    const text = t.decoder.write(chunk)
    this.record(t, t.gate.output(text, now))
    if (t.info.shellIntegration === 'installing' && !t.hookTyped) this.scheduleHook(t)
    t.frame.push(chunk)
    t.frameBytes += chunk.length
    if (t.flow.sent(chunk.length, now)) t.shell?.pause()
    if (t.frameBytes >= terminalFlow.maxFrameBytes) this.sendFrame(t)
    else if (!t.frameQueued) {
      t.frameQueued = true
      setImmediate(() => this.sendFrame(t))
    }
  }

  private sendFrame(t: Terminal): void {
    t.frameQueued = false
    if (t.frameBytes === 0) return
    const data = t.frame.length === 1 ? (t.frame[0] as Buffer) : Buffer.concat(t.frame)
    const bytes = t.frameBytes
    t.frame = []
    t.frameBytes = 0
    this.ctx.emitTo(t.clientId, 'terminal.data', { terminalId: t.info.terminalId, data, bytes })
  }

  /** The hook is typed once the shell's first output (motd, prompt) has gone quiet. */
  private scheduleHook(t: Terminal): void {
    if (t.hookTimer) clearTimeout(t.hookTimer)
    t.hookTimer = setTimeout(() => {
      t.hookTyped = true
      this.type(t, shellHook + '\r')
      t.recorder?.marker('shell integration: the workbench typed its prompt hook (OSC 133 marks)', Date.now())
      t.hookTimer = setTimeout(() => {
        if (t.info.shellIntegration === 'installing') {
          t.info.shellIntegration = 'off'
          t.recorder?.marker('shell integration: no answer from the shell; commands are not delimited', Date.now())
          this.announce(t)
        }
      }, hookAnswerMs)
    }, hookQuietMs)
  }

  private mark(t: Terminal, m: ShellMark, now: number): void {
    const rec = t.recorder
    if (!rec) return
    if (t.info.shellIntegration === 'installing' && m.kind === 'B') {
      t.info.shellIntegration = 'on'
      if (t.hookTimer) clearTimeout(t.hookTimer)
      t.hookTimer = null
      this.announce(t)
    }
    if (m.kind === 'C') {
      t.outputLine = rec.lineCount + 1
      // A new command's output is another kind of text: the page's speed is measured afresh for it.
      t.flow.restart()
    }
    const cmd = t.commands.mark(m, now, (from, to) => rec.recentOutput(from, to) ?? this.ctx.requireCase().transcripts.output(rec.transcriptId, from, to))
    if (cmd) {
      rec.command({
        commandLine: cmd.commandLine,
        startedAt: new Date(cmd.startedAt).toISOString(),
        endedAt: new Date(cmd.endedAt).toISOString(),
        exitCode: cmd.exitCode,
        outputStart: cmd.outputStart,
        outputEnd: cmd.outputEnd,
        firstLine: t.outputLine ?? rec.lineCount + 1
      })
      t.outputLine = null
      this.ctx.emitTo(t.clientId, 'terminal.command', { terminalId: t.info.terminalId })
    }
  }

  private end(t: Terminal, reason: string): void {
    if (t.gateTimer) clearInterval(t.gateTimer)
    if (t.hookTimer) clearTimeout(t.hookTimer)
    t.gateTimer = null
    t.hookTimer = null
    this.sendFrame(t)
    const now = Date.now()
    this.record(t, t.gate.flush(now))
    t.recorder?.close(reason, now)
    t.shell?.close()
    t.shell = null
    t.recorder = null
    if (t.info.state !== 'ended') {
      t.info.state = 'ended'
      this.announce(t)
      try {
        this.ctx.emit('transcripts.changed', { caseId: this.ctx.requireCase().summary().id })
      } catch {
        // The case is already closed.
      }
    }
  }

  private saveCapture(transcriptId: number, commandId: number | undefined, selection: string | undefined, commandLine: string | undefined): CaptureSummary {
    const db = this.ctx.requireCase()
    this.flushRecordings()
    const s = db.transcripts.get(transcriptId)
    let text: string
    let command: string
    let startedAt: string
    let durationMs: number | null = null
    let exitCode: number | null = null
    if (commandId !== undefined) {
      const c = db.transcripts.command(transcriptId, commandId)
      text = screenText(db.transcripts.output(transcriptId, c.outputStart, c.outputEnd).toString('utf8'))
      command = commandLine ?? c.commandLine
      startedAt = c.startedAt
      durationMs = Date.parse(c.endedAt) - Date.parse(c.startedAt)
      exitCode = c.exitCode
    } else if (selection !== undefined) {
      if (!commandLine) throw new AppError('invalid_input', 'Say which command printed the selected text, so the right parser reads it.')
      text = selection.replace(/\r\n/g, '\n')
      command = commandLine
      startedAt = new Date().toISOString()
    } else throw new AppError('invalid_input', 'Choose a command of the recording, or select text in the terminal.')
    if (text !== '' && !text.endsWith('\n')) text += '\n'
    const parsed = text ? parseCapture(command, text, null) : null
    const host = db.listHosts().find((h) => sameHostName(h.name, s.hostName)) ?? null
    const saved = db.captures.save({
      runId: null,
      hostId: host?.id ?? null,
      hostName: s.hostName,
      viaHostName: null,
      commandId: null,
      title: null,
      command,
      source: 'live',
      origin: `terminal recording ${transcriptId}${commandId !== undefined ? ` command ${commandId}` : ' (selection)'}`,
      startedAt,
      durationMs,
      status: exitCode === null || exitCode === 0 ? 'ok' : 'failed',
      exitCode,
      signal: null,
      errorKind: null,
      error: null,
      stdout: text,
      stderr: '',
      truncated: false,
      parse: parseOf(parsed)
    })
    this.ctx.emit('captures.changed', { caseId: db.summary().id })
    return saved
  }
}

function fresh() {
  return {
    shell: null,
    recorder: null,
    decoder: new StringDecoder('utf8'),
    gate: new EchoGate(),
    marks: new ShellMarkScanner(),
    commands: new ShellCommandTracker(),
    flow: new FlowWindow(),
    frame: [],
    frameBytes: 0,
    frameQueued: false,
    gateTimer: null,
    hookTimer: null,
    hookTyped: false,
    outputLine: null
  }
}
