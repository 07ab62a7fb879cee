// openshift-ansible (3.x) INI inventory -> hosts. The format is Ansible's INI dialect, not plain INI:
// a host line is "name key=value key='quoted value' ...", sections are groups, "[g:vars]" and
// "[g:children]" are special, and names may hold ranges ("node[1:3].example.com"). A generic INI
// library reads none of that, so this is a small dedicated reader. Never throws.
import type { Diagnostic } from '../parse/diagnostics'
import type { HostCandidate } from './candidate'
import { splitProxyJump } from './candidate'

interface InvHost {
  name: string
  vars: Record<string, string>
  groups: Set<string>
  line: number
}

const hostGroupsWeRead = ['masters', 'nodes', 'etcd', 'new_masters', 'new_nodes', 'lb', 'glusterfs']

/** "a=1 b='x y' c=\"z\"" -> {a:'1', b:'x y', c:'z'}; words without "=" are reported. */
function parseVars(text: string, line: number, diagnostics: Diagnostic[]): Record<string, string> {
  const vars: Record<string, string> = {}
  const re = /\s*([A-Za-z_][\w.]*)=("(?:[^"\\]|\\.)*"|'[^']*'|\S*)|\s*(\S+)/g
  let m: RegExpExecArray | null
  while ((m = re.exec(text)) !== null) {
    if (m[0].trim() === '') break
    if (m[3] !== undefined) {
      if (m[3].startsWith('#')) break
      diagnostics.push({ line, severity: 'warning', message: `"${m[3]}" is not key=value; ignored`, text })
      continue
    }
    let v = m[2] ?? ''
    if ((v.startsWith('"') && v.endsWith('"') && v.length >= 2) || (v.startsWith("'") && v.endsWith("'") && v.length >= 2)) v = v.slice(1, -1)
    vars[m[1]!] = v
  }
  return vars
}

/** "node[1:3].example.com" -> node1..node3; "n[01:03]" keeps the width; "[a:c]" letters. */
export function expandHostRange(name: string): string[] {
  const m = /^(.*)\[([0-9a-z]+):([0-9a-z]+)(?::(\d+))?\](.*)$/i.exec(name)
  if (!m) return [name]
  const [, pre, from, to, stepText, post] = m as unknown as [string, string, string, string, string | undefined, string]
  const step = stepText ? Number(stepText) : 1
  const out: string[] = []
  if (/^\d+$/.test(from) && /^\d+$/.test(to)) {
    const width = from.length > 1 && from.startsWith('0') ? from.length : 0
    for (let i = Number(from); i <= Number(to) && out.length < 10_000; i += step) out.push(...expandHostRange(pre + String(i).padStart(width, '0') + post))
  } else if (/^[a-z]$/i.test(from) && /^[a-z]$/i.test(to)) {
    for (let c = from.charCodeAt(0); c <= to.charCodeAt(0); c += step) out.push(...expandHostRange(pre + String.fromCharCode(c) + post))
  } else return [name]
  return out
}

export function parseAnsibleInventory(text: string): { hosts: HostCandidate[]; diagnostics: Diagnostic[] } {
  const diagnostics: Diagnostic[] = []
  const hosts = new Map<string, InvHost>()
  const groupVars = new Map<string, Record<string, string>>()
  const children = new Map<string, string[]>()
  let section: { group: string; kind: 'hosts' | 'vars' | 'children' } = { group: 'ungrouped', kind: 'hosts' }
  const lines = text.replace(/\r\n?/g, '\n').split('\n')
  lines.forEach((raw, i) => {
    const line = i + 1
    const t = raw.trim()
    if (t === '' || t.startsWith('#') || t.startsWith(';')) return
    const sec = /^\[([^\]:]+)(?::(vars|children))?\]\s*$/.exec(t)
    if (sec) {
      section = { group: sec[1]!, kind: (sec[2] as 'vars' | 'children' | undefined) ?? 'hosts' }
      return
    }
    if (t.startsWith('[')) {
      diagnostics.push({ line, severity: 'warning', message: 'not a section header', text: t })
      return
    }
    if (section.kind === 'vars') {
      const eq = t.indexOf('=')
      if (eq <= 0) {
        diagnostics.push({ line, severity: 'warning', message: 'a [group:vars] line must be key=value', text: t })
        return
      }
      const vars = groupVars.get(section.group) ?? {}
      vars[t.slice(0, eq).trim()] = t.slice(eq + 1).trim().replace(/^(['"])(.*)\1$/, '$2')
      groupVars.set(section.group, vars)
      return
    }
    if (section.kind === 'children') {
      children.set(section.group, [...(children.get(section.group) ?? []), t.split(/\s+/)[0]!])
      return
    }
    const [first] = t.split(/\s+/, 1)
    const vars = parseVars(t.slice(first!.length), line, diagnostics)
    for (const name of expandHostRange(first!)) {
      const h = hosts.get(name) ?? { name, vars: {}, groups: new Set<string>(), line }
      Object.assign(h.vars, vars)
      h.groups.add(section.group)
      hosts.set(name, h)
    }
  })

  // Group vars apply to members of the group and of its children (OSEv3 -> masters, nodes, etcd).
  const parentsOf = (g: string, seen = new Set<string>()): string[] => {
    const out: string[] = []
    for (const [parent, kids] of children) {
      if (kids.includes(g) && !seen.has(parent)) {
        seen.add(parent)
        out.push(parent, ...parentsOf(parent, seen))
      }
    }
    return out
  }
  const out: HostCandidate[] = []
  for (const h of hosts.values()) {
    const groups = [...h.groups]
    if (!groups.some((g) => hostGroupsWeRead.includes(g))) continue
    const vars: Record<string, string> = {}
    for (const g of ['all', ...groups.flatMap((x) => parentsOf(x).reverse()), ...groups]) Object.assign(vars, groupVars.get(g) ?? {})
    Object.assign(vars, h.vars)
    const group = vars.openshift_node_group_name ?? ''
    const inMasters = h.groups.has('masters') || h.groups.has('new_masters')
    const role: HostCandidate['role'] = inMasters || /master/.test(group) ? 'master' : /infra/.test(group) ? 'infra' : 'compute'
    if (!inMasters && !h.groups.has('nodes') && !h.groups.has('new_nodes')) {
      diagnostics.push({ line: h.line, severity: 'info', message: `${h.name} is only in [${groups.join('], [')}]; imported with role master (the workbench has no etcd or lb role)`, text: h.name })
    }
    const port = Number(vars.ansible_port ?? vars.ansible_ssh_port ?? '22')
    const key = vars.ansible_ssh_private_key_file ?? vars.ansible_private_key_file ?? null
    const common = `${vars.ansible_ssh_common_args ?? ''} ${vars.ansible_ssh_extra_args ?? ''}`
    const pj = /(?:-o\s*ProxyJump[= ]\s*|-J\s*)([^\s'"]+)/i.exec(common)?.[1] ?? /ProxyCommand[= ]\s*["']?ssh\s+(?:.*\s)?-W\s+%h:%p\s+(\S+?)["']?(?:\s|$)/i.exec(common)?.[1] ?? null
    out.push({
      name: h.name,
      address: vars.ansible_host ?? vars.ansible_ssh_host ?? h.name,
      port: Number.isInteger(port) ? port : 22,
      user: vars.ansible_user ?? vars.ansible_ssh_user ?? 'root',
      role: inMasters || !(h.groups.has('nodes') || h.groups.has('new_nodes')) ? 'master' : role,
      authMethod: key ? 'key' : 'agent',
      keyPath: key,
      jump: pj ? splitProxyJump(pj) : [],
      line: h.line
    })
  }
  return { hosts: out, diagnostics }
}
