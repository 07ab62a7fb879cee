import { canonicalFieldName, fieldKind, protocolName, protocols } from './fields'
import { fastCanonItem } from './fast-canon'
import { compareCanonItems, printsHex } from './order'
import { canonicalMac, canonicalMaskedInt, parseCtState, parseInteger, parseIpv4Value, type CtStateValue, type Ipv4Value } from './values'

/** One match field, typed where it matters, with the exact text it came from. */
export type MatchField =
  | { name: string; kind: 'protocol'; raw: string; canon: string; protocol: string }
  | { name: string; kind: 'ipv4'; raw: string; canon: string; ipv4: Ipv4Value }
  | { name: string; kind: 'mac'; raw: string; canon: string; mac: string }
  | { name: string; kind: 'int'; raw: string; canon: string; value: string }
  | { name: string; kind: 'port'; raw: string; canon: string; port: number | string }
  | { name: string; kind: 'ct_state'; raw: string; canon: string; ctState: CtStateValue }
  | { name: string; kind: 'raw'; raw: string; canon: string; value: string }

export interface ParsedMatch {
  fields: MatchField[]
  /** Protocol shorthand ('ip', 'arp', 'tcp'...) or null when the flow matches every packet type. */
  protocol: string | null
  /** Fields in a stable order, joined with ',': equal for every spelling of the same match. */
  canon: string
  /** Problems with individual fields; the field is then kept as raw text. */
  problems: string[]
}

const namedPorts = new Set(['LOCAL', 'IN_PORT', 'CONTROLLER', 'NORMAL', 'FLOOD', 'ALL', 'ANY', 'NONE', 'TABLE'])

function parsePort(value: string): number | string {
  const n = parseInteger(value)
  return n !== null ? n : value
}

/**
 * Reads the match part of a flow ("ip,in_port=3,nw_src=10.129.0.2" or "ip, in_port=3, ...") into typed
 * fields and a canonical text. Spellings that ovs-ofctl treats as the same match (field aliases, hex
 * vs decimal, masks as prefix or dotted, order, dl_type+nw_proto vs shorthand) give the same canon.
 */
export function parseMatch(items: readonly string[]): ParsedMatch {
  const problems: string[] = []
  let ethType: number | null = null
  let nwProto: number | null = null
  const pending: { name: string; value: string; raw: string }[] = []

  for (const item of items) {
    const raw = item.trim()
    if (raw === '') continue
    const eq = raw.indexOf('=')
    if (eq < 0) {
      const p = protocols[raw.toLowerCase()]
      if (p) {
        ethType = p[0]
        if (p[1] !== null) nwProto = p[1]
      } else pending.push({ name: raw.toLowerCase(), value: '', raw })
      continue
    }
    const name = raw.slice(0, eq).trim().toLowerCase()
    const value = raw.slice(eq + 1).trim()
    if (name === 'dl_type' || name === 'eth_type') {
      const n = parseInteger(value)
      if (n === null) problems.push(`${raw}: not a number`)
      else ethType = n
      continue
    }
    if (name === 'nw_proto' || name === 'ip_proto') {
      const n = parseInteger(value)
      if (n === null) problems.push(`${raw}: not a number`)
      else nwProto = n
      continue
    }
    pending.push({ name, value, raw })
  }

  const isArp = ethType === 0x0806 || ethType === 0x8035
  const fields: MatchField[] = []
  let protocol: string | null = null
  if (ethType !== null) {
    protocol = protocolName(ethType, nwProto)
    if (protocol) fields.push({ name: 'protocol', kind: 'protocol', raw: protocol, canon: protocol, protocol })
    else {
      const et = '0x' + ethType.toString(16).padStart(4, '0')
      fields.push({ name: 'eth_type', kind: 'int', raw: `eth_type=${et}`, canon: `eth_type=${et}`, value: et })
      if (nwProto !== null) fields.push({ name: 'nw_proto', kind: 'int', raw: `nw_proto=${nwProto}`, canon: `nw_proto=${nwProto}`, value: String(nwProto) })
    }
  } else if (nwProto !== null) {
    fields.push({ name: 'nw_proto', kind: 'int', raw: `nw_proto=${nwProto}`, canon: `nw_proto=${nwProto}`, value: String(nwProto) })
  }

  for (const { name: rawName, value, raw } of pending) {
    if (value === '' && !raw.includes('=')) {
      // A bare word that is not a protocol: keep it, it is unknown to us but not lost.
      fields.push({ name: rawName, kind: 'raw', raw, canon: rawName, value: '' })
      continue
    }
    const name = canonicalFieldName(rawName, isArp)
    const kind = fieldKind(name)
    const keepRaw = (why: string) => {
      problems.push(`${raw}: ${why}`)
      fields.push({ name, kind: 'raw', raw, canon: `${name}=${value}`, value })
    }
    switch (kind) {
      case 'ipv4': {
        const v = parseIpv4Value(value)
        if (!v) keepRaw('not an IPv4 address or prefix')
        else fields.push({ name, kind, raw, canon: `${name}=${v.text}`, ipv4: v })
        break
      }
      case 'mac': {
        const v = canonicalMac(value)
        if (!v) keepRaw('not a MAC address')
        else fields.push({ name, kind, raw, canon: `${name}=${v}`, mac: v })
        break
      }
      case 'port': {
        const port = parsePort(value)
        if (typeof port === 'string' && !/^[\w.:-]+$/.test(port)) keepRaw('not a port number or name')
        else {
          const shown = typeof port === 'number' ? String(port) : namedPorts.has(port.toUpperCase()) ? port.toUpperCase() : port
          fields.push({ name, kind, raw, canon: `${name}=${shown}`, port })
        }
        break
      }
      case 'ct_state': {
        const v = parseCtState(value)
        if (!v) keepRaw('not a conntrack state (+trk+est…)')
        else fields.push({ name, kind, raw, canon: `${name}=${v.text}`, ctState: v })
        break
      }
      case 'int': {
        const v = canonicalMaskedInt(value, printsHex(name))
        if (v === null) fields.push({ name, kind: 'raw', raw, canon: `${name}=${value}`, value })
        else fields.push({ name, kind, raw, canon: `${name}=${v}`, value: v })
        break
      }
      default:
        fields.push({ name, kind: 'raw', raw, canon: `${name}=${value}`, value })
    }
  }

  const canonParts = fields.map((f) => (f.kind === 'protocol' ? 'protocol' : f.canon))
  canonParts.sort(compareCanonItems)
  const canon = canonParts.map((c) => (c === 'protocol' ? (protocol as string) : c)).join(',')
  return { fields, protocol, canon, problems }
}

const protocolItems = new Set(Object.keys(protocols))

/**
 * The canonical match text alone, without building typed fields: what the diff and the checks key on.
 * Gives exactly parseMatch(items).canon (tested); problems are reported only by parseMatch.
 */
export function canonicalMatch(items: readonly string[]): { canon: string; protocol: string | null; slow: boolean } {
  let proto: string | null = null
  let isArp = false
  for (let i = 0; i < items.length; i++) {
    const it = items[i] as string
    if (it.indexOf('=') >= 0) {
      if (it.startsWith('dl_type=') || it.startsWith('eth_type=') || it.startsWith('nw_proto=') || it.startsWith('ip_proto=')) return slow(items)
      continue
    }
    if (!protocolItems.has(it) || proto !== null) return slow(items)
    proto = it
    isArp = it === 'arp' || it === 'rarp'
  }
  const parts: string[] = []
  let slowItems = false
  for (let i = 0; i < items.length; i++) {
    const it = items[i] as string
    if (it === proto) continue
    let c = fastCanonItem(it, isArp)
    if (c === null) {
      slowItems = true
      const fields = parseMatch(isArp ? ['arp', it] : [it]).fields
      c = fields.filter((f) => f.kind !== 'protocol').map((f) => f.canon).join(',')
    }
    parts.push(c)
  }
  if (proto !== null) parts.push('protocol')
  if (parts.length > 1) parts.sort(compareCanonItems)
  const canon = proto === null ? parts.join(',') : parts.map((c) => (c === 'protocol' ? proto : c)).join(',')
  return { canon, protocol: proto, slow: slowItems }
}

function slow(items: readonly string[]): { canon: string; protocol: string | null; slow: boolean } {
  const m = parseMatch(items)
  return { canon: m.canon, protocol: m.protocol, slow: true }
}
