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
import type { FindingInput, FindingSource, FindingSubject } from '../../core/findings/model'
import type { RunState } from '../../core/runbook/engine'
import { hmacPrf } from './prf'

export interface CaseRedaction {
  redactor: Redactor
  pseudonyms: Pseudonyms
  /** Original name → pseudonym (private to the engineer: never exported). */
  names: ReadonlyMap<string, string>
  /** Each name's kind (host, domain, …), for the mapping view. */
  kinds: ReadonlyMap<string, NameKind>
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
  const list = caseNames(db)
  const names = namePseudonyms(list)
  const kinds = new Map<string, NameKind>()
  for (const n of list) {
    const v = n.name.trim().toLowerCase().replace(/\.$/, '')
    if (!kinds.has(v)) kinds.set(v, n.kind)
  }
  return { redactor: new Redactor(pseudonyms, names), pseudonyms, names, kinds, hostBits }
}

/**
 * A redacted copy of the case at `path`: every capture's host, command, origin, output and error redacted, the
 * runbook runs (their inputs, steps, checks, facts and notes) and the findings redacted the same way; no key, no
 * hosts. Terminal recordings are left out: their bytes arrive in pieces that can split an address, so they cannot
 * be redacted reliably (a report's transcript excerpts are plain text and are).
 */
export function exportRedactedCase(db: CaseDb, path: string): { path: string; captures: number; runs: number; findings: number } {
  const { redactor } = caseRedaction(db)
  const r = (s: string) => redactor.redact(s)
  const out = CaseDb.create(path, `${r(db.summary().name)} (redacted)`, safeUser())
  try {
    let n = 0
    const ids = new Map<number, number>()
    for (const c of db.captures.list()) {
      const d = db.captures.detail(c.id)
      const stdout = r(db.captures.text(c.id))
      const command = r(c.command)
      // Parsed again as the original was (a failed command's empty output was not): the same parser, or none.
      const parsed = c.parserId === null ? null : parseCapture(command, stdout, c.parserId)
      const saved = out.captures.save({
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
      if (saved) ids.set(c.id, saved.id)
      n++
    }
    const runs = copyRuns(db, out, r, ids)
    return { path, captures: n, runs: runs.size, findings: copyFindings(db, out, r, ids, runs) }
  } finally {
    out.close()
  }
}

/**
 * The findings into the copy, redacted the same way: subject, title, explanation, excerpts, labels, note; their
 * evidence points at the copied captures; status and note kept. One record per source, as the sources reported them.
 */
/** Keys of a run's saved state whose strings are the runbook's own words or ids, not the case's: never redacted. */
const runKeys = new Set(['runbookId', 'stepId', 'result', 'current', 'kind', 'severity', 'at', 'choice', 'runbookVersion'])

/** A run's state with its strings redacted and its capture ids those of the copy. */
export function redactRunState(state: RunState, r: (s: string) => string, ids: ReadonlyMap<number, number>): RunState {
  const walk = (v: unknown, key: string | null): unknown => {
    if (key === 'captureIds' && Array.isArray(v)) return v.flatMap((id) => (typeof id === 'number' && ids.has(id) ? [ids.get(id)] : []))
    if (typeof v === 'string') return key !== null && runKeys.has(key) ? v : r(v)
    if (Array.isArray(v)) return v.map((x) => walk(x, null))
    if (v !== null && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x, k)]))
    return v
  }
  return walk(state, null) as RunState
}

/** The runbook runs into the copy, redacted, with their notes: old run id → the copy's. */
function copyRuns(db: CaseDb, out: CaseDb, r: (s: string) => string, ids: ReadonlyMap<number, number>): Map<number, number> {
  const runIds = new Map<number, number>()
  for (const summary of [...db.runs.list()].sort((a, b) => a.id - b.id)) {
    const { run, state } = db.runs.get(summary.id)
    const copy = out.runs.create({ runbookId: run.runbookId, version: run.runbookVersion, title: run.title, mode: run.mode, ovsVia: run.ovsVia, state: redactRunState(state, r, ids) })
    for (const n of db.runs.notes(run.id)) out.runs.addNote(copy.id, n.stepIndex, r(n.text))
    runIds.set(run.id, copy.id)
  }
  return runIds
}

function copyFindings(db: CaseDb, out: CaseDb, r: (s: string) => string, ids: ReadonlyMap<number, number>, runIds: ReadonlyMap<number, number>): number {
  let n = 0
  const copied = new Set(runIds.values())
  for (const f of db.findings.list()) {
    const s = f.subject
    const subject: FindingSubject = {
      ...(s.host !== undefined ? { host: r(s.host) } : {}),
      ...(s.table !== undefined ? { table: s.table } : {}),
      ...(s.pod !== undefined ? { pod: r(s.pod) } : {}),
      ...(s.namespace !== undefined ? { namespace: s.namespace } : {}),
      ...(s.hostSubnet !== undefined ? { hostSubnet: r(s.hostSubnet) } : {}),
      ...(s.service !== undefined ? { service: s.service } : {}),
      ...(s.detail !== undefined ? { detail: r(s.detail) } : {})
    }
    const bySource = new Map<string, { source: FindingSource; evidence: FindingInput['evidence'] }>()
    for (const e of f.evidence) {
      const source: FindingSource = e.source.kind === 'runbook' ? { ...e.source, runId: runIds.get(e.source.runId) ?? e.source.runId } : e.source
      const key = JSON.stringify(source)
      const g = bySource.get(key) ?? { source, evidence: [] }
      g.evidence.push({ captureId: e.captureId === null ? null : (ids.get(e.captureId) ?? null), lines: e.lines, excerpt: r(e.excerpt), label: r(e.label) })
      bySource.set(key, g)
    }
    const continueWith = f.continueWith ? { runbookId: f.continueWith.runbookId, inputs: Object.fromEntries(Object.entries(f.continueWith.inputs).map(([k, v]) => [k, r(v)])) } : null
    const groups = bySource.size ? [...bySource.values()] : f.sources.map((source) => ({ source, evidence: [] }))
    let id: number | undefined
    for (const g of groups) id = out.findings.record([{ kind: f.kind, subject, severity: f.severity, title: r(f.title), explain: r(f.explain), source: g.source, evidence: g.evidence, continueWith }], g.source.kind === 'runbook' && copied.has(g.source.runId) ? g.source.runId : null)[0]
    if (id !== undefined && (f.status !== 'open' || f.note !== '')) out.findings.update(id, { status: f.status, note: r(f.note) })
    if (id !== undefined) n++
  }
  return n
}

function safeUser(): string {
  try {
    return userInfo().username
  } catch {
    return 'sdnwb'
  }
}
