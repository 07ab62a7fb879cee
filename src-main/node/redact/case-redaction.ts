// A case's redaction: its key, the names to replace (hosts of the case and of its captures, their domains, the
// nodes and HostSubnets the captures name, SSH users, the engineer's terms), the node subnets' host part kept; the
// mapping the engineer can look at (it stays private); and a redacted copy of the case for a vendor, its captures
// redacted the same way and parsed again.
import { userInfo } from 'node:os'
import { parseCapture } from '../../core/capture/parsed-view'
import { isIPv4, isIPv6 } from '../../core/net/address'
import { Pseudonyms } from '../../core/redact/pseudonyms'
import { namePseudonyms, Redactor, type NameKind } from '../../core/redact/redact-text'
import { newestParsed } from '../capture/newest'
import { CaseDb } from '../store/case-db'
import { hmacPrf } from './prf'

export interface CaseRedaction {
  redactor: Redactor
  pseudonyms: Pseudonyms
  /** Original name → pseudonym (private to the engineer: never exported). */
  names: ReadonlyMap<string, string>
  hostBits: number
}

/** The names of the case that redaction replaces, each with its kind. */
export function caseNames(db: CaseDb): { kind: NameKind; name: string }[] {
  const out: { kind: NameKind; name: string }[] = []
  const host = (n: string) => {
    const v = n.trim().replace(/\.$/, '')
    if (v === '' || isIPv4(v) || isIPv6(v)) return
    const [short, ...domain] = v.split('.')
    // node1.lab.example.com is node-01.domain-01.example: the short name and the domain each by its pseudonym.
    if (short) out.push({ kind: 'host', name: short })
    if (domain.length >= 2) out.push({ kind: 'domain', name: domain.join('.') })
  }
  for (const h of db.listHosts()) {
    host(h.name)
    host(h.address)
    if (h.user && h.user !== 'root') out.push({ kind: 'user', name: h.user })
  }
  for (const c of db.captures.list()) host(c.hostName)
  for (const h of newestParsed(db, 'oc.get.hostsubnets')?.data.records ?? []) {
    host(h.host)
    host(h.name)
  }
  for (const n of newestParsed(db, 'oc.get.nodes')?.data.records ?? []) host(n.name)
  out.push(...db.redaction.terms())
  return out
}

export function caseRedaction(db: CaseDb): CaseRedaction {
  // openshift-sdn gives each node a subnet of 2^hostSubnetLength addresses: that host part stays (gateways, offsets).
  const cn = newestParsed(db, 'oc.get.clusternetwork')?.data.records[0]
  const hostBits = cn?.networks[0]?.hostSubnetLength ?? 8
  const pseudonyms = new Pseudonyms(hmacPrf(db.redaction.key()), { hostBits })
  const names = namePseudonyms(caseNames(db))
  return { redactor: new Redactor(pseudonyms, names), pseudonyms, names, hostBits }
}

/** A redacted copy of the case at `path`: every capture's host, command, origin, output and error redacted; no key, no hosts' secrets. */
export function exportRedactedCase(db: CaseDb, path: string): { path: string; captures: number } {
  const { redactor } = caseRedaction(db)
  const r = (s: string) => redactor.redact(s)
  const out = CaseDb.create(path, `${r(db.summary().name)} (redacted)`, safeUser())
  try {
    let n = 0
    for (const c of db.captures.list()) {
      const d = db.captures.detail(c.id)
      const stdout = r(db.captures.text(c.id))
      const command = r(c.command)
      const parsed = parseCapture(command, stdout, c.parserId)
      out.captures.save({
        runId: null,
        hostId: null,
        hostName: r(c.hostName),
        viaHostName: c.viaHostName === null ? null : r(c.viaHostName),
        commandId: c.commandId,
        title: c.title === null ? null : r(c.title),
        command,
        source: 'imported',
        origin: c.origin === null ? null : r(c.origin),
        startedAt: c.startedAt,
        durationMs: c.durationMs,
        status: c.status,
        exitCode: c.exitCode,
        signal: c.signal,
        errorKind: c.errorKind,
        error: c.error === null ? null : r(c.error),
        stdout,
        stderr: r(d.stderr),
        truncated: c.truncated,
        parse: parsed ? { parserId: parsed.parser, records: parsed.records, diagnostics: parsed.diagnostics.slice(0, 200) } : null
      })
      n++
    }
    return { path, captures: n }
  } finally {
    out.close()
  }
}

function safeUser(): string {
  try {
    return userInfo().username
  } catch {
    return 'sdnwb'
  }
}
