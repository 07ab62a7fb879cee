import type { BackendEvent, EventName, EventPayloads, ExecResult, HostKeyDecision, HostKeyPrompt, SecretPrompt, SshHostState } from '../../contract'
import { commandLine } from '../../core/shell/quote'
import type { Logger } from '../log'
import { execOnSession, type ExecOptions } from './exec'
import type { SshHostConfig } from './host-config'
import { SshPrompts } from './prompts'
import { SshSessions, type KnownHostsStore } from './sessions'
import { Semaphore } from './semaphore'
import { ShellChannel, type ShellHandlers, type ShellOptions } from './shell'
import { describeNetError } from './ssh-errors'

export type { KnownHostsStore } from './sessions'
export type { ExecOptions } from './exec'

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

/**
 * The SSH face of the backend: sessions (logins, jump hosts, host keys; `sessions.ts`), the questions they
 * ask a person (`prompts.ts`), commands without a PTY (`exec.ts`) and interactive shells (`shell.ts`).
 */
export class SshManager {
  private readonly prompts: SshPrompts
  private readonly sessions: SshSessions
  private readonly execs = new Map<string, AbortController>()
  private readonly parallel: Semaphore
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
    this.prompts = new SshPrompts(
      {
        hostKey: (p) => this.emit('ssh.hostKeyPrompt', p),
        secret: (p) => this.emit('ssh.secretPrompt', p),
        closed: (promptId) => this.emit('ssh.promptClosed', { promptId })
      },
      this.o.promptTimeoutMs
    )
    this.sessions = new SshSessions({
      resolveHost: (id) => this.o.resolveHost(id),
      knownHosts: this.o.knownHosts,
      prompts: this.prompts,
      onState: (s) => this.emit('ssh.state', s),
      log: this.o.log,
      connectTimeoutMs: this.o.connectTimeoutMs,
      keepaliveMs: this.o.keepaliveMs,
      promptTimeoutMs: this.o.promptTimeoutMs,
      agentSocket: this.o.agentSocket,
      channelsPerHost: this.o.channelsPerHost
    })
  }

  private emit<E extends EventName>(name: E, payload: EventPayloads[E]): void {
    this.o.emit({ name, payload } as BackendEvent)
  }

  // ---- state and prompts ----

  state(hostId: number): SshHostState {
    return this.sessions.state(hostId)
  }

  allStates(): SshHostState[] {
    return this.sessions.allStates()
  }

  pendingPrompts(): { hostKeys: HostKeyPrompt[]; secrets: SecretPrompt[] } {
    return this.prompts.pending()
  }

  answerHostKey(promptId: string, decision: HostKeyDecision): boolean {
    return this.prompts.answerHostKey(promptId, decision)
  }

  answerSecret(promptId: string, secret: string | null): boolean {
    return this.prompts.answerSecret(promptId, secret)
  }

  // ---- connections ----

  connect(hostId: number): Promise<SshHostState> {
    return this.sessions.connect(hostId)
  }

  disconnect(hostId: number): SshHostState {
    return this.sessions.disconnect(hostId)
  }

  closeAll(): void {
    this.sessions.closeAll()
    for (const ac of this.execs.values()) ac.abort()
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
    try {
      const host = this.o.resolveHost(hostId)
      const session = await this.sessions.session(hostId)
      return await execOnSession(session, host, command, opts, { defaultTimeoutMs: this.o.defaultCommandTimeoutMs, maxOutputBytes: this.o.maxOutputBytes }, started)
    } catch (err) {
      const base = { hostId, command, exitCode: null, signal: null, stdout: '', stderr: '', stdoutBytes: 0, stderrBytes: 0, truncated: false }
      return { ...base, startedAt: new Date(started).toISOString(), durationMs: Date.now() - started, error: describeNetError(err, `host ${hostId}`).toSshError() }
    }
  }

  // ---- shells ----

  /** Logs in if needed (through the UI's prompts) and opens a shell with a PTY; throws an SshFailure. */
  async shell(hostId: number, opts: ShellOptions, handlers: ShellHandlers): Promise<ShellChannel> {
    const host = this.o.resolveHost(hostId)
    const session = await this.sessions.session(hostId)
    return ShellChannel.open(session, host, opts, handlers)
  }
}
