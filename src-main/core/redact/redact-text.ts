// A capture's or a report's text with every address and name of the case replaced by its pseudonym, in every
// encoding openshift-sdn data uses: dotted IPv4 and CIDRs, IPv6, MACs (a pod MAC and a masked arp_sha carrying an
// IPv4 follow it), IPv4 in hex where OVS and iptables write it (tunnel and IP fields, pkt_mark and marks), dashed in
// host names (ip-10-0-1-2), reversed in PTR names; host, cluster, domain and user names and the engineer's terms by
// readable pseudonyms. One pass over the text, so nothing replaced is replaced again; every replacement keeps its
// form (a dotted address for a dotted address, hex for hex, a name for a name), so the parsers and checks read the
// redacted text as they read the original.
import { ipv4ToNumber, ipv6Words, numberToIPv4 } from '../net/address'
import type { Pseudonyms } from './pseudonyms'

export type NameKind = 'host' | 'domain' | 'cluster' | 'user' | 'term'

/** Stable readable pseudonyms for names: the same list gives the same names (sorted, numbered per kind). */
export function namePseudonyms(names: readonly { kind: NameKind; name: string }[]): Map<string, string> {
  const out = new Map<string, string>()
  const byKind = new Map<NameKind, string[]>()
  for (const n of names) {
    const v = n.name.trim().toLowerCase().replace(/\.$/, '')
    if (v === '' || out.has(v)) continue
    out.set(v, '')
    byKind.set(n.kind, [...(byKind.get(n.kind) ?? []), v])
  }
  const label: Record<NameKind, (i: number) => string> = {
    host: (i) => `node-${pad(i)}`,
    domain: (i) => `domain-${pad(i)}.example`,
    cluster: (i) => `cluster-${pad(i)}`,
    user: (i) => `user-${pad(i)}`,
    term: (i) => `term-${pad(i)}`
  }
  for (const [kind, list] of byKind) [...list].sort().forEach((v, i) => out.set(v, label[kind](i + 1)))
  return out
}

const pad = (i: number) => String(i).padStart(2, '0')
const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
const hexByte = (b: number) => b.toString(16).padStart(2, '0')

/** Fields whose hex value is an IPv4 (OVS's load/set_field into them, OF1.0 names and OF1.3 ones). */
const ipFields = 'NXM_NX_TUN_IPV4_(?:DST|SRC)|NXM_OF_IP_(?:SRC|DST)|NXM_OF_ARP_(?:SPA|TPA)|tun_dst|tun_src|nw_src|nw_dst|ip_src|ip_dst|arp_spa|arp_tpa'

const isPrivate4 = (n: number) => n >>> 24 === 10 || n >>> 20 === 0xac1 || n >>> 16 === 0xc0a8

export class Redactor {
  private readonly re: RegExp
  /** The same without IPv6: for a text that looked like an IPv6 address and is not one ("ab:cd:10.1.2.3"). */
  private readonly reNoV6: RegExp

  constructor(
    private readonly p: Pseudonyms,
    private readonly names: ReadonlyMap<string, string> = new Map()
  ) {
    const sorted = [...names.keys()].sort((a, b) => b.length - a.length)
    // A name of five or more characters is replaced inside other words too (a veth named after its node), unless a
    // digit continues it (node1 is not in node10); a shorter one only as a whole word.
    const inside = sorted.filter((n) => n.length >= 5).map(escape)
    const whole = sorted.filter((n) => n.length < 5).map(escape)
    const nameParts = [...(inside.length ? [String.raw`(?<![0-9])(?:${inside.join('|')})(?![0-9])`] : []), ...(whole.length ? [String.raw`(?<![A-Za-z0-9_-])(?:${whole.join('|')})(?![A-Za-z0-9_-])`] : [])]
    const parts = [
      String.raw`(?<ptr>\b(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.in-addr\.arpa\b)`,
      String.raw`(?<mac>\b[0-9a-fA-F]{2}(?::[0-9a-fA-F]{2}){5}\b)(?:\/(?<macmask>[0-9a-fA-F]{2}(?::[0-9a-fA-F]{2}){5})\b)?`,
      String.raw`(?<v6>(?<![\w:.])(?:[0-9a-fA-F]{0,4}:){2,7}(?:[0-9a-fA-F]{1,4}|\d{1,3}(?:\.\d{1,3}){3})?(?![\w:]|\.\d))(?:\/(?<v6len>\d{1,3})\b)?`,
      String.raw`(?<dashed>\bip-(\d{1,3})-(\d{1,3})-(\d{1,3})-(\d{1,3})\b)`,
      String.raw`(?<v4>(?<![\d.])\d{1,3}(?:\.\d{1,3}){3}(?![\d]|\.\d))(?:\/(?<v4len>\d{1,2})(?!\d))?`,
      String.raw`(?<hexip>\b0x[0-9a-fA-F]{1,8})(?=->(?:${ipFields})\b)`,
      String.raw`(?<markpre>pkt_mark=|--mark |--set-xmark |--set-mark )(?<mark>0x[0-9a-fA-F]{1,8})`,
      String.raw`(?<markto>\b0x[0-9a-fA-F]{1,8})(?=->pkt_mark\b)`,
      ...(nameParts.length ? [`(?<name>${nameParts.join('|')})`] : [])
    ]
    this.re = new RegExp(parts.join('|'), 'gi')
    this.reNoV6 = new RegExp(parts.filter((x) => !x.startsWith('(?<v6>')).join('|'), 'gi')
  }

  redact(text: string): string {
    return this.apply(text, this.re)
  }

  private apply(text: string, re: RegExp): string {
    return text.replace(re, (...args: unknown[]) => {
      const whole = args[0] as string
      const g = args[args.length - 1] as Record<string, string | undefined>
      if (g.ptr) {
        const m = /^(\d+)\.(\d+)\.(\d+)\.(\d+)/.exec(g.ptr) as RegExpExecArray
        const ip = this.p.ipv4(`${m[4]}.${m[3]}.${m[2]}.${m[1]}`)
        return ip ? `${ip.split('.').reverse().join('.')}.in-addr.arpa` : whole
      }
      if (g.mac) {
        // A masked arp_sha/dl_src of openshift-sdn (00:00:<IPv4>/00:00:ff:ff:ff:ff): the IPv4 in its low bytes.
        if (g.macmask && g.macmask.toLowerCase() === '00:00:ff:ff:ff:ff') {
          const b = g.mac.split(':').map((h) => parseInt(h, 16))
          return `${[b[0] ?? 0, b[1] ?? 0, ...this.p.ipBytes(b.slice(2))].map(hexByte).join(':')}/${g.macmask}`
        }
        return `${this.p.mac(g.mac) ?? g.mac}${g.macmask ? `/${g.macmask}` : ''}`
      }
      if (g.v6 !== undefined && g.v6 !== '') {
        if (!ipv6Words(g.v6)) return this.apply(whole, this.reNoV6)
        const out = this.p.ipv6(g.v6) ?? g.v6
        return g.v6len !== undefined ? `${out}/${g.v6len}` : out
      }
      if (g.dashed) {
        const m = /^ip-(\d+)-(\d+)-(\d+)-(\d+)$/i.exec(g.dashed) as RegExpExecArray
        const ip = this.p.ipv4(`${m[1]}.${m[2]}.${m[3]}.${m[4]}`)
        return ip ? `ip-${ip.replace(/\./g, '-')}` : whole
      }
      if (g.v4) {
        const n = ipv4ToNumber(g.v4)
        if (n === null) return whole
        if (g.v4len === undefined) return numberToIPv4(this.p.ipv4Number(n))
        const len = Number(g.v4len)
        if (len > 32) return whole
        const mask = len === 0 ? 0 : (0xffffffff << (32 - len)) >>> 0
        // A network (host bits zero) stays a network; an interface address keeps its own host bits.
        return (n & ~mask) >>> 0 === 0 ? (this.p.cidr4(`${g.v4}/${len}`) ?? whole) : `${numberToIPv4(this.p.ipv4Number(n))}/${len}`
      }
      if (g.hexip) return this.hex(g.hexip, false)
      if (g.mark && g.markpre) return `${g.markpre}${this.hex(g.mark, true)}`
      if (g.markto) return this.hex(g.markto, true)
      if (g.name) {
        const out = this.names.get(g.name.toLowerCase())
        return out ?? whole
      }
      return whole
    })
  }

  /** A hex IPv4 as hex of its pseudonym, printed as OVS prints it (no leading zeros); a mark only when it is a private address. */
  private hex(text: string, onlyPrivate: boolean): string {
    const n = parseInt(text.slice(2), 16)
    if (!Number.isFinite(n) || (onlyPrivate && !isPrivate4(n))) return text
    return `0x${this.p.ipv4Number(n >>> 0).toString(16)}`
  }
}
