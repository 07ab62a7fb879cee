import { patternMatches, type HostKey } from './known-hosts'

export type HostKeyVerdict =
  | { kind: 'known' }
  | { kind: 'unknown' }
  | { kind: 'changed'; knownTypes: string[] }
  | { kind: 'revoked' }

interface Entry {
  pattern: string
  key: HostKey
  marker: '@revoked' | '@cert-authority' | null
}

/**
 * What the known hosts say about the key a host presents, as OpenSSH decides it: the same key is
 * known; another key of the same type for this host is a CHANGED key (refuse, never ask); a key type
 * not seen for this host is unknown (ask); a revoked key is refused.
 */
export function judgeHostKey(entries: readonly Entry[], host: string, port: number, key: HostKey): HostKeyVerdict {
  const mine = entries.filter((e) => e.marker !== '@cert-authority' && patternMatches(e.pattern, host, port))
  if (mine.some((e) => e.marker === '@revoked' && e.key.base64 === key.base64)) return { kind: 'revoked' }
  const live = mine.filter((e) => e.marker === null)
  if (live.some((e) => e.key.type === key.type && e.key.base64 === key.base64)) return { kind: 'known' }
  const sameType = live.filter((e) => e.key.type === key.type)
  if (sameType.length > 0) return { kind: 'changed', knownTypes: [...new Set(sameType.map((e) => e.key.type))] }
  return { kind: 'unknown' }
}
