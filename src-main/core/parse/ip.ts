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
}

export interface IpAddrResult {
  links: IpLink[]
  diagnostics: Diagnostic[]
}

function field(words: string[], key: string): string | null {
  const i = words.indexOf(key)
  return i >= 0 && i + 1 < words.length ? (words[i + 1] as string) : null
}

/** `ip addr` / `ip addr show` text, or `ip -j addr` JSON. Never throws. */
export function parseIpAddr(text: string): IpAddrResult {
  const t = text.trimStart()
  if (t.startsWith('[')) return parseIpAddrJson(t)
  const links: IpLink[] = []
  const diagnostics: Diagnostic[] = []
  let cur: IpLink | null = null
  splitLines(text).forEach((raw, i) => {
    const line = i + 1
    const s = raw.trim()
    if (s === '' || s.startsWith('#')) return
    const head = /^(\d+):\s+([^:@\s]+)(?:@([^:\s]+))?:\s+<([^>]*)>\s*(.*)$/.exec(raw)
    if (head) {
      const words = (head[5] as string).split(/\s+/)
      const mtu = field(words, 'mtu')
      cur = {
        line,
        index: Number(head[1]),
        name: head[2] as string,
        peer: head[3] ?? null,
        flags: (head[4] as string).split(',').filter((f) => f !== ''),
        mtu: mtu === null ? null : Number(mtu),
        state: field(words, 'state'),
        linkType: null,
        mac: null,
        master: field(words, 'master'),
        addresses: []
      }
      links.push(cur)
      return
    }
    const c = cur as IpLink | null
    if (!c) return void diagnostics.push(diag(line, 'error', 'not ip addr output (no interface line before this)', raw))
    const words = s.split(/\s+/)
    const kind = words[0] as string
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
    if (kind === 'valid_lft' || kind === 'altname' || /^(vxlan|veth|bridge|openvswitch|tun|geneve|bond|vlan)\b/.test(kind)) return
    diagnostics.push(diag(line, 'warning', 'unrecognized ip addr detail line', raw))
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
  type: string | null
  via: string | null
  dev: string | null
  protocol: string | null
  scope: string | null
  source: string | null
  metric: number | null
  mtu: number | null
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
      mtu: typeof (r.metrics as { mtu?: unknown }[] | undefined)?.[0]?.mtu === 'number' ? ((r.metrics as { mtu: number }[])[0] as { mtu: number }).mtu : null
    }))
    return { routes, diagnostics }
  }
  const routes: IpRoute[] = []
  splitLines(text).forEach((raw, i) => {
    const s = raw.trim()
    if (s === '' || s.startsWith('#')) return
    let words = s.split(/\s+/)
    let type: string | null = null
    if (/^(unicast|local|broadcast|multicast|unreachable|blackhole|prohibit|throw|nat)$/.test(words[0] as string)) {
      type = words[0] as string
      words = words.slice(1)
    }
    const dst = words[0] as string
    if (!(dst === 'default' || /^[\d.]+(\/\d+)?$/.test(dst) || /^[0-9a-f:]+(\/\d+)?$/i.test(dst))) {
      diagnostics.push(diag(i + 1, 'error', 'not an ip route line (destination first)', raw))
      return
    }
    const metric = field(words, 'metric')
    const mtu = field(words, 'mtu')
    routes.push({
      line: i + 1,
      destination: dst,
      type,
      via: field(words, 'via'),
      dev: field(words, 'dev'),
      protocol: field(words, 'proto'),
      scope: field(words, 'scope'),
      source: field(words, 'src'),
      metric: metric === null ? null : Number(metric),
      mtu: mtu === null ? null : Number(mtu)
    })
  })
  return { routes, diagnostics }
}
