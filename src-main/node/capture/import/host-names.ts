/**
 * The case host an imported output belongs to: the same name ignoring case, else the same short name
 * ("node1.example.com" and "node1"), as sosreports and collectors name hosts either way.
 */
export function matchHostName(hosts: readonly { id: number; name: string }[], name: string): number | null {
  const n = name.toLowerCase()
  const short = (s: string) => s.toLowerCase().split('.')[0]
  return (hosts.find((h) => h.name.toLowerCase() === n) ?? hosts.find((h) => short(h.name) === short(name)))?.id ?? null
}
