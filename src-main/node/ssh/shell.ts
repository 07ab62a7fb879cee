import type { ClientChannel } from 'ssh2'
import type { SshHostConfig } from './host-config'
import type { Session } from './sessions'
import { describeNetError, SshFailure } from './ssh-errors'
import { ChannelWindow } from './channel-window'

export interface ShellOptions {
  cols: number
  rows: number
  /** The terminal type the remote programs are told (xterm.js speaks xterm-256color). */
  term?: string
}

export interface ShellEnd {
  exitCode: number | null
  signal: string | null
  /** Why the channel ended if not by the shell exiting (the connection dropped, the tab closed). */
  failure: SshFailure | null
}

export interface ShellHandlers {
  /** Raw bytes from the PTY (stdout and stderr are one stream on a PTY). */
  data(chunk: Buffer): void
  end(how: ShellEnd): void
}

/**
 * An interactive shell with a PTY on a logged-in session. Reading can be paused: the channel's window is then not
 * opened again, so sshd and the remote program wait too (this is the terminal's flow control).
 */
export class ShellChannel {
  private ended = false
  private exitCode: number | null = null
  private signal: string | null = null
  private failure: SshFailure | null = null
  private readonly window: ChannelWindow

  private constructor(
    private readonly channel: ClientChannel,
    private readonly session: Session,
    private readonly handlers: ShellHandlers,
    private readonly release: () => void
  ) {
    const onDrop = (why: SshFailure) => {
      this.failure ??= why
      this.finish()
    }
    session.running.add(onDrop)
    this.window = new ChannelWindow(channel)
    channel.on('data', (d: Buffer) => {
      handlers.data(d)
      this.window.update()
    })
    channel.stderr.on('data', (d: Buffer) => {
      handlers.data(d)
      this.window.update()
    })
    channel.on('exit', (code: number | null, sig?: string) => {
      this.exitCode = typeof code === 'number' ? code : null
      this.signal = sig ?? null
    })
    channel.on('close', () => {
      session.running.delete(onDrop)
      this.finish()
    })
  }

  static async open(session: Session, host: SshHostConfig, opts: ShellOptions, handlers: ShellHandlers): Promise<ShellChannel> {
    const release = await session.channels.acquire()
    try {
      const channel = await new Promise<ClientChannel>((resolve, reject) => {
        session.client.shell({ term: opts.term ?? 'xterm-256color', cols: opts.cols, rows: opts.rows, width: 0, height: 0 }, (err, ch) => {
          if (err) reject(describeNetError(err, `${host.name}: opening a shell`))
          else resolve(ch)
        })
      })
      return new ShellChannel(channel, session, handlers, release)
    } catch (err) {
      release()
      throw err
    }
  }

  /** The SSH window of this channel: taken over (channel-window.ts) or ssh2's own, and its counts. */
  get windowState(): { takenOver: boolean; received: number; mayStillSend: number } {
    return { takenOver: this.window.active, ...this.window.counts }
  }

  get isEnded(): boolean {
    return this.ended
  }

  write(data: string | Buffer): void {
    if (!this.ended) this.channel.write(data)
  }

  resize(cols: number, rows: number): void {
    if (!this.ended) this.channel.setWindow(rows, cols, 0, 0)
  }

  /** Stops reading: the remote side stops once the SSH window (channel-window.ts) is used up. */
  pause(): void {
    this.window.pause()
    this.channel.pause()
  }

  resume(): void {
    this.channel.resume()
    this.window.resume()
  }

  /** How much may arrive after a pause (channel-window.ts): the terminal's low mark. */
  holdWindow(bytes: number): void {
    this.window.hold(bytes)
  }

  close(): void {
    if (this.ended) return
    this.channel.close()
    // A channel the server never answers (the connection is hanging) still ends here.
    setTimeout(() => this.finish(), 2000).unref()
  }

  private finish(): void {
    if (this.ended) return
    this.ended = true
    this.release()
    this.handlers.end({ exitCode: this.exitCode, signal: this.signal, failure: this.failure })
  }
}
