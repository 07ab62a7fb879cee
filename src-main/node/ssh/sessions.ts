import { connect as netConnect, type Socket } from 'node:net'
import type { Duplex } from 'node:stream'
import { Client } from 'ssh2'
import type { SshHostState } from '../../contract'
import type { Logger } from '../log'
import { authPlan } from './auth-plan'
import type { SshHostConfig } from './host-config'
import { judgeHostKey } from './host-key-policy'
import { fingerprint, keyTypeOf, knownHostName, type HostKey } from './known-hosts'
import type { SshPrompts } from './prompts'
import { Semaphore } from './semaphore'
import { describeNetError, SshFailure } from './ssh-errors'

export interface KnownHostsStore {
  entries(): { pattern: string; key: HostKey; marker: '@revoked' | '@cert-authority' | null }[]
  remember(pattern: string, key: HostKey): void
}

/** One logged-in SSH connection to a host. Exec and shell channels are opened on it. */
export interface Session {
  hostId: number
  client: Client
  /** Channels open at once on this connection (sshd's MaxSessions is 10). */
  channels: Semaphore
  /** What every channel running on it does when the connection drops. */
  running: Set<(why: SshFailure) => void>
  closed: boolean
  /** The jump host's session this one is tunnelled through. */
  via: Session | null
}

export interface SshSessionsOptions {
  resolveHost(id: number): SshHostConfig
  knownHosts: KnownHostsStore
  prompts: SshPrompts
  onState(state: SshHostState): void
  log: Logger
  connectTimeoutMs: number
  keepaliveMs: number
  promptTimeoutMs: number
  agentSocket: string | null
  channelsPerHost: number
}

/**
 * The SSH connections of the open case: one per host, reused by every command and terminal, logged in
 * through the host's jump hosts, its host key judged against the known hosts before any credential is sent.
 */
export class SshSessions {
  private readonly sessions = new Map<number, Session>()
  private readonly connecting = new Map<number, Promise<Session>>()
  private readonly states = new Map<number, SshHostState>()
  /** Secrets live here only, for this backend's life: never written anywhere. */
  private readonly passwords = new Map<number, string>()
  private readonly passphrases = new Map<string, string>()
  private readonly acceptedOnce = new Set<string>()
  /** Logins under way, so Disconnect can give them up. */
  private readonly logins = new Map<number, AbortController>()
  /** Bumped by closeAll: a login that finishes after it (case closed meanwhile) is dropped. */
  private generation = 0

  constructor(private readonly o: SshSessionsOptions) {}

  state(hostId: number): SshHostState {
    return this.states.get(hostId) ?? { hostId, state: 'disconnected', error: null, since: new Date(0).toISOString() }
  }

  allStates(): SshHostState[] {
    return [...this.states.values()]
  }

  setState(hostId: number, state: SshHostState['state'], error: SshFailure | null = null): SshHostState {
    const s: SshHostState = { hostId, state, error: error ? error.toSshError() : null, since: new Date().toISOString() }
    this.states.set(hostId, s)
    this.o.onState(s)
    return s
  }

  /** Connects (or reuses the open connection) and reports the new state; never throws. */
  async connect(hostId: number): Promise<SshHostState> {
    try {
      await this.session(hostId)
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
      this.o.prompts.withdraw(hostId)
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
    this.o.prompts.withdraw(null)
    this.passwords.clear()
    this.passphrases.clear()
    this.acceptedOnce.clear()
    this.states.clear()
    this.generation++
  }

  /** The host's open session, the login under way, or a new login (through its jump hosts). */
  session(hostId: number, chain: number[] = []): Promise<Session> {
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
        askSecret: (kind, text, echo) => this.o.prompts.askSecret(host, kind, text, echo),
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
    const decision = await this.o.prompts.askHostKey({ hostId: host.id, hostName: host.name, address: host.address, port: host.port, keyType: key.type, fingerprint: fp })
    if (decision === 'reject') throw new SshFailure('host-key-rejected', `${where}: the host key ${fp} was not accepted. Nothing was run.`)
    if (decision === 'remember') this.o.knownHosts.remember(knownHostName(host.address, host.port), key)
    else this.acceptedOnce.add(id)
  }
}
