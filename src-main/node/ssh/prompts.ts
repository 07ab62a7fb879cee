import { randomUUID } from 'node:crypto'
import type { HostKeyDecision, HostKeyPrompt, SecretPrompt } from '../../contract'
import type { SshHostConfig } from './host-config'

export interface PromptEvents {
  hostKey(prompt: HostKeyPrompt): void
  secret(prompt: SecretPrompt): void
  closed(promptId: string): void
}

interface Open<P, A> {
  prompt: P
  resolve: (answer: A) => void
}

/**
 * The questions a login asks a person (an unknown host key, a password or passphrase): each waits for its
 * answer, a timeout, or being withdrawn (the login given up, the case closed). Answers are handed to the
 * login that asked and kept nowhere.
 */
export class SshPrompts {
  private readonly hostKeys = new Map<string, Open<HostKeyPrompt, HostKeyDecision>>()
  private readonly secrets = new Map<string, Open<SecretPrompt, string | null>>()

  constructor(
    private readonly events: PromptEvents,
    private readonly timeoutMs: number
  ) {}

  pending(): { hostKeys: HostKeyPrompt[]; secrets: SecretPrompt[] } {
    return { hostKeys: [...this.hostKeys.values()].map((p) => p.prompt), secrets: [...this.secrets.values()].map((p) => p.prompt) }
  }

  askHostKey(fields: Omit<HostKeyPrompt, 'promptId'>): Promise<HostKeyDecision> {
    const prompt: HostKeyPrompt = { promptId: randomUUID(), ...fields }
    return this.ask(this.hostKeys, prompt, 'reject', () => this.events.hostKey(prompt))
  }

  askSecret(host: SshHostConfig, kind: SecretPrompt['kind'], text: string, echo = false): Promise<string | null> {
    const prompt: SecretPrompt = { promptId: randomUUID(), hostId: host.id, hostName: host.name, kind, prompt: text, echo }
    return this.ask(this.secrets, prompt, null, () => this.events.secret(prompt))
  }

  answerHostKey(promptId: string, decision: HostKeyDecision): boolean {
    return this.answer(this.hostKeys, promptId, decision)
  }

  answerSecret(promptId: string, secret: string | null): boolean {
    return this.answer(this.secrets, promptId, secret)
  }

  /** Withdraws the questions of one host (its login was given up), or of every host. */
  withdraw(hostId: number | null): void {
    for (const [id, p] of this.hostKeys) if (hostId === null || p.prompt.hostId === hostId) this.answerHostKey(id, 'reject')
    for (const [id, p] of this.secrets) if (hostId === null || p.prompt.hostId === hostId) this.answerSecret(id, null)
  }

  private answer<P, A>(map: Map<string, Open<P, A>>, promptId: string, answer: A): boolean {
    const p = map.get(promptId)
    if (!p) return false
    map.delete(promptId)
    this.events.closed(promptId)
    p.resolve(answer)
    return true
  }

  private ask<P extends { promptId: string }, A>(map: Map<string, Open<P, A>>, prompt: P, onTimeout: A, announce: () => void): Promise<A> {
    return new Promise<A>((resolve) => {
      const timer = setTimeout(() => {
        if (map.delete(prompt.promptId)) {
          this.events.closed(prompt.promptId)
          resolve(onTimeout)
        }
      }, this.timeoutMs)
      map.set(prompt.promptId, {
        prompt,
        resolve: (v: A) => {
          clearTimeout(timer)
          resolve(v)
        }
      })
      announce()
    })
  }
}
