/**
 * Paces a terminal's output into xterm.js. xterm.js renders once per animation frame after a write changed the
 * screen, and each render of a scrolling screen costs about the same whatever was parsed before it (the DOM
 * renderer rebuilds every row; layout, style, paint). Fed a 128 KB frame at a time, as the frames come, a
 * flood of output got a render every ~100 KB and the page spent most of its time drawing instead of parsing.
 *
 * So: a frame that comes while the terminal is quiet is written at once (a key's echo, a prompt: no delay); a
 * frame that comes within `floodIntervalMs` of the last write waits, with whatever else comes, and they are
 * written together when that interval is up — one render per interval during a flood, and a big slice parsed
 * before it. Nothing is dropped or reordered; the backend's flow control still bounds what waits here (its high
 * mark). `done` of a batch runs once xterm.js parsed all of it, with the batch's byte count (the acknowledgement)
 * and how long xterm.js was busy with it: from its write, or from the end of the batch before it when that one was
 * still being parsed, to its callback (the backend sizes its window by that speed: core/terminal/flow-window.ts).
 */
export interface PacerClock {
  now(): number
  setTimeout(fn: () => void, ms: number): unknown
  clearTimeout(handle: unknown): void
}

/** Renders per second during a flood are at most 1000 / this (about 20). */
export const floodIntervalMs = 50

export class WritePacer {
  private parts: Uint8Array[] = []
  private bytes = 0
  private lastWrite = Number.NEGATIVE_INFINITY
  private timer: unknown = null
  private disposed = false
  /** When xterm.js finished the newest batch written (or null while one is still being parsed). */
  private idleSince: number | null = 0
  /** Batches written and not yet parsed, oldest first: each is told when it was begun. */
  private pendingStarts: ((at: number) => void)[] = []

  constructor(
    private readonly write: (data: Uint8Array, parsed?: () => void) => void,
    private readonly done: (bytes: number, busyMs: number) => void,
    private readonly clock: PacerClock = { now: () => performance.now(), setTimeout: (fn, ms) => setTimeout(fn, ms), clearTimeout: (h) => clearTimeout(h as number) },
    private readonly intervalMs = floodIntervalMs
  ) {}

  push(data: Uint8Array, bytes: number): void {
    if (this.disposed) return
    this.parts.push(data)
    this.bytes += bytes
    if (this.timer !== null) return
    const wait = this.lastWrite + this.intervalMs - this.clock.now()
    if (wait <= 0) this.flush()
    else this.timer = this.clock.setTimeout(() => this.flush(), wait)
  }

  /** Bytes waiting to be written (not yet given to xterm.js). */
  get waiting(): number {
    return this.bytes
  }

  flush(): void {
    if (this.timer !== null) this.clock.clearTimeout(this.timer)
    this.timer = null
    if (this.parts.length === 0 || this.disposed) return
    const parts = this.parts
    const bytes = this.bytes
    this.parts = []
    this.bytes = 0
    const now = this.clock.now()
    this.lastWrite = now
    // xterm.js parses batches in order: this one is begun now if xterm.js is idle, else when the one before ends.
    let begun: number | null = this.idleSince === null ? null : now
    this.idleSince = null
    this.pendingStarts.push((at) => (begun ??= at))
    const parsed = () => {
      const at = this.clock.now()
      this.pendingStarts.shift()
      const next = this.pendingStarts[0]
      if (next) next(at)
      else this.idleSince = at
      this.done(bytes, at - (begun ?? at))
    }
    // Consecutive writes in one task are parsed together by xterm.js; the last one's callback means all of them.
    for (let i = 0; i < parts.length; i++) this.write(parts[i] as Uint8Array, i === parts.length - 1 ? parsed : undefined)
  }

  dispose(): void {
    if (this.timer !== null) this.clock.clearTimeout(this.timer)
    this.timer = null
    this.parts = []
    this.bytes = 0
    this.pendingStarts = []
    this.disposed = true
  }
}
