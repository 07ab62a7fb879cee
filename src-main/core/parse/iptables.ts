import { diag, splitLines, type Diagnostic } from './diagnostics'

export interface IptablesChain {
  line: number
  name: string
  /** ACCEPT/DROP for built-in chains, null ("-") for user chains. */
  policy: string | null
  packets: number | null
  bytes: number | null
}

export interface IptablesRule {
  line: number
  chain: string
  /** The rule text after "-A CHAIN". */
  spec: string
  target: string | null
  comment: string | null
  packets: number | null
  bytes: number | null
}

export interface IptablesTable {
  line: number
  name: string
  chains: IptablesChain[]
  rules: IptablesRule[]
  committed: boolean
}

/** `iptables-save` (with or without -c counters). Never throws. */
export function parseIptablesSave(text: string): { tables: IptablesTable[]; diagnostics: Diagnostic[] } {
  const tables: IptablesTable[] = []
  const diagnostics: Diagnostic[] = []
  let cur: IptablesTable | null = null
  splitLines(text).forEach((raw, i) => {
    const line = i + 1
    const s = raw.trim()
    if (s === '' || s.startsWith('#')) return
    if (s.startsWith('*')) {
      cur = { line, name: s.slice(1), chains: [], rules: [], committed: false }
      tables.push(cur)
      return
    }
    const c = cur as IptablesTable | null
    if (!c) return void diagnostics.push(diag(line, 'error', 'not iptables-save output (no *table line before this)', raw))
    if (s === 'COMMIT') {
      c.committed = true
      return
    }
    let m = /^:(\S+)\s+(\S+)\s+\[(\d+):(\d+)\]$/.exec(s)
    if (m) {
      c.chains.push({ line, name: m[1] as string, policy: m[2] === '-' ? null : (m[2] as string), packets: Number(m[3]), bytes: Number(m[4]) })
      return
    }
    m = /^(?:\[(\d+):(\d+)\]\s+)?-A\s+(\S+)\s*(.*)$/.exec(s)
    if (m) {
      const spec = m[4] as string
      const target = /(?:^|\s)-[jg]\s+(\S+)/.exec(spec)
      const comment = /--comment\s+("(?:[^"\\]|\\.)*"|\S+)/.exec(spec)
      c.rules.push({
        line,
        chain: m[3] as string,
        spec,
        target: target ? (target[1] as string) : null,
        comment: comment ? (comment[1] as string).replace(/^"|"$/g, '') : null,
        packets: m[1] === undefined ? null : Number(m[1]),
        bytes: m[2] === undefined ? null : Number(m[2])
      })
      return
    }
    diagnostics.push(diag(line, 'error', 'not a chain, rule or COMMIT line', raw))
  })
  for (const t of tables) if (!t.committed) diagnostics.push(diag(t.line, 'warning', `table ${t.name} has no COMMIT (output cut short?)`, `*${t.name}`))
  return { tables, diagnostics }
}
