import { parseBrctlShow } from './brctl'
import type { Diagnostic } from './diagnostics'
import { parseIpAddr, parseIpRoute } from './ip'
import { parseIptablesSave } from './iptables'
import { parseOcGet, type OcKind } from './oc'
import { parseOfprotoTrace } from './ofproto-trace'
import { parseDiffFlows } from './ovs-diff-flows'
import { parseDumpFlows } from './ovs-dump-flows'
import { parseDumpPorts, parsePortDesc } from './ovs-ports'
import { parseVsctlShow } from './ovs-vsctl-show'
import { parseOvsdbList } from './ovsdb-list'
import { shellWords } from './shell-words'
import { parseSysctl } from './sysctl'

/** Stable ids: captures store them, so they never change meaning. */
export const parserIds = [
  'ovs-ofctl.dump-flows',
  'ovs-ofctl.diff-flows',
  'ovs-ofctl.dump-ports-desc',
  'ovs-ofctl.dump-ports',
  'ovs-vsctl.show',
  'ovs-vsctl.list',
  'ovs-appctl.ofproto-trace',
  'ip.addr',
  'ip.route',
  'iptables-save',
  'brctl.show',
  'sysctl',
  'oc.get.hostsubnets',
  'oc.get.netnamespaces',
  'oc.get.clusternetwork',
  'oc.get.nodes',
  'oc.get.pods',
  'oc.get.services',
  'oc.get.endpoints',
  'oc.get.egressnetworkpolicies',
  'oc.get.networkpolicies',
  'oc.get.namespaces'
] as const
export type ParserId = (typeof parserIds)[number]

export interface ParserOptions {
  /** ovs-vsctl --columns=…, needed to read --format=csv --no-headings output. */
  columns?: string[]
}

export interface ParserMatch {
  id: ParserId
  options: ParserOptions
}

export interface ParsedOutput {
  parser: ParserId
  data: unknown
  records: number
  diagnostics: Diagnostic[]
}

const ocKinds: Record<string, OcKind> = {
  hostsubnet: 'hostsubnets', hostsubnets: 'hostsubnets',
  netnamespace: 'netnamespaces', netnamespaces: 'netnamespaces',
  clusternetwork: 'clusternetwork', clusternetworks: 'clusternetwork',
  node: 'nodes', nodes: 'nodes', no: 'nodes',
  pod: 'pods', pods: 'pods', po: 'pods',
  service: 'services', services: 'services', svc: 'services',
  endpoints: 'endpoints', ep: 'endpoints', endpoint: 'endpoints',
  egressnetworkpolicy: 'egressnetworkpolicies', egressnetworkpolicies: 'egressnetworkpolicies',
  networkpolicy: 'networkpolicies', networkpolicies: 'networkpolicies', netpol: 'networkpolicies',
  namespace: 'namespaces', namespaces: 'namespaces', ns: 'namespaces'
}

/** Drops wrappers that run the real command elsewhere: sudo, oc exec/rsh, ip netns exec, nsenter, chroot, env, timeout. */
export function innerCommand(words: string[]): string[] {
  let w = words
  for (let guard = 0; guard < 10; guard++) {
    const head = w[0]
    if (head === undefined) return w
    const base = head.split('/').pop() as string
    if (base === 'sudo' || base === 'env' || base === 'timeout' || base === 'nice') {
      let i = 1
      while (i < w.length && ((w[i] as string).startsWith('-') || /^\w+=/.test(w[i] as string) || (base === 'timeout' && /^\d/.test(w[i] as string)))) {
        if (base === 'sudo' && ['-u', '-g', '-C'].includes(w[i] as string)) i++
        i++
      }
      w = w.slice(i)
      continue
    }
    if ((base === 'oc' || base === 'kubectl') && (w.includes('exec') || w.includes('rsh'))) {
      const dd = w.indexOf('--')
      if (dd >= 0) {
        w = w.slice(dd + 1)
        continue
      }
      return w
    }
    if (base === 'ip' && w[1] === 'netns' && w[2] === 'exec') {
      w = w.slice(4)
      continue
    }
    if (base === 'nsenter') {
      const dd = w.indexOf('--')
      w = dd >= 0 ? w.slice(dd + 1) : w.slice(1).filter((x) => !x.startsWith('-'))
      continue
    }
    if (base === 'chroot') {
      w = w.slice(2)
      continue
    }
    if (base === 'sh' || base === 'bash') {
      const c = w.indexOf('-c')
      if (c >= 0 && w[c + 1]) {
        w = shellWords(w[c + 1] as string)
        continue
      }
    }
    return w
  }
  return w
}

/** Finds the parser for a command line, e.g. `oc -n openshift-sdn exec ovs-x -- ovs-ofctl -O OpenFlow13 dump-flows br0 table=90`. */
export function parserForCommand(command: string): ParserMatch | null {
  const words = innerCommand(shellWords(command.split('|')[0]?.trim() ?? ''))
  const tool = (words[0] ?? '').split('/').pop() ?? ''
  const args = words.slice(1)
  const positional = args.filter((a) => !a.startsWith('-'))
  const none: ParserOptions = {}
  switch (tool) {
    case 'ovs-ofctl': {
      // "-O OpenFlow13": the value of -O is not a subcommand.
      const sub = args.find((a, i) => !a.startsWith('-') && args[i - 1] !== '-O' && args[i - 1] !== '--protocols')
      if (sub === 'dump-flows') return { id: 'ovs-ofctl.dump-flows', options: none }
      if (sub === 'diff-flows') return { id: 'ovs-ofctl.diff-flows', options: none }
      if (sub === 'dump-ports-desc' || sub === 'show') return { id: 'ovs-ofctl.dump-ports-desc', options: none }
      if (sub === 'dump-ports') return { id: 'ovs-ofctl.dump-ports', options: none }
      return null
    }
    case 'ovs-vsctl': {
      if (positional[0] === 'show') return { id: 'ovs-vsctl.show', options: none }
      if (positional[0] === 'list' || positional[0] === 'find') {
        const cols = args.find((a) => a.startsWith('--columns='))
        return { id: 'ovs-vsctl.list', options: cols ? { columns: cols.slice(10).split(',') } : none }
      }
      return null
    }
    case 'ovs-appctl':
      return positional[0] === 'ofproto/trace' ? { id: 'ovs-appctl.ofproto-trace', options: none } : null
    case 'ip': {
      const obj = positional[0] ?? ''
      if (/^(a|ad|add|addr|addre|addres|address|l|li|lin|link)$/.test(obj)) return { id: 'ip.addr', options: none }
      if (/^(r|ro|rou|rout|route)$/.test(obj)) return { id: 'ip.route', options: none }
      return null
    }
    case 'iptables-save':
    case 'ip6tables-save':
      return { id: 'iptables-save', options: none }
    case 'brctl':
      return positional[0] === 'show' ? { id: 'brctl.show', options: none } : null
    case 'sysctl':
      return { id: 'sysctl', options: none }
    case 'oc':
    case 'kubectl': {
      if (positional[0] === 'adm' && positional[1] === 'manage-node' && args.includes('--list-pods')) return { id: 'oc.get.pods', options: none }
      const gi = args.indexOf('get')
      if (gi < 0) return null
      // The resource is the first word after "get" that is not an option or an option's value.
      const rest = args.slice(gi + 1)
      let res: string | undefined
      for (let i = 0; i < rest.length; i++) {
        const a = rest[i] as string
        if (a.startsWith('-')) {
          if (/^-(n|o|l|c)$/.test(a) || /^--(namespace|output|selector)$/.test(a)) i++
          continue
        }
        res = a
        break
      }
      const kind = res ? ocKinds[res.split('.')[0]?.split('/')[0]?.toLowerCase() ?? ''] : undefined
      return kind ? { id: `oc.get.${kind}` as ParserId, options: none } : null
    }
  }
  return null
}

function count(data: unknown): number {
  const d = data as Record<string, unknown>
  for (const k of ['flows', 'records', 'links', 'routes', 'tables', 'bridges', 'passes', 'lines']) if (Array.isArray(d[k])) return (d[k] as unknown[]).length
  if (d.values && typeof d.values === 'object') return Object.keys(d.values).length
  return 0
}

/** Runs a parser by id. Never throws: a parser bug becomes a diagnostic. */
export function parseOutput(id: ParserId, text: string, options: ParserOptions = {}): ParsedOutput {
  let data: { diagnostics: Diagnostic[] } & Record<string, unknown>
  try {
    switch (id) {
      case 'ovs-ofctl.dump-flows': data = { ...parseDumpFlows(text) }; break
      case 'ovs-ofctl.diff-flows': data = { ...parseDiffFlows(text) }; break
      case 'ovs-ofctl.dump-ports-desc': data = { ...parsePortDesc(text) }; break
      case 'ovs-ofctl.dump-ports': data = { ...parseDumpPorts(text) }; break
      case 'ovs-vsctl.show': data = { ...parseVsctlShow(text) }; break
      case 'ovs-vsctl.list': data = { ...parseOvsdbList(text, options) }; break
      case 'ovs-appctl.ofproto-trace': data = { ...parseOfprotoTrace(text) }; break
      case 'ip.addr': data = { ...parseIpAddr(text) }; break
      case 'ip.route': data = { ...parseIpRoute(text) }; break
      case 'iptables-save': data = { ...parseIptablesSave(text) }; break
      case 'brctl.show': data = { ...parseBrctlShow(text) }; break
      case 'sysctl': data = { ...parseSysctl(text) }; break
      default: data = { ...parseOcGet(id.slice(7) as OcKind, text) }
    }
  } catch (err) {
    return { parser: id, data: null, records: 0, diagnostics: [{ line: 0, severity: 'error', message: `parser ${id} failed: ${(err as Error).message} (a bug; the raw text is kept)`, text: '' }] }
  }
  const { diagnostics, ...rest } = data
  return { parser: id, data: rest, records: count(rest), diagnostics }
}
