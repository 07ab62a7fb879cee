import { diag, splitLines, type Diagnostic } from './diagnostics'

/** `sysctl KEY…` / `sysctl -a`: "key = value" lines. Never throws. */
export function parseSysctl(text: string): { values: Record<string, string>; diagnostics: Diagnostic[] } {
  const values: Record<string, string> = {}
  const diagnostics: Diagnostic[] = []
  splitLines(text).forEach((raw, i) => {
    const s = raw.trim()
    if (s === '' || s.startsWith('#')) return
    const m = /^([\w.\-/]+)\s*=\s*(.*)$/.exec(s)
    if (m) values[m[1] as string] = m[2] as string
    else diagnostics.push(diag(i + 1, /^sysctl: /.test(s) ? 'warning' : 'error', /^sysctl: /.test(s) ? 'sysctl reported an error' : 'not a "key = value" line', raw))
  })
  return { values, diagnostics }
}
