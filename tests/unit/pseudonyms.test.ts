// Prefix-preserving pseudonyms (core/redact/pseudonyms.ts) with HMAC-SHA-256 (node/redact/prf.ts): deterministic per
// key, prefix-preserving (property tests, seeds printed on failure by fast-check), injective, ranges kept, MACs that
// carry an IP follow it, IPv6 alike.
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { ipv4ToNumber, ipv6Words } from '../../src-main/core/net/address'
import { Pseudonyms } from '../../src-main/core/redact/pseudonyms'
import { hmacPrf } from '../../src-main/node/redact/prf'

const key = (b: number) => new Uint8Array(32).fill(b)
// hostBits 0: every bit pseudonymous, for the property tests; the case's own (9: a /23's host part) is tested apart.
const p = new Pseudonyms(hmacPrf(key(7)), { hostBits: 0 })
const common = (a: number, b: number) => {
  const x = (a ^ b) >>> 0
  return x === 0 ? 32 : Math.clz32(x)
}
const private10 = fc.integer({ min: 0, max: 0xffffff }).map((n) => (0x0a000000 | n) >>> 0)
const dotted = (n: number) => [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.')

describe('IPv4 pseudonyms', () => {
  it('are prefix-preserving: two addresses share exactly as many leading bits after as before', () => {
    fc.assert(
      fc.property(private10, private10, (a, b) => common(p.ipv4Number(a), p.ipv4Number(b)) === common(a, b)),
      { numRuns: 3000 }
    )
    const pub = fc.integer({ min: 0x01000000, max: 0x5fffffff }).filter((n) => n >>> 24 !== 10)
    fc.assert(fc.property(pub, pub, (a, b) => common(p.ipv4Number(a), p.ipv4Number(b)) === common(a, b)), { numRuns: 2000 })
  })

  it('are deterministic for a key, differ between keys, and never collide', () => {
    const q = new Pseudonyms(hmacPrf(key(7)), { hostBits: 0 })
    const other = new Pseudonyms(hmacPrf(key(8)), { hostBits: 0 })
    const seen = new Set<number>()
    let differ = 0
    for (let i = 0; i < 20_000; i++) {
      const a = (0x0a800000 + i * 37) >>> 0
      const x = p.ipv4Number(a)
      expect(q.ipv4Number(a)).toBe(x)
      if (other.ipv4Number(a) !== x) differ++
      seen.add(x)
    }
    expect(seen.size).toBe(20_000)
    expect(differ).toBeGreaterThan(19_000)
  })

  it('keep what an address is: private stays in its range, public public, multicast multicast; loopback and link-local as they are', () => {
    expect(p.ipv4('127.0.0.1')).toBe('127.0.0.1')
    expect(p.ipv4('169.254.169.254')).toBe('169.254.169.254')
    expect(p.ipv4('0.0.0.0')).toBe('0.0.0.0')
    expect(p.ipv4('255.255.255.255')).toBe('255.255.255.255')
    expect(p.ipv4('10.128.2.5')).toMatch(/^10\./)
    expect(p.ipv4('10.128.2.5')).not.toBe('10.128.2.5')
    const n172 = ipv4ToNumber(p.ipv4('172.20.1.1')!)!
    expect(n172 >>> 20).toBe(0xac1)
    expect(p.ipv4('192.168.7.9')).toMatch(/^192\.168\./)
    expect(p.ipv4('100.64.3.3')!.split('.').map(Number)[1]! & 0xc0).toBe(64)
    expect(p.ipv4('239.1.2.3')!.split('.').map(Number)[0]).toBeGreaterThanOrEqual(224)
    for (const pub of ['8.8.8.8', '172.32.0.1', '192.169.1.1', '100.128.0.1', '52.1.2.3']) {
      const out = p.ipv4(pub)!
      expect(out.split('.')[0], pub).toBe(pub.split('.')[0])
      expect(/^(10\.|127\.|169\.254\.|192\.168\.|172\.(1[6-9]|2\d|3[01])\.|100\.(6[4-9]|[7-9]\d|1[01]\d|12[0-7])\.)/.test(out), `${pub} -> ${out}`).toBe(false)
    }
    expect(p.ipv4('not an ip')).toBeNull()
  })

  it("with the node subnets' host part kept, a gateway stays its subnet's first address and a pod keeps its offset", () => {
    const q = new Pseudonyms(hmacPrf(key(7)), { hostBits: 9 })
    const subnet = q.cidr4('10.128.2.0/23')!
    const [net] = subnet.split('/')
    expect(q.ipv4('10.128.2.1')).toBe(`${net!.split('.').slice(0, 3).join('.')}.1`)
    expect(ipv4ToNumber(q.ipv4('10.128.3.7')!)! - ipv4ToNumber(net!)!).toBe(256 + 7)
    fc.assert(fc.property(private10, private10, (a, b) => common(q.ipv4Number(a), q.ipv4Number(b)) === common(a, b)), { numRuns: 2000 })
  })

  it('never map an address to itself, and stay a bijection (every /23 of 192.0/16 with 9 host bits, 300 keys)', () => {
    // 7 pseudonymous bits: plain Crypto-PAn maps about one of the 128 /23s to itself for each key.
    for (let k = 0; k < 300; k++) {
      const prf = hmacPrf(new Uint8Array(32).map((_, i) => (k * 31 + i * 7) & 255))
      const q = new Pseudonyms(prf, { hostBits: 9 })
      const seen = new Set<number>()
      for (let net = 0; net < 128; net++) {
        const a = (0xc0000000 | (net << 9) | 5) >>> 0
        const x = q.ipv4Number(a)
        expect(x, `key ${k}: ${dotted(a)}`).not.toBe(a)
        expect(x >>> 16, `key ${k}`).toBe(0xc000)
        expect(x & 0x1ff, `key ${k}`).toBe(5)
        seen.add(x)
      }
      expect(seen.size).toBe(128)
    }
    // And with every bit pseudonymous, for any address (fast-check prints the seed on failure).
    fc.assert(fc.property(private10, (a) => p.ipv4Number(a) !== a), { numRuns: 5000 })
    const v6 = new Pseudonyms(hmacPrf(key(9)))
    expect(v6.ipv6('fd00::1')).not.toBe('fd00::1')
  })

  it('CIDRs keep their length, and an address inside one stays inside its pseudonym', () => {
    const cluster = p.cidr4('10.128.0.0/14')!
    const subnet = p.cidr4('10.128.2.0/23')!
    expect(cluster).toMatch(/^10\.\d+\.\d+\.\d+\/14$/)
    expect(subnet).toMatch(/\/23$/)
    const inside = (cidr: string, ip: string) => {
      const [net, len] = cidr.split('/')
      const mask = (0xffffffff << (32 - Number(len))) >>> 0
      return ((ipv4ToNumber(ip)! & mask) >>> 0) === ipv4ToNumber(net!)
    }
    const pod = p.ipv4('10.128.2.5')!
    expect(inside(subnet, pod)).toBe(true)
    expect(inside(cluster, pod)).toBe(true)
    // Another node's subnet in the same cluster network lands in the same pseudonymous cluster network.
    expect(inside(cluster, p.cidr4('10.131.254.0/23')!.split('/')[0]!)).toBe(true)
    expect(inside(subnet, p.ipv4('10.128.4.1')!)).toBe(false)
    expect(p.cidr4('10.128.2.0/33')).toBeNull()
  })
})

describe('MAC and IPv6 pseudonyms', () => {
  it("a pod MAC 0a:58:<IP> carries its IP's pseudonym; other MACs keep their local and multicast bits", () => {
    const ip = p.ipv4('10.128.2.5')!
    expect(p.mac('0a:58:0a:80:02:05')).toBe(`0a:58:${ip.split('.').map((o) => Number(o).toString(16).padStart(2, '0')).join(':')}`)
    expect(p.ipBytes([10, 128, 2, 5]).join('.')).toBe(ip)
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 255 }), { minLength: 6, maxLength: 6 }), (bytes) => {
        const mac = bytes.map((b) => b.toString(16).padStart(2, '0')).join(':')
        const out = p.mac(mac)!
        const first = parseInt(out.slice(0, 2), 16)
        return /^([0-9a-f]{2}:){5}[0-9a-f]{2}$/.test(out) && (bytes[0] === 0x0a && bytes[1] === 0x58 ? out.startsWith('0a:58:') : (first & 3) === ((bytes[0] as number) & 3))
      }),
      { numRuns: 2000 }
    )
    expect(p.mac('ff:ff:ff:ff:ff:ff')).toBe('ff:ff:ff:ff:ff:ff')
    expect(p.mac('00:00:00:00:00:00')).toBe('00:00:00:00:00:00')
    expect(p.mac('nope')).toBeNull()
  })

  it('IPv6: prefix-preserving, ULA stays ULA, link-local and loopback stay, a mapped IPv4 follows its IPv4', () => {
    expect(p.ipv6('fe80::1c2:3ff:fe04:506')).toBe('fe80::1c2:3ff:fe04:506')
    expect(p.ipv6('::1')).toBe('::1')
    expect(p.ipv6('FD00:0::12')!.startsWith('fd')).toBe(true)
    expect(p.ipv6('::ffff:10.128.2.5')).toBe(`::ffff:${p.ipv4('10.128.2.5')}`)
    const bits = (t: string) => ipv6Words(t)!.map((w) => w.toString(2).padStart(16, '0')).join('')
    const shared = (a: string, b: string) => {
      const x = bits(a)
      const y = bits(b)
      let i = 0
      while (i < 128 && x[i] === y[i]) i++
      return i
    }
    const word = fc.integer({ min: 0, max: 0xffff }).map((w) => w.toString(16))
    const addr = fc.tuple(word, word, word, word).map((ws) => `2001:db8:${ws.join(':')}::1`)
    fc.assert(fc.property(addr, addr, (a, b) => shared(p.ipv6(a)!, p.ipv6(b)!) === shared(a, b)), { numRuns: 1000 })
    expect(p.ipv6('10.0.0.1')).toBeNull()
  })
})
