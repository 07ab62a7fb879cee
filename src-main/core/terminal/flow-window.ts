import { terminalFlow } from '../../contract/terminal'

/**
 * How much of a terminal's output may be sent to the page and not yet parsed there (the backend's side of the
 * flow control; see `terminalFlow`). The marks are sized in time, not bytes: what is in flight when Ctrl-C comes
 * is what the page must still parse before it shows the prompt, and the page parses a line-per-two-bytes `yes`
 * many times slower per byte than 100-column text. So the backend measures how fast the page drains its backlog —
 * the bytes acknowledged while the channel was paused (the page then has at least the low mark to parse, so the
 * acknowledgements come at its own speed) over the pause's length — and keeps the high mark at that rate times
 * `drainTargetMs`, within [`highWaterBytes`, `maxHighWaterBytes`]; the low mark is a quarter of it. A fast
 * page gets a window that spans the acknowledgement round trip; a slow one never more than the fixed mark.
 * After `quietMs` without output the measure is dropped: the next command's output (a `yes` after a `cat`) is
 * another kind of text, and starts from the fixed mark again.
 */
export class FlowWindow {
  /** Bytes sent and not yet acknowledged. */
  unacked = 0
  paused = false
  high: number = terminalFlow.highWaterBytes
  /** The page's drain rate in bytes per ms (a moving average), or null before a pause measured it. */
  rate: number | null = null
  private pausedAt = 0
  private drained = 0
  private lastSent = Number.NEGATIVE_INFINITY

  get low(): number {
    return Math.floor(this.high / 4)
  }

  /** Output was sent: true when the channel must now be paused. */
  sent(bytes: number, now: number): boolean {
    if (now - this.lastSent > terminalFlow.quietMs && !this.paused) {
      this.rate = null
      this.high = terminalFlow.highWaterBytes
    }
    this.lastSent = now
    this.unacked += bytes
    if (this.paused || this.unacked <= this.high) return false
    this.paused = true
    this.pausedAt = now
    this.drained = 0
    return true
  }

  /** The page acknowledged `bytes`: true when the channel may be read again. */
  acked(bytes: number, now: number): boolean {
    const n = Math.min(bytes, this.unacked)
    this.unacked -= n
    if (!this.paused) return false
    this.drained += n
    if (this.unacked >= this.low) return false
    this.paused = false
    const ms = now - this.pausedAt
    // A pause shorter than a few ms says nothing of the page's speed (timer granularity).
    if (ms >= 5 && this.drained > 0) {
      const sample = this.drained / ms
      this.rate = this.rate === null ? sample : this.rate * (1 - terminalFlow.rateWeight) + sample * terminalFlow.rateWeight
      this.high = Math.round(Math.min(terminalFlow.maxHighWaterBytes, Math.max(terminalFlow.highWaterBytes, this.rate * terminalFlow.drainTargetMs)))
    }
    return true
  }
}
