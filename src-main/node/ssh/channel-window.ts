// The SSH receive window of an interactive shell, sized by what holds the output back. ssh2 grants every channel a
// fixed 2 MiB window and tops it up whenever half is used (lib/Channel.js, MAX_WINDOW; not configurable), so a shell
// paused because the page cannot draw faster still has up to 2 MiB on its way: after Ctrl-C during `yes`, the prompt
// waits behind those bytes (at 8 MB/s into xterm.js, a quarter of a second). A window that small for every shell
// would slow a shell over a long link, though (a window per round trip: 256 KiB at 50 ms is 5 MB/s). So the window
// is ssh2's 2 MiB while the shell's output flows freely (the link is what limits it), and 256 KiB while the terminal
// is holding it back (it was paused in the last second: the page is what limits it, and a bigger window only delays
// Ctrl-C). How much the terminal lets arrive after a pause is its to say (`hold`: the terminal's low mark, about
// 60 ms of the page's parsing, never under 256 KiB nor over 2 MiB): a page that parses 25 MB/s is not held to a
// window per round trip of 256 KiB. It takes the channel's window over: ssh2 is told the window never runs low (so
// it never grants more), and the channel is granted up to the window, topped up while read and not at all while paused. It uses ssh2's channel
// fields (incoming.window, outgoing.id) and its protocol's channelWindowAdjust; where a version of ssh2 lacks them,
// ssh2's own window stays.
import type { ClientChannel } from 'ssh2'

/** The least window while the terminal holds the output back: the most that arrives after a pause of a slow page. */
export const shellWindowBytes = 256 * 1024
/** The window while output flows freely: ssh2's and OpenSSH's own. */
export const freeWindowBytes = 2 * 1024 * 1024
/** A pause this recent means the terminal, not the link, is what limits the output. */
const heldForMs = 1000

/** ssh2's view of the window once taken over: so large it never tops it up itself. */
const never = 2 ** 52

interface Ssh2ChannelInternals {
  incoming: { window: number }
  outgoing: { id: number; state?: string }
  _client: { _protocol: { channelWindowAdjust(id: number, amount: number): void } }
}

function hasInternals(c: object): c is Ssh2ChannelInternals {
  const x = c as Partial<Record<'incoming' | 'outgoing' | '_client', unknown>>
  const incoming = x.incoming as { window?: unknown } | undefined
  const outgoing = x.outgoing as { id?: unknown } | undefined
  const client = x._client as { _protocol?: { channelWindowAdjust?: unknown } } | undefined
  return typeof incoming?.window === 'number' && typeof outgoing?.id === 'number' && typeof client?._protocol?.channelWindowAdjust === 'function'
}

export class ChannelWindow {
  /** What the remote side may still send: what it had when taken over, plus grants, minus what came. */
  private remote = 0
  private seen = never
  private paused = false
  private pausedAt = -Infinity
  private held = shellWindowBytes
  readonly active: boolean

  constructor(private readonly channel: ClientChannel, private readonly now: () => number = () => performance.now()) {
    this.active = hasInternals(channel)
    if (!hasInternals(channel)) return
    this.remote = channel.incoming.window
    channel.incoming.window = never
    this.seen = never
  }

  /** The window now: small while the terminal holds the output back, ssh2's otherwise. */
  get size(): number {
    return this.paused || this.now() - this.pausedAt < heldForMs ? this.held : freeWindowBytes
  }

  /** The window while the terminal holds the output back (clamped to [shellWindowBytes, freeWindowBytes]). */
  hold(bytes: number): void {
    this.held = Math.round(Math.min(freeWindowBytes, Math.max(shellWindowBytes, bytes)))
  }

  /** After output came (ssh2 counts every CHANNEL_DATA down from `never`): grants more when half the window is used. */
  update(): void {
    const c = this.channel
    if (!hasInternals(c)) return
    this.remote -= this.seen - c.incoming.window
    this.seen = c.incoming.window
    const size = this.size
    if (this.paused || c.outgoing.state === 'closed' || this.remote > size / 2) return
    const amount = size - this.remote
    if (amount <= 0) return
    this.remote += amount
    c._client._protocol.channelWindowAdjust(c.outgoing.id, amount)
  }

  pause(): void {
    this.paused = true
    this.pausedAt = this.now()
  }

  resume(): void {
    this.paused = false
    this.pausedAt = this.now()
    this.update()
  }

  /** What the remote side sent since the takeover (received by ssh2, read or not), and what it may still send. */
  get counts(): { received: number; mayStillSend: number } {
    const c = this.channel
    if (!hasInternals(c)) return { received: 0, mayStillSend: 0 }
    return { received: never - c.incoming.window, mayStillSend: this.remote - (this.seen - c.incoming.window) }
  }
}
