import { readFileSync } from 'node:fs'
import { homedir } from 'node:os'
import ssh2, { type AuthenticationType } from 'ssh2'
import type { SecretPrompt } from '../../contract'
import type { SshHostConfig } from './host-config'
import { SshFailure } from './ssh-errors'

export interface AuthPlanInput {
  host: SshHostConfig
  /** "user@name (address:port)", for messages. */
  where: string
  /** Records why the login failed if the server refuses the attempt just made. */
  onFail(f: SshFailure): void
  /** Asks the user through the UI; null when cancelled or unanswered. */
  askSecret(kind: SecretPrompt['kind'], text: string, echo: boolean): Promise<string | null>
  /** In-memory caches owned by the manager (host id -> password, key path -> passphrase). */
  passwords: Map<number, string>
  passphrases: Map<string, string>
  agentSocket: string | null
}

type Attempt = () => Promise<Record<string, unknown> | false>
type AuthHandler = (methodsLeft: AuthenticationType[] | null, partial: boolean | null, callback: (m: never) => void) => void

// ssh2 is CommonJS: under Node's ESM loader only some names are importable, so take utils off the default export.
const passphraseProblem = /passphrase|decrypt|integrity/i

export function expandHome(path: string): string {
  return path.replace(/^~(?=\/|$)/, homedir())
}

function keyAttempt(i: AuthPlanInput): Attempt {
  const { host, where, onFail } = i
  return async () => {
    const path = expandHome(host.keyPath ?? '')
    let data: Buffer
    try {
      data = readFileSync(path)
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code ?? (err as Error).message
      onFail(new SshFailure('key-file', `${where}: cannot read the private key ${path} (${code}). Check the key path of this host.`))
      return false
    }
    let passphrase = i.passphrases.get(path)
    let parsed = ssh2.utils.parseKey(data, passphrase)
    for (let tries = 0; parsed instanceof Error && passphraseProblem.test(parsed.message) && tries < 3; tries++) {
      const answer = await i.askSecret('passphrase', tries === 0 ? `Passphrase for ${path}` : `Wrong passphrase. Passphrase for ${path}`, false)
      if (answer === null) {
        onFail(new SshFailure('auth', `${where}: no passphrase was given for ${path}.`))
        return false
      }
      passphrase = answer
      parsed = ssh2.utils.parseKey(data, passphrase)
    }
    if (parsed instanceof Error) {
      const why = passphraseProblem.test(parsed.message) ? 'wrong passphrase, three times' : parsed.message
      onFail(new SshFailure(passphraseProblem.test(parsed.message) ? 'auth' : 'key-file', `${where}: ${path} could not be used (${why}).`))
      return false
    }
    if (passphrase !== undefined) i.passphrases.set(path, passphrase)
    onFail(new SshFailure('auth', `${where}: the server refused the key ${path} for user ${host.user}. Check that its public key is in ~${host.user}/.ssh/authorized_keys there.`))
    return { type: 'publickey', username: host.user, key: Array.isArray(parsed) ? parsed[0] : parsed }
  }
}

function agentAttempt(i: AuthPlanInput): Attempt {
  return async () => {
    if (!i.agentSocket) {
      i.onFail(new SshFailure('auth', `${i.where}: no ssh-agent is available to the workbench (SSH_AUTH_SOCK is not set). Start one and add your key, or use a key file.`))
      return false
    }
    i.onFail(new SshFailure('auth', `${i.where}: the server accepted none of the ssh-agent's keys for user ${i.host.user}. Add the right key with ssh-add.`))
    return { type: 'agent', username: i.host.user, agent: i.agentSocket }
  }
}

function passwordAttempt(i: AuthPlanInput, n: number): Attempt {
  const { host, where } = i
  const label = `${host.user}@${host.name}`
  return async () => {
    let password = n === 0 ? i.passwords.get(host.id) : undefined
    if (password === undefined) {
      const answer = await i.askSecret('password', n === 0 ? `Password for ${label}` : `Permission denied, try again. Password for ${label}`, false)
      if (answer === null) {
        i.onFail(new SshFailure('auth', `${where}: no password was given.`))
        return false
      }
      password = answer
    }
    i.passwords.set(host.id, password)
    i.onFail(new SshFailure('auth', `${where}: wrong password for ${host.user}.`))
    return { type: 'password', username: host.user, password }
  }
}

function keyboardAttempt(i: AuthPlanInput): Attempt {
  const { host, where } = i
  return async () => {
    i.onFail(new SshFailure('auth', `${where}: the server did not accept the answers for ${host.user}.`))
    return {
      type: 'keyboard-interactive',
      username: host.user,
      prompt: (_name: string, _instructions: string, _lang: string, prompts: { prompt: string; echo?: boolean }[], finish: (answers: string[]) => void) => {
        void (async () => {
          const answers: string[] = []
          for (const p of prompts) answers.push((await i.askSecret('keyboard-interactive', `${host.user}@${host.name}: ${p.prompt.trim()}`, p.echo === true)) ?? '')
          finish(answers)
        })()
      }
    }
  }
}

/**
 * The ssh2 authHandler for a host: the attempts its auth method allows, in order, asking for a
 * passphrase or password only when needed. Secrets go to the caches passed in, never elsewhere.
 */
export function authPlan(i: AuthPlanInput): AuthHandler {
  const { host, where } = i
  if (host.authMethod !== 'password') {
    const attempts = [host.authMethod === 'key' ? keyAttempt(i) : agentAttempt(i)]
    let next = 0
    return (_methodsLeft, _partial, callback) => {
      const attempt = attempts[next++]
      if (!attempt) return callback(false as never)
      void attempt().then(
        (m) => callback(m as never),
        () => callback(false as never)
      )
    }
  }
  // Password: ask the server first ("none") which methods it takes, so a server that only does
  // keyboard-interactive (PAM) is not sent three doomed password tries.
  let passwordTries = 0
  let keyboardTries = 0
  let first = true
  return (methodsLeft, _partial, callback) => {
    if (first) {
      first = false
      return callback({ type: 'none', username: host.user } as never)
    }
    const left = methodsLeft ?? []
    let attempt: Attempt | null = null
    if (left.includes('password') && passwordTries < 3) attempt = passwordAttempt(i, passwordTries++)
    else if (left.includes('keyboard-interactive') && keyboardTries < 3) {
      keyboardTries++
      attempt = keyboardAttempt(i)
    } else if (passwordTries + keyboardTries === 0) {
      i.onFail(new SshFailure('auth', `${where}: the server takes neither password nor keyboard-interactive login (it offers: ${left.join(', ') || 'nothing'}). Use a key or the agent for this host.`))
    }
    if (!attempt) return callback(false as never)
    void attempt().then(
      (m) => callback(m as never),
      () => callback(false as never)
    )
  }
}
