import { randomUUID } from 'node:crypto'
import { connect as netConnect, type Socket } from 'node:net'
import type { Duplex } from 'node:stream'
import { Client, type ClientChannel } from 'ssh2'
import type { AuthMethod, BackendEvent, EventName, EventPayloads, ExecResult, HostKeyDecision, HostKeyPrompt, SecretPrompt, SshHostState } from '../../contract'
import { commandLine } from '../../core/shell/quote'
import type { Logger } from '../log'
import { authPlan } from './auth-plan'
import type { SshHostConfig } from './host-config'
import { judgeHostKey } from './host-key-policy'
import { fingerprint, keyTypeOf, knownHostName, type HostKey } from './known-hosts'
import { Semaphore } from './semaphore'
import { describeNetError, SshFailure } from './ssh-errors'
import { decodeText } from '../text'

export interface KnownHostsStore {
  entries(): { pattern: string; key: HostKey; marker: '@revoked' | '@cert-authority' | null }[]
  remember(pattern: string, key: HostKey): void
}

export interface SshManagerOptions {
  resolveHost(id: number): SshHostConfig
  knownHosts: KnownHostsStore
  emit(event: BackendEvent): void
  log: Logger
  /** TCP connect + SSH banner, per hop. */
  connectTimeoutMs?: number
  keepaliveMs?: number
  /** How long a host-key or secret prompt waits for the user. */
  promptTimeoutMs?: number
  agentSocket?: string | null
  channelsPerHost?: number
  maxParallelCommands?: number
  defaultCommandTimeoutMs?: number
  maxOutputBytes?: number
}

export interface ExecOptions {
  sudo?: boolean
  timeoutMs?: number
  signal?: AbortSignal
}

interface Session {
  hostId: number
  client: Client
  channels: Semaphore
  running: Set<(why: SshFailure) => void>
  closed: boolean
  /** The jump host's session this one is tunnelled through. */
  via: Session | null
}

const pidMarker = 'sdnwb-pid:'
const markerLine = /^sdnwb-pid:(\d+)\n/
const sudoPasswordRe = /sudo: (a )?password is required|sudo: a terminal is required|sudo: no tty present/

export class SshManager {
  private readonly sessions = new Map<number, Session>()
  private readonly connecting = new Map<number, Promise<Session>>()
  private readonly states = new Map<number, SshHostState>()
  private readonly hostKeyPrompts = new Map<string, { prompt: HostKeyPrompt; resolve: (d: HostKeyDecision) => void }>()
  private readonly secretPrompts = new Map<string, { prompt: SecretPrompt; resolve: (s: string | null) => void }>()
  /** Secrets live here only, for this backend's life: never written anywhere. */
  private readonly passwords = new Map<number, string>()
  private readonly passphrases = new Map<string, string>()
  private readonly acceptedOnce = new Set<string>()
  private readonly execs = new Map<string, AbortController>()
  private readonly parallel: Semaphore
  /** Logins under way, so Disconnect can give them up. */
  private readonly logins = new Map<number, AbortController>()
  /** Bumped by closeAll: a login that finishes after it (case closed meanwhile) is dropped. */
  private generation = 0
  private readonly o: Required<Omit<SshManagerOptions, 'agentSocket'>> & { agentSocket: string | null }

  constructor(opts: SshManagerOptions) {
    this.o = {
      connectTimeoutMs: 10_000,
      keepaliveMs: 15_000,
      promptTimeoutMs: 5 * 60_000,
      channelsPerHost: 8,
      // Commands in flight over all hosts: a capture of 20 nodes (3 at a time each) runs at once; the
      // cap bounds memory, as outputs are held until saved (a big cluster's dump-flows is ~20 MB).
      maxParallelCommands: 48,
      defaultCommandTimeoutMs: 120_000,
      maxOutputBytes: 512 * 1024 * 1024,
      ...opts,
      agentSocket: opts.agentSocket === undefined ? (process.env.SSH_AUTH_SOCK ?? null) : opts.agentSocket
    }
    this.parallel = new Semaphore(this.o.maxParallelCommands)
  }

  // ---- state and prompts ----

  private emit<E extends EventName>(name: E, payload: EventPayloads[E]): void {
    this.o.emit({ name, payload } as BackendEvent)
  }

  state(hostId: number): SshHostState {
    return this.states.get(hostId) ?? { hostId, state: 'disconnected', error: null, since: new Date(0).toISOString() }
  }

  allStates(): SshHostState[] {
    return [...this.states.values()]
  }

  private setState(hostId: number, state: SshHostState['state'], error: SshFailure | null = null): SshHostState {
    const s: SshHostState = { hostId, state, error: error ? error.toSshError() : null, since: new Date().toISOString() }
    this.states.set(hostId, s)
    this.emit('ssh.state', s)
    return s
  }

  pendingPrompts(): { hostKeys: HostKeyPrompt[]; secrets: SecretPrompt[] } {
    return { hostKeys: [...this.hostKeyPrompts.values()].map((p) => p.prompt), secrets: [...this.secretPrompts.values()].map((p) => p.prompt) }
  }

  answerHostKey(promptId: string, decision: HostKeyDecision): boolean {
    const p = this.hostKeyPrompts.get(promptId)
    if (!p) return false
    this.hostKeyPrompts.delete(promptId)
    this.emit('ssh.promptClosed', { promptId })
    p.resolve(decision)
    return true
  }

  answerSecret(promptId: string, secret: string | null): boolean {
    const p = this.secretPrompts.get(promptId)
    if (!p) return false
    this.secretPrompts.delete(promptId)
    this.emit('ssh.promptClosed', { promptId })
    p.resolve(secret)
    return true
  }

  private ask<T>(map: Map<string, { prompt: { promptId: string }; resolve: (v: T) => void }>, prompt: { promptId: string }, onTimeout: T, event: () => void): Promise<T> {
    return new Promise<T>((resolve) => {
      const timer = setTimeout(() => {
        if (map.delete(prompt.promptId)) {
          this.emit('ssh.promptClosed', { promptId: prompt.promptId })
          resolve(onTimeout)
        }
      }, this.o.promptTimeoutMs)
      map.set(prompt.promptId, {
        prompt,
        resolve: (v: T) => {
          clearTimeout(timer)
          resolve(v)
        }
      })
      event()
    })
  }

  private askSecret(host: SshHostConfig, kind: SecretPrompt['kind'], text: string, echo = false): Promise<string | null> {
    const prompt: SecretPrompt = { promptId: randomUUID(), hostId: host.id, hostName: host.name, kind, prompt: text, echo }
    return this.ask(this.secretPrompts as never, prompt, null, () => this.emit('ssh.secretPrompt', prompt))
  }

  // ---- connections ----

  /** Connects (or reuses the open connection) and reports the new state; never throws. */
  async connect(hostId: number): Promise<SshHostState> {
    try {
      await this.session(hostId, [])
      return this.state(hostId)
    } catch (err) {
      const now = this.state(hostId).state
      return now === 'failed' || now === 'disconnected' ? this.state(hostId) : this.setState(hostId, 'failed', describeNetError(err, `host ${hostId}`))
    }
  }

  /** Ends the host's session, or gives up its login if one is under way (and withdraws its questions). */
  disconnect(hostId: number): SshHostState {
    const login = this.logins.get(hostId)
    if (login) {
      this.logins.delete(hostId)
      login.abort()
      for (const [id, p] of this.hostKeyPrompts) if (p.prompt.hostId === hostId) this.answerHostKey(id, 'reject')
      for (const [id, p] of this.secretPrompts) if (p.prompt.hostId === hostId) this.answerSecret(id, null)
    }
    const s = this.sessions.get(hostId)
    if (s) {
      s.closed = true
      s.client.end()
      this.sessions.delete(hostId)
    }
    for (const k of [...this.acceptedOnce]) if (k.startsWith(`${hostId}|`)) this.acceptedOnce.delete(k)
    return this.setState(hostId, 'disconnected')
  }

  closeAll(): void {
    for (const id of new Set([...this.sessions.keys(), ...this.logins.keys()])) this.disconnect(id)
    for (const id of [...this.hostKeyPrompts.keys()]) this.answerHostKey(id, 'reject')
    for (const id of [...this.secretPrompts.keys()]) this.answerSecret(id, null)
    for (const ac of this.execs.values()) ac.abort()
    this.passwords.clear()
    this.passphrases.clear()
    this.acceptedOnce.clear()
    this.states.clear()
    this.generation++
  }

  private session(hostId: number, chain: number[]): Promise<Session> {
    const open = this.sessions.get(hostId)
    if (open && !open.closed) return Promise.resolve(open)
    const pending = this.connecting.get(hostId)
    if (pending) return pending
    const p = this.open(hostId, chain).finally(() => this.connecting.delete(hostId))
    this.connecting.set(hostId, p)
    return p
  }

  private async open(hostId: number, chain: number[]): Promise<Session> {
    const host = this.o.resolveHost(hostId)
    const where = `${host.user}@${host.name} (${host.address}:${host.port})`
    if (chain.includes(hostId)) throw new SshFailure('jump', `${where}: the jump hosts form a loop.`)
    const generation = this.generation
    const login = new AbortController()
    this.logins.set(hostId, login)
    const cancelled = () => new SshFailure('cancelled', `${where}: the login was given up.`)
    const abortable = <T>(p: Promise<T>, onAbort?: (v: T) => void): Promise<T> =>
      new Promise<T>((resolve, reject) => {
        if (login.signal.aborted) return reject(cancelled())
        const stop = () => reject(cancelled())
        login.signal.addEventListener('abort', stop, { once: true })
        p.then(
          (v) => {
            login.signal.removeEventListener('abort', stop)
            if (login.signal.aborted) {
              onAbort?.(v)
              reject(cancelled())
            } else resolve(v)
          },
          (e: unknown) => {
            login.signal.removeEventListener('abort', stop)
            reject(login.signal.aborted ? cancelled() : e)
          }
        )
      })
    this.setState(hostId, 'connecting')
    try {
      let sock: Duplex
      let via: Session | null = null
      if (host.jumpHostId !== null) {
        const jump = this.o.resolveHost(host.jumpHostId)
        let js: Session
        try {
          js = await abortable(this.session(jump.id, [...chain, hostId]))
        } catch (err) {
          const f = describeNetError(err, `jump host ${jump.name}`)
          throw new SshFailure(f.kind === 'host-key-changed' || f.kind === 'auth' ? f.kind : 'jump', `${where} is reached through ${jump.name}, which failed: ${f.message}`)
        }
        sock = await abortable(this.forward(js, host, where), (d) => d.destroy())
        via = js
      } else {
        sock = await abortable(this.tcp(host, where), (d) => d.destroy())
      }
      const connected = sock
      login.signal.addEventListener('abort', () => connected.destroy(), { once: true })
      const session = await abortable(this.handshake(host, sock, where, via), (x) => {
        x.closed = true
        x.client.end()
      })
      if (generation !== this.generation) {
        session.closed = true
        session.client.end()
        throw new SshFailure('cancelled', `${where}: the login finished after its case was closed; the connection was dropped.`)
      }
      this.sessions.set(hostId, session)
      this.setState(hostId, 'connected')
      return session
    } catch (err) {
      const f = describeNetError(err, where)
      // A login given up by Disconnect ends as "disconnected", which disconnect() already reported.
      if (!login.signal.aborted) this.setState(hostId, 'failed', f)
      throw f
    } finally {
      if (this.logins.get(hostId) === login) this.logins.delete(hostId)
    }
  }

  private tcp(host: SshHostConfig, where: string): Promise<Socket> {
    return new Promise((resolve, reject) => {
      const s = netConnect({ host: host.address, port: host.port })
      const timer = setTimeout(() => {
        s.destroy()
        reject(new SshFailure('timeout', `${where}: no TCP connection within ${this.o.connectTimeoutMs / 1000} s. The host is down, filtered, or needs a jump host.`))
      }, this.o.connectTimeoutMs)
      s.once('connect', () => {
        clearTimeout(timer)
        resolve(s)
      })
      s.once('error', (err) => {
        clearTimeout(timer)
        reject(describeNetError(err, where))
      })
    })
  }

  private forward(js: Session, host: SshHostConfig, where: string): Promise<Duplex> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new SshFailure('timeout', `${where}: the jump host did not open a connection within ${this.o.connectTimeoutMs / 1000} s.`)), this.o.connectTimeoutMs)
      js.client.forwardOut('127.0.0.1', 0, host.address, host.port, (err, stream) => {
        clearTimeout(timer)
        if (err) reject(new SshFailure('unreachable', `${where}: the jump host could not connect to ${host.address}:${host.port} (${err.message}).`))
        else resolve(stream)
      })
    })
  }

  private handshake(host: SshHostConfig, sock: Duplex, where: string, via: Session | null): Promise<Session> {
    return new Promise((resolve, reject) => {
      const client = new Client()
      let settled = false
      let hostKeyFailure: SshFailure | null = null
      let authFailure: SshFailure | null = null
      const session: Session = { hostId: host.id, client, channels: new Semaphore(this.o.channelsPerHost), running: new Set(), closed: false, via }
      const fail = (f: SshFailure) => {
        if (settled) return
        settled = true
        // A login that failed never was a session: its socket closing later is not a "drop".
        session.closed = true
        clearTimeout(bannerTimer)
        client.end()
        sock.destroy()
        reject(f)
      }
      // Until the server shows its host key, the connect timeout applies; after that, a person may be reading a prompt.
      const bannerTimer = setTimeout(() => fail(new SshFailure('timeout', `${where}: no SSH greeting within ${this.o.connectTimeoutMs / 1000} s (is that port an SSH server?).`)), this.o.connectTimeoutMs)
      client.on('ready', () => {
        settled = true
        resolve(session)
      })
      client.on('error', (err: Error & { level?: string }) => {
        if (!settled) fail(hostKeyFailure ?? authFailure ?? describeNetError(err, where))
        else this.o.log.warn(`ssh ${host.name}: ${err.message}`)
      })
      // A connection through a jump host ends with an 'end' (its channel closed) and may never
      // emit 'close': both mean the connection is gone.
      const gone = () => {
        if (!settled) return fail(hostKeyFailure ?? authFailure ?? new SshFailure('dropped', `${where}: the server closed the connection during login.`))
        if (session.closed) return
        session.closed = true
        client.end()
        if (this.sessions.get(host.id) === session) this.sessions.delete(host.id)
        const why = new SshFailure('dropped', `The connection to ${where} dropped. Check the host and its sshd; reconnect to go on.`)
        for (const stop of session.running) stop(why)
        this.setState(host.id, 'failed', why)
        // Hosts reached through this one lost their path too.
        for (const other of [...this.sessions.values()]) if (other.via === session) other.client.end()
      }
      client.on('close', gone)
      client.on('end', gone)
      sock.once('close', () => setImmediate(gone))
      const authHandler = authPlan({
        host,
        where,
        onFail: (f) => (authFailure = f),
        askSecret: (kind, text, echo) => this.askSecret(host, kind, text, echo),
        passwords: this.passwords,
        passphrases: this.passphrases,
        agentSocket: this.o.agentSocket
      })
      client.connect({
        sock,
        username: host.user,
        readyTimeout: this.o.promptTimeoutMs + this.o.connectTimeoutMs,
        keepaliveInterval: this.o.keepaliveMs,
        keepaliveCountMax: 3,
        authHandler,
        hostVerifier: (key: Buffer, verify: (ok: boolean) => void) => {
          clearTimeout(bannerTimer)
          void this.verifyHostKey(host, key, where).then(
            () => verify(true),
            (f: SshFailure) => {
              hostKeyFailure = f
              verify(false)
            }
          )
        }
      })
    })
  }

  private async verifyHostKey(host: SshHostConfig, blob: Buffer, where: string): Promise<void> {
    const key: HostKey = { type: keyTypeOf(blob), base64: blob.toString('base64') }
    const fp = fingerprint(blob)
    const id = `${host.id}|${host.address}:${host.port}:${key.base64}`
    const verdict = judgeHostKey(this.o.knownHosts.entries(), host.address, host.port, key)
    if (verdict.kind === 'known' || this.acceptedOnce.has(id)) return
    if (verdict.kind === 'changed') {
      throw new SshFailure(
        'host-key-changed',
        `HOST KEY CHANGED for ${host.name} (${host.address}:${host.port}): it now presents a ${key.type} key ${fp}, not the one in the known hosts. ` +
          'This can be a man-in-the-middle attack, or the host was reinstalled. Nothing was run. Verify the new fingerprint with the host owner, then remove the old key from the known hosts.'
      )
    }
    if (verdict.kind === 'revoked') throw new SshFailure('host-key-revoked', `${where}: the host key ${fp} is marked revoked in the known hosts. Nothing was run.`)
    const prompt: HostKeyPrompt = { promptId: randomUUID(), hostId: host.id, hostName: host.name, address: host.address, port: host.port, keyType: key.type, fingerprint: fp }
    const decision = await this.ask<HostKeyDecision>(this.hostKeyPrompts as never, prompt, 'reject', () => this.emit('ssh.hostKeyPrompt', prompt))
    if (decision === 'reject') throw new SshFailure('host-key-rejected', `${where}: the host key ${fp} was not accepted. Nothing was run.`)
    if (decision === 'remember') this.o.knownHosts.remember(knownHostName(host.address, host.port), key)
    else this.acceptedOnce.add(id)
  }

  /**
   * Connects and proves a command runs: `id -un`, and where the login user is not root, whether
   * `sudo -n` works without a password (the diagnostics need root for ovs-ofctl and iptables-save).
   */
  async test(hostId: number): Promise<{ state: SshHostState; result: ExecResult | null }> {
    const state = await this.connect(hostId)
    if (state.state !== 'connected') return { state, result: null }
    const who = await this.exec(hostId, ['id', '-un'], { timeoutMs: 20_000 })
    if (who.error || who.exitCode !== 0 || who.stdout.trim() === 'root') return { state: this.state(hostId), result: who }
    const sudo = await this.exec(hostId, ['true'], { sudo: true, timeoutMs: 20_000 })
    return { state: this.state(hostId), result: sudo.error || sudo.exitCode !== 0 ? sudo : who }
  }

  // ---- commands ----

  /** Runs argv (quoted for the shell) on a host; never throws: failures are in result.error. */
  exec(hostId: number, argv: readonly string[], opts: ExecOptions = {}): Promise<ExecResult> {
    return this.parallel.run(() => this.execNow(hostId, commandLine(argv), opts))
  }

  /** Cancellable by id (the contract's ssh.cancelExec). */
  execWithId(execId: string, hostId: number, argv: readonly string[], opts: Omit<ExecOptions, 'signal'> = {}): Promise<ExecResult> {
    const ac = new AbortController()
    this.execs.set(execId, ac)
    return this.exec(hostId, argv, { ...opts, signal: ac.signal }).finally(() => this.execs.delete(execId))
  }

  cancel(execId: string): boolean {
    const ac = this.execs.get(execId)
    ac?.abort()
    return ac !== undefined
  }

  private async execNow(hostId: number, command: string, opts: ExecOptions): Promise<ExecResult> {
    const started = Date.now()
    const startedAt = new Date(started).toISOString()
    const base = { hostId, command, exitCode: null, signal: null, stdout: '', stderr: '', stdoutBytes: 0, stderrBytes: 0, truncated: false }
    let host: SshHostConfig
    let session: Session
    try {
      host = this.o.resolveHost(hostId)
      session = await this.session(hostId, [])
    } catch (err) {
      return { ...base, startedAt, durationMs: Date.now() - started, error: describeNetError(err, `host ${hostId}`).toSshError() }
    }
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
        const timeoutMs = opts.timeoutMs ?? this.o.defaultCommandTimeoutMs
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
          if (outBytes + errBytes + d.length > this.o.maxOutputBytes) truncated = true
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
}
