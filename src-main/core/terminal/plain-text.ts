/**
 * A terminal's output as the lines a person read: escape sequences gone, CRLF as LF, a carriage return
 * or backspace overwriting what the line held (progress bars, line editing), tabs to the next multiple of 8.
 * A line longer than the terminal is wide stays one line; a carriage return goes back to the start of the
 * screen row it is on (readline redraws a long command line row by row), as the terminal does.
 * Streaming: the decoded text goes in as it arrives, finished lines come out. What transcripts index and
 * what a command's saved output is.
 */
export class PlainTextStream {
  private line = ''
  /** Position in the (logical) line. */
  private col = 0
  /** Where the screen row holding `col` starts in the line. */
  private rowStart = 0

  constructor(private cols = Number.POSITIVE_INFINITY) {}

  /** The width rows wrap at now. */
  get width(): number {
    return this.cols
  }

  /** The terminal was resized: rows wrap at the new width from now on. */
  setCols(cols: number): void {
    this.cols = cols
  }
  /** An escape sequence cut by a chunk boundary. */
  private pendingEscape = ''
  /**
   * Where in the text of the last `push` the last line it finished ended (just after its LF), or -1 when it
   * finished none. There the stream is as new but for its width: a recording's text can be read again from the
   * output bytes after that LF (every LF of the decoded text is an LF byte of the output, in order).
   */
  lastLineEnd = -1

  push(text: string): string[] {
    const out: string[] = []
    const carried = this.pendingEscape.length
    let s = this.pendingEscape + text
    this.pendingEscape = ''
    this.lastLineEnd = -1
    const special = /[\x00-\x1f\x7f]/g
    let i = 0
    while (i < s.length) {
      special.lastIndex = i
      const m = special.exec(s)
      const stop = m ? m.index : s.length
      if (stop > i) this.put(s.slice(i, stop))
      if (!m) break
      const c = s.charCodeAt(stop)
      i = stop + 1
      if (c === 0x0a) {
        // Never inside the escape carried from the last push: that one ends at or after its last character.
        this.lastLineEnd = i - carried
        out.push(this.line)
        this.line = ''
        this.col = 0
        this.rowStart = 0
      } else if (c === 0x0d) this.col = this.rowStart
      else if (c === 0x08) this.col = Math.max(this.rowStart, this.col - 1)
      else if (c === 0x09) this.put(' '.repeat(8 - (this.col % 8)))
      else if (c === 0x1b) {
        const seq = escapeLength(s, stop)
        if (seq === null) {
          this.pendingEscape = s.slice(stop)
          break
        }
        this.escape(s.slice(stop, stop + seq))
        i = stop + seq
      }
    }
    return out
  }

  /** The unfinished last line, if any. */
  flush(): string | null {
    const last = this.line
    this.line = ''
    this.col = 0
    this.rowStart = 0
    this.pendingEscape = ''
    return last === '' ? null : last
  }

  private put(run: string): void {
    let rest = run
    while (rest.length > 0) {
      // Past the right margin the text goes on in the next screen row of the same line.
      if (this.col - this.rowStart >= this.cols) this.rowStart += Math.floor((this.col - this.rowStart) / this.cols) * this.cols
      const room = this.cols - (this.col - this.rowStart)
      const part = rest.length > room ? rest.slice(0, room) : rest
      rest = rest.slice(part.length)
      if (this.col === this.line.length) this.line += part
      else if (this.col > this.line.length) this.line = this.line.padEnd(this.col) + part
      else this.line = this.line.slice(0, this.col) + part + this.line.slice(this.col + part.length)
      this.col += part.length
    }
  }

  private escape(seq: string): void {
    if (seq[1] !== '[') return
    const final = seq[seq.length - 1]
    const n = Number(seq.slice(2, -1)) || 1
    if (final === 'K') {
      const p = seq.slice(2, -1)
      // To the end of the screen row: what the line holds after that row stays.
      if (p === '' || p === '0') {
        const rowEnd = this.rowStart + this.cols
        this.line = this.line.length > rowEnd ? this.line.slice(0, this.col).padEnd(rowEnd) + this.line.slice(rowEnd) : this.line.slice(0, this.col)
      }
      else if (p === '2') this.line = ''
    } else if (final === 'C') this.col += n
    else if (final === 'D') this.col = Math.max(this.rowStart, this.col - n)
    else if (final === 'G') this.col = this.rowStart + n - 1
    else if (final === 'A' && Number.isFinite(this.cols)) {
      // Up into an earlier row of the same line (a redraw); above the line's first row it is another line.
      const up = Math.min(n, Math.floor(this.rowStart / this.cols))
      this.rowStart -= up * this.cols
      this.col -= up * this.cols
    }
  }
}

/** Length of the escape sequence at s[i] (ESC), or null when the text ends inside it. */
function escapeLength(s: string, i: number): number | null {
  const kind = s[i + 1]
  if (kind === undefined) return null
  if (kind === '[') {
    for (let j = i + 2; j < s.length; j++) {
      const c = s.charCodeAt(j)
      if (c >= 0x40 && c <= 0x7e) return j - i + 1
      if (j - i > 256) return j - i
    }
    return null
  }
  if (kind === ']' || kind === 'P' || kind === '_' || kind === '^') {
    // OSC, DCS, APC, PM: up to BEL or ST.
    for (let j = i + 2; j < s.length; j++) {
      const c = s.charCodeAt(j)
      if (c === 0x07) return j - i + 1
      if (c === 0x1b) return s[j + 1] === undefined ? null : s[j + 1] === '\\' ? j - i + 2 : j - i
    }
    // Cut at a fixed length, not where this text ends: the result does not depend on how the output was split.
    return s.length - i > 64 * 1024 ? 64 * 1024 + 1 : null
  }
  if (kind === '(' || kind === ')' || kind === '#' || kind === '%') return s[i + 2] === undefined ? null : 3
  return 2
}

/** The plain text of a whole output, on a terminal `cols` wide (lines are never cut at the width). */
export function screenText(text: string, cols = Number.POSITIVE_INFINITY): string {
  const st = new PlainTextStream(cols)
  const lines = st.push(text)
  const last = st.flush()
  if (last !== null) lines.push(last)
  return lines.join('\n')
}
