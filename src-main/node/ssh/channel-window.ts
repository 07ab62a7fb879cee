// A smaller SSH receive window for an interactive shell. ssh2 grants every channel a fixed 2 MiB window and tops it
// up whenever half is used (lib/Channel.js, MAX_WINDOW; not configurable), so a paused shell still has up to 2 MiB on
// its way: after Ctrl-C during `yes`, the prompt waits behind those bytes (at 15 MB/s into xterm.js, 140 ms). This
// takes the window of one channel over: ssh2 is told the window never runs low (so it never grants more), and the
// channel is granted `window` bytes at most, topped up while it is read and not at all while it is paused — the
// remote sshd then stops within `window` bytes of a pause. It uses ssh2's channel fields (incoming.window,
// outgoing.id) and its protocol's channelWindowAdjust; where a version of ssh2 lacks them, ssh2's own window stays.
import type { ClientChannel } from 'ssh2'

/** The bytes a shell channel may have on the way: enough for the round trip through a jump host at full speed. */
export const shellWindowBytes = 512 * 1024

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
  readonly active: boolean

  constructor(private readonly channel: ClientChannel, private readonly window = shellWindowBytes) {
    this.active = hasInternals(channel)
    if (!hasInternals(channel)) return
    this.remote = channel.incoming.window
    channel.incoming.window = never
    this.seen = never
  }

  /** After output came (ssh2 counts every CHANNEL_DATA down from `never`): grants more when half the window is used. */
  update(): void {
    const c = this.channel
    if (!hasInternals(c)) return
    this.remote -= this.seen - c.incoming.window
    this.seen = c.incoming.window
    if (this.paused || c.outgoing.state === 'closed' || this.remote > this.window / 2) return
    const amount = this.window - this.remote
    if (amount <= 0) return
    this.remote += amount
    c._client._protocol.channelWindowAdjust(c.outgoing.id, amount)
  }

  /** What the remote side sent since the takeover (received by ssh2, read or not), and what it may still send. */
  get counts(): { received: number; mayStillSend: number } {
    const c = this.channel
    if (!hasInternals(c)) return { received: 0, mayStillSend: 0 }
    return { received: never - c.incoming.window, mayStillSend: this.remote - (this.seen - c.incoming.window) }
  }

  pause(): void {
    this.paused = true
  }

  resume(): void {
    this.paused = false
    this.update()
  }
}
