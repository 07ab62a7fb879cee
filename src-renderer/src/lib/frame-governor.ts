/**
 * An adaptive frame rate for the page while a terminal is flooded with output (a `cat` of a big file, `yes`), as
 * iTerm2's adaptive rendering does and as xterm.js's own tracker proposes (xtermjs/xterm.js#4135, open): during a
 * flood each frame of xterm.js's DOM renderer rebuilds every row (twice when the screen scrolled: its selection
 * layer re-renders all rows on every scroll) and costs the same whatever was parsed before it, so at 60 frames a
 * second drawing takes the time parsing needs. Text flying by at ~10 frames a second reads the same to a person; on
 * the lab 100 MB `cat`s ran at 12.7 MB/s (median of four) with frames ≥ 100 ms apart against 10.0 unlimited and 12.0
 * at 66 ms (same page and session, alternated).
 *
 * xterm.js has no option for it: it asks for frames with its window's `requestAnimationFrame`. So the governor takes
 * the page's `requestAnimationFrame`/`cancelAnimationFrame` (installed once, before anything asks for a frame): while
 * no terminal is flooded it asks the browser for the next frame as the browser would (one frame runs every callback
 * asked for before it, in order); while one is, frames are at least `floodFrameMs` apart. When the last flood ends
 * the waiting frame runs at the next browser frame: a prompt after Ctrl-C is not held back by the limit.
 */
export interface FrameClock {
  now(): number
  /** The browser's own next frame. */
  frame(fn: (ts: number) => void): void
  /** Runs `fn` in `ms`; returns what cancels it. */
  schedule(fn: () => void, ms: number): () => void
  /** A callback's error is reported, not thrown into the next one. */
  report(err: unknown): void
}

/** During a flood, frames are at least this far apart (10 a second). */
export const floodFrameMs = 100

export class FrameGovernor {
  private callbacks = new Map<number, FrameRequestCallback>()
  private nextId = 1
  private readonly floods = new Set<object>()
  private lastFrame = Number.NEGATIVE_INFINITY
  /** A browser frame is asked for (the callbacks run in it). */
  private framePending = false
  /** A flood's wait for the next allowed frame, before the browser frame is asked for. */
  private cancelWait: (() => void) | null = null

  constructor(
    private readonly clock: FrameClock,
    private readonly minGapMs = floodFrameMs
  ) {}

  /** Whether some terminal is flooded now (frames are limited). */
  get limited(): boolean {
    return this.floods.size > 0
  }

  requestAnimationFrame(cb: FrameRequestCallback): number {
    const id = this.nextId++
    this.callbacks.set(id, cb)
    this.arm()
    return id
  }

  cancelAnimationFrame(id: number): void {
    this.callbacks.delete(id)
  }

  /** A terminal's output began or stopped flooding (`source` tells the terminals apart). */
  flooding(source: object, on: boolean): void {
    if (on) {
      this.floods.add(source)
      return
    }
    if (!this.floods.delete(source) || this.floods.size > 0) return
    // The last flood ended: what waits for the limit runs at the browser's next frame.
    if (this.cancelWait) {
      this.cancelWait()
      this.cancelWait = null
      this.askFrame()
    }
  }

  private arm(): void {
    if (this.framePending || this.cancelWait) return
    const wait = this.limited ? this.lastFrame + this.minGapMs - this.clock.now() : 0
    if (wait <= 0) return this.askFrame()
    this.cancelWait = this.clock.schedule(() => {
      this.cancelWait = null
      this.askFrame()
    }, wait)
  }

  private askFrame(): void {
    if (this.framePending) return
    this.framePending = true
    this.clock.frame((ts) => this.run(ts))
  }

  private run(ts: number): void {
    this.framePending = false
    this.lastFrame = this.clock.now()
    // Callbacks asked for while these run go to the next frame, as the browser does.
    const due = [...this.callbacks.values()]
    this.callbacks.clear()
    for (const cb of due) {
      try {
        cb(ts)
      } catch (err) {
        this.clock.report(err)
      }
    }
    if (this.callbacks.size > 0) this.arm()
  }
}

let installed: FrameGovernor | null = null

/** The page's governor: installed on first use in place of the window's own frame functions. */
export function frameGovernor(win: Window = window): FrameGovernor {
  if (installed) return installed
  const request = win.requestAnimationFrame.bind(win)
  const governor = new FrameGovernor({
    now: () => win.performance.now(),
    frame: (fn) => void request(fn),
    schedule(fn, ms) {
      const h = win.setTimeout(fn, ms)
      return () => win.clearTimeout(h)
    },
    report: (err) => win.reportError(err)
  })
  win.requestAnimationFrame = (cb) => governor.requestAnimationFrame(cb)
  win.cancelAnimationFrame = (id) => governor.cancelAnimationFrame(id)
  installed = governor
  return governor
}
