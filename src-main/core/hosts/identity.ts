// Whether two names or addresses are the same host. The one place that decides it: imports, capture pickers,
// the SDN checks and findings all ask here, so "node1" and "NODE1.example.com" are one host everywhere and
// "node1.a.example" and "node1.b.example" (two clusters) are never silently merged.
import { canonicalAddress } from '../net/address'

/** A name as compared: lower case, without a trailing dot, brackets or surrounding blanks. */
export function normalHostName(name: string): string {
  return name.trim().replace(/^\[(.*)\]$/, '$1').replace(/\.$/, '').toLowerCase()
}

function isAddress(name: string): boolean {
  return canonicalAddress(name) !== null
}

/**
 * The same host: equal names (any case); a short name and an FQDN whose first label it is (node1 and
 * node1.example.com); equal addresses. Two FQDNs must be equal: node1.a and node1.b are different hosts.
 * An address and a name are never the same here (only a host record holding both can say so: sameHostRecord).
 */
export function sameHostName(a: string, b: string): boolean {
  const x = normalHostName(a)
  const y = normalHostName(b)
  if (x === '' || y === '') return false
  if (x === y) return true
  if (isAddress(x) || isAddress(y)) return sameAddress(x, y)
  const [xs, ...xd] = x.split('.')
  const [ys, ...yd] = y.split('.')
  if (xs !== ys) return false
  // One of them is the short name.
  return xd.length === 0 || yd.length === 0
}

function sameAddress(a: string, b: string): boolean {
  const x = canonicalAddress(a)
  return x !== null && x === canonicalAddress(b)
}

/** A host record (name, address) is the host a name or address means. */
export function sameHostRecord(h: { name: string; address: string }, nameOrAddress: string): boolean {
  return sameHostName(h.name, nameOrAddress) || sameHostName(h.address, nameOrAddress)
}

/** The key a host is stored under where one name must stand for it (a finding's subject): its short name. */
export function hostKey(name: string): string {
  const n = normalHostName(name)
  return canonicalAddress(n) ?? (n.split('.')[0] ?? n)
}
