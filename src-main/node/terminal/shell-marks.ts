import { screenText } from '../../core/terminal/plain-text'

/**
 * Shell integration marks in a terminal's output (OSC 133, as the FinalTerm, iTerm2, VS Code and WezTerm
 * prompt hooks emit them): `ESC ] 133 ; A` prompt start, `B` command start (the prompt ended), `C` output
 * start, `D ; <exit>` command end. The workbench's bash hook puts the command line after `C;`.
 * Read from raw bytes as they stream, with the byte offset of each mark, so a command's output range
 * points into the recording exactly.
 */

export interface ShellMark {
  kind: 'A' | 'B' | 'C' | 'D'
  /** Offset of the mark's first byte (ESC) in the whole output stream. */
  start: number
  /** Offset just after its terminator. */
  end: number
  /** What follows `X;` (D: the exit code; C: the command line), or null. */
  arg: string | null
}

const ESC = 0x1b
const BEL = 0x07
const prefix = Buffer.from('\x1b]133;')
/** A mark longer than this is not one (a command line is cut well before). */
const maxMarkBytes = 16 * 1024

export class ShellMarkScanner {
  private carry: Buffer = Buffer.alloc(0)
  private offset = 0

  /** Feeds the next output bytes; returns the marks that end in them. */
  push(chunk: Buffer): ShellMark[] {
    const base = this.offset - this.carry.length
    const buf = this.carry.length > 0 ? Buffer.concat([this.carry, chunk]) : chunk
    this.offset += chunk.length
    const marks: ShellMark[] = []
    let from = 0
    let keepFrom = buf.length
    for (;;) {
      const i = buf.indexOf(ESC, from)
      if (i < 0) break
      // Not enough bytes to tell yet: keep them for the next chunk.
      const head = buf.subarray(i, i + prefix.length)
      if (head.length < prefix.length) {
        if (prefix.subarray(0, head.length).equals(head)) keepFrom = i
        break
      }
      if (!head.equals(prefix)) {
        from = i + 1
        continue
      }
      const end = findTerminator(buf, i + prefix.length)
      if (end === null) {
        if (buf.length - i <= maxMarkBytes) keepFrom = i
        break
      }
      const body = buf.toString('utf8', i + prefix.length, end.bodyEnd)
      const kind = body[0]
      if (kind === 'A' || kind === 'B' || kind === 'C' || kind === 'D') {
        const arg = body.length > 1 && body[1] === ';' ? body.slice(2) : null
        marks.push({ kind, start: base + i, end: base + end.after, arg })
      }
      from = end.after
    }
    this.carry = keepFrom < buf.length ? Buffer.from(buf.subarray(keepFrom)) : Buffer.alloc(0)
    return marks
  }
}

function findTerminator(buf: Buffer, from: number): { bodyEnd: number; after: number } | null {
  for (let j = from; j < buf.length; j++) {
    const c = buf[j]
    if (c === BEL) return { bodyEnd: j, after: j + 1 }
    if (c === ESC) {
      if (j + 1 >= buf.length) return null
      // ESC \ (ST) ends it; any other ESC means it was cut short: end the body there.
      return buf[j + 1] === 0x5c ? { bodyEnd: j, after: j + 2 } : { bodyEnd: j, after: j }
    }
  }
  return null
}

export interface ShellCommand {
  /** The command line (from the hook, else what was echoed after the prompt). */
  commandLine: string
  /** Output range in the stream: after the C mark (or the echoed line) up to the D mark. */
  outputStart: number
  outputEnd: number
  exitCode: number | null
  startedAt: number
  endedAt: number
}

/**
 * Turns marks into commands. `raw(from, to)` gives the recorded bytes of an output range, for a shell
 * whose hook cannot name the command (POSIX sh has no pre-exec hook: there is no C mark, and the output
 * starts after the first line end following B).
 */
export class ShellCommandTracker {
  private commandStart: { at: number; offset: number } | null = null
  private outputStart: { at: number; offset: number; line: string | null } | null = null

  mark(m: ShellMark, now: number, raw: (from: number, to: number) => Buffer): ShellCommand | null {
    switch (m.kind) {
      case 'A':
        return null
      case 'B':
        this.commandStart = { at: now, offset: m.end }
        this.outputStart = null
        return null
      case 'C':
        this.outputStart = { at: now, offset: m.end, line: m.arg !== null && m.arg.trim() !== '' ? m.arg : null }
        if (this.outputStart.line === null && this.commandStart) this.outputStart.line = typedLine(raw(this.commandStart.offset, m.start))
        return null
      case 'D': {
        const started = this.outputStart ?? this.fromEcho(m.start, now, raw)
        this.commandStart = null
        this.outputStart = null
        if (!started || started.line === null || started.line === '') return null
        const code = m.arg !== null && /^-?\d+$/.test(m.arg.trim()) ? Number(m.arg.trim()) : null
        return { commandLine: started.line, outputStart: started.offset, outputEnd: Math.max(started.offset, m.start), exitCode: code, startedAt: started.at, endedAt: now }
      }
    }
  }

  /** No C mark: the command line is the first line typed after the prompt, its output what followed. */
  private fromEcho(until: number, now: number, raw: (from: number, to: number) => Buffer): { at: number; offset: number; line: string | null } | null {
    if (!this.commandStart) return null
    const bytes = raw(this.commandStart.offset, until)
    const nl = bytes.indexOf(0x0a)
    if (nl < 0) return null
    return { at: this.commandStart.at, offset: this.commandStart.offset + nl + 1, line: typedLine(bytes.subarray(0, nl)) }
  }
}

/** The command line as the terminal showed it after the prompt (line editing applied, escapes gone). */
function typedLine(bytes: Buffer): string {
  return screenText(bytes.toString('utf8')).split('\n')[0]?.trim() ?? ''
}
