import { diag, splitLines, type Diagnostic } from './diagnostics'

export interface LinuxBridge {
  line: number
  name: string
  id: string
  stp: boolean
  interfaces: string[]
}

/** `brctl show`. Never throws. */
export function parseBrctlShow(text: string): { bridges: LinuxBridge[]; diagnostics: Diagnostic[] } {
  const bridges: LinuxBridge[] = []
  const diagnostics: Diagnostic[] = []
  splitLines(text).forEach((raw, i) => {
    const s = raw.trim()
    if (s === '' || s.startsWith('#') || /^bridge name\s+bridge id/.test(s)) return
    const w = s.split(/\s+/)
    if (/^\s/.test(raw) && w.length === 1 && bridges.length > 0) {
      ;(bridges[bridges.length - 1] as LinuxBridge).interfaces.push(w[0] as string)
      return
    }
    if (w.length >= 3 && /^[0-9a-f]{4}\.[0-9a-f]{12}$/i.test(w[1] as string) && (w[2] === 'yes' || w[2] === 'no')) {
      bridges.push({ line: i + 1, name: w[0] as string, id: w[1] as string, stp: w[2] === 'yes', interfaces: w.slice(3) })
      return
    }
    diagnostics.push(diag(i + 1, 'error', 'not a brctl show line', raw))
  })
  return { bridges, diagnostics }
}
