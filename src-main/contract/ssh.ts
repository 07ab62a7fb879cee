import { carriedText } from './wire'
import { z } from 'zod'

export const sshErrorKinds = [
  'unreachable',
  'timeout',
  'auth',
  'host-key-changed',
  'host-key-rejected',
  'host-key-revoked',
  'dropped',
  'sudo-password',
  'key-file',
  'jump',
  'cancelled',
  'other'
] as const
export type SshErrorKind = (typeof sshErrorKinds)[number]

export interface SshError {
  kind: SshErrorKind
  /** What failed, where, and what to do; never contains a secret. */
  message: string
}

export type SshConnectionState = 'disconnected' | 'connecting' | 'connected' | 'failed'

export interface SshHostState {
  hostId: number
  state: SshConnectionState
  error: SshError | null
  /** When the state last changed (ISO). */
  since: string
}

export interface HostKeyPrompt {
  promptId: string
  hostId: number
  hostName: string
  address: string
  port: number
  keyType: string
  fingerprint: string
}

export interface SecretPrompt {
  promptId: string
  hostId: number
  hostName: string
  kind: 'password' | 'passphrase' | 'keyboard-interactive'
  /** The question as the server or the key file asks it. */
  prompt: string
  echo: boolean
}

export interface ExecResult {
  hostId: number
  command: string
  exitCode: number | null
  signal: string | null
  stdout: string
  stderr: string
  stdoutBytes: number
  stderrBytes: number
  durationMs: number
  startedAt: string
  /** Set when the command did not complete: the exit code is then null. */
  error: SshError | null
  truncated: boolean
}

export const HostKeyDecision = z.enum(['once', 'remember', 'reject'])
export type HostKeyDecision = z.infer<typeof HostKeyDecision>

export const PromptId = z.string().min(1).max(100)
/** A secret answer: never stored, never logged; null means the user cancelled. */
export const SecretAnswer = z.string().max(4096).nullable()
export const Argv = z.array(z.string().max(65536)).min(1).max(1000)

export interface KnownHostInfo {
  id: number
  /** As stored: "10.0.0.5", "[127.0.0.1]:2222", a wildcard, or a hashed "|1|…" entry. */
  pattern: string
  hashed: boolean
  keyType: string
  fingerprint: string
  marker: '@revoked' | '@cert-authority' | null
  /** "accepted in the workbench" or the imported file's name. */
  source: string
  addedAt: string
}

export interface KnownHostsImportResult {
  added: number
  alreadyKnown: number
  problems: { line: number; message: string }[]
}

export const KnownHostsText = carriedText('This known_hosts file', 'A known_hosts file that large is not one; check that you chose the right file.')
export const SourceName = z.string().trim().min(1).max(300)
