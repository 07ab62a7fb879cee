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

/** A time as the engineer reads it in a list: date and minute, local time. */
export function shortTime(iso: string): string {
  const d = new Date(iso)
  if (Number.isNaN(d.getTime())) return iso
  const p = (n: number) => String(n).padStart(2, '0')
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}`
}

/**
 * Where an imported capture came from, short: the bundle and the file in it ("sosreport-n1.tar.xz › openvswitch/
 * ovs-ofctl_dump-flows_br0", "from-customer › node1-dump-flows.txt"), or the file imported alone.
 */
export function originFile(origin: string | null): string | null {
  if (!origin) return null
  const colon = origin.indexOf(':')
  if (colon <= 0) return origin.split(/[\\/]/).filter(Boolean).pop() ?? origin
  const bundle = origin.slice(0, colon)
  const inner = origin.slice(colon + 1).split(/[\\/]/).filter(Boolean)
  return `${bundle} › ${inner.slice(-2).join('/')}`
}

/** What tells a capture apart wherever it is listed or picked: host · command · time · where it came from. */
export function captureLabel(c: { id: number; hostName: string; command: string; startedAt: string; source: 'live' | 'imported'; origin: string | null }): string {
  const from = c.source === 'imported' ? `imported from ${originFile(c.origin) ?? 'a file'}` : 'live'
  return `${c.hostName} · ${c.command} · ${shortTime(c.startedAt)} · ${from} (#${c.id})`
}

/** Lines as a short range: "line 12", "lines 12–14", "lines 3, 9, 40". */
export function linesLabel(lines: readonly number[]): string {
  if (lines.length === 0) return ''
  if (lines.length === 1) return `line ${lines[0]}`
  const contiguous = lines.every((l, i) => i === 0 || l === (lines[i - 1] as number) + 1)
  return contiguous ? `lines ${lines[0]}–${lines[lines.length - 1]}` : `lines ${lines.slice(0, 5).join(', ')}${lines.length > 5 ? '…' : ''}`
}
