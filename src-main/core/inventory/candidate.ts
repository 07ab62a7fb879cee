// A host read from an import source (OpenSSH client config, openshift-ansible inventory), before it
// is checked against the contract and the case, and how jump hops turn into jump hosts.
import type { AuthMethod, HostRole } from '../hosts/vocabulary'

export interface JumpHop {
  user: string | null
  host: string
  port: number | null
}

export interface HostCandidate {
  name: string
  address: string
  port: number
  user: string
  role: HostRole
  authMethod: AuthMethod
  keyPath: string | null
  /** ProxyJump hops, first hop first. */
  jump: JumpHop[]
  line: number
}

/** A host as it will be created: its jump host named, not numbered (ids exist only after creation). */
export interface PlannedHost extends Omit<HostCandidate, 'jump'> {
  jumpName: string | null
  /** Created only to carry a ProxyJump hop that names no known host. */
  synthetic: boolean
}

/** "user@bastion:2222,alias" -> hops. "none" means no jump. IPv6 in brackets: "[::1]:22". */
export function splitProxyJump(value: string): JumpHop[] {
  if (value.trim().toLowerCase() === 'none') return []
  return value
    .split(',')
    .map((s) => s.trim().replace(/^ssh:\/\//, ''))
    .filter((s) => s !== '')
    .map((s) => {
      const at = s.lastIndexOf('@')
      const user = at > 0 ? s.slice(0, at) : null
      const rest = at > 0 ? s.slice(at + 1) : s
      const v6 = /^\[([^\]]+)\](?::(\d+))?$/.exec(rest)
      if (v6) return { user, host: v6[1]!, port: v6[2] ? Number(v6[2]) : null }
      const m = /^([^:]+)(?::(\d+))?$/.exec(rest)
      return { user, host: m?.[1] ?? rest, port: m?.[2] ? Number(m[2]) : null }
    })
}

const safeName = (s: string) => s.replace(/[^A-Za-z0-9._-]/g, '-').replace(/^[^A-Za-z0-9]+/, '') || 'jump'

/**
 * Turns candidates into hosts to create, jump hops into jump host names: a hop naming a candidate or
 * an existing host (by name, or by address and port) uses it; any other hop becomes a new host.
 * Sorted so every jump host comes before the hosts that use it.
 */
export function planHosts(candidates: readonly HostCandidate[], existing: readonly { name: string; address: string; port: number }[]): PlannedHost[] {
  const planned = new Map<string, PlannedHost>()
  const known = [...existing.map((e) => ({ name: e.name, address: e.address, port: e.port })), ...candidates.map((c) => ({ name: c.name, address: c.address, port: c.port }))]
  const byName = (n: string) => known.find((k) => k.name.toLowerCase() === n.toLowerCase())
  for (const c of candidates) {
    let previous: string | null = null
    for (const hop of c.jump) {
      const port = hop.port ?? 22
      const hit = (hop.user === null && hop.port === null ? byName(hop.host) : undefined) ?? known.find((k) => k.address === hop.host && k.port === port)
      let name = hit?.name ?? null
      if (!name) {
        name = safeName(hop.port && hop.port !== 22 ? `${hop.host}-${hop.port}` : hop.host)
        if (!planned.has(name)) {
          planned.set(name, { name, address: hop.host, port, user: hop.user ?? c.user, role: 'infra', authMethod: c.authMethod === 'password' ? 'agent' : c.authMethod, keyPath: c.keyPath, line: c.line, jumpName: previous, synthetic: true })
          known.push({ name, address: hop.host, port })
        }
      }
      previous = name
    }
    if (!planned.has(c.name) || planned.get(c.name)?.synthetic) planned.set(c.name, { ...c, jumpName: previous, synthetic: false })
  }
  // Jump hosts first (depth order); a loop is left for the case's own check to refuse.
  const depth = (p: PlannedHost, seen = new Set<string>()): number => {
    if (!p.jumpName || seen.has(p.name)) return 0
    seen.add(p.name)
    const j = planned.get(p.jumpName)
    return j ? 1 + depth(j, seen) : 0
  }
  return [...planned.values()].sort((a, b) => depth(a) - depth(b))
}
