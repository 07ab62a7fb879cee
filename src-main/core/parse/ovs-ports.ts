import { diag, splitLines, type Diagnostic, type ParseResult } from './diagnostics'

/** One port of a bridge as `ovs-ofctl dump-ports-desc` / `show` prints it. */
export interface PortDesc {
  line: number
  /** OpenFlow port number; 'LOCAL' for the bridge's own port. */
  ofport: number | 'LOCAL'
  name: string
  mac: string | null
  config: string[]
  state: string[]
  current: string[]
  speedNowMbps: number | null
  speedMaxMbps: number | null
}

export interface SwitchFeatures {
  dpid: string | null
  nTables: number | null
  capabilities: string[]
  fragHandling: string | null
}

export interface PortDescResult extends ParseResult<PortDesc> {
  features: SwitchFeatures
}

const portHead = /^\s*(\d+|LOCAL)\((.*)\): addr:([0-9a-fA-F:]{17})\s*$/
const replyHead = /^(OFPST_PORT_DESC|OFPT_FEATURES_REPLY|OFPT_GET_CONFIG_REPLY|OFPST_PORT) reply|^OFPT_(FEATURES|GET_CONFIG)_REPLY/
const words = (s: string) => s.trim().split(/\s+/).filter((w) => w !== '' && w !== '0')

/** `ovs-ofctl dump-ports-desc BR` and `ovs-ofctl show BR`. Never throws. */
export function parsePortDesc(text: string): PortDescResult {
  const records: PortDesc[] = []
  const diagnostics: Diagnostic[] = []
  const features: SwitchFeatures = { dpid: null, nTables: null, capabilities: [], fragHandling: null }
  let cur: PortDesc | null = null
  splitLines(text).forEach((raw, i) => {
    const line = i + 1
    const t = raw.trim()
    if (t === '' || t.startsWith('#') || /^\$ /.test(t)) return
    const head = portHead.exec(raw)
    if (head) {
      cur = {
        line,
        ofport: head[1] === 'LOCAL' ? 'LOCAL' : Number(head[1]),
        name: head[2] as string,
        mac: (head[3] as string).toLowerCase(),
        config: [],
        state: [],
        current: [],
        speedNowMbps: null,
        speedMaxMbps: null
      }
      records.push(cur)
      return
    }
    if (replyHead.test(t)) {
      const dpid = /dpid:([0-9a-f]+)/i.exec(t)
      if (dpid) features.dpid = dpid[1] as string
      const frags = /frags=(\S+)/.exec(t)
      if (frags) features.fragHandling = frags[1] as string
      return
    }
    const nt = /^n_tables:(\d+)/.exec(t)
    if (nt) {
      features.nTables = Number(nt[1])
      return
    }
    if (t.startsWith('capabilities:')) {
      features.capabilities = words(t.slice(13))
      return
    }
    if (t.startsWith('actions:')) return
    const kv = /^(config|state|current|advertised|supported|peer|speed):\s*(.*)$/.exec(t)
    if (kv && cur) {
      const c: PortDesc = cur
      const [, key, value = ''] = kv
      if (key === 'config') c.config = words(value)
      else if (key === 'state') c.state = words(value)
      else if (key === 'current') c.current = words(value)
      else if (key === 'speed') {
        const m = /(\d+) Mbps now, (\d+) Mbps max/.exec(value)
        if (m) {
          c.speedNowMbps = Number(m[1])
          c.speedMaxMbps = Number(m[2])
        } else diagnostics.push(diag(line, 'warning', 'speed line not in "N Mbps now, N Mbps max" form', raw))
      }
      return
    }
    diagnostics.push(diag(line, 'error', kv ? 'port property before any port line' : 'not part of a port listing', raw))
  })
  return { records, diagnostics, features }
}

export interface PortStats {
  line: number
  port: number | 'LOCAL'
  rx: Record<'pkts' | 'bytes' | 'drop' | 'errs' | 'frame' | 'over' | 'crc', number | null>
  tx: Record<'pkts' | 'bytes' | 'drop' | 'errs' | 'coll', number | null>
  durationSeconds: number | null
}

function counters<K extends string>(text: string, keys: readonly K[]): Record<K, number | null> {
  const out = {} as Record<K, number | null>
  for (const k of keys) {
    const m = new RegExp(`(?:^|[ ,])${k}=(\\d+|\\?)`).exec(text)
    out[k] = m && m[1] !== '?' ? Number(m[1]) : null
  }
  return out
}

/** `ovs-ofctl dump-ports BR`: per-port rx/tx counters ("?" = not supported, kept as null). */
export function parseDumpPorts(text: string): ParseResult<PortStats> {
  const records: PortStats[] = []
  const diagnostics: Diagnostic[] = []
  let cur: PortStats | null = null
  splitLines(text).forEach((raw, i) => {
    const line = i + 1
    const t = raw.trim()
    if (t === '' || t.startsWith('#') || /^OFPST_PORT reply/.test(t)) return
    const head = /^port\s+(\d+|LOCAL):\s*rx\s+(.*)$/.exec(t)
    if (head) {
      cur = {
        line,
        port: head[1] === 'LOCAL' ? 'LOCAL' : Number(head[1]),
        rx: counters(head[2] as string, ['pkts', 'bytes', 'drop', 'errs', 'frame', 'over', 'crc'] as const),
        tx: { pkts: null, bytes: null, drop: null, errs: null, coll: null },
        durationSeconds: null
      }
      records.push(cur)
      return
    }
    const c = cur as PortStats | null
    if (c && t.startsWith('tx ')) {
      c.tx = counters(t.slice(3), ['pkts', 'bytes', 'drop', 'errs', 'coll'] as const)
      return
    }
    const d = /^duration=(\d+(?:\.\d+)?)s$/.exec(t)
    if (c && d) {
      c.durationSeconds = Number(d[1])
      return
    }
    diagnostics.push(diag(line, 'error', 'not part of a dump-ports listing', raw))
  })
  return { records, diagnostics }
}
