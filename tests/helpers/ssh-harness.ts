import { join } from 'node:path'
import type { BackendEvent, HostInput, HostKeyDecision, HostKeyPrompt, MethodName, MethodOutput, SecretPrompt } from '../../src-main/contract'
import { Backend, type BackendOptions } from '../../src-main/node/backend/backend'
import { silentLogger } from '../../src-main/node/log'

export interface PromptPolicy {
  hostKey(p: HostKeyPrompt): HostKeyDecision | 'ignore'
  secret(p: SecretPrompt): string | null | 'ignore'
}

/**
 * A real Backend driven only through its contract dispatcher, answering host-key and secret prompts
 * through the contract too, the way the UI does.
 */
export class SshHarness {
  readonly backend: Backend
  readonly events: BackendEvent[] = []
  policy: PromptPolicy = { hostKey: () => 'remember', secret: () => null }

  constructor(dir: string, ssh: BackendOptions['ssh'] = {}) {
    this.backend = new Backend({ version: 'test', mode: 'browser', dataDir: join(dir, 'data'), casesDir: join(dir, 'cases'), log: silentLogger, ssh })
    this.backend.onEvent((e) => {
      this.events.push(e)
      if (e.name === 'ssh.hostKeyPrompt') {
        const p = e.payload as HostKeyPrompt
        const d = this.policy.hostKey(p)
        if (d !== 'ignore') setTimeout(() => void this.backend.dispatch('ssh.answerHostKey', { promptId: p.promptId, decision: d }), 5)
      } else if (e.name === 'ssh.secretPrompt') {
        const p = e.payload as SecretPrompt
        const s = this.policy.secret(p)
        if (s !== 'ignore') setTimeout(() => void this.backend.dispatch('ssh.answerSecret', { promptId: p.promptId, secret: s }), 5)
      }
    })
  }

  async call<M extends MethodName>(method: M, input: unknown = {}): Promise<MethodOutput<M>> {
    const r = await this.backend.dispatch(method, input)
    if (!r.ok) throw new Error(`${method}: ${r.error.code}: ${r.error.message}`)
    return r.value as MethodOutput<M>
  }

  async addHost(h: Partial<HostInput> & { name: string; address: string; port: number }): Promise<number> {
    const host = await this.call('hosts.create', {
      host: { user: 'root', role: 'compute', jumpHostId: null, authMethod: 'key', keyPath: null, ...h }
    })
    return host.id
  }

  prompts<T extends 'ssh.hostKeyPrompt' | 'ssh.secretPrompt'>(name: T): (T extends 'ssh.hostKeyPrompt' ? HostKeyPrompt : SecretPrompt)[] {
    return this.events.filter((e) => e.name === name).map((e) => e.payload) as never
  }

  close(): void {
    this.backend.close()
  }
}
