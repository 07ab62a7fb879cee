import { terminalFlow } from '../../contract'

/**
 * How much of a terminal's output may be sent to the page and not yet parsed there (the backend's side of the
 * flow control; see `terminalFlow`). The marks are sized in time, not bytes: what is in flight when Ctrl-C comes
 * is what the page must still parse before it shows the prompt, and the page parses a line-per-two-bytes `yes`
 * many times slower per byte than 100-column text. The page says, with each acknowledgement, how long xterm.js was
 * busy with those bytes (from when it began them — their write, or the end of the batch before — to their
 * callback, renders between included); the backend keeps a moving average of that speed and the high mark at it
 * times `drainTargetMs`, within [`minHighWaterBytes`, `maxHighWaterBytes`] (`highWaterBytes` until measured); the
 * low mark is `lowWaterRatio` (half) of it. A fast page gets a window that spans the acknowledgement round trip; a
 * slow one about `drainTargetMs` of its work, so Ctrl-C finds little in flight. (Timing the backend's own pauses
 * instead overstated the speed: a batch the page had begun before the pause is acknowledged at once, whole.) A new
 * command (its shell-integration mark), or `quietMs` without output where there is no shell integration, drops the
 * measure: a `yes` typed right after a `cat` is another kind of text and starts from `highWaterBytes` again (it got
 * the cat's 2.8 MB window, and Ctrl-C took 0.6–1.4 s, before).
 */
export class FlowWindow {
  /** Bytes sent and not yet acknowledged. */
  unacked = 0
  paused = false
  high: number = terminalFlow.highWaterBytes
  /** The page's parsing speed in bytes per ms (a moving average), or null before it was measured. */
  rate: number | null = null
  private lastSent = Number.NEGATIVE_INFINITY

  get low(): number {
    return Math.floor(this.high * terminalFlow.lowWaterRatio)
  }

  /** Forgets the page's measured speed (a new command's output begins). */
  restart(): void {
    this.rate = null
    this.high = terminalFlow.highWaterBytes
  }

  /** Output was sent: true when the channel must now be paused. */
  sent(bytes: number, now: number): boolean {
    if (now - this.lastSent > terminalFlow.quietMs && !this.paused) this.restart()
    this.lastSent = now
    this.unacked += bytes
    if (this.paused || this.unacked <= this.high) return false
    this.paused = true
    return true
  }

  /** The page acknowledged `bytes`, busy with them `busyMs`: true when the channel may be read again. */
  acked(bytes: number, busyMs?: number): boolean {
    this.unacked -= Math.min(bytes, this.unacked)
    // A batch too small or too quick to time says nothing of the page's speed (timer granularity).
    if (busyMs !== undefined && busyMs >= 2 && bytes >= terminalFlow.maxFrameBytes) {
      const sample = bytes / busyMs
      this.rate = this.rate === null ? sample : this.rate * (1 - terminalFlow.rateWeight) + sample * terminalFlow.rateWeight
      this.high = Math.round(Math.min(terminalFlow.maxHighWaterBytes, Math.max(terminalFlow.minHighWaterBytes, this.rate * terminalFlow.drainTargetMs)))
    }
    if (!this.paused || this.unacked >= this.low) return false
    this.paused = false
    return true
  }
}
