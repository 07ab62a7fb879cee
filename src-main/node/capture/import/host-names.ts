import { normalHostName, sameHostName } from '../../../core/hosts/identity'

/**
 * The case host an imported output belongs to: the same name ignoring case, else the same short name
 * ("node1.example.com" and "node1"), as sosreports and collectors name hosts either way.
 */
export function matchHostName(hosts: readonly { id: number; name: string }[], name: string): number | null {
  // An equal name first, then the host-identity rule (short name and FQDN).
  return (hosts.find((h) => normalHostName(h.name) === normalHostName(name)) ?? hosts.find((h) => sameHostName(h.name, name)))?.id ?? null
}
