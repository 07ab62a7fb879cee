// Actions printed as Open vSwitch 3.1 prints them (lib/ofp-actions.c format_*), so every spelling that
// ovs-ofctl reads as the same action has one text: NXM names in load/move/output of a field, whole-field
// ranges as [], values in hex where OVS prints hex, set_field's own field names (ip_dst, eth_src),
// notes padded as the switch stores them. Which action prints how is action-vocabulary.ts.
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
  const pkt = /^OXM_OF_PKT_REG(\d+)$/i.exec(name)
  const reg = pkt ? ['', 'x', pkt[1]] : (regNxm.exec(name) ?? /^(x{0,2})reg(\d+)$/i.exec(name))
  if (reg) {
    const x = (reg[1] as string).length
    const n = Number(reg[2])
    if (x === 0) return n < 16 ? { nxm: `NXM_NX_REG${n}`, bits: 32, def: fieldDef(`reg${n}`) ?? null } : null
    if (!wideRegister(`${'x'.repeat(x)}reg${n}`)) return null
    // OVS prints xregN by its OXM name (OXM_OF_PKT_REGN) and reads no NXM_NX_XREG name.
    return { nxm: x === 1 ? `OXM_OF_PKT_REG${n}` : `NXM_NX_XXREG${n}`, bits: x === 1 ? 64 : 128, def: null }
  }
  // tun_metadataN: variable length (its TLV map gives the size; OVS's field is 124 bytes wide).
  const meta = /^(?:NXM_NX_)?tun_metadata(\d+)$/i.exec(name)
  if (meta && Number(meta[1]) < 64) return { nxm: `NXM_NX_TUN_METADATA${meta[1]}`, bits: 992, def: null }
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

export function big(text: string): bigint | null {
  const t = text.trim()
  if (/^0x[0-9a-f]+$/i.test(t) || /^\d+$/.test(t)) return BigInt(t)
  return null
}

/** %#x, as OVS prints values: "0" for zero, else 0x and lowercase hex. */
export const hex = (v: bigint) => (v === 0n ? '0' : `0x${v.toString(16)}`)

/** set_field's printed field name: the field's own name (ip_dst for nw_dst), udp_/sctp_ names kept. */
export function setFieldName(written: string): string {
  const lower = written.toLowerCase()
  if (/^(tcp|udp|sctp)_(src|dst)$/.test(lower)) return lower
  const meta = tunMetadata(lower)
  if (meta !== null) return meta
  const reg = /^(x{0,2})reg(\d+)$/.exec(lower) ?? /^nxm_nx_(x{0,2})reg(\d+)$/.exec(lower)
  if (reg) return `${reg[1]}reg${reg[2]}`
  const d = fieldDef(written)
  return d ? (d.mfName ?? d.name) : lower
}

function ipv4Text(v: bigint): string {
  return [24n, 16n, 8n, 0n].map((s) => String((v >> s) & 0xffn)).join('.')
}

/** A set_field value as mf_format prints it for the field. */
export function setFieldValue(def: FieldDef | undefined, text: string, name = ''): string {
  if (!def) {
    // Wide registers (xregN, xxregN) print in hex like the registers they are made of.
    const n = wideRegister(name) ? big(text) : null
    return n === null ? text : hex(n)
  }
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
    // mf_format prints %#x where a match prints 0x%04x (eth_type=0x800 in learn, dl_type=0x0800 in a match).
    case 'hex4':
    case 'hex5':
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
  const meta = tunMetadata(name)
  if (meta !== null) {
    // A variable-length field: OVS writes it with NXAST_REG_LOAD2 and prints set_field, masked or not.
    const slash = value.indexOf('/')
    const v = big(slash < 0 ? value : value.slice(0, slash))
    const m = slash < 0 ? null : big(value.slice(slash + 1))
    if (v !== null && (slash < 0 || m !== null)) return `set_field:${hex(v)}${m === null ? '' : `/${hex(m)}`}->${meta}`
  }
  const def = fieldDef(name) ?? undefined
  const slash = value.indexOf('/')
  if (slash >= 0) {
    const v = big(value.slice(0, slash))
    const m = big(value.slice(slash + 1))
    const f = refField(field)
    if (v !== null && m !== null && f) {
      const full = (1n << BigInt(f.bits)) - 1n
      if ((m & full) === full) return `set_field:${setFieldValue(def, hex(v), name)}->${name}`
      return runs(m & full)
        .map(([a, b]) => `load:${hex((v >> BigInt(a)) & ((1n << BigInt(b - a + 1)) - 1n))}->${printFieldRef(`${field}[${a}..${b}]`)}`)
        .join(',')
    }
  }
  return `set_field:${setFieldValue(def, value, name)}->${name}`
}

/** tun_metadataN (any spelling) as OVS names it, or null. */
function tunMetadata(name: string): string | null {
  const m = /^(?:NXM_NX_)?tun_metadata(\d+)$/i.exec(name.trim())
  return m && Number(m[1]) < 64 ? `tun_metadata${m[1]}` : null
}

export function printLoad(value: string, dst: string): string {
  const v = big(value)
  const r = parseFieldRef(dst)
  const meta = r ? tunMetadata(r.name) : null
  if (meta !== null && v !== null && r) {
    if (r.start === null || r.end === null) return `set_field:${hex(v)}->${meta}`
    const width = BigInt(r.end - r.start + 1)
    return `set_field:${hex(v << BigInt(r.start))}/${hex(((1n << width) - 1n) << BigInt(r.start))}->${meta}`
  }
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
