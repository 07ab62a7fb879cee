import { createHash, createHmac } from 'node:crypto'
import type { KnownHostInfo } from '../../contract'

/** A host key as OpenSSH writes it: type and base64 blob. */
export interface HostKey {
  type: string
  base64: string
}

export interface KnownHostEntry {
  /** Host patterns as written ("10.200.0.2", "[127.0.0.1]:2222", "*.example.com"), or a hashed "|1|salt|hash". */
  pattern: string
  key: HostKey
  marker: '@revoked' | '@cert-authority' | null
  line: number
}

/** "SHA256:…" as `ssh-keygen -lf` prints it. */
export function fingerprint(blob: Buffer): string {
  return 'SHA256:' + createHash('sha256').update(blob).digest('base64').replace(/=+$/, '')
}

/** The key type is the first string of the SSH wire blob. */
export function keyTypeOf(blob: Buffer): string {
  if (blob.length < 4) return 'unknown'
  const n = blob.readUInt32BE(0)
  return n > 0 && n < 64 && blob.length >= 4 + n ? blob.toString('latin1', 4, 4 + n) : 'unknown'
}

/** How OpenSSH names a host in known_hosts: "host" for port 22, "[host]:port" otherwise. */
export function knownHostName(host: string, port: number): string {
  return port === 22 ? host : `[${host}]:${port}`
}

/** Reads a known_hosts file: plain, comma lists, wildcards, hashed entries, markers. Bad lines are reported. */
export function parseKnownHosts(text: string): { entries: KnownHostEntry[]; problems: { line: number; message: string }[] } {
  const entries: KnownHostEntry[] = []
  const problems: { line: number; message: string }[] = []
  text.split('\n').forEach((raw, i) => {
    const t = raw.trim()
    if (t === '' || t.startsWith('#')) return
    let words = t.split(/\s+/)
    let marker: KnownHostEntry['marker'] = null
    if (words[0] === '@revoked' || words[0] === '@cert-authority') {
      marker = words[0]
      words = words.slice(1)
    }
    const [pattern, type, base64] = words
    if (!pattern || !type || !base64 || !/^[A-Za-z0-9+/]+=*$/.test(base64)) {
      problems.push({ line: i + 1, message: 'not "host keytype base64-key"' })
      return
    }
    entries.push({ pattern, key: { type, base64 }, marker, line: i + 1 })
  })
  return { entries, problems }
}

/** What the UI shows of a stored entry. */
export function knownHostInfo(e: { id: number; pattern: string; key: HostKey; marker: KnownHostEntry['marker']; source: string; addedAt: string }): KnownHostInfo {
  return {
    id: e.id,
    pattern: e.pattern,
    hashed: e.pattern.startsWith('|1|'),
    keyType: e.key.type,
    fingerprint: fingerprint(Buffer.from(e.key.base64, 'base64')),
    marker: e.marker,
    source: e.source,
    addedAt: e.addedAt
  }
}

function globMatch(pattern: string, name: string): boolean {
  const re = new RegExp('^' + pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.') + '$', 'i')
  return re.test(name)
}

/** Does a known_hosts host field name this host? Handles hashed fields, lists, negation and wildcards. */
export function patternMatches(field: string, host: string, port: number): boolean {
  const name = knownHostName(host, port)
  if (field.startsWith('|1|')) {
    const [, , salt, hash] = field.split('|')
    if (!salt || !hash) return false
    const h = createHmac('sha1', Buffer.from(salt, 'base64')).update(name).digest('base64')
    return h === hash
  }
  let matched = false
  for (const p of field.split(',')) {
    if (p.startsWith('!')) {
      if (globMatch(p.slice(1), name)) return false
    } else if (globMatch(p, name)) matched = true
  }
  return matched
}
