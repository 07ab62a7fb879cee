import { parseDumpGroups } from './ovs-groups'
import { parseBrctlShow } from './brctl'
import type { Diagnostic } from './diagnostics'
import { parseIpAddr, parseIpRoute } from './ip'
import { parseIptablesSave } from './iptables'
import { parseOcGet, type OcKind, type OcRecords, type OcResult } from './oc'
import { parseOfprotoTrace } from './ofproto-trace'
import { parseDiffFlows } from './ovs-diff-flows'
import { parseDumpFlows } from './ovs-dump-flows'
import { parseDumpPorts, parsePortDesc } from './ovs-ports'
import { parseVsctlShow } from './ovs-vsctl-show'
import { parseOvsdbList } from './ovsdb-list'
import { shellWords } from './shell-words'
import { parseSysctl } from './sysctl'

import { parserIds, type ParserId } from './parser-ids'
export { parserIds, type ParserId } from './parser-ids'

export interface ParserOptions {
  /** ovs-vsctl --columns=…, needed to read --format=csv --no-headings output. */
  columns?: string[]
}

export interface ParserMatch {
  id: ParserId
  options: ParserOptions
}

/** What each parser gives (its diagnostics are also ParsedOutput's). */
type Data<F extends (...args: never[]) => { diagnostics: Diagnostic[] }> = ReturnType<F>
type OcData<K extends OcKind> = OcResult<OcRecords[K]>
export interface ParserOutputs {
  'ovs-ofctl.dump-flows': Data<typeof parseDumpFlows>
  'ovs-ofctl.diff-flows': Data<typeof parseDiffFlows>
  'ovs-ofctl.dump-ports-desc': Data<typeof parsePortDesc>
  'ovs-ofctl.dump-ports': Data<typeof parseDumpPorts>
  'ovs-ofctl.dump-groups': Data<typeof parseDumpGroups>
  'ovs-vsctl.show': Data<typeof parseVsctlShow>
  'ovs-vsctl.list': Data<typeof parseOvsdbList>
  'ovs-appctl.ofproto-trace': Data<typeof parseOfprotoTrace>
  'ip.addr': Data<typeof parseIpAddr>
  'ip.route': Data<typeof parseIpRoute>
  'iptables-save': Data<typeof parseIptablesSave>
  'brctl.show': Data<typeof parseBrctlShow>
  sysctl: Data<typeof parseSysctl>
  'oc.get.hostsubnets': OcData<'hostsubnets'>
  'oc.get.netnamespaces': OcData<'netnamespaces'>
  'oc.get.clusternetwork': OcData<'clusternetwork'>
  'oc.get.nodes': OcData<'nodes'>
  'oc.get.pods': OcData<'pods'>
  'oc.get.services': OcData<'services'>
  'oc.get.endpoints': OcData<'endpoints'>
  'oc.get.egressnetworkpolicies': OcData<'egressnetworkpolicies'>
  'oc.get.networkpolicies': OcData<'networkpolicies'>
  'oc.get.namespaces': OcData<'namespaces'>
}

/**
 * A parsed output: which parser, and its typed data (checking `parser` narrows `data`); data is null only
 * when the parser itself failed (a bug, said in the diagnostics).
 */
export type ParsedOutput =
  | { [K in ParserId]: { parser: K; data: ParserOutputs[K]; records: number; diagnostics: Diagnostic[] } }[ParserId]
  | { parser: ParserId; data: null; records: 0; diagnostics: Diagnostic[] }

/** The data of a parsed output when it came from the given parser, else null: the one way callers read data. */
export function parsedAs<K extends ParserId>(p: ParsedOutput | null | undefined, id: K): ParserOutputs[K] | null
export function parsedAs(p: ParsedOutput | null | undefined, id: ParserId): ParsedOutput['data'] | null {
  return p && p.parser === id ? p.data : null
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
      if (sub === 'dump-groups') return { id: 'ovs-ofctl.dump-groups', options: none }
      return null
    }
    case 'ovs-vsctl': {
      // "-t 5" (sos runs `ovs-vsctl -t 5 show`), "--db SOCKET": their values are not the subcommand.
      const sub = args.find((a, i) => !a.startsWith('-') && !['-t', '--timeout', '--db'].includes(args[i - 1] ?? ''))
      if (sub === 'show') return { id: 'ovs-vsctl.show', options: none }
      if (sub === 'list' || sub === 'find') {
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
      const key = res?.split('.')[0]?.split('/')[0]?.toLowerCase() ?? ''
      const kind = Object.hasOwn(ocKinds, key) ? ocKinds[key] : undefined
      return kind ? { id: `oc.get.${kind}` as ParserId, options: none } : null
    }
  }
  return null
}

function count(data: object): number {
  for (const [k, v] of Object.entries(data)) if (['flows', 'records', 'links', 'routes', 'tables', 'bridges', 'passes', 'lines'].includes(k) && Array.isArray(v)) return v.length
  const values = 'values' in data ? data.values : undefined
  if (values && typeof values === 'object') return Object.keys(values).length
  return 0
}

function done<K extends ParserId>(parser: K, data: ParserOutputs[K]): { parser: K; data: ParserOutputs[K]; records: number; diagnostics: Diagnostic[] } {
  return { parser, data, records: count(data), diagnostics: data.diagnostics }
}

function oc<K extends OcKind>(kind: K, text: string) {
  return parseOcGet(kind, text)
}

function run(id: ParserId, text: string, options: ParserOptions): ParsedOutput {
  switch (id) {
    case 'ovs-ofctl.dump-flows': return done(id, parseDumpFlows(text))
    case 'ovs-ofctl.diff-flows': return done(id, parseDiffFlows(text))
    case 'ovs-ofctl.dump-ports-desc': return done(id, parsePortDesc(text))
    case 'ovs-ofctl.dump-ports': return done(id, parseDumpPorts(text))
    case 'ovs-ofctl.dump-groups': return done(id, parseDumpGroups(text))
    case 'ovs-vsctl.show': return done(id, parseVsctlShow(text))
    case 'ovs-vsctl.list': return done(id, parseOvsdbList(text, options))
    case 'ovs-appctl.ofproto-trace': return done(id, parseOfprotoTrace(text))
    case 'ip.addr': return done(id, parseIpAddr(text))
    case 'ip.route': return done(id, parseIpRoute(text))
    case 'iptables-save': return done(id, parseIptablesSave(text))
    case 'brctl.show': return done(id, parseBrctlShow(text))
    case 'sysctl': return done(id, parseSysctl(text))
    case 'oc.get.hostsubnets': return done(id, oc('hostsubnets', text))
    case 'oc.get.netnamespaces': return done(id, oc('netnamespaces', text))
    case 'oc.get.clusternetwork': return done(id, oc('clusternetwork', text))
    case 'oc.get.nodes': return done(id, oc('nodes', text))
    case 'oc.get.pods': return done(id, oc('pods', text))
    case 'oc.get.services': return done(id, oc('services', text))
    case 'oc.get.endpoints': return done(id, oc('endpoints', text))
    case 'oc.get.egressnetworkpolicies': return done(id, oc('egressnetworkpolicies', text))
    case 'oc.get.networkpolicies': return done(id, oc('networkpolicies', text))
    case 'oc.get.namespaces': return done(id, oc('namespaces', text))
  }
}

/** Runs a parser by id. Never throws: a parser bug becomes a diagnostic. */
export function parseOutput(id: ParserId, text: string, options: ParserOptions = {}): ParsedOutput {
  try {
    return run(id, text, options)
  } catch (err) {
    return { parser: id, data: null, records: 0, diagnostics: [{ line: 0, severity: 'error', message: `parser ${id} failed: ${(err as Error).message} (a bug; the raw text is kept)`, text: '' }] }
  }
}
