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

export { numberToIPv4 }
