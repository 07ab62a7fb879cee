import { ipv4ToNumber, numberToIPv4 } from '../net/address'

/** "0x00ff" -> "0xff", "255" -> "0xff", "0" -> "0x0"; null when not an integer. */
export function canonicalInt(text: string): string | null {
  const t = text.trim()
  if (/^0x[0-9a-f]+$/i.test(t)) {
    const digits = t.slice(2).toLowerCase().replace(/^0+(?=.)/, '')
    return '0x' + digits
  }
  if (/^\d+$/.test(t)) {
    const n = Number(t)
    return '0x' + (Number.isSafeInteger(n) ? n.toString(16) : BigInt(t).toString(16))
  }
  return null
}

/** Parses an integer printed as decimal or 0x-hex; null when not one or beyond 2^53. */
export function parseInteger(text: string): number | null {
  const t = text.trim()
  let n: number
  if (/^0x[0-9a-f]+$/i.test(t)) n = parseInt(t.slice(2), 16)
  else if (/^\d+$/.test(t)) n = Number(t)
  else return null
  return Number.isSafeInteger(n) ? n : null
}

export interface Ipv4Value {
  address: number
  prefix: number
  /** "10.128.0.0/14", or "10.129.0.2" for a /32, with host bits cleared as OVS stores it. */
  text: string
}

function prefixOfMask(mask: number): number | null {
  let p = 0
  while (p < 32 && (mask & (0x80000000 >>> p)) !== 0) p++
  return ((p === 0 ? 0 : (0xffffffff << (32 - p)) >>> 0) === mask >>> 0) ? p : null
}

/** "10.128.0.0/14", "10.128.0.0/255.252.0.0" or "10.129.0.2"; null when malformed or non-contiguous. */
export function parseIpv4Value(text: string): Ipv4Value | null {
  const slash = text.indexOf('/')
  const addr = ipv4ToNumber(slash < 0 ? text : text.slice(0, slash))
  if (addr === null) return null
  let prefix = 32
  if (slash >= 0) {
    const m = text.slice(slash + 1)
    if (/^\d{1,2}$/.test(m)) prefix = Number(m)
    else {
      const mask = ipv4ToNumber(m)
      const p = mask === null ? null : prefixOfMask(mask)
      if (p === null) return null
      prefix = p
    }
    if (prefix > 32) return null
  }
  const mask = prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0
  const network = (addr & mask) >>> 0
  return { address: network, prefix, text: prefix === 32 ? numberToIPv4(network) : `${numberToIPv4(network)}/${prefix}` }
}

const macRe = /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/i

export function canonicalMac(text: string): string | null {
  const [v, m, ...rest] = text.split('/')
  if (v === undefined || rest.length > 0 || !macRe.test(v) || (m !== undefined && !macRe.test(m))) return null
  return m === undefined || m.toLowerCase() === 'ff:ff:ff:ff:ff:ff' ? v.toLowerCase() : `${v.toLowerCase()}/${m.toLowerCase()}`
}

/** "0x1bb" -> "443", "443" -> "443": match values are compared in decimal, as ports are printed. */
export function canonicalDecimal(text: string): string | null {
  const t = text.trim()
  if (/^0x[0-9a-f]+$/i.test(t)) {
    const n = parseInt(t.slice(2), 16)
    return Number.isSafeInteger(n) ? String(n) : BigInt(t).toString(10)
  }
  if (/^\d+$/.test(t)) return Number.isSafeInteger(Number(t)) ? String(Number(t)) : BigInt(t).toString(10)
  return null
}

/** "0x00ff" / "255" -> "0xff"; zero is "0", as ovs-ofctl prints registers. */
export function canonicalHex(text: string): string | null {
  const d = canonicalDecimal(text)
  if (d === null) return null
  return d === '0' ? '0' : '0x' + (Number.isSafeInteger(Number(d)) ? Number(d).toString(16) : BigInt(d).toString(16))
}

/**
 * An integer match value with optional mask, in the form ovs-ofctl prints it: hex for registers and
 * marks ("0x5/0xff"), decimal for ports and the like ("443").
 */
export function canonicalMaskedInt(text: string, hex: boolean): string | null {
  const [v, m, ...rest] = text.split('/')
  if (v === undefined || rest.length > 0) return null
  const form = hex ? canonicalHex : canonicalDecimal
  const cv = form(v)
  if (cv === null) return null
  if (m === undefined) return cv
  const cm = canonicalHex(m)
  return cm === null ? null : `${hex ? cv : canonicalHex(v)}/${cm}`
}

const ctFlags = ['new', 'est', 'rel', 'rpl', 'inv', 'trk', 'snat', 'dnat']

export interface CtStateValue {
  set: string[]
  unset: string[]
  text: string
}

/** "+trk+est-rpl" or "trk|est" -> sorted flags; null when a flag is unknown. */
export function parseCtState(text: string): CtStateValue | null {
  const set: string[] = []
  const unset: string[] = []
  if (text.includes('|') || /^[a-z]+$/.test(text)) {
    for (const f of text.split('|')) {
      if (!ctFlags.includes(f)) return null
      set.push(f)
    }
  } else {
    const re = /([+-])([a-z]+)/g
    let consumed = 0
    for (const m of text.matchAll(re)) {
      if (m.index !== consumed || !ctFlags.includes(m[2] as string)) return null
      ;(m[1] === '+' ? set : unset).push(m[2] as string)
      consumed += m[0].length
    }
    if (consumed !== text.length) return null
  }
  const order = (a: string, b: string) => ctFlags.indexOf(a) - ctFlags.indexOf(b)
  set.sort(order)
  unset.sort(order)
  return { set, unset, text: set.map((f) => '+' + f).join('') + unset.map((f) => '-' + f).join('') }
}

export { numberToIPv4 }
