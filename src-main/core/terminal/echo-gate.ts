/**
 * Which typed input may go into a terminal's recording. What a person types is recorded only once the
 * terminal has echoed it: a shell echoes every printable key as its next output, a password prompt (sudo,
 * ssh, `read -s`) echoes nothing. So printable input waits until the first output after it: if that output
 * begins with the same text, the input was shown and is recorded; if it begins with anything else, or nothing
 * comes within `holdMs`, the input was not shown and is dropped, leaving only a count. Keys that are not
 * text (Enter, Ctrl-C, arrows) reveal nothing and are recorded, in order, once the text before them is decided.
 *
 * Text typed before the prompt is drawn (typing ahead) meets the prompt first: with shell integration the prompt's
 * marks (OSC 133;A to OSC 133;B, in one chunk or several) say where it is, the echo begins after B, and the prompt
 * is not taken for an answer. An A printed by a running command (between its C and D marks) is not a prompt. A
 * stray A with no B after it where the shell gives no C (bash before 4.4, sh) makes the gate take nothing for an
 * echo until the command's end (D): the input is then left out, the side the rule errs on.
 *
 * The rule errs towards leaving input out: an echo that looks different (a program redrawing the line) loses
 * the input from the recording. What it cannot tell apart is unrelated output that happens to begin with the
 * very text typed at a silent prompt before Enter (a background job printing the same characters); after Enter,
 * output is never taken as the echo of text typed before it.
 */

export type GateEvent = { kind: 'input'; text: string; at: number } | { kind: 'hidden'; chars: number; at: number }

interface Pending {
  text: string
  printable: boolean
  at: number
  /** The part of a text run already echoed, when its echo is split over chunks: recorded with the rest, as one run. */
  shown?: string
}

/** A run of input: text, or keys and escape sequences. */
function splitInput(data: string): { text: string; printable: boolean }[] {
  const out: { text: string; printable: boolean }[] = []
  // ESC [ ... final, ESC O x, ESC x (Alt), or a single control character.
  const re = /\x1b\[[0-?]*[ -/]*[@-~]|\x1bO.|\x1b[\s\S]?|[\x00-\x1f\x7f]/g
  let last = 0
  for (let m = re.exec(data); m; m = re.exec(data)) {
    if (m.index > last) out.push({ text: data.slice(last, m.index), printable: true })
    out.push({ text: m[0], printable: false })
    last = m.index + m[0].length
  }
  if (last < data.length) out.push({ text: data.slice(last), printable: true })
  return out
}

/** Output with the escape sequences before its first text taken off (a redraw may begin with one). */
const leadingEscapes = /^(?:\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[()][0-9A-Za-z])*/

/**
 * At the right margin readline prints the first character of the next row, a carriage return, and that
 * character again (it makes terminals that delay the wrap wrap now): on screen it is the character once.
 */
const readlineWrap = /([^\r\n])\r\1/g

/** The start of an escape sequence whose end has not come yet (CSI, OSC, charset designation, a lone ESC). */
const unfinishedEscape = /^\x1b(?:\[[0-?]*[ -/]*|\][^\x07\x1b]*|[()])?$/
/** How long an unfinished escape sequence may be to wait for its end (a longer one is taken as it is). */
const maxCarry = 256

/**
 * Shell integration's marks: OSC 133;A (the prompt begins), B (it ends, the command line begins), C (the command
 * runs: what follows is its output) and D (it ended; the next prompt's A comes right after).
 */
const shellMarks = /\x1b\]133;([ABCD])[^\x07\x1b]*(?:\x07|\x1b\\)/g

export class EchoGate {
  private readonly queue: Pending[] = []
  /**
   * Between a prompt's A and B marks. The shell writes them apart (bash: PROMPT_COMMAND's printf, then readline's
   * prompt), so they can come in different chunks, and text typed meanwhile is echoed after B.
   */
  private inPrompt = false
  /**
   * Between a command's C and D marks: an A there is the command's output (`cat` of a recorded session), not a
   * prompt. A shell without C (bash before 4.4, sh) never sets it.
   */
  private inCommand = false
  /** What the next chunk may begin with when the last one ended inside readline's wrap, or at a run's last character. */
  private wrapRest = ''
  /** The unfinished escape sequence the last chunk ended with. */
  private carry = ''

  constructor(private readonly holdMs = 2000) {}

  /** Typed input; returns what may be recorded now. */
  input(data: string, now: number): GateEvent[] {
    for (const part of splitInput(data)) this.queue.push({ ...part, at: now })
    return this.release()
  }

  /** The terminal's output (decoded text), in the order it arrived; returns the input it showed or hid. */
  output(chunk: string, now: number): GateEvent[] {
    // An escape sequence cut by the chunks waits for its end: half a mark or a "\x1b[" is neither prompt nor echo.
    let text = this.carry + chunk
    this.carry = ''
    const esc = text.lastIndexOf('\x1b')
    if (esc >= 0 && text.length - esc <= maxCarry && unfinishedEscape.test(text.slice(esc))) {
      this.carry = text.slice(esc)
      text = text.slice(0, esc)
    }
    const { parts, tailOpen } = this.outsidePrompt(text)
    if (!this.queue.some((p) => p.printable)) {
      this.wrapRest = ''
      return this.release()
    }
    const out: GateEvent[] = []
    // Only a last part that reaches the chunk's end can leave a wrap cut for the next chunk to finish.
    const endsChunk = tailOpen && this.carry === ''
    parts.forEach((part, i) => this.match(part, now, out, endsChunk && i === parts.length - 1))
    return [...out, ...this.release()]
  }

  /**
   * The output outside prompts (from A to B, however the chunks cut them): what came before a prompt (a command's
   * output, which may show typed text was not echoed) and what came after it (the echo of text typed ahead). A
   * prompt is never taken for an echo nor for its absence. `tailOpen`: the last part runs to the end of the text.
   */
  private outsidePrompt(text: string): { parts: string[]; tailOpen: boolean } {
    if (!text.includes('\x1b]133;')) return this.inPrompt ? { parts: [], tailOpen: false } : { parts: [text], tailOpen: text.length > 0 }
    const parts: string[] = []
    let from = 0
    for (const m of text.matchAll(shellMarks)) {
      if (!this.inPrompt && m.index > from) parts.push(text.slice(from, m.index))
      if (m[1] === 'C') this.inCommand = true
      else if (m[1] === 'D') {
        // A command ended; a prompt still open here had no B (a stray A): whatever follows is not inside it.
        this.inCommand = false
        this.inPrompt = false
      } else if (m[1] === 'B') this.inPrompt = false
      else if (!this.inCommand) this.inPrompt = true
      from = m.index + m[0].length
    }
    const tailOpen = !this.inPrompt && from < text.length
    if (tailOpen) parts.push(text.slice(from))
    return { parts, tailOpen }
  }

  private match(text: string, now: number, out: GateEvent[], endsChunk: boolean): void {
    let rest = text.replace(readlineWrap, '$1')
    // readline's wrap cut by the chunks ("E" then "\rE", or "E\r" then "E"): the rest of it, where the last chunk left it.
    // The wrapped character may end a run already recorded (the next run's echo follows the wrap) or be inside one.
    if (this.wrapRest && this.queue[0]?.printable) {
      if (rest.startsWith(this.wrapRest)) rest = rest.slice(this.wrapRest.length)
      else if (this.wrapRest.startsWith(rest)) {
        // Cut again inside it ("E", "\r", "E"): the rest of the rest, in the next chunk.
        this.wrapRest = this.wrapRest.slice(rest.length)
        return
      }
    }
    this.wrapRest = ''
    rest = rest.replace(leadingEscapes, '')
    while (rest.length > 0) {
      const head = this.queue[0]
      if (!head) break
      if (!head.printable) {
        out.push({ kind: 'input', text: head.text, at: head.at })
        this.queue.shift()
        // Output after a key (Enter) is that key's doing, not an echo of text typed later.
        if (this.queue.some((p) => p.printable && p.at < now)) rest = ''
        continue
      }
      if (rest.startsWith(head.text)) {
        out.push({ kind: 'input', text: (head.shown ?? '') + head.text, at: head.at })
        this.queue.shift()
        const last = head.text.slice(-1)
        rest = rest.slice(head.text.length).replace(leadingEscapes, '')
        // The chunk ends at the run's last character, or just after the CR of a wrap there: the wrap's rest is next.
        if (endsChunk && (rest === '' || rest === '\r')) {
          this.wrapRest = rest === '' ? `\r${last}` : last
          rest = ''
        }
      } else if (head.text.startsWith(rest) || (/[^\r\n]\r$/.test(rest) && head.text.startsWith(rest.slice(0, -1)))) {
        // The echo is split over chunks: the shown part waits with the rest, so what was typed at once is one event.
        const cr = rest.endsWith('\r')
        const shown = cr ? rest.slice(0, -1) : rest
        head.shown = (head.shown ?? '') + shown
        head.text = head.text.slice(shown.length)
        this.wrapRest = cr ? shown.slice(-1) : `\r${shown.slice(-1)}`
        rest = ''
      } else {
        out.push(...this.hideText(now))
        rest = ''
      }
    }
  }

  /** Input left unechoed past the hold time is dropped; call it on a timer. */
  tick(now: number): GateEvent[] {
    const head = this.queue[0]
    if (head?.printable && now - head.at >= this.holdMs) return [...this.hideText(now), ...this.release()]
    return []
  }

  /** Everything still waiting is decided as not shown (the terminal is closing). */
  flush(now: number): GateEvent[] {
    const out = this.hideText(now)
    return [...out, ...this.release()]
  }

  /** Drops every waiting text run (counting it); keys stay, in order. The part of the first already echoed is recorded. */
  private hideText(now: number): GateEvent[] {
    const head = this.queue[0]
    const shown: GateEvent[] = head?.printable && head.shown ? [{ kind: 'input', text: head.shown, at: head.at }] : []
    let chars = 0
    for (let i = this.queue.length - 1; i >= 0; i--) {
      const p = this.queue[i]
      if (p?.printable) {
        chars += [...p.text].length
        this.queue.splice(i, 1)
      }
    }
    return chars > 0 ? [...shown, { kind: 'hidden', chars, at: now }] : shown
  }

  /** Keys at the head of the queue are recorded as soon as no text waits before them. */
  private release(): GateEvent[] {
    const out: GateEvent[] = []
    while (this.queue[0] && !this.queue[0].printable) {
      const p = this.queue.shift() as Pending
      out.push({ kind: 'input', text: p.text, at: p.at })
    }
    return out
  }
}
