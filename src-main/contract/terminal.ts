import { z } from 'zod'
import type { SshError } from './ssh'
import type { CaptureSummary } from './captures'
import { carriedText } from './wire'

/**
 * Terminal flow control, end to end (after xterm.js's flow-control guide and VS Code's terminal): the
 * backend stops reading the SSH channel while more than a high mark of bytes sent to the UI are not yet
 * acknowledged, and reads again below a low mark. The UI acknowledges output once xterm.js has parsed it (its
 * `write` callback), so what waits unparsed in the page stays near the high mark (xterm.js drops data past
 * 50 MB pending). While the channel is not read, its SSH window is not opened again, so sshd and the remote
 * program wait too (node/ssh/channel-window.ts: 256 KiB while the terminal holds the output back, where ssh2
 * alone keeps 2 MiB). What is in flight when Ctrl-C comes is what the page still has to parse before the prompt,
 * so the high mark follows the page's measured speed (node/terminal/flow-window.ts; the page says how long it was
 * busy with what it acknowledges): about `drainTargetMs` of its work, `highWaterBytes` until it is measured, within
 * [`minHighWaterBytes`, `maxHighWaterBytes`] (each acknowledgement is a round trip: with fixed 256 KB marks a fast
 * page waited on them). On the lab a fixed 1 MB mark gave a `cat` 10–11 MB/s with Ctrl-C to prompt under 300 ms; a
 * fixed 4 MB mark 14 MB/s but 1.3 s to the prompt during `yes` (two bytes a line: the page parses it many times
 * slower per byte).
 */
export const terminalFlow = {
  /** The high mark to begin with (until the page's speed is measured). */
  highWaterBytes: 1024 * 1024,
  /** The floor of the high mark: a slow page (`yes`: 3–4 MB/s on the lab) gets about drainTargetMs of its work. */
  minHighWaterBytes: 256 * 1024,
  /**
   * The channel is read again once what waits is below this share of the high mark: the page still has ~60 ms of
   * work while the refill comes through the SSH hops. A quarter left the page idle ~40% of a 200 MB cat (the refill
   * took longer than its 30 ms): 18.3 MB/s against ~22 at a half (medians on the lab), Ctrl-C during yes the same.
   */
  lowWaterRatio: 0.5,
  maxHighWaterBytes: 8 * 1024 * 1024,
  /** The high mark is this many ms of the page's parsing at its measured speed. */
  drainTargetMs: 120,
  /** Weight of the newest acknowledged batch in the moving average of the page's speed. */
  rateWeight: 0.3,
  /** After this long without output (or at a new command's mark) the page's speed is measured afresh. */
  quietMs: 250,
  /** Output is sent in frames of at most this many bytes. */
  maxFrameBytes: 128 * 1024
} as const

export const TerminalId = z.string().regex(/^term-[0-9]{1,9}$/, 'Not a terminal id.')
export const TranscriptId = z.number().int().positive()
const Cols = z.number().int().min(2).max(1000)
const Rows = z.number().int().min(1).max(500)

export type TerminalState = 'connecting' | 'open' | 'ended'

/** A terminal tab as the backend holds it: the client that opened it sees it, and nobody else. */
export interface TerminalInfo {
  terminalId: string
  hostId: number
  hostName: string
  /** The recording in the case (a new one after a reconnect). */
  transcriptId: number | null
  state: TerminalState
  /** Why it ended, when not by the shell exiting: the connection dropped, a login failed. */
  error: SshError | null
  exitCode: number | null
  /** Off for hosts that opt out; on once the prompt hook answered. */
  shellIntegration: 'off' | 'installing' | 'on'
  /** Typing here also types into every other terminal with broadcast on. */
  broadcast: boolean
  cols: number
  rows: number
  startedAt: string
}

/** Output for one terminal, sent to the client that opened it only. `bytes` is what to acknowledge. */
/**
 * A frame of a terminal's output: the bytes exactly as the shell sent them (xterm.js decodes UTF-8 itself, across
 * frames). Over the WebSocket it travels as a binary frame (terminal-frame.ts), not as JSON.
 */
export interface TerminalData {
  terminalId: string
  data: Uint8Array
  bytes: number
}

export interface TranscriptSummary {
  id: number
  hostName: string
  title: string
  startedAt: string
  endedAt: string | null
  endReason: string | null
  outputBytes: number
  lines: number
  commands: number
  shellIntegration: boolean
}

export interface TranscriptCommand {
  id: number
  transcriptId: number
  commandLine: string
  startedAt: string
  endedAt: string
  exitCode: number | null
  /** Byte range of the recorded output. */
  outputStart: number
  outputEnd: number
  /** First line of the command's output in the transcript's plain text (1-based). */
  firstLine: number
}

export interface TranscriptView {
  summary: TranscriptSummary
  commands: TranscriptCommand[]
}

/** A stretch of a recording for replay: asciicast events with times in seconds from the start. */
export interface TranscriptEvents {
  transcriptId: number
  cols: number
  rows: number
  events: [number, 'o' | 'i' | 'r' | 'm', string][]
  /** The id to ask for next, or null at the end. */
  next: number | null
}

export interface TranscriptSearchHit {
  transcript: TranscriptSummary
  lines: { line: number; text: string; from: number; matches: { start: number; end: number }[] }[]
  moreLines: boolean
}

export const TerminalInput = carriedText('This paste', 'Paste less at once, or copy the file to the host and read it there.')

export const terminalMethods = {
  /**
   * Opens a shell on a host (logging in through the UI's prompts if needed); the caller receives its output.
   * By name, the case's host of that name by the host-identity rule (a finding's or a step's host).
   */
  'terminal.open': {
    input: z
      .object({ hostId: z.number().int().positive().optional(), hostName: z.string().trim().min(1).max(253).optional(), cols: Cols, rows: Rows })
      .strict()
      .refine((o) => (o.hostId === undefined) !== (o.hostName === undefined), 'Give the host by its id or by its name, not both.')
  },
  /** Typed or pasted input; on a terminal with broadcast on, every broadcasting terminal of the caller gets it. */
  'terminal.input': { input: z.object({ terminalId: TerminalId, data: TerminalInput }).strict() },
  'terminal.resize': { input: z.object({ terminalId: TerminalId, cols: Cols, rows: Rows }).strict() },
  /** xterm.js parsed this many bytes of the terminal's output. */
  /** `busyMs`: how long xterm.js was busy with these bytes (from when it began them to their callback). */
  'terminal.ack': { input: z.object({ terminalId: TerminalId, bytes: z.number().int().min(0).max(1 << 30), busyMs: z.number().min(0).max(3_600_000).optional() }).strict() },
  'terminal.setBroadcast': { input: z.object({ terminalId: TerminalId, on: z.boolean() }).strict() },
  /** A new shell in the same tab after the connection dropped or the shell ended. */
  'terminal.reconnect': { input: z.object({ terminalId: TerminalId }).strict() },
  /** Ends the shell's channel (the recording is kept). */
  'terminal.close': { input: z.object({ terminalId: TerminalId }).strict() },
  'terminal.list': { input: z.object({}).strict() },

  'transcripts.list': { input: z.object({}).strict() },
  'transcripts.get': { input: z.object({ transcriptId: TranscriptId }).strict() },
  'transcripts.events': { input: z.object({ transcriptId: TranscriptId, after: z.number().int().min(0).optional(), limit: z.number().int().min(1).max(5000).optional() }).strict() },
  'transcripts.export': { input: z.object({ transcriptId: TranscriptId, format: z.enum(['asciicast', 'text']) }).strict() },
  'transcripts.search': { input: z.object({ query: z.string().trim().min(1).max(500), maxTranscripts: z.number().int().min(1).max(200).optional() }).strict() },
  /** A command's output, or text selected in a terminal, saved as a capture of the host under a command line. */
  'transcripts.saveCapture': {
    input: z
      .object({
        transcriptId: TranscriptId,
        commandId: z.number().int().positive().optional(),
        selection: carriedText('This selection', 'Select less, or save the command output instead.').optional(),
        commandLine: z.string().trim().min(1).max(4000).optional()
      })
      .strict()
  },
  'transcripts.delete': { input: z.object({ transcriptId: TranscriptId }).strict() }
} as const

export interface TerminalMethodOutputs {
  'terminal.open': TerminalInfo
  'terminal.input': null
  'terminal.resize': null
  'terminal.ack': null
  'terminal.setBroadcast': TerminalInfo[]
  'terminal.reconnect': TerminalInfo
  'terminal.close': null
  'terminal.list': TerminalInfo[]
  'transcripts.list': TranscriptSummary[]
  'transcripts.get': TranscriptView
  'transcripts.events': TranscriptEvents
  'transcripts.export': { fileName: string; text: string }
  'transcripts.search': { query: string; hits: TranscriptSearchHit[]; tookMs: number }
  'transcripts.saveCapture': CaptureSummary
  'transcripts.delete': { transcriptId: number }
}

/** Events addressed to the client that opened the terminal, never broadcast. */
export interface TerminalEventPayloads {
  'terminal.data': TerminalData
  'terminal.state': TerminalInfo
  /** A command of this terminal ended (its shell-integration marks): its recording's command list changed. */
  'terminal.command': { terminalId: string }
}
export const addressedEvents = ['terminal.data', 'terminal.state', 'terminal.command'] as const
