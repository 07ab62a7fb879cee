import type { ClientChannel } from 'ssh2'
import type { ExecResult } from '../../contract'
import { decodeText } from '../text'
import type { SshHostConfig } from './host-config'
import type { Session } from './sessions'
import { describeNetError, SshFailure } from './ssh-errors'

export interface ExecOptions {
  sudo?: boolean
  timeoutMs?: number
  signal?: AbortSignal
}

export interface ExecLimits {
  defaultTimeoutMs: number
  /** Output kept per command (stdout and stderr together); the rest is counted, not kept. */
  maxOutputBytes: number
}

const pidMarker = 'sdnwb-pid:'
const markerLine = /^sdnwb-pid:(\d+)\n/
const sudoPasswordRe = /sudo: (a )?password is required|sudo: a terminal is required|sudo: no tty present/

/**
 * Runs one command line on a logged-in session, without a PTY, and collects its output; never throws:
 * a failure (timeout, cancel, drop, sudo wanting a password) is in the result's error.
 */
export async function execOnSession(session: Session, host: SshHostConfig, command: string, opts: ExecOptions, limits: ExecLimits, started = Date.now()): Promise<ExecResult> {
  const startedAt = new Date(started).toISOString()
  const hostId = host.id
  // sudo runs argv itself (not `sh -c`), so a sudoers rule limited to the diagnostic commands is enough.
  const wrapped = opts.sudo && host.user !== 'root' ? `sudo -n -- ${command}` : command
  // The shell tells us its pid, then becomes the command (exec): cancel can then kill it by pid,
  // which root sessions need (OpenSSH runs them without privilege separation, and refuses the
  // SSH "signal" request there). The marker line is taken off stderr before anyone sees it.
  const remote = `echo ${pidMarker}$$ >&2; exec ${wrapped}`
  const release = await session.channels.acquire()
  try {
    return await new Promise<ExecResult>((resolve) => {
      const out: Buffer[] = []
      const errs: Buffer[] = []
      let outBytes = 0
      let errBytes = 0
      let truncated = false
      let exitCode: number | null = null
      let signal: string | null = null
      let failure: SshFailure | null = null
      let channel: ClientChannel | null = null
      let done = false
      const timeoutMs = opts.timeoutMs ?? limits.defaultTimeoutMs
      const finish = () => {
        if (done) return
        done = true
        clearTimeout(timer)
        session.running.delete(stop)
        opts.signal?.removeEventListener('abort', onAbort)
        const stdout = decodeText(Buffer.concat(out))
        let stderr = decodeText(Buffer.concat(errs))
        const m = markerLine.exec(stderr)
        if (m) {
          stderr = stderr.slice(m[0].length)
          errBytes -= Buffer.byteLength(m[0])
        }
        if (!failure && opts.sudo && exitCode === 1 && sudoPasswordRe.test(stderr)) {
          failure = new SshFailure('sudo-password', `sudo on ${host.name} wants a password for ${host.user}. Allow NOPASSWD sudo for the diagnostic commands, or connect as root.`)
        }
        if (!failure && exitCode === null && signal === null) failure = new SshFailure('dropped', `${command} on ${host.name} ended without an exit status (the channel closed).`)
        resolve({ hostId, command: wrapped, exitCode, signal, stdout, stderr, stdoutBytes: outBytes, stderrBytes: errBytes, durationMs: Date.now() - started, startedAt, error: failure ? failure.toSshError() : null, truncated })
      }
      const stop = (why: SshFailure) => {
        failure ??= why
        // Without a PTY, closing the channel does not end the remote process: signal it first
        // (OpenSSH 7.9+ delivers "signal" requests), then close.
        try {
          channel?.signal('TERM')
        } catch {
          // The channel is already gone.
        }
        const pid = markerLine.exec(Buffer.concat(errs).toString('latin1'))?.[1]
        if (pid && !session.closed) {
          session.client.exec(`kill -TERM ${pid} 2>/dev/null; sleep 2; kill -KILL ${pid} 2>/dev/null; true`, (err, ch) => {
            if (!err) ch.resume().on('close', () => {}).stderr.resume()
          })
        }
        channel?.close()
        finish()
      }
      const onAbort = () => stop(new SshFailure('cancelled', `${command} on ${host.name} was cancelled.`))
      const timer = setTimeout(() => stop(new SshFailure('timeout', `${command} on ${host.name} did not finish within ${timeoutMs / 1000} s and was stopped.`)), timeoutMs)
      session.running.add(stop)
      if (opts.signal?.aborted) return onAbort()
      opts.signal?.addEventListener('abort', onAbort)
      const keep = (chunks: Buffer[], d: Buffer, count: number): number => {
        if (outBytes + errBytes + d.length > limits.maxOutputBytes) truncated = true
        else chunks.push(d)
        return count + d.length
      }
      // No PTY: a PTY makes ovs-ofctl print port names and CRLF line ends.
      session.client.exec(remote, (err, ch) => {
        if (err) {
          failure = describeNetError(err, `${host.name}: opening a channel`)
          return finish()
        }
        channel = ch
        if (done) return ch.close()
        ch.on('data', (d: Buffer) => (outBytes = keep(out, d, outBytes)))
        ch.stderr.on('data', (d: Buffer) => (errBytes = keep(errs, d, errBytes)))
        ch.on('exit', (code: number | null, sig?: string) => {
          exitCode = typeof code === 'number' ? code : null
          signal = sig ?? null
        })
        ch.on('close', finish)
      })
    })
  } finally {
    release()
  }
}
