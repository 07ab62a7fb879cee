// Every parser's output as a view a person reads: tables with typed columns, trees, facts — never JSON. One
// builder per parser (parsedDocument); the renderer draws any document the same way (ParsedDocView.svelte). A row
// keeps the line it came from, so a click opens the raw text there. Port statistics get rates when an older
// capture of the same command on the same host is given.
import type { ParsedOutput } from '../parse/registry'
import type { IpLink, IpRoute } from '../parse/ip'
import type { IptablesTable } from '../parse/iptables'
import type { PortStats } from '../parse/ovs-ports'
import type { OvsdbValue } from '../parse/ovsdb-list'
import type { VsctlShow } from '../parse/ovs-vsctl-show'
import type { LabelSelector } from '../parse/oc'

export type Tone = 'bad' | 'warn' | 'good' | 'muted'

export interface DocCell {
  text: string
  /** Numbers sort as numbers and align right. */
  value?: number
  tone?: Tone
}

export interface DocColumn {
  name: string
  numeric?: boolean
  mono?: boolean
  /** Shown only when wide enough / on demand. */
  help?: string
}

export interface DocRow {
  cells: DocCell[]
  /** The capture line the row was read from (1-based), or null. */
  line: number | null
  tone?: Tone
}

export interface DocTable {
  kind: 'table'
  title: string
  columns: DocColumn[]
  rows: DocRow[]
  /** Rows left out (over the limit). */
  more: number
  note?: string
}

export interface DocTreeNode {
  label: string
  detail: string
  line: number | null
  tone?: Tone
  children: DocTreeNode[]
}

export interface DocTree {
  kind: 'tree'
  title: string
  nodes: DocTreeNode[]
}

export interface DocFacts {
  kind: 'facts'
  title: string
  items: { name: string; value: string; line: number | null; tone?: Tone }[]
}

export type DocBlock = DocTable | DocTree | DocFacts

export interface ParsedDocument {
  /** One line that says what the output holds ("3 tables, 41 chains, 1,203 rules"). */
  summary: string
  blocks: DocBlock[]
}

/** An older capture of the same command on the same host: for rates. */
export interface Earlier {
  parsed: ParsedOutput
  /** Seconds between the two captures. */
  seconds: number
}

const maxRows = 5000
const num = (n: number | null | undefined, tone?: Tone): DocCell => (n === null || n === undefined ? { text: '' } : { text: n.toLocaleString('en-US'), value: n, ...(tone ? { tone } : {}) })
/** A number that is a name, not a quantity (MTU, ifindex, port, metric): no thousands separator. */
const int = (n: number | null | undefined): DocCell => (n === null || n === undefined ? { text: '' } : { text: String(n), value: n })
const txt = (s: string | null | undefined, tone?: Tone): DocCell => ({ text: s ?? '', ...(tone ? { tone } : {}) })
const rate = (r: number | null): DocCell => (r === null ? { text: '' } : { text: r < 10 ? r.toFixed(1) : Math.round(r).toLocaleString('en-US'), value: r, ...(r > 0 ? {} : { tone: 'muted' as const }) })
const plural = (n: number, one: string, many = `${one}s`) => `${n.toLocaleString('en-US')} ${n === 1 ? one : many}`

function table(title: string, columns: DocColumn[], rows: DocRow[], note?: string): DocTable {
  return { kind: 'table', title, columns, rows: rows.slice(0, maxRows), more: Math.max(0, rows.length - maxRows), ...(note ? { note } : {}) }
}

/** An OVSDB value as ovs-vsctl prints it: maps {k=v}, sets [a, b], uuids bare. */
export function ovsdbText(v: OvsdbValue | undefined): string {
  if (v === undefined) return ''
  if (Array.isArray(v)) return v.length === 1 ? ovsdbText(v[0]) : `[${v.map(ovsdbText).join(', ')}]`
  if (typeof v === 'object') return 'uuid' in v ? v.uuid : `{${Object.entries(v.map).map(([k, x]) => `${k}=${String(x)}`).join(', ')}}`
  return String(v)
}

function selectorText(s: LabelSelector | null): string {
  if (!s) return ''
  const parts = [...Object.entries(s.matchLabels).map(([k, v]) => `${k}=${v}`), ...s.matchExpressions.map((e) => `${e.key} ${e.operator} (${e.values.join(', ')})`)]
  return parts.length ? parts.join(', ') : '(all)'
}

function iptables(tables: readonly IptablesTable[]): ParsedDocument {
  const blocks: DocBlock[] = []
  let chains = 0
  let rules = 0
  for (const t of tables) {
    chains += t.chains.length
    rules += t.rules.length
    const perChain = new Map<string, number>()
    for (const r of t.rules) perChain.set(r.chain, (perChain.get(r.chain) ?? 0) + 1)
    blocks.push(
      table(
        `${t.name}: chains`,
        [{ name: 'chain' }, { name: 'policy' }, { name: 'rules', numeric: true }, { name: 'packets', numeric: true }, { name: 'bytes', numeric: true }],
        t.chains.map((c) => ({ line: c.line, cells: [txt(c.name), txt(c.policy ?? '-', c.policy === 'DROP' ? 'warn' : undefined), num(perChain.get(c.name) ?? 0), num(c.packets), num(c.bytes)] })),
        t.committed ? undefined : 'No COMMIT line: the output was cut short.'
      )
    )
    const dropping = (target: string | null) => target === 'DROP' || target === 'REJECT'
    blocks.push(
      table(
        `${t.name}: rules`,
        [{ name: 'chain' }, { name: 'rule', mono: true }, { name: 'target' }, { name: 'comment' }, { name: 'packets', numeric: true }, { name: 'bytes', numeric: true }],
        t.rules.map((r) => ({
          line: r.line,
          ...(dropping(r.target) && (r.packets ?? 0) > 0 ? { tone: 'bad' as const } : {}),
          cells: [txt(r.chain), txt(r.spec), txt(r.target, dropping(r.target) ? 'warn' : undefined), txt(r.comment, 'muted'), num(r.packets), num(r.bytes)]
        }))
      )
    )
  }
  return { summary: `${plural(tables.length, 'table')}, ${plural(chains, 'chain')}, ${plural(rules, 'rule')}`, blocks }
}

const ovsOwnDevices = new Set(['br0', 'ovs-system', 'ovs-netdev'])

function ipAddr(links: readonly IpLink[]): ParsedDocument {
  const rows: DocRow[] = links.map((l) => {
    const down = l.state === 'DOWN' || (!l.flags.includes('UP') && l.flags.length > 0)
    return {
      line: l.line,
      ...(down ? { tone: 'muted' as const } : {}),
      cells: [
        int(l.index),
        txt(l.peer ? `${l.name}@${l.peer}` : l.name),
        // br0 and the datapath's own devices are down in every openshift-sdn node: not a fault.
        txt(l.state ?? (l.flags.includes('UP') ? 'UP' : ''), l.state === 'DOWN' && !ovsOwnDevices.has(l.name) ? 'bad' : l.state === 'UP' ? 'good' : undefined),
        int(l.mtu),
        txt(l.mac),
        txt(l.addresses.filter((a) => a.family === 'inet').map((a) => `${a.address}/${a.prefixLength}`).join(' ')),
        txt(l.addresses.filter((a) => a.family === 'inet6').map((a) => `${a.address}/${a.prefixLength}`).join(' '), 'muted'),
        txt([l.kind, l.master ? `master ${l.master}` : null, l.slaveOf ? `port of ${l.slaveOf}` : null].filter(Boolean).join(', ')),
        txt(l.flags.join(','), 'muted')
      ]
    }
  })
  const blocks: DocBlock[] = [
    table('Interfaces', [{ name: '#', numeric: true }, { name: 'name' }, { name: 'state' }, { name: 'mtu', numeric: true }, { name: 'mac', mono: true }, { name: 'IPv4', mono: true }, { name: 'IPv6', mono: true }, { name: 'kind / master' }, { name: 'flags' }], rows)
  ]
  const withStats = links.filter((l) => l.stats)
  if (withStats.length > 0) {
    const s = (l: IpLink, dir: 'rx' | 'tx', k: string) => l.stats?.[dir][k] ?? null
    blocks.push(
      table(
        'Counters (ip -s)',
        [{ name: 'name' }, ...['rx packets', 'rx bytes', 'rx errors', 'rx dropped', 'tx packets', 'tx bytes', 'tx errors', 'tx dropped'].map((n) => ({ name: n, numeric: true }))],
        withStats.map((l) => ({
          line: l.line,
          cells: [txt(l.name), num(s(l, 'rx', 'packets')), num(s(l, 'rx', 'bytes')), num(s(l, 'rx', 'errors'), (s(l, 'rx', 'errors') ?? 0) > 0 ? 'bad' : undefined), num(s(l, 'rx', 'dropped'), (s(l, 'rx', 'dropped') ?? 0) > 0 ? 'warn' : undefined), num(s(l, 'tx', 'packets')), num(s(l, 'tx', 'bytes')), num(s(l, 'tx', 'errors'), (s(l, 'tx', 'errors') ?? 0) > 0 ? 'bad' : undefined), num(s(l, 'tx', 'dropped'), (s(l, 'tx', 'dropped') ?? 0) > 0 ? 'warn' : undefined)]
        }))
      )
    )
  }
  const v4 = links.reduce((n, l) => n + l.addresses.filter((a) => a.family === 'inet').length, 0)
  return { summary: `${plural(links.length, 'interface')}, ${plural(v4, 'IPv4 address', 'IPv4 addresses')}`, blocks }
}

function ipRoute(routes: readonly IpRoute[]): ParsedDocument {
  const byTable = new Map<string, IpRoute[]>()
  for (const r of routes) byTable.set(r.table ?? 'main', [...(byTable.get(r.table ?? 'main') ?? []), r])
  const blocks: DocBlock[] = [...byTable].map(([name, list]) =>
    table(
      byTable.size === 1 && name === 'main' ? 'Routes' : `Table ${name}`,
      [{ name: 'destination', mono: true }, { name: 'type' }, { name: 'via', mono: true }, { name: 'dev' }, { name: 'proto' }, { name: 'scope' }, { name: 'src', mono: true }, { name: 'metric', numeric: true }, { name: 'mtu', numeric: true }],
      list.map((r) => {
        const bad = r.type === 'unreachable' || r.type === 'blackhole' || r.type === 'prohibit'
        const via = r.via ?? (r.nexthops.length ? r.nexthops.map((h) => `${h.via ?? '?'}${h.dev ? ` dev ${h.dev}` : ''}${h.weight !== null ? ` weight ${h.weight}` : ''}`).join('; ') : null)
        return { line: r.line, ...(bad ? { tone: 'bad' as const } : {}), cells: [txt(r.destination, r.destination === 'default' ? 'good' : undefined), txt(r.type), txt(via), txt(r.dev, r.dev === 'tun0' ? 'good' : undefined), txt(r.protocol, 'muted'), txt(r.scope, 'muted'), txt(r.source), int(r.metric), int(r.mtu)] }
      })
    )
  )
  return { summary: `${plural(routes.length, 'route')}${byTable.size > 1 ? ` in ${byTable.size} tables` : ''}`, blocks }
}

function vsctlShow(d: VsctlShow): ParsedDocument {
  const opts = (o: Record<string, string>) => Object.entries(o).map(([k, v]) => `${k}=${v}`).join(', ')
  const bridges: DocTreeNode[] = d.bridges.map((b) => ({
    label: `Bridge ${b.name}`,
    detail: [b.failMode ? `fail_mode ${b.failMode}` : null, b.datapathType ? `datapath ${b.datapathType}` : null, ...b.controllers.map((c) => `controller ${c}`), plural(b.ports.length, 'port')].filter(Boolean).join(' · '),
    line: b.line,
    children: b.ports.map((p): DocTreeNode => {
      const ifaces = p.interfaces.map((i) => ({
        label: `Interface ${i.name}`,
        detail: [i.type ? `type ${i.type}` : null, Object.keys(i.options).length ? `options {${opts(i.options)}}` : null, Object.keys(i.other).length ? opts(i.other) : null, i.error ? `error: ${i.error}` : null].filter(Boolean).join(' · '),
        line: i.line,
        ...(i.error ? { tone: 'bad' as const } : {}),
        children: []
      }))
      const tag = p.tag !== null ? `tag ${p.tag}` : ''
      const only = ifaces.length === 1 && p.interfaces[0]?.name === p.name ? ifaces[0] : undefined
      // The usual port: one interface of its own name, on one line ("Port vxlan0 · type vxlan · options {…}").
      if (only) return { ...only, label: `Port ${p.name}`, detail: [tag, only.detail].filter(Boolean).join(' · '), line: p.line }
      return { label: `Port ${p.name}`, detail: tag, line: p.line, ...(p.interfaces.some((i) => i.error) ? { tone: 'bad' as const } : {}), children: ifaces }
    })
  }))
  const root: DocTreeNode = {
    label: 'Open vSwitch',
    detail: [d.uuid, d.ovsVersion ? `ovs_version ${d.ovsVersion}` : null, ...d.managers.map((m) => `manager ${m}`)].filter(Boolean).join(' · '),
    line: null,
    children: bridges
  }
  const ports = d.bridges.reduce((n, b) => n + b.ports.length, 0)
  return { summary: `${plural(d.bridges.length, 'bridge')}, ${plural(ports, 'port')}${d.ovsVersion ? `, OVS ${d.ovsVersion}` : ''}`, blocks: [{ kind: 'tree', title: 'ovs-vsctl show', nodes: [root] }] }
}

/** Per port: the counter rates against an earlier dump-ports of the same switch (a counter that went down: reset). */
function portStats(records: readonly PortStats[], earlier: readonly PortStats[] | null, seconds: number | null): ParsedDocument {
  const before = new Map((earlier ?? []).map((p) => [String(p.port), p]))
  const withRates = earlier !== null && seconds !== null && seconds > 0
  const per = (a: number | null, b: number | null | undefined): number | null => (withRates && a !== null && b !== null && b !== undefined && a >= b ? (a - b) / (seconds as number) : null)
  const columns: DocColumn[] = [
    { name: 'port' },
    ...['rx pkts', 'rx bytes', 'rx drop', 'rx errs', 'tx pkts', 'tx bytes', 'tx drop', 'tx errs'].map((n) => ({ name: n, numeric: true })),
    ...(withRates ? ['rx pkt/s', 'tx pkt/s', 'drop/s'].map((n) => ({ name: n, numeric: true, help: `over the ${Math.round(seconds as number)} s since the earlier capture` })) : [])
  ]
  const rows: DocRow[] = records.map((p) => {
    const b = before.get(String(p.port))
    const drops = (p.rx.drop ?? 0) + (p.tx.drop ?? 0)
    const dropRate = per(drops, b ? (b.rx.drop ?? 0) + (b.tx.drop ?? 0) : undefined)
    return {
      line: p.line,
      ...((dropRate ?? 0) > 0 || (p.rx.errs ?? 0) + (p.tx.errs ?? 0) > 0 ? { tone: 'bad' as const } : {}),
      cells: [
        txt(String(p.port)),
        num(p.rx.pkts),
        num(p.rx.bytes),
        num(p.rx.drop, (p.rx.drop ?? 0) > 0 ? 'warn' : undefined),
        num(p.rx.errs, (p.rx.errs ?? 0) > 0 ? 'bad' : undefined),
        num(p.tx.pkts),
        num(p.tx.bytes),
        num(p.tx.drop, (p.tx.drop ?? 0) > 0 ? 'warn' : undefined),
        num(p.tx.errs, (p.tx.errs ?? 0) > 0 ? 'bad' : undefined),
        ...(withRates ? [rate(per(p.rx.pkts, b?.rx.pkts)), rate(per(p.tx.pkts, b?.tx.pkts)), { ...rate(dropRate), ...((dropRate ?? 0) > 0 ? { tone: 'bad' as const } : {}) }] : [])
      ]
    }
  })
  const note = withRates ? `Rates against the capture of the same command ${Math.round(seconds as number)} s earlier.` : 'Rates need an earlier dump-ports capture of the same host.'
  return { summary: plural(records.length, 'port'), blocks: [table('Port statistics', columns, rows, note)] }
}

/** The document of a parsed output, or null when the parser failed. */
export function parsedDocument(p: ParsedOutput, earlier?: Earlier | null): ParsedDocument | null {
  if (p.data === null) return null
  switch (p.parser) {
    case 'iptables-save':
      return iptables(p.data.tables)
    case 'ip.addr':
      return ipAddr(p.data.links)
    case 'ip.route':
      return ipRoute(p.data.routes)
    case 'ovs-vsctl.show':
      return vsctlShow(p.data)
    case 'ovs-ofctl.dump-ports': {
      const before = earlier && earlier.parsed.parser === 'ovs-ofctl.dump-ports' && earlier.parsed.data ? earlier.parsed.data.records : null
      return portStats(p.data.records, before, earlier ? earlier.seconds : null)
    }
    case 'ovs-ofctl.dump-groups': {
      const groups = p.data.records
      const rows = groups.flatMap((g) =>
        (g.buckets.length ? g.buckets : [null]).map((b) => ({
          line: g.line,
          cells: [{ text: String(g.id) }, { text: g.type }, { text: b ? String(b.id) : '' }, { text: b?.weight === null || b === null ? '' : String(b.weight) }, { text: b ? b.actionsText : '(no buckets)', mono: true }]
        }))
      )
      const table0 = table('Groups', [{ name: 'group', numeric: true }, { name: 'type' }, { name: 'bucket', numeric: true }, { name: 'weight', numeric: true }, { name: 'actions', mono: true }], rows)
      return { summary: `${plural(groups.length, 'group')}, ${plural(groups.reduce((n, g) => n + g.buckets.length, 0), 'bucket')}`, blocks: [table0] }
    }
    case 'ovs-ofctl.dump-ports-desc': {
      const f = p.data.features
      const facts: DocFacts = {
        kind: 'facts',
        title: 'Switch',
        items: [
          { name: 'datapath id', value: f.dpid ?? '', line: null },
          { name: 'tables', value: f.nTables === null ? '' : String(f.nTables), line: null },
          { name: 'capabilities', value: f.capabilities.join(' '), line: null },
          { name: 'fragments', value: f.fragHandling ?? '', line: null }
        ].filter((i) => i.value !== '')
      }
      const ports = table(
        'Ports',
        [{ name: 'ofport', numeric: true }, { name: 'name' }, { name: 'mac', mono: true }, { name: 'config' }, { name: 'state' }, { name: 'speed' }],
        p.data.records.map((r) => ({
          line: r.line,
          ...(r.state.includes('LINK_DOWN') || r.config.includes('PORT_DOWN') ? { tone: 'muted' as const } : {}),
          cells: [r.ofport === 'LOCAL' ? txt('LOCAL') : int(r.ofport), txt(r.name), txt(r.mac), txt(r.config.join(' '), r.config.includes('PORT_DOWN') ? 'bad' : undefined), txt(r.state.join(' '), r.state.includes('LINK_DOWN') ? 'bad' : undefined), txt(r.speedNowMbps !== null ? `${r.speedNowMbps} Mbps${r.speedMaxMbps !== null ? ` (max ${r.speedMaxMbps})` : ''}` : '')]
        }))
      )
      return { summary: plural(p.data.records.length, 'port'), blocks: facts.items.length ? [facts, ports] : [ports] }
    }
    case 'ovs-vsctl.list': {
      const cols = p.data.headings.length ? p.data.headings : [...new Set(p.data.records.flatMap((r) => Object.keys(r.columns)))]
      const errorCol = cols.includes('error')
      return {
        summary: plural(p.data.records.length, 'record'),
        blocks: [
          table(
            'Records',
            cols.map((c) => ({ name: c, mono: c === '_uuid' || c === 'mac_in_use' })),
            p.data.records.map((r) => {
              const err = errorCol ? ovsdbText(r.columns.error) : ''
              return { line: r.line, ...(err !== '' && err !== '[]' ? { tone: 'bad' as const } : {}), cells: cols.map((c) => txt(ovsdbText(r.columns[c]))) }
            })
          )
        ]
      }
    }
    case 'ovs-ofctl.diff-flows':
      return {
        summary: `${plural(p.data.lines.filter((l) => l.sign === '-').length, 'flow')} only in the first, ${plural(p.data.lines.filter((l) => l.sign === '+').length, 'flow')} only in the second`,
        blocks: [
          table(
            'Differences',
            [{ name: '' }, { name: 'table', numeric: true }, { name: 'priority', numeric: true }, { name: 'match', mono: true }, { name: 'actions', mono: true }],
            p.data.lines.map((l) => ({ line: l.flow.line, tone: l.sign === '-' ? ('bad' as const) : ('good' as const), cells: [txt(l.sign === '-' ? 'removed' : 'added'), num(l.flow.table), num(l.flow.priority), txt(l.flow.matchText), txt(l.flow.actionsText)] }))
          )
        ]
      }
    case 'brctl.show':
      return {
        summary: plural(p.data.bridges.length, 'Linux bridge'),
        blocks: [table('Linux bridges', [{ name: 'bridge' }, { name: 'id', mono: true }, { name: 'STP' }, { name: 'interfaces' }], p.data.bridges.map((b) => ({ line: b.line, cells: [txt(b.name), txt(b.id), txt(b.stp ? 'yes' : 'no'), txt(b.interfaces.join(' '))] })))]
      }
    case 'sysctl':
      return {
        summary: plural(Object.keys(p.data.values).length, 'setting'),
        blocks: [{ kind: 'facts', title: 'Kernel settings', items: Object.entries(p.data.values).map(([name, value]) => ({ name, value, line: null, ...(name === 'net.ipv4.ip_forward' && value.trim() !== '1' ? { tone: 'bad' as const } : {}) })) }]
      }
    case 'oc.get.hostsubnets':
      return oc('HostSubnets', p.data.records, ['name', 'host', 'host IP', 'subnet', 'egress IPs'], (r) => [r.name, r.host, r.hostIP, r.subnet, r.egressIPs.join(', ')])
    case 'oc.get.netnamespaces':
      return oc('NetNamespaces', p.data.records, ['name', 'NETID', 'egress IPs', 'multicast'], (r) => [r.name, r.netid === null ? '' : `${r.netid} (0x${r.netid.toString(16)})`, r.egressIPs.join(', '), r.multicast === null ? '' : r.multicast ? 'enabled' : 'no'])
    case 'oc.get.clusternetwork':
      return oc('ClusterNetwork', p.data.records, ['name', 'networks', 'service network', 'plugin'], (r) => [r.name, r.networks.map((n) => `${n.cidr}${n.hostSubnetLength !== null ? ` (host subnet /${32 - n.hostSubnetLength})` : ''}`).join(', '), r.serviceNetwork ?? '', r.pluginName ?? ''])
    case 'oc.get.nodes':
      return oc('Nodes', p.data.records, ['name', 'status', 'roles', 'version', 'internal IP'], (r) => [r.name, r.status ?? '', r.roles.join(', '), r.version ?? '', r.internalIP ?? ''], (r) => (r.ready === false ? 'bad' : undefined))
    case 'oc.get.pods':
      return oc('Pods', p.data.records, ['namespace', 'name', 'ready', 'status', 'restarts', 'IP', 'node'], (r) => [r.namespace ?? '', r.name, r.ready ?? '', r.status ?? '', r.restarts === null ? '' : String(r.restarts), r.ip ?? '', r.node ?? ''], (r) => (r.status !== null && !/^(Running|Succeeded|Completed)$/.test(r.status) ? 'bad' : undefined))
    case 'oc.get.services':
      return oc('Services', p.data.records, ['namespace', 'name', 'type', 'cluster IP', 'ports'], (r) => [r.namespace ?? '', r.name, r.type ?? '', r.clusterIP ?? '', r.ports ?? ''])
    case 'oc.get.endpoints':
      return oc('Endpoints', p.data.records, ['namespace', 'name', 'endpoints'], (r) => [r.namespace ?? '', r.name, `${r.endpoints.join(', ')}${r.notShown ? ` + ${r.notShown} more` : ''}`], (r) => (r.endpoints.length === 0 && r.notShown === 0 ? 'warn' : undefined))
    case 'oc.get.egressnetworkpolicies':
      return oc('EgressNetworkPolicies', p.data.records, ['namespace', 'name', 'rules (first wins)'], (r) => [r.namespace ?? '', r.name, r.rules.map((x) => `${x.type} ${x.cidr ?? x.dnsName ?? '?'}`).join('; ')])
    case 'oc.get.networkpolicies':
      return oc('NetworkPolicies', p.data.records, ['namespace', 'name', 'pods', 'types', 'ingress'], (r) => [
        r.namespace ?? '',
        r.name,
        selectorText(r.podSelector),
        r.policyTypes?.join(', ') ?? '',
        r.ingress.map((i) => `from ${i.from.length ? i.from.map((f) => [f.podSelector ? `pods ${selectorText(f.podSelector)}` : null, f.namespaceSelector ? `namespaces ${selectorText(f.namespaceSelector)}` : null, f.ipBlock ? `ipBlock ${f.ipBlock}` : null].filter(Boolean).join(' in ')).join(' or ') : 'anywhere'}${i.ports.length ? ` to ${i.ports.map((x) => `${x.protocol ?? 'TCP'}/${x.port ?? 'any'}`).join(', ')}` : ''}`).join('; ')
      ])
    case 'oc.get.namespaces':
      return oc('Namespaces', p.data.records, ['name', 'labels'], (r) => [r.name, r.labels ? Object.entries(r.labels).map(([k, v]) => `${k}=${v}`).join(', ') : ''])
    case 'ovs-ofctl.dump-flows':
    case 'ovs-appctl.ofproto-trace':
      // Their own views: the flow grid and the trace walk.
      return null
  }
}

function oc<R extends { line: number }>(title: string, records: readonly R[], columns: string[], cells: (r: R) => string[], tone?: (r: R) => Tone | undefined): ParsedDocument {
  return {
    summary: plural(records.length, title === 'ClusterNetwork' ? 'ClusterNetwork' : title.replace(/s$/, ''), title),
    blocks: [
      table(
        title,
        columns.map((c) => ({ name: c, mono: /IP|subnet|network|endpoints/i.test(c) })),
        records.map((r) => {
          const t = tone?.(r)
          return { line: r.line, ...(t ? { tone: t } : {}), cells: cells(r).map((s) => txt(s)) }
        })
      )
    ]
  }
}
