import { diag, splitLines, type Diagnostic } from './diagnostics'

export interface IpAddress {
  family: 'inet' | 'inet6'
  address: string
  prefixLength: number
  scope: string | null
  broadcast: string | null
}

export interface IpLink {
  line: number
  index: number
  name: string
  /** The peer after '@' (veths: "if12", "eth0@if5"). */
  peer: string | null
  flags: string[]
  mtu: number | null
  state: string | null
  linkType: string | null
  mac: string | null
  master: string | null
  addresses: IpAddress[]
  /** `ip -d`: the link's kind ("veth", "vxlan", "openvswitch") and what it is a port of ("bridge", "openvswitch"). */
  kind: string | null
  slaveOf: string | null
  /** `ip -d`: the detail lines, word by word as printed. */
  details: string[][]
  /** `ip -s`: the counters by direction and name ("bytes", "packets", "errors", "dropped"...). */
  stats: { rx: Record<string, number>; tx: Record<string, number> } | null
}

export interface IpAddrResult {
  links: IpLink[]
  diagnostics: Diagnostic[]
}

function field(words: string[], key: string): string | null {
  const i = words.indexOf(key)
  return i >= 0 && i + 1 < words.length ? (words[i + 1] as string) : null
}

/**
 * `ip addr` / `ip link` text in any of its forms (`-d` details, `-s` counters, `-o` one line per record with
 * `\\` for line breaks), or `ip -j addr` JSON. Never throws.
 */
export function parseIpAddr(text: string): IpAddrResult {
  const t = text.trimStart()
  if (t.startsWith('[')) return parseIpAddrJson(t)
  const links: IpLink[] = []
  const diagnostics: Diagnostic[] = []
  let cur: IpLink | null = null
  /** The RX:/TX: header whose numbers come on the next line. */
  let pendingStats: { dir: 'rx' | 'tx'; names: string[] } | null = null
  const newLink = (line: number, index: number, name: string, peer: string | null, flags: string[], words: string[]): IpLink => {
    const mtu = field(words, 'mtu')
    return { line, index, name, peer, flags, mtu: mtu === null ? null : Number(mtu), state: field(words, 'state'), linkType: null, mac: null, master: field(words, 'master'), addresses: [], kind: null, slaveOf: null, details: [], stats: null }
  }
  const detail = (c: IpLink, s: string, raw: string, line: number) => {
    const words = s.split(/\s+/)
    const kind = words[0] as string
    if (pendingStats) {
      const nums = words.map(Number)
      if (nums.every((n) => Number.isFinite(n))) {
        const st = (c.stats ??= { rx: {}, tx: {} })
        const { dir, names } = pendingStats
        names.forEach((n, k) => {
          if (k < nums.length) st[dir][n] = nums[k] as number
        })
        pendingStats = null
        return
      }
      pendingStats = null
    }
    // "RX:  bytes packets errors dropped  missed   mcast": the numbers follow on the next line; with -s -s,
    // "RX errors: length crc frame fifo overrun" adds the error kinds.
    if (kind === 'RX:' || kind === 'TX:') {
      pendingStats = { dir: kind === 'RX:' ? 'rx' : 'tx', names: words.slice(1) }
      return
    }
    if ((kind === 'RX' || kind === 'TX') && words[1] === 'errors:') {
      pendingStats = { dir: kind === 'RX' ? 'rx' : 'tx', names: words.slice(2).map((n) => `errors.${n}`) }
      return
    }
    if (kind.startsWith('link/')) {
      c.linkType = kind.slice(5)
      c.mac = words[1] && /^[0-9a-f:]{17}$/i.test(words[1]) ? words[1].toLowerCase() : null
      return
    }
    if (kind === 'inet' || kind === 'inet6') {
      const [address = '', len = ''] = (words[1] ?? '').split('/')
      if (address === '' || !/^\d+$/.test(len)) return void diagnostics.push(diag(line, 'error', `${kind} without ADDRESS/PREFIX`, raw))
      c.addresses.push({ family: kind, address, prefixLength: Number(len), scope: field(words, 'scope'), broadcast: field(words, 'brd') })
      return
    }
    if (kind === 'valid_lft' || kind === 'altname') return
    // `ip -d`: "veth …", "vxlan id 0 …", "openvswitch_slave", "bridge_slave state forwarding …", "alias text".
    if (/^[a-z][a-z0-9_]*$/.test(kind)) {
      c.details.push(words)
      if (kind.endsWith('_slave')) c.slaveOf = kind.slice(0, -'_slave'.length)
      else if (c.kind === null && kind !== 'alias') c.kind = kind
      return
    }
    diagnostics.push(diag(line, 'warning', 'unrecognized ip addr detail line', raw))
  }
  splitLines(text).forEach((raw, i) => {
    const line = i + 1
    if (raw.trim() === '' || raw.trim().startsWith('#')) return
    // `ip -o`: one record per line, its line breaks written as "\\".
    const parts = raw.includes('\\') ? raw.split('\\') : [raw]
    const first = parts[0] as string
    const head = /^(\d+):\s+([^:@\s]+)(?:@([^:\s]+))?:\s+<([^>]*)>\s*(.*)$/.exec(first)
    // `ip -o addr`: "3: d0    inet 10.77.0.1/24 scope global d0" (no flags: an address of link 3).
    const oneLineAddr = head ? null : /^(\d+):\s+([^:@\s]+)(?:@(\S+))?\s+(inet6?\s.*)$/.exec(first)
    pendingStats = head ? null : pendingStats
    if (head) {
      cur = newLink(line, Number(head[1]), head[2] as string, head[3] ?? null, (head[4] as string).split(',').filter((f) => f !== ''), (head[5] as string).split(/\s+/))
      links.push(cur)
    } else if (oneLineAddr) {
      const index = Number(oneLineAddr[1])
      const name = oneLineAddr[2] as string
      cur = links.find((l) => l.index === index && l.name === name) ?? null
      if (!cur) {
        cur = newLink(line, index, name, oneLineAddr[3] ?? null, [], [])
        links.push(cur)
      }
      detail(cur, (oneLineAddr[4] as string).trim(), raw, line)
    } else {
      const c = cur as IpLink | null
      if (!c) return void diagnostics.push(diag(line, 'error', 'not ip addr output (no interface line before this)', raw))
      detail(c, first.trim(), raw, line)
    }
    for (const p of parts.slice(1)) {
      const s = p.trim()
      if (s !== '' && cur) detail(cur, s, raw, line)
    }
  })
  return { links, diagnostics }
}

function parseIpAddrJson(text: string): IpAddrResult {
  const diagnostics: Diagnostic[] = []
  let doc: unknown
  try {
    doc = JSON.parse(text)
  } catch (err) {
    return { links: [], diagnostics: [diag(1, 'error', `not valid JSON (${(err as Error).message}); cut short?`, text.slice(0, 200))] }
  }
  if (!Array.isArray(doc)) return { links: [], diagnostics: [diag(1, 'error', 'JSON, but not ip -j addr output (an array of links)', text.slice(0, 200))] }
  const links: IpLink[] = []
  doc.forEach((l: Record<string, unknown>, n) => {
    if (typeof l !== 'object' || l === null || typeof l.ifname !== 'string') {
      diagnostics.push(diag(1, 'warning', `item ${n + 1} is not a link`, JSON.stringify(l).slice(0, 200)))
      return
    }
    const info = Array.isArray(l.addr_info) ? (l.addr_info as Record<string, unknown>[]) : []
    links.push({
      line: 1,
      index: typeof l.ifindex === 'number' ? l.ifindex : n + 1,
      name: l.ifname,
      peer: typeof l.link === 'string' ? l.link : typeof l.link_index === 'number' ? `if${l.link_index}` : null,
      flags: Array.isArray(l.flags) ? (l.flags as string[]) : [],
      mtu: typeof l.mtu === 'number' ? l.mtu : null,
      state: typeof l.operstate === 'string' ? l.operstate : null,
      linkType: typeof l.link_type === 'string' ? l.link_type : null,
      mac: typeof l.address === 'string' ? l.address.toLowerCase() : null,
      master: typeof l.master === 'string' ? l.master : null,
      kind: typeof (l.linkinfo as { info_kind?: unknown } | undefined)?.info_kind === 'string' ? ((l.linkinfo as { info_kind: string }).info_kind) : null,
      slaveOf: typeof (l.linkinfo as { info_slave_kind?: unknown } | undefined)?.info_slave_kind === 'string' ? ((l.linkinfo as { info_slave_kind: string }).info_slave_kind) : null,
      details: [],
      stats: null,
      addresses: info
        .filter((a) => (a.family === 'inet' || a.family === 'inet6') && typeof a.local === 'string')
        .map((a) => ({
          family: a.family as 'inet' | 'inet6',
          address: a.local as string,
          prefixLength: Number(a.prefixlen),
          scope: typeof a.scope === 'string' ? a.scope : null,
          broadcast: typeof a.broadcast === 'string' ? a.broadcast : null
        }))
    })
  })
  return { links, diagnostics }
}

export interface IpRoute {
  line: number
  /** "default" or a CIDR / address. */
  destination: string
  /** unicast when absent; local, broadcast, anycast, multicast, unreachable, blackhole, prohibit, throw, nat. */
  type: string | null
  via: string | null
  dev: string | null
  protocol: string | null
  scope: string | null
  source: string | null
  metric: number | null
  mtu: number | null
  /** The routing table when not main ("local", "100"). */
  table: string | null
  /** The error an unreachable route returns ("error -113"). */
  error: number | null
  /** A multipath route's next hops ("nexthop via … dev … weight N" lines). */
  nexthops: { via: string | null; dev: string | null; weight: number | null }[]
  /** The route cache's line under a route (`ip route get`, `ip route show cache`): its words, or null. */
  cache: string[] | null
}

/** `ip route` text or `ip -j route` JSON. Never throws. */
export function parseIpRoute(text: string): { routes: IpRoute[]; diagnostics: Diagnostic[] } {
  const t = text.trimStart()
  const diagnostics: Diagnostic[] = []
  if (t.startsWith('[')) {
    let doc: unknown
    try {
      doc = JSON.parse(t)
    } catch (err) {
      return { routes: [], diagnostics: [diag(1, 'error', `not valid JSON (${(err as Error).message}); cut short?`, t.slice(0, 200))] }
    }
    if (!Array.isArray(doc)) return { routes: [], diagnostics: [diag(1, 'error', 'JSON, but not ip -j route output', t.slice(0, 200))] }
    const items = doc.filter((r, n): r is Record<string, unknown> => {
      const ok = r !== null && typeof r === 'object' && !Array.isArray(r) && typeof (r as { dst?: unknown }).dst === 'string'
      if (!ok) diagnostics.push(diag(1, 'warning', `item ${n + 1} is not a route`, JSON.stringify(r).slice(0, 200)))
      return ok
    })
    const routes = items.map((r) => ({
      line: 1,
      destination: String(r.dst ?? ''),
      type: typeof r.type === 'string' ? r.type : null,
      via: typeof r.gateway === 'string' ? r.gateway : null,
      dev: typeof r.dev === 'string' ? r.dev : null,
      protocol: typeof r.protocol === 'string' ? r.protocol : null,
      scope: typeof r.scope === 'string' ? r.scope : null,
      source: typeof r.prefsrc === 'string' ? r.prefsrc : null,
      metric: typeof r.metric === 'number' ? r.metric : null,
      mtu: typeof (r.metrics as { mtu?: unknown }[] | undefined)?.[0]?.mtu === 'number' ? ((r.metrics as { mtu: number }[])[0] as { mtu: number }).mtu : null,
      table: typeof r.table === 'string' ? r.table : null,
      error: typeof r.error === 'number' ? r.error : null,
      nexthops: Array.isArray(r.nexthops)
        ? (r.nexthops as Record<string, unknown>[]).map((h) => ({ via: typeof h.gateway === 'string' ? h.gateway : null, dev: typeof h.dev === 'string' ? h.dev : null, weight: typeof h.weight === 'number' ? h.weight : null }))
        : [],
      cache: null
    }))
    return { routes, diagnostics }
  }
  const routes: IpRoute[] = []
  splitLines(text).forEach((raw, i) => {
    const s = raw.trim()
    if (s === '' || s.startsWith('#')) return
    let words = s.split(/\s+/)
    const last = routes[routes.length - 1]
    // Lines under a route: its next hops (multipath) and its cache entry.
    if (/^\s/.test(raw) && last) {
      if (words[0] === 'nexthop') {
        const weight = field(words, 'weight')
        last.nexthops.push({ via: field(words, 'via'), dev: field(words, 'dev'), weight: weight === null ? null : Number(weight) })
        return
      }
      if (words[0] === 'cache') {
        last.cache = words.slice(1)
        return
      }
    }
    let type: string | null = null
    if (/^(unicast|local|broadcast|anycast|multicast|unreachable|blackhole|prohibit|throw|nat)$/.test(words[0] as string)) {
      type = words[0] as string
      words = words.slice(1)
    }
    const dst = words[0] as string
    if (!(dst === 'default' || /^[\d.]+(\/\d+)?$/.test(dst) || /^[0-9a-f:]+(\/\d+)?$/i.test(dst))) {
      diagnostics.push(diag(i + 1, 'error', 'not an ip route line (destination first)', raw))
      return
    }
    const num = (key: string) => {
      const v = field(words, key)
      return v === null || !/^-?\d+$/.test(v) ? null : Number(v)
    }
    routes.push({
      line: i + 1,
      destination: dst,
      type,
      via: field(words, 'via'),
      dev: field(words, 'dev'),
      protocol: field(words, 'proto'),
      scope: field(words, 'scope'),
      source: field(words, 'src'),
      metric: num('metric'),
      mtu: num('mtu'),
      table: field(words, 'table'),
      error: num('error'),
      nexthops: [],
      cache: null
    })
  })
  return { routes, diagnostics }
}
