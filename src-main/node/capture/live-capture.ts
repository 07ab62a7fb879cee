import type { CaptureStatus, ExecResult } from '../../contract'
import { parseCapture } from '../../core/capture/parsed-view'
import type { ParsedOutput } from '../../core/parse/registry'
import { parseOf, type NewCapture } from '../store/capture-store'

export function statusOf(r: ExecResult): CaptureStatus {
  if (r.error) return r.error.kind === 'cancelled' ? 'cancelled' : 'error'
  return r.exitCode === 0 ? 'ok' : 'failed'
}

/** A command's result over SSH as a capture row (output, exit, error, parse summary), and the full parse. */
export function liveCapture(r: ExecResult, who: Pick<NewCapture, 'runId' | 'hostId' | 'hostName' | 'viaHostName' | 'commandId' | 'title'>, parser: string | null = null): { row: NewCapture; parsed: ParsedOutput | null } {
  const parsed = r.stdout.length > 0 ? parseCapture(r.command, r.stdout, parser) : null
  const row: NewCapture = {
    ...who,
    command: r.command,
    source: 'live',
    origin: null,
    startedAt: r.startedAt,
    durationMs: r.durationMs,
    status: statusOf(r),
    exitCode: r.exitCode,
    signal: r.signal,
    errorKind: r.error?.kind ?? null,
    error: r.error?.message ?? null,
    stdout: r.stdout,
    stderr: r.stderr,
    truncated: r.truncated,
    parse: parseOf(parsed)
  }
  return { row, parsed }
}
