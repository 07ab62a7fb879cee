import type { ExecResult, SshErrorKind, SshHostState } from '../../../src-main/contract'

export const errorKindLabel: Record<SshErrorKind, string> = {
  unreachable: 'Unreachable',
  timeout: 'Timed out',
  auth: 'Authentication failed',
  'host-key-changed': 'HOST KEY CHANGED',
  'host-key-rejected': 'Host key rejected',
  'host-key-revoked': 'Host key revoked',
  dropped: 'Connection dropped',
  'sudo-password': 'sudo needs a password',
  'key-file': 'Key file problem',
  jump: 'Jump host failed',
  cancelled: 'Cancelled',
  other: 'SSH error'
}

export function stateLabel(s: SshHostState | undefined): string {
  if (!s || s.state === 'disconnected') return 'Not connected'
  if (s.state === 'connecting') return 'Connecting…'
  if (s.state === 'connected') return 'Connected'
  return s.error ? errorKindLabel[s.error.kind] : 'Failed'
}

/** One line on what "Test" proved: who we are there and whether sudo -n works. */
export function testSummary(user: string, r: ExecResult | null): { ok: boolean; text: string } {
  if (!r) return { ok: false, text: 'Could not connect.' }
  if (r.error) return { ok: false, text: `${errorKindLabel[r.error.kind]}: ${r.error.message}` }
  if (r.exitCode !== 0) return { ok: false, text: `${r.command} exited with ${r.exitCode}: ${r.stderr.trim().slice(0, 300)}` }
  const who = r.stdout.trim() || user
  return { ok: true, text: who === 'root' ? `Logged in as root (${r.durationMs} ms).` : `Logged in as ${who}; sudo -n works (${r.durationMs} ms).` }
}
