// IPv4/IPv6 text forms and CIDR arithmetic, shared by the host inventory, the parsers and the SDN checks.

const ipv4Re = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/
const labelRe = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/

export function isIPv4(text: string): boolean {
  return ipv4Re.test(text)
}

/** The address as an unsigned 32-bit number, or null if it is not dotted-quad IPv4. */
export function ipv4ToNumber(text: string): number | null {
  if (!ipv4Re.test(text)) return null
  return text.split('.').reduce((acc, part) => acc * 256 + Number(part), 0)
}

export function numberToIPv4(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.')
}

/** Structural IPv6 check: hex groups, at most one "::", an optional trailing IPv4 and zone. */
export function isIPv6(text: string): boolean {
  const [addr, zone, ...rest] = text.split('%')
  if (addr === undefined || rest.length > 0 || (zone !== undefined && !/^[\w.-]+$/.test(zone))) return false
  const doubles = addr.split('::').length - 1
  if (doubles > 1) return false
  let groups = addr.split(':')
  let width = 8
  const last = groups[groups.length - 1] ?? ''
  if (last.includes('.')) {
    if (!isIPv4(last)) return false
    groups = groups.slice(0, -1)
    width = 6
  }
  const filled = groups.filter((g) => g !== '')
  if (!filled.every((g) => /^[0-9A-Fa-f]{1,4}$/.test(g))) return false
  return doubles === 1 ? filled.length < width : filled.length === width && groups.length === width
}

/** An IPv4 or IPv6 address in one text per address ("FE80:0::1" and "fe80::1" give the same), or null. */
export function canonicalAddress(text: string): string | null {
  if (isIPv4(text)) return text
  if (!isIPv6(text)) return null
  const [raw = '', zone] = text.toLowerCase().split('%')
  // A trailing IPv4 (::ffff:10.0.0.1) is the last two groups.
  const dot = raw.lastIndexOf(':')
  const v4 = raw.includes('.') ? (ipv4ToNumber(raw.slice(dot + 1)) ?? 0) : null
  const addr = v4 === null ? raw : `${raw.slice(0, dot + 1)}${(v4 >>> 16).toString(16)}:${(v4 & 0xffff).toString(16)}`
  const [head = '', rest] = addr.split('::')
  const h = head === '' ? [] : head.split(':')
  const r = rest === undefined || rest === '' ? [] : rest.split(':')
  const fill = rest === undefined ? [] : Array.from({ length: 8 - h.length - r.length }, () => '0')
  const groups = [...h, ...fill, ...r].map((g) => g.replace(/^0+(?=.)/, ''))
  return groups.join(':') + (zone === undefined ? '' : `%${zone}`)
}

/** An IPv6 address (any text form, zone dropped) as its eight 16-bit words, or null. */
export function ipv6Words(text: string): number[] | null {
  if (isIPv4(text)) return null
  const c = canonicalAddress(text)
  return c === null ? null : (c.split('%')[0] ?? '').split(':').map((g) => parseInt(g, 16))
}

/** A DNS host name (RFC 1123 labels); all-numeric dotted names are treated as mistyped IPv4. */
export function isDnsName(text: string): boolean {
  const name = text.endsWith('.') ? text.slice(0, -1) : text
  if (name.length === 0 || name.length > 253 || /^[\d.]+$/.test(name)) return false
  return name.split('.').every((l) => labelRe.test(l))
}

export function isHostAddress(text: string): boolean {
  return isIPv4(text) || isIPv6(text) || isDnsName(text)
}

export interface Ipv4Cidr {
  /** Network address (host bits cleared). */
  network: number
  prefix: number
  text: string
}

/** Parses "10.128.0.0/14" (or a bare address as /32); null when malformed. */
export function parseIPv4Cidr(text: string): Ipv4Cidr | null {
  const [addr, len, ...rest] = text.split('/')
  if (addr === undefined || rest.length > 0) return null
  const n = ipv4ToNumber(addr)
  if (n === null) return null
  const prefix = len === undefined ? 32 : /^\d{1,2}$/.test(len) ? Number(len) : NaN
  if (!(prefix >= 0 && prefix <= 32)) return null
  const network = prefix === 0 ? 0 : (n & (0xffffffff << (32 - prefix))) >>> 0
  return { network, prefix, text: `${numberToIPv4(network)}/${prefix}` }
}

export function cidrContains(cidr: Ipv4Cidr, address: number): boolean {
  if (cidr.prefix === 0) return true
  const mask = (0xffffffff << (32 - cidr.prefix)) >>> 0
  return ((address & mask) >>> 0) === cidr.network
}
