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

export class WritePacer {
  private parts: Uint8Array[] = []
  private bytes = 0
  private lastWrite = Number.NEGATIVE_INFINITY
  private cancel: (() => void) | null = null
  private disposed = false
  /** Batches written and not yet parsed, oldest first (none: xterm.js is idle): each is told when it was begun. */
  private pendingStarts: ((at: number) => void)[] = []

  constructor(
    private readonly write: (data: Uint8Array, parsed?: () => void) => void,
    private readonly done: (bytes: number, busyMs: number) => void,
    private readonly clock: PacerClock = pageClock,
    private readonly intervalMs = floodIntervalMs
  ) {}

  push(data: Uint8Array, bytes: number): void {
    if (this.disposed) return
    this.parts.push(data)
    this.bytes += bytes
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
    // xterm.js parses batches in order: this one is begun now if xterm.js is idle, else when the one before ends.
    let begun: number | null = this.pendingStarts.length === 0 ? now : null
    this.pendingStarts.push((at) => (begun ??= at))
    const parsed = () => {
      const at = this.clock.now()
      this.pendingStarts.shift()
      this.pendingStarts[0]?.(at)
      this.done(bytes, at - (begun ?? at))
    }
    // Consecutive writes in one task are parsed together by xterm.js; the last one's callback means all of them.
    parts.forEach((p, i) => this.write(p, i === parts.length - 1 ? parsed : undefined))
  }

  dispose(): void {
    this.cancel?.()
    this.cancel = null
    this.parts = []
    this.bytes = 0
    this.pendingStarts = []
    this.disposed = true
  }
}
