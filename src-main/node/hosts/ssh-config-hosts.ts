// OpenSSH client config -> host candidates, read with the maintained `ssh-config` package (Host
// blocks, `Host *` defaults, first-value-wins, multi-valued IdentityFile). `Match exec` is never
// run: the file may come from anyone.
import SSHConfig, { LineType } from 'ssh-config'
import type { Diagnostic } from '../../core/parse/diagnostics'
import { splitProxyJump, type HostCandidate } from '../../core/inventory/candidate'
import type { HostRole } from '../../contract'

const isPattern = (s: string) => /[*?!]/.test(s)

function first(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v
}

/** Roles are not in an SSH config; names usually say them (master1, infra-0, app-node-3). */
export function roleFromName(name: string): HostRole {
  return /master|control|ctrl/i.test(name) ? 'master' : /infra|router|registry/i.test(name) ? 'infra' : 'compute'
}

export function parseSshConfigHosts(text: string): { hosts: HostCandidate[]; diagnostics: Diagnostic[] } {
  const diagnostics: Diagnostic[] = []
  let config: SSHConfig
  try {
    config = SSHConfig.parse(text)
  } catch (err) {
    return { hosts: [], diagnostics: [{ line: 0, severity: 'error', message: `not an OpenSSH client config: ${(err as Error).message}`, text: '' }] }
  }
  const lines = text.replace(/\r\n?/g, '\n').split('\n')
  const lineOf = (alias: string) => 1 + lines.findIndex((l) => /^\s*host\s/i.test(l) && l.trim().split(/[\s=]+/).slice(1).includes(alias))
  const aliases: string[] = []
  const includes = (c: SSHConfig): void => {
    for (const l of c) {
      if (l.type !== LineType.DIRECTIVE) continue
      if (l.param.toLowerCase() === 'include') {
        const v = typeof l.value === 'string' ? l.value : l.value.map((x) => x.val).join(' ')
        diagnostics.push({ line: 1 + lines.findIndex((x) => /^\s*include\s/i.test(x)), severity: 'warning', message: `Include ${v} is not followed: import that file too`, text: v })
      }
      if ('config' in l) includes(l.config)
    }
  }
  includes(config)
  for (const l of config) {
    if (l.type !== LineType.DIRECTIVE) continue
    if (l.param.toLowerCase() !== 'host') continue
    const values = typeof l.value === 'string' ? l.value.split(/\s+/) : l.value.map((v) => v.val)
    for (const v of values) if (v && !isPattern(v) && !aliases.includes(v)) aliases.push(v)
  }
  const hosts: HostCandidate[] = []
  for (const alias of aliases) {
    const c = config.compute(alias, { ignoreCase: true, matchExec: false })
    const portText = first(c.port) ?? '22'
    const port = Number(portText)
    const line = lineOf(alias)
    if (!Number.isInteger(port)) diagnostics.push({ line, severity: 'warning', message: `${alias}: Port "${portText}" is not a number; 22 used`, text: alias })
    const identity = first(c.identityfile) ?? null
    const pubkeyOff = (first(c.pubkeyauthentication) ?? '').toLowerCase() === 'no'
    const prefersPassword = /^(password|keyboard-interactive)/i.test(first(c.preferredauthentications) ?? '')
    const proxyCommand = first(c.proxycommand)
    if (proxyCommand && !first(c.proxyjump)) {
      const w = /ssh\s+(?:.*\s)?-W\s+%h:%p\s+(\S+)/.exec(proxyCommand)
      if (!w) diagnostics.push({ line, severity: 'warning', message: `${alias}: ProxyCommand "${proxyCommand}" is not "ssh -W %h:%p <jump>"; imported without a jump host`, text: alias })
    }
    const jumpText = first(c.proxyjump) ?? /ssh\s+(?:.*\s)?-W\s+%h:%p\s+(\S+)/.exec(proxyCommand ?? '')?.[1] ?? null
    hosts.push({
      name: alias,
      address: (first(c.hostname) ?? alias).replace(/%h/g, alias),
      port: Number.isInteger(port) ? port : 22,
      user: first(c.user) ?? 'root',
      role: roleFromName(alias),
      authMethod: pubkeyOff || prefersPassword ? 'password' : identity ? 'key' : 'agent',
      keyPath: pubkeyOff || prefersPassword ? null : identity,
      jump: jumpText ? splitProxyJump(jumpText) : [],
      line
    })
  }
  return { hosts, diagnostics }
}
