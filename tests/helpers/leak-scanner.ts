// A scanner that knows the originals of a case (IPv4 and MAC addresses, host and domain names, users) and looks for
// each in every encoding openshift-sdn data carries it in: dotted, dashed in a host name (ip-10-0-1-2), reversed in
// a PTR name, in hex as OVS and iptables print it (0x0a800205, 0xa800205), inside a pod MAC (0a:58:0a:80:02:05) and
// the masked arp_sha form (00:00:0a:80:02:05); a MAC in either case. Used on redacted reports and case copies.

export interface Originals {
  ipv4: string[]
  macs: string[]
  names: string[]
}

const hex2 = (n: number) => n.toString(16).padStart(2, '0')

/** Every text form of an IPv4 address the scanner looks for (lower case). */
export function ipv4Encodings(ip: string): string[] {
  const b = ip.split('.').map(Number)
  const n = ((b[0]! << 24) | (b[1]! << 16) | (b[2]! << 8) | b[3]!) >>> 0
  const bytes = b.map(hex2).join(':')
  return [ip, `ip-${b.join('-')}`, `${[...b].reverse().join('.')}.in-addr.arpa`, `0x${n.toString(16).padStart(8, '0')}`, `0x${n.toString(16)}`, `0a:58:${bytes}`, `00:00:${bytes}`]
}

/** The originals found in `text`, each with the encoding it was found in. */
export function findLeaks(text: string, o: Originals): string[] {
  const t = text.toLowerCase()
  const out: string[] = []
  // A dotted address is a leak only where it is not part of a longer number (10.0.0.1 in 110.0.0.12 is not one).
  const hit = (needle: string, bounded: boolean) => {
    let i = t.indexOf(needle)
    while (i !== -1) {
      const before = t[i - 1] ?? ''
      const after = t[i + needle.length] ?? ''
      if (!bounded || (!/[0-9a-z.]/.test(before) && !/[0-9a-z]/.test(after) && !(after === '.' && /[0-9]/.test(t[i + needle.length + 1] ?? '')))) return true
      i = t.indexOf(needle, i + 1)
    }
    return false
  }
  for (const ip of o.ipv4) for (const e of ipv4Encodings(ip)) if (hit(e, true)) out.push(`${ip} as ${e}`)
  for (const m of o.macs) if (hit(m.toLowerCase(), true)) out.push(`MAC ${m}`)
  for (const n of o.names) if (hit(n.toLowerCase(), n.length < 5)) out.push(`name ${n}`)
  return out
}

const v4 = /(?<![\d.])\d{1,3}(?:\.\d{1,3}){3}(?![\d]|\.\d)/g
const mac = /\b[0-9a-f]{2}(?::[0-9a-f]{2}){5}\b/gi

/**
 * The addresses of a case's texts that redaction must replace: IPv4 outside the ranges kept as they are (loopback,
 * link-local, 0.0.0.0, broadcast, netmasks) and with enough pseudonymous bits that a key mapping one to itself is not
 * a matter of chance (`minBits` after the range kept and the node-subnet host part), and MACs that are not
 * all-zero, broadcast or a mask.
 */
export function addressesIn(texts: readonly string[], opts: { hostBits: number; minBits?: number } = { hostBits: 8 }): { ipv4: string[]; macs: string[] } {
  const ips = new Set<string>()
  const macs = new Set<string>()
  for (const text of texts) {
    for (const m of text.matchAll(v4)) {
      const b = m[0].split('.').map(Number)
      if (b.some((x) => x > 255)) continue
      if (b[0] === 127 || b[0] === 0 || b[0]! >= 224 || (b[0] === 169 && b[1] === 254)) continue
      // The pseudonymous bits: below the range kept (8 for 10/8, 12 for 172.16/12, 16 otherwise), above the host part.
      const kept = b[0] === 10 ? 8 : b[0] === 172 && (b[1]! & 0xf0) === 16 ? 12 : 16
      if (32 - kept - opts.hostBits < (opts.minBits ?? 6)) continue
      ips.add(m[0])
    }
    for (const m of text.matchAll(mac)) {
      const l = m[0].toLowerCase()
      if (/^(00:){5}00$|^(ff:){5}ff$|^00:00:ff:ff:ff:ff$/.test(l)) continue
      macs.add(l)
    }
  }
  return { ipv4: [...ips], macs: [...macs] }
}

/**
 * The addresses redaction writes for every address token of the texts (a bare address or a CIDR): an original that
 * is also one of these cannot be told from a leak by a scanner. A short network prefix has few pseudonymous bits (a
 * /16 inside 172.16/12 has four), so a key can map it to itself by chance; such an address is left out of the scan.
 */
export function pseudonymsOf(texts: readonly string[], redact: (s: string) => string): Set<string> {
  const out = new Set<string>()
  const token = /(?<![\d.])\d{1,3}(?:\.\d{1,3}){3}(?:\/\d{1,2})?(?![\d]|\.\d)/g
  for (const text of texts) for (const m of text.matchAll(token)) out.add(redact(m[0]).split('/')[0] as string)
  return out
}
