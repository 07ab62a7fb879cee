// Actions printed as Open vSwitch 3.1 prints them (lib/ofp-actions.c format_*), so every spelling that
// ovs-ofctl reads as the same action has one text: NXM names in load/move/output of a field, whole-field
// ranges as [], values in hex where OVS prints hex, set_field's own field names (ip_dst, eth_src),
// the mod_*/set_tunnel/enqueue shorthands as what they become, notes padded as the switch stores them.
import { fieldDef, wideRegister, type FieldDef } from './vocabulary'

/** A field reference as written: name and optional bit range. */
export interface FieldRef {
  name: string
  /** Inclusive bit range; null for the whole field ("[]" or no brackets). */
  start: number | null
  end: number | null
}

export function parseFieldRef(text: string): FieldRef | null {
  const m = /^([A-Za-z][A-Za-z0-9_]*)(?:\[(?:(\d+)(?:\.\.(\d+))?)?\])?$/.exec(text.trim())
  if (!m) return null
  const start = m[2] === undefined ? null : Number(m[2])
  const end = m[3] === undefined ? start : Number(m[3])
  return { name: m[1] as string, start, end }
}

const regNxm = /^NXM_NX_(X{0,2})REG(\d+)$/i

/** The field a name (short, alias or NXM/OXM) means, its width, and the NXM name OVS prints for it. */
function refField(name: string): { nxm: string; bits: number; def: FieldDef | null } | null {
  const reg = regNxm.exec(name) ?? /^(x{0,2})reg(\d+)$/i.exec(name)
  if (reg) {
    const x = (reg[1] as string).length
    const n = Number(reg[2])
    if (x === 0) return n < 16 ? { nxm: `NXM_NX_REG${n}`, bits: 32, def: fieldDef(`reg${n}`) ?? null } : null
    if (!wideRegister(`${'x'.repeat(x)}reg${n}`)) return null
    return { nxm: x === 1 ? `NXM_NX_XREG${n}` : `NXM_NX_XXREG${n}`, bits: x === 1 ? 64 : 128, def: null }
  }
  const lower = name.toLowerCase()
  const d = fieldDef(name)
  if (!d?.nxm) return null
  // udp_src and sctp_src are fields of their own in NXM; tp_src/tcp_src are TCP's.
  const l4 = /^(udp|sctp)_(src|dst)$/.exec(lower)
  const nxm = l4 ? (l4[1] === 'udp' ? `NXM_OF_UDP_${(l4[2] as string).toUpperCase()}` : `OXM_OF_SCTP_${(l4[2] as string).toUpperCase()}`) : d.nxm
  return { nxm, bits: d.bits, def: d }
}

/** "reg0[0..15]" -> "NXM_NX_REG0[0..15]", "reg0[0..31]" -> "NXM_NX_REG0[]", "reg0[5..5]" -> "NXM_NX_REG0[5]". */
export function printFieldRef(text: string): string {
  const r = parseFieldRef(text)
  if (!r) return text.trim()
  const f = refField(r.name)
  const name = f?.nxm ?? r.name
  if (r.start === null || r.end === null) return `${name}[]`
  if (f && r.start === 0 && r.end === f.bits - 1) return `${name}[]`
  return r.start === r.end ? `${name}[${r.start}]` : `${name}[${r.start}..${r.end}]`
}

function big(text: string): bigint | null {
  const t = text.trim()
  if (/^0x[0-9a-f]+$/i.test(t) || /^\d+$/.test(t)) return BigInt(t)
  return null
}

/** %#x, as OVS prints values: "0" for zero, else 0x and lowercase hex. */
const hex = (v: bigint) => (v === 0n ? '0' : `0x${v.toString(16)}`)

/** set_field's printed field name: the field's own name (ip_dst for nw_dst), udp_/sctp_ names kept. */
function setFieldName(written: string): string {
  const lower = written.toLowerCase()
  if (/^(tcp|udp|sctp)_(src|dst)$/.test(lower)) return lower
  const reg = /^(x{0,2})reg(\d+)$/.exec(lower) ?? /^nxm_nx_(x{0,2})reg(\d+)$/.exec(lower)
  if (reg) return `${reg[1]}reg${reg[2]}`
  const d = fieldDef(written)
  return d ? (d.mfName ?? d.name) : lower
}

function ipv4Text(v: bigint): string {
  return [24n, 16n, 8n, 0n].map((s) => String((v >> s) & 0xffn)).join('.')
}

/** A set_field value as mf_format prints it for the field. */
function setFieldValue(def: FieldDef | undefined, text: string): string {
  if (!def) return text
  const n = big(text)
  switch (def.format) {
    case 'ipv4':
      return n !== null && n <= 0xffffffffn ? ipv4Text(n) : text
    case 'ipv6':
      return text.toLowerCase()
    case 'mac':
      return text.toLowerCase()
    case 'hex':
    case 'label':
      return n === null ? text : hex(n)
    case 'dec':
    case 'dec-only':
      return n === null ? text : String(n)
    default:
      return text
  }
}

/** The runs of set bits of a mask, lowest first: [start, end] inclusive. */
function runs(mask: bigint): [number, number][] {
  const out: [number, number][] = []
  let i = 0
  let m = mask
  while (m !== 0n) {
    if ((m & 1n) === 0n) {
      m >>= 1n
      i++
      continue
    }
    const start = i
    while ((m & 1n) === 1n) {
      m >>= 1n
      i++
    }
    out.push([start, i - 1])
  }
  return out
}

/**
 * set_field:V[/M]->F as OVS prints it: whole field as set_field; with a mask, the load of each run of mask
 * bits, lowest first (how the switch stores a masked register write).
 */
export function printSetField(value: string, field: string): string {
  const name = setFieldName(field)
  const def = fieldDef(name) ?? undefined
  const slash = value.indexOf('/')
  if (slash >= 0) {
    const v = big(value.slice(0, slash))
    const m = big(value.slice(slash + 1))
    const f = refField(field)
    if (v !== null && m !== null && f) {
      const full = (1n << BigInt(f.bits)) - 1n
      if ((m & full) === full) return `set_field:${setFieldValue(def, hex(v))}->${name}`
      return runs(m & full)
        .map(([a, b]) => `load:${hex((v >> BigInt(a)) & ((1n << BigInt(b - a + 1)) - 1n))}->${printFieldRef(`${field}[${a}..${b}]`)}`)
        .join(',')
    }
  }
  return `set_field:${setFieldValue(def, value)}->${name}`
}

export function printLoad(value: string, dst: string): string {
  const v = big(value)
  return `load:${v === null ? value : hex(v)}->${printFieldRef(dst)}`
}

/** The reserved ports OVS prints by name, and the numbers that are they (OpenFlow 1.0 numbering). */
const reserved: Record<string, number> = { IN_PORT: 0xfff8, TABLE: 0xfff9, NORMAL: 0xfffa, FLOOD: 0xfffb, ALL: 0xfffc, LOCAL: 0xfffe, NONE: 0xffff }
const reservedByNumber = new Map(Object.entries(reserved).map(([k, v]) => [v, k]))

/** output to a port: "output:N", a reserved port by its name, CONTROLLER:65535 for the controller. */
export function printOutput(port: number | string): string {
  if (typeof port === 'number') {
    const r = reservedByNumber.get(port)
    if (r) return r
    return port === 0xfffd ? 'CONTROLLER:65535' : `output:${port}`
  }
  const upper = port.toUpperCase()
  if (upper in reserved) return upper
  if (upper === 'CONTROLLER') return 'CONTROLLER:65535'
  return `output:${port}`
}

/** Note bytes as the switch stores them: padded with zeros so the action is a multiple of 8 bytes long. */
export function printNote(bytes: string): string {
  const pairs: string[] = bytes.match(/../g) ?? []
  while ((pairs.length + 10) % 8 !== 0 || pairs.length < 6) pairs.push('00')
  return `note:${pairs.join('.')}`
}

/** What the OpenFlow 1.0 shorthands become (ofpact parsing: mod_* -> set_field, set_tunnel -> tun_id). */
export function expandShorthand(name: string, arg: string | null): string[] | null {
  if (arg === null) return null
  switch (name) {
    case 'mod_dl_src':
      return [printSetField(arg, 'eth_src')]
    case 'mod_dl_dst':
      return [printSetField(arg, 'eth_dst')]
    case 'mod_nw_src':
      return [printSetField(arg, 'ip_src')]
    case 'mod_nw_dst':
      return [printSetField(arg, 'ip_dst')]
    case 'mod_nw_tos': {
      const n = big(arg)
      return n === null ? null : [`set_field:${n >> 2n}->ip_dscp`]
    }
    case 'mod_nw_ecn': {
      const n = big(arg)
      return n === null ? null : [`set_field:${n}->nw_ecn`]
    }
    case 'set_tunnel':
    case 'set_tunnel64': {
      const n = big(arg)
      return n === null ? null : [`set_field:${hex(n)}->tun_id`]
    }
    case 'enqueue': {
      const [port, queue] = arg.split(/[:,]/)
      if (port === undefined || queue === undefined) return null
      const q = big(queue)
      const p = big(port)
      return [`set_queue:${q ?? queue}`, printOutput(p !== null ? Number(p) : port), 'pop_queue']
    }
  }
  return null
}


/** learn(...)'s properties in the order format_LEARN prints them, before its specs. */
const learnHeader = ['table', 'idle_timeout', 'hard_timeout', 'fin_idle_timeout', 'fin_hard_timeout', 'priority', 'cookie', 'limit', 'result_dst']

function isFieldRef(text: string): boolean {
  const r = parseFieldRef(text)
  return r !== null && (text.includes('[') || fieldDef(r.name) !== undefined || /^(x{0,2})reg\d+$/i.test(r.name))
}

/**
 * learn(...) as OVS prints it: its properties first in format_LEARN's order, then each spec with NXM names
 * (eth_dst=eth_src -> NXM_OF_ETH_DST[]=NXM_OF_ETH_SRC[], load:0x1->reg2[] -> load:0x1->NXM_NX_REG2[]).
 */
export function printLearn(arg: string, split: (s: string) => string[]): string {
  const header = new Map<string, string>()
  const flags: string[] = []
  const specs: string[] = []
  for (const raw of split(arg)) {
    const p = raw.trim()
    if (p === '') continue
    const eq = p.indexOf('=')
    const key = eq < 0 ? p : p.slice(0, eq)
    if (eq > 0 && learnHeader.includes(key)) {
      const n = big(p.slice(eq + 1))
      header.set(key, n === null ? p.slice(eq + 1) : key === 'cookie' ? `0x${n.toString(16)}` : String(n))
    } else if (eq < 0 && /^(send_flow_rem|delete_learned)$/.test(p)) flags.push(p)
    else if (p.startsWith('load:')) {
      const arrow = p.indexOf('->')
      const src = p.slice(5, arrow)
      specs.push(`load:${isFieldRef(src) ? printFieldRef(src) : (() => { const v = big(src); return v === null ? src : hex(v) })()}->${printFieldRef(p.slice(arrow + 2))}`)
    } else if (p.startsWith('output:')) specs.push(`output:${printFieldRef(p.slice(7))}`)
    else if (eq > 0) {
      const value = p.slice(eq + 1)
      specs.push(isFieldRef(value) ? `${printFieldRef(key)}=${printFieldRef(value)}` : `${key.toLowerCase()}=${value}`)
    } else specs.push(isFieldRef(p) ? printFieldRef(p) : p)
  }
  const head = learnHeader.filter((k) => header.has(k)).map((k) => `${k}=${header.get(k)}`)
  return `learn(${[...head, ...flags, ...specs].join(',')})`
}

/**
 * The other actions OVS 3.1 prints in a form of its own (format_SAMPLE, format_MULTIPATH…): how each is printed
 * from its argument, by name. An action not here is compared as written.
 */
const printers: Readonly<Record<string, (arg: string | null, paren: boolean, split: (s: string) => string[]) => string | null>> = {
  write_metadata: (arg) => {
    if (arg === null) return null
    const [v, m] = arg.split('/')
    const bv = big(v ?? '')
    const bm = m === undefined ? null : big(m)
    if (bv === null || (m !== undefined && bm === null)) return null
    return `write_metadata:${hex(bv)}${bm === null ? '' : `/${hex(bm)}`}`
  },
  push_vlan: (arg) => {
    const n = arg === null ? null : big(arg)
    return n === null ? null : `push_vlan:0x${n.toString(16)}`
  },
  set_queue: (arg) => {
    const n = arg === null ? null : big(arg)
    return n === null ? null : `set_queue:${n}`
  },
  group: (arg) => {
    const n = arg === null ? null : big(arg)
    return n === null ? null : `group:${n}`
  },
  meter: (arg) => {
    const n = arg === null ? null : big(arg)
    return n === null ? null : `meter:${n}`
  },
  dec_ttl: (arg, paren) => (paren && arg !== null && arg.trim() !== '' ? `dec_ttl(${arg.split(',').map((x) => String(big(x) ?? x.trim())).join(',')})` : 'dec_ttl'),
  sample: (arg, paren, split) => {
    if (!paren || arg === null) return null
    // format_SAMPLE: probability, collector_set_id, obs_domain_id, obs_point_id (the two ids default to 0), then the rest.
    const order = ['probability', 'collector_set_id', 'obs_domain_id', 'obs_point_id']
    const kv = new Map<string, string>()
    const rest: string[] = []
    for (const p of split(arg).map((x) => x.trim()).filter(Boolean)) {
      const eq = p.indexOf('=')
      const k = eq < 0 ? p : p.slice(0, eq)
      if (order.includes(k)) kv.set(k, String(big(p.slice(eq + 1)) ?? p.slice(eq + 1)))
      else rest.push(p)
    }
    if (!kv.has('obs_domain_id')) kv.set('obs_domain_id', '0')
    if (!kv.has('obs_point_id')) kv.set('obs_point_id', '0')
    return `sample(${[...order.filter((k) => kv.has(k)).map((k) => `${k}=${kv.get(k)}`), ...rest].join(',')})`
  },
  multipath: (arg, paren) => {
    if (!paren || arg === null) return null
    const parts = arg.split(',')
    const dst = parts.pop()
    return dst === undefined ? null : `multipath(${[...parts, printFieldRef(dst)].join(',')})`
  },
  bundle_load: (arg, paren) => {
    if (!paren || arg === null) return null
    const parts = arg.split(',')
    if (parts.length < 6) return null
    parts[4] = printFieldRef(parts[4] as string)
    return `bundle_load(${parts.join(',')})`
  },
  check_pkt_larger: (arg) => {
    const m = arg === null ? null : /^(\d+)\)->(.+)$/.exec(arg)
    return m ? `check_pkt_larger(${m[1]})->${printFieldRef(m[2] as string)}` : null
  }
}

export function printKnownAction(name: string, arg: string | null, paren: boolean, split: (s: string) => string[]): string | null {
  const p = printers[name]
  return p ? p(arg, paren, split) : null
}
