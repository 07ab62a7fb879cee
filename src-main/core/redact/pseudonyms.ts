// Deterministic, prefix-preserving pseudonyms for the addresses of a case (the Crypto-PAn construction: bit i of
// the pseudonym is bit i of the address XOR a keyed pseudorandom bit of the address's first i bits). Two addresses
// that share an n-bit prefix share an n-bit prefix after, so subnets, containment and prefix lengths survive, and
// the same key gives the same pseudonyms in every export. Ranges that say what an address is keep saying it:
// private stays private (10/8, 172.16/12, 192.168/16, 100.64/10, fc00::/7), a public address stays public (its
// first octet kept), multicast stays multicast, loopback, link-local and the unspecified and broadcast addresses are
// kept as they are. MACs that carry an IPv4 (the
// openshift-sdn pod MAC 0a:58:<IP>, a masked arp_sha's low four bytes) follow their IP; other MACs get a keyed
// pseudonym with their locally-administered and multicast bits kept.
//
// Pure: the keyed pseudorandom function comes from the caller (node/redact: HMAC-SHA-256 with the case's key).
import { ipv4ToNumber, ipv6Words, numberToIPv4 } from '../net/address'
import { printIpv6 } from '../flows/masked'

/** A keyed pseudorandom function: the same bytes give the same output for one key (≥ 1 byte out). */
export type Prf = (data: Uint8Array) => Uint8Array

interface Keep {
  /** Leading bits kept as they are (the range that says what the address is). */
  bits: number
}

/** IPv4 ranges and how many of their leading bits stay; null: the whole address stays. */
const v4Ranges: { net: number; prefix: number; keep: number | null }[] = [
  { net: 0x7f000000, prefix: 8, keep: null }, // loopback
  { net: 0xa9fe0000, prefix: 16, keep: null }, // link-local
  { net: 0x00000000, prefix: 32, keep: null }, // unspecified
  { net: 0xffffffff, prefix: 32, keep: null }, // broadcast
  { net: 0x0a000000, prefix: 8, keep: 8 },
  { net: 0xac100000, prefix: 12, keep: 12 },
  { net: 0xc0a80000, prefix: 16, keep: 16 },
  { net: 0x64400000, prefix: 10, keep: 10 }, // carrier-grade NAT
  { net: 0xe0000000, prefix: 4, keep: 4 }, // multicast
  { net: 0xf0000000, prefix: 4, keep: 4 } // reserved
]

const inRange = (n: number, net: number, prefix: number) => prefix === 0 || (n >>> (32 - prefix)) === (net >>> (32 - prefix))

/**
 * What of an IPv4 address stays. A public address keeps its first octet (and the second in the /8s that hold a
 * private or link-local range), so a public address stays public and never becomes a private one.
 */
function keepOf4(n: number): Keep | null {
  for (const r of v4Ranges) if (inRange(n, r.net, r.prefix)) return r.keep === null ? null : { bits: r.keep }
  return { bits: [100, 169, 172, 192].includes(n >>> 24) ? 16 : 8 }
}

export interface PseudonymOptions {
  /**
   * Low IPv4 bits kept as they are: the host part of a node's subnet (openshift-sdn's hostSubnetLength, 9 for a /23).
   * A gateway stays the first address of its subnet and a pod keeps its offset, so the checks read a redacted case
   * as they read the original; everything above is pseudonymous. Default 8.
   */
  hostBits?: number
}

export class Pseudonyms {
  private readonly bit = new Map<string, number>()
  private readonly v4 = new Map<number, number>()
  private readonly hostBits: number

  constructor(
    private readonly prf: Prf,
    opts: PseudonymOptions = {}
  ) {
    this.hostBits = Math.max(0, Math.min(16, opts.hostBits ?? 8))
  }

  /** The keyed bit for a prefix of `len` bits of an address of `family` (the prefix as bytes, zero-padded). */
  private prefixBit(family: 4 | 6, bits: readonly number[], len: number): number {
    const key = `${family}:${len}:${bits.slice(0, len).join('')}`
    const hit = this.bit.get(key)
    if (hit !== undefined) return hit
    const bytes = new Uint8Array(2 + Math.ceil(len / 8))
    bytes[0] = family
    bytes[1] = len
    for (let i = 0; i < len; i++) if (bits[i]) bytes[2 + (i >> 3)] = (bytes[2 + (i >> 3)] as number) | (0x80 >> (i & 7))
    const out = ((this.prf(bytes)[0] ?? 0) >> 7) & 1
    this.bit.set(key, out)
    return out
  }

  /**
   * Bits keep..end of the address pseudonymous (each from the key and the bits before it), the others as they are.
   * Never the address itself: where no keyed bit before the last pseudonymous one flipped, the last one flips (a
   * function of the prefix, as the keyed bits are, so it stays a prefix-preserving bijection). Plain Crypto-PAn maps
   * an address to itself once in 2^k for k pseudonymous bits — 1 in 128 for a public /23 of a case with 9 host bits,
   * which would leave the customer's own address in a redacted report.
   */
  private permute(family: 4 | 6, bits: number[], keep: number, end = bits.length): number[] {
    const out = bits.slice()
    let flipped = false
    for (let i = keep; i < end; i++) {
      const flip: number = i === end - 1 && !flipped ? 1 : this.prefixBit(family, bits, i)
      flipped ||= flip === 1
      out[i] = (bits[i] as number) ^ flip
    }
    return out
  }

  /** The pseudonym of an IPv4 address as a 32-bit number. */
  ipv4Number(n: number): number {
    const hit = this.v4.get(n)
    if (hit !== undefined) return hit
    const keep = keepOf4(n)
    let out = n
    if (keep) {
      const bits = Array.from({ length: 32 }, (_, i) => (n >>> (31 - i)) & 1)
      out = this.permute(4, bits, keep.bits, 32 - this.hostBits).reduce((acc, b) => ((acc << 1) | b) >>> 0, 0)
    }
    this.v4.set(n, out)
    return out
  }

  /** The pseudonym of a dotted IPv4 address; null when the text is not one. */
  ipv4(text: string): string | null {
    const n = ipv4ToNumber(text)
    return n === null ? null : numberToIPv4(this.ipv4Number(n))
  }

  /** A CIDR's pseudonym: its network's pseudonym with the same prefix length (host bits cleared). */
  cidr4(text: string): string | null {
    const [addr, len] = text.split('/')
    const n = addr === undefined ? null : ipv4ToNumber(addr)
    const prefix = len === undefined ? 32 : Number(len)
    if (n === null || !Number.isInteger(prefix) || prefix < 0 || prefix > 32) return null
    const mask = prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0
    return `${numberToIPv4((this.ipv4Number(n) & mask) >>> 0)}/${prefix}`
  }

  /** An IPv6 address (any text form) as its pseudonym in canonical (RFC 5952) form; null when it is not one. */
  ipv6(text: string): string | null {
    const words = ipv6Words(text)
    if (!words) return null
    const bits = words.flatMap((w) => Array.from({ length: 16 }, (_, i) => (w >>> (15 - i)) & 1))
    const isZero = words.every((w) => w === 0)
    const loopback = words.slice(0, 7).every((w) => w === 0) && words[7] === 1
    const linkLocal = ((words[0] as number) & 0xffc0) === 0xfe80
    const mapped = words.slice(0, 5).every((w) => w === 0) && words[5] === 0xffff
    if (isZero || loopback || linkLocal) return formatIPv6(words)
    if (mapped) {
      const v4 = this.ipv4Number((((words[6] as number) << 16) | (words[7] as number)) >>> 0)
      return formatIPv6([0, 0, 0, 0, 0, 0xffff, v4 >>> 16, v4 & 0xffff])
    }
    const keep = ((words[0] as number) & 0xfe00) === 0xfc00 ? 7 : ((words[0] as number) & 0xff00) === 0xff00 ? 8 : 0
    const out = this.permute(6, bits, keep)
    const w = Array.from({ length: 8 }, (_, i) => out.slice(i * 16, i * 16 + 16).reduce((acc, b) => (acc << 1) | b, 0))
    return formatIPv6(w)
  }

  /**
   * A MAC's pseudonym. 0a:58:<IPv4> (openshift-sdn's pod MAC) keeps 0a:58 and carries its IP's pseudonym; other
   * MACs are a keyed pseudonym with the locally-administered and multicast bits of the first octet kept.
   */
  mac(text: string): string | null {
    const m = /^([0-9a-f]{2})(?::([0-9a-f]{2})){5}$/i.exec(text)
    if (!m) return null
    const bytes = text.toLowerCase().split(':').map((h) => parseInt(h, 16))
    if (bytes.every((b) => b === 0) || bytes.every((b) => b === 255)) return text.toLowerCase()
    if (bytes[0] === 0x0a && bytes[1] === 0x58) return [0x0a, 0x58, ...this.ipBytes(bytes.slice(2))].map(hex2).join(':')
    const h = this.prf(new Uint8Array([0x4d, ...bytes]))
    const first = (((h[0] ?? 0) & 0xfc) | ((bytes[0] as number) & 0x03)) & 0xff
    return [first, ...Array.from({ length: 5 }, (_, i) => h[i + 1] ?? 0)].map(hex2).join(':')
  }

  /** The four bytes of an IPv4 (as in the low bytes of a MAC) with their pseudonym's bytes. */
  ipBytes(four: readonly number[]): number[] {
    const n = four.reduce((acc, b) => ((acc << 8) | b) >>> 0, 0)
    const p = this.ipv4Number(n)
    return [p >>> 24, (p >>> 16) & 255, (p >>> 8) & 255, p & 255]
  }
}

const hex2 = (b: number) => b.toString(16).padStart(2, '0')

/** Eight words as inet_ntop prints them (RFC 5952; a mapped IPv4 with its dotted tail). */
function formatIPv6(w: readonly number[]): string {
  return printIpv6(w.reduce((acc, x) => (acc << 16n) | BigInt(x), 0n))
}
