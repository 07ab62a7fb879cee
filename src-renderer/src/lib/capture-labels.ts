import type { CaptureSummary } from '../../../src-main/contract'

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`
  return `${(n / 1024 / 1024).toFixed(1)} MB`
}

/** What a capture's status means, in a sentence. */
export function statusLabel(c: CaptureSummary): string {
  switch (c.status) {
    case 'ok':
      return 'completed (exit 0)'
    case 'failed':
      return `ran and failed: exit code ${c.exitCode ?? '?'}${c.signal ? `, signal ${c.signal}` : ''}`
    case 'cancelled':
      return 'cancelled before it completed'
    default:
      return `did not complete: ${c.error ?? 'unknown error'}`
  }
}

/** A hit line cut into plain and matching pieces, for <mark>. */
export function segments(text: string, matches: readonly { start: number; end: number }[]): { text: string; hit: boolean }[] {
  const out: { text: string; hit: boolean }[] = []
  let at = 0
  for (const m of matches) {
    if (m.start > at) out.push({ text: text.slice(at, m.start), hit: false })
    out.push({ text: text.slice(m.start, m.end), hit: true })
    at = m.end
  }
  if (at < text.length) out.push({ text: text.slice(at), hit: false })
  return out
}
