import type { SshError, SshErrorKind } from '../../contract'

export class SshFailure extends Error {
  constructor(
    readonly kind: SshErrorKind,
    message: string
  ) {
    super(message)
    this.name = 'SshFailure'
  }

  toSshError(): SshError {
    return { kind: this.kind, message: this.message }
  }
}

/** Turns a socket or ssh2 error into a kind and a sentence that says what to do. */
export function describeNetError(err: unknown, where: string): SshFailure {
  if (err instanceof SshFailure) return err
  const e = err as NodeJS.ErrnoException & { level?: string }
  const code = e?.code ?? ''
  if (code === 'ECONNREFUSED') return new SshFailure('unreachable', `${where}: connection refused. sshd is not listening there: check the address and port, and that sshd runs.`)
  if (code === 'EHOSTUNREACH' || code === 'ENETUNREACH') return new SshFailure('unreachable', `${where}: no route to host. Check the address, and whether a jump host is needed.`)
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return new SshFailure('unreachable', `${where}: the name does not resolve. Check the host name, or use its IP address.`)
  if (code === 'ECONNRESET' || code === 'EPIPE') return new SshFailure('dropped', `${where}: the connection was reset.`)
  if (e?.level === 'client-authentication') return new SshFailure('auth', `${where}: authentication failed. Check the user, the key or the password.`)
  if (e?.level === 'client-timeout') return new SshFailure('timeout', `${where}: timed out during the SSH handshake.`)
  return new SshFailure('other', `${where}: ${e?.message ?? String(err)}`)
}
