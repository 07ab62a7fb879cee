/**
 * Paces a terminal's output into xterm.js. xterm.js renders once per animation frame after a write changed the
 * screen, and each render of a scrolling screen costs about the same whatever was parsed before it (the DOM
 * renderer rebuilds every row; layout, style, paint). Fed a 128 KB frame at a time, as the frames come, a
 * 10 MB/s flood got a render every ~170 KB, and a trace of the page showed drawing take about as long as parsing;
 * paced, a `cat` on the lab ran at 14 MB/s where it ran at 11.8 unpaced (same window).
 *
 * So: a frame that comes while the terminal is quiet is written at once (a key's echo, a prompt: no delay); a
 * frame that comes within `floodIntervalMs` of the last write waits, with whatever else comes, and they are
 * written together when that interval is up — one render per interval during a flood, and a big slice parsed
 * before it. Nothing is dropped or reordered; the backend's flow control still bounds what waits here (its high
 * mark). `done` of a batch runs once xterm.js parsed all of it, with the batch's byte count (the acknowledgement)
 * and how long xterm.js was busy with it: from its write, or from the end of the batch before it when that one was
 * still being parsed, to its callback (the backend sizes its window by that speed: node/terminal/flow-window.ts).
 */
export interface PacerClock {
  now(): number
  /** Runs `fn` in `ms`; returns what cancels it. */
  schedule(fn: () => void, ms: number): () => void
}

const pageClock: PacerClock = {
  now: () => performance.now(),
  schedule(fn, ms) {
    const h = setTimeout(fn, ms)
    return () => clearTimeout(h)
  }
}

/** Renders per second during a flood are at most 1000 / this (about 20). */
export const floodIntervalMs = 50
/** A batch this big is a flood (~1.3 MB/s at one batch per interval; a screen of 111×53 is ~6 KB, typing a few bytes). */
export const floodBytes = 64 * 1024

export interface PacerOptions {
  clock?: PacerClock
  intervalMs?: number
  /** The terminal began (true) or stopped (false) being flooded. */
  flooding?: (on: boolean) => void
}

export class WritePacer {
  private parts: Uint8Array[] = []
  private bytes = 0
  private lastWrite = Number.NEGATIVE_INFINITY
  private cancel: (() => void) | null = null
  private disposed = false
  /** Batches written and not yet parsed, oldest first (none: xterm.js is idle): each is told when it was begun. */
  private pendingStarts: ((at: number) => void)[] = []
  private readonly clock: PacerClock
  private readonly intervalMs: number
  private readonly onFlooding: (on: boolean) => void
  private flooded = false
  private cancelQuiet: (() => void) | null = null

  constructor(
    private readonly write: (data: Uint8Array, parsed?: () => void) => void,
    private readonly done: (bytes: number, busyMs: number) => void,
    opts: PacerOptions = {}
  ) {
    this.clock = opts.clock ?? pageClock
    this.intervalMs = opts.intervalMs ?? floodIntervalMs
    this.onFlooding = opts.flooding ?? (() => {})
  }

  /** Whether the terminal is flooded now (its last batch was big, and output goes on). */
  get flooding(): boolean {
    return this.flooded
  }

  push(data: Uint8Array, bytes: number): void {
    if (this.disposed) return
    this.parts.push(data)
    this.bytes += bytes
    this.cancelQuiet?.()
    this.cancelQuiet = null
    if (this.cancel !== null) return
    const wait = this.lastWrite + this.intervalMs - this.clock.now()
    if (wait <= 0) this.flush()
    else this.cancel = this.clock.schedule(() => this.flush(), wait)
  }

  flush(): void {
    this.cancel?.()
    this.cancel = null
    if (this.parts.length === 0 || this.disposed) return
    const parts = this.parts
    const bytes = this.bytes
    this.parts = []
    this.bytes = 0
    const now = this.clock.now()
    this.lastWrite = now
    this.setFlooded(bytes >= floodBytes)
    // xterm.js parses batches in order: this one is begun now if xterm.js is idle, else when the one before ends.
    let begun: number | null = this.pendingStarts.length === 0 ? now : null
    this.pendingStarts.push((at) => (begun ??= at))
    const parsed = () => {
      const at = this.clock.now()
      this.pendingStarts.shift()
      this.pendingStarts[0]?.(at)
      this.done(bytes, at - (begun ?? at))
      // All parsed and nothing waiting: the flood is over unless more comes within the interval.
      if (this.flooded && this.pendingStarts.length === 0 && this.parts.length === 0 && !this.disposed) {
        this.cancelQuiet?.()
        this.cancelQuiet = this.clock.schedule(() => {
          this.cancelQuiet = null
          this.setFlooded(false)
        }, this.intervalMs)
      }
    }
    // Consecutive writes in one task are parsed together by xterm.js; the last one's callback means all of them.
    parts.forEach((p, i) => this.write(p, i === parts.length - 1 ? parsed : undefined))
  }

  private setFlooded(on: boolean): void {
    if (on === this.flooded) return
    this.flooded = on
    this.onFlooding(on)
  }

  dispose(): void {
    this.cancel?.()
    this.cancel = null
    this.cancelQuiet?.()
    this.cancelQuiet = null
    this.setFlooded(false)
    this.parts = []
    this.bytes = 0
    this.pendingStarts = []
    this.disposed = true
  }
}
