// The report document from the case: the engineer's picks (a ReportSpec) read from the stores, evidence numbered
// once per capture and lines, the environment read from the captures, a timeline in UTC. Redacted on request: the
// whole document passes through the case's redactor, and each capture's SHA-256 is the one of its redacted text
// (what the reader of a redacted report can check against a redacted copy of the case).
import { createHash } from 'node:crypto'
import type { CaseFindingView, FindingSource, ReportSpec } from '../../contract'
import { mapReportStrings, type ReportDiff, type ReportDoc, type ReportEnvironment, type ReportEvidence, type ReportFinding, type ReportRun, type ReportTimelineEntry, type ReportTrace, type ReportTranscript } from '../../core/report/model'
import type { ResolvedTarget } from '../../core/runbook/engine'
import { commandLine } from '../../core/shell/quote'
import { screenText } from '../../core/terminal/plain-text'
import { flowActions } from '../../core/flows/flow'
import { pluginName } from '../../core/sdn/tables'
import { hostKey } from '../../core/hosts/identity'
import { newestParsed } from '../capture/newest'
import type { CaseRedaction } from '../redact/case-redaction'
import type { CaseDb } from '../store/case-db'

/** Lines an excerpt shows at most; the rest of the capture is counted. */
const maxExcerptLines = 60
const contextLines = 2

export interface BuildOptions {
  redaction: CaseRedaction | null
  /** The flow diff of two dumps as the diff view exports it (node/backend's FlowDiffService). */
  diff: (a: number, b: number, moved: boolean) => ReportDiff
  /** An offline trace as the tracer view shows it (node/trace's TraceService); absent: traces are left out. */
  trace?: ReportTracer
  now?: Date
}

export type ReportTracer = (captureId: number, flow: string, ctNext: string[]) => { node: string; verdict: string; text: string; lines: number[]; continued: { node: string; verdict: string; text: string } | null }

/** A new report's picks: the confirmed and fixed findings and the runs that reported them (every run if none did). */
export function defaultReportSpec(db: CaseDb, title?: string): ReportSpec {
  const findings = db.findings.list({ status: ['confirmed', 'fixed'] })
  const runIds = new Set<number>()
  for (const f of findings) for (const s of f.sources) if (s.kind === 'runbook') runIds.add(s.runId)
  const runs = db.runs.list()
  const picked = runIds.size ? runs.filter((r) => runIds.has(r.id)) : runs
  return {
    title: title ?? `${db.summary().name}: SDN troubleshooting report`,
    summary: '',
    issue: '',
    rootCause: '',
    resolution: '',
    notes: '',
    findingIds: findings.map((f) => f.id),
    runIds: picked.map((r) => r.id).sort((a, b) => a - b),
    diffs: [],
    captures: [],
    transcripts: [],
    traces: []
  }
}

/** Evidence numbered in the order it is first cited; the same capture and lines cited twice is one item. */
class EvidenceBook {
  readonly items: ReportEvidence[] = []
  private readonly byKey = new Map<string, number>()
  private readonly hashes = new Map<number, string>()

  constructor(
    private readonly db: CaseDb,
    private readonly redact: ((s: string) => string) | null
  ) {}

  private sha(captureId: number): string {
    let h = this.hashes.get(captureId)
    if (h === undefined) {
      const text = this.db.captures.text(captureId)
      h = createHash('sha256').update(this.redact ? this.redact(text) : text).digest('hex')
      this.hashes.set(captureId, h)
    }
    return h
  }

  /** Cites lines of a capture (hit lines marked, a little context around them), or a whole capture's start. */
  capture(captureId: number, label: string, hits: readonly number[], range?: { from: number; to: number }): number | null {
    const key = `${captureId}:${range ? `${range.from}-${range.to}` : hits.join(',')}`
    const seen = this.byKey.get(key)
    if (seen !== undefined) return seen
    let c
    try {
      c = this.db.captures.get(captureId)
    } catch {
      return null
    }
    const sorted = [...hits].sort((a, b) => a - b)
    const from = range?.from ?? Math.max(1, (sorted[0] ?? 1) - contextLines)
    const wanted = range?.to ?? (sorted.length ? (sorted.at(-1) ?? 1) + contextLines : maxExcerptLines)
    const to = Math.min(wanted, from + maxExcerptLines - 1)
    const hitSet = new Set(sorted)
    const lines = this.db.captures.lines(captureId, from, to).map((l) => ({ n: l.line, text: l.text, hit: hitSet.has(l.line) }))
    const ref = this.items.length + 1
    this.items.push({
      ref,
      label,
      host: c.hostName,
      command: c.command,
      at: c.startedAt,
      origin: c.source === 'imported' ? `imported${c.origin ? ` from ${c.origin}` : ''}` : c.viaHostName ? `live over SSH, through ${c.viaHostName}` : 'live over SSH',
      sha256: this.sha(captureId),
      captureId,
      lines,
      more: Math.max(0, c.stdoutLines - lines.length)
    })
    this.byKey.set(key, ref)
    return ref
  }

  /** Evidence whose capture was deleted: the excerpt the finding kept. */
  excerpt(label: string, host: string, text: string, lines: readonly number[]): number {
    const ref = this.items.length + 1
    const rows = text.split('\n').slice(0, maxExcerptLines)
    this.items.push({ ref, label, host, command: '(capture deleted from the case)', at: null, origin: 'excerpt kept with the finding', sha256: null, captureId: null, lines: rows.map((t, i) => ({ n: lines[i] ?? i + 1, text: t, hit: true })), more: 0 })
    return ref
  }
}

function sourceLabel(s: FindingSource, runTitles: ReadonlyMap<number, string>): string {
  switch (s.kind) {
    case 'check':
      return `Check SDN (${s.check})`
    case 'runbook':
      return `runbook ${runTitles.get(s.runId) ?? s.runbookId} (run #${s.runId}), step ${s.stepId}`
    case 'engineer':
      return 'the engineer'
  }
}

function subjectLabel(f: CaseFindingView): string {
  const s = f.subject
  return [s.host, s.table !== undefined ? `table ${s.table}` : null, s.pod ? `pod ${s.pod}` : null, s.namespace ? `namespace ${s.namespace}` : null, s.hostSubnet ? `HostSubnet ${s.hostSubnet}` : null, s.service ? `service ${s.service}` : null]
    .filter(Boolean)
    .join(' · ')
}

function whereLabel(t: ResolvedTarget | null): string | null {
  if (!t) return null
  switch (t.kind) {
    case 'master':
      return 'a master'
    case 'node':
      return t.node
    case 'ovs':
      return `${t.node} (Open vSwitch)`
    case 'workstation':
      return 'the workstation'
  }
}

/** OpenShift, OVS and plugin versions and the nodes, from the newest captures that say them. */
function environment(db: CaseDb): ReportEnvironment {
  const readFrom: string[] = []
  const from = (c: { hostName: string; command: string; id: number }) => readFrom.push(`${c.hostName}: ${c.command} (#${c.id})`)
  const nodes = newestParsed(db, 'oc.get.nodes')
  const cn = newestParsed(db, 'oc.get.clusternetwork')
  const ovsByHost = new Map<string, string>()
  for (const c of db.captures.list().filter((x) => x.parserId === 'ovs-vsctl.show' && x.status === 'ok').sort((a, b) => a.startedAt.localeCompare(b.startedAt))) {
    const v = newestParsed(db, 'ovs-vsctl.show', (x) => x.id === c.id)?.data.ovsVersion
    if (v) ovsByHost.set(hostKey(c.hostName), v)
  }
  if (nodes) from(nodes.capture)
  if (cn) from(cn.capture)
  let plugin = cn?.data.records[0]?.pluginName ?? null
  if (plugin === null) {
    // The table 253 note of a br0 dump names the plugin (its first byte).
    const dump = newestParsed(db, 'ovs-ofctl.dump-flows', (c) => /\bdump-flows\s+br0\b/.test(c.command))
    const note = dump?.data.flows.find((f) => f.table === 253)
    const a = note ? flowActions(note).find((x) => x.type === 'note') : undefined
    if (dump && a && a.type === 'note' && a.bytes.length >= 4) {
      plugin = `${pluginName(parseInt(a.bytes.slice(0, 2), 16))} (from the table 253 note)`
      from(dump.capture)
    }
  }
  const hostsByKey = new Map(db.listHosts().map((h) => [hostKey(h.name), h]))
  const nodeRows = nodes
    ? nodes.data.records.map((n) => ({ name: n.name, roles: n.roles.join(', '), address: n.internalIP, version: n.version, ovs: ovsByHost.get(hostKey(n.name)) ?? null, status: n.status }))
    : db.listHosts().map((h) => ({ name: h.name, roles: h.role, address: h.address, version: null, ovs: ovsByHost.get(hostKey(h.name)) ?? null, status: null }))
  for (const n of nodeRows) if (n.address === null) n.address = hostsByKey.get(hostKey(n.name))?.address ?? null
  const kubelet = nodes?.data.records.map((n) => n.version).find((v): v is string => v !== null) ?? null
  const ovsVersions = [...new Set(ovsByHost.values())]
  return {
    openshift: kubelet ? openshiftOf(kubelet) : null,
    ovs: ovsVersions.length ? ovsVersions.join(', ') : null,
    plugin,
    clusterNetwork: cn?.data.records[0]?.networks.map((n) => n.cidr).join(', ') || null,
    serviceNetwork: cn?.data.records[0]?.serviceNetwork ?? null,
    nodes: nodeRows,
    readFrom
  }
}

/** The OpenShift release a node's kubelet version belongs to (3.x shipped one Kubernetes minor each). */
function openshiftOf(kubelet: string): string {
  const m = /^v1\.(\d+)\./.exec(kubelet)
  const minor = m ? Number(m[1]) : NaN
  const release: Record<number, string> = { 6: '3.6', 7: '3.7', 9: '3.9', 10: '3.10', 11: '3.11' }
  const r = release[minor]
  return r ? `${r} (kubelet ${kubelet})` : `kubelet ${kubelet}`
}

export function buildReport(db: CaseDb, spec: ReportSpec, opts: BuildOptions): ReportDoc {
  const r = opts.redaction ? (s: string) => (opts.redaction as CaseRedaction).redactor.redact(s) : null
  const book = new EvidenceBook(db, r)
  const timeline: ReportTimelineEntry[] = []
  const runsById = new Map(db.runs.list().map((x) => [x.id, x]))
  const runTitles = new Map([...runsById].map(([id, x]) => [id, x.title]))

  const findings: ReportFinding[] = []
  for (const id of spec.findingIds) {
    let f: CaseFindingView
    try {
      f = db.findings.get(id)
    } catch {
      continue
    }
    const evidence: number[] = []
    for (const e of f.evidence) {
      const ref = e.captureId !== null ? book.capture(e.captureId, e.label || f.title, e.lines) : book.excerpt(e.label || f.title, f.host ?? '', e.excerpt, e.lines)
      if (ref !== null && !evidence.includes(ref)) evidence.push(ref)
    }
    findings.push({ id: f.id, severity: f.severity, status: f.status, title: f.title, explain: f.explain, subject: subjectLabel(f), note: f.note, sources: [...new Set(f.sources.map((s) => sourceLabel(s, runTitles)))], evidence })
    timeline.push({ at: f.createdAt, host: f.host, what: `Finding: ${f.title}` })
  }

  const runs: ReportRun[] = []
  for (const id of spec.runIds) {
    if (!runsById.has(id)) continue
    const { run, state } = db.runs.get(id)
    const steps = state.history.map((s) => {
      // A check's lines are of the step's first capture, or of the one they name (a step answered from several dumps).
      const linesOf = (cid: number, i: number) => [...new Set(s.checks.flatMap((c) => c.evidence.filter((e) => (e.captureId === undefined ? i === 0 : e.captureId === cid)).map((e) => e.line)))]
      const evidence = s.captureIds.map((cid, i) => book.capture(cid, s.title, linesOf(cid, i))).filter((x): x is number => x !== null)
      timeline.push({ at: s.at, host: s.target && (s.target.kind === 'node' || s.target.kind === 'ovs') ? s.target.node : null, what: `${run.title}: ${s.title} (${s.result})` })
      return {
        title: s.title,
        result: s.result,
        choice: s.choice,
        where: whereLabel(s.target),
        command: s.argv && s.argv.length ? commandLine(s.argv) : null,
        note: s.note,
        checks: s.checks.map((c) => ({ expect: c.expect, pass: c.pass, reason: c.reason })),
        evidence,
        at: s.at
      }
    })
    runs.push({ id: run.id, title: run.title, mode: run.mode, status: run.status, startedAt: run.createdAt, inputs: Object.entries(state.inputs), steps, notes: db.runs.notes(id).map((n) => n.text) })
  }

  const diffs = spec.diffs.map((d) => opts.diff(d.a, d.b, d.moved))

  const transcripts: ReportTranscript[] = []
  const byTranscript = new Map<number, (number | undefined)[]>()
  for (const t of spec.transcripts) byTranscript.set(t.transcriptId, [...(byTranscript.get(t.transcriptId) ?? []), t.commandId])
  for (const [tid, wanted] of byTranscript) {
    let t
    try {
      t = db.transcripts.get(tid)
    } catch {
      continue
    }
    const all = db.transcripts.commands(tid)
    const picked = wanted.includes(undefined) ? all : all.filter((c) => wanted.includes(c.id))
    const commands = picked.map((c) => {
      const text = screenText(db.transcripts.output(tid, c.outputStart, c.outputEnd).toString('utf8'), t.cols).replace(/\n+$/, '')
      const lines = text === '' ? [] : text.split('\n')
      timeline.push({ at: c.startedAt, host: t.hostName, what: `Terminal: ${c.commandLine}${c.exitCode !== null ? ` (exit ${c.exitCode})` : ''}` })
      return { line: c.commandLine, exitCode: c.exitCode, at: c.startedAt, lines: lines.slice(0, maxExcerptLines), more: Math.max(0, lines.length - maxExcerptLines) }
    })
    transcripts.push({ id: tid, host: t.hostName, title: t.title, startedAt: t.startedAt, commands })
  }

  const traces: ReportTrace[] = []
  for (const t of spec.traces) {
    if (!opts.trace) break
    try {
      const r = opts.trace(t.captureId, t.flow, t.ctNext)
      traces.push({ node: r.node, flow: t.flow, ctNext: t.ctNext, verdict: r.verdict, text: r.text, evidence: book.capture(t.captureId, `Flow dump the trace walked (the flows it matched)`, r.lines), continued: r.continued })
    } catch (err) {
      traces.push({ node: '?', flow: t.flow, ctNext: t.ctNext, verdict: `not traced: ${err instanceof Error ? err.message : String(err)}`, text: '', evidence: null, continued: null })
    }
  }

  for (const c of spec.captures) book.capture(c.captureId, 'Capture excerpt', [], c.from !== undefined || c.to !== undefined ? { from: c.from ?? 1, to: c.to ?? (c.from ?? 1) + maxExcerptLines - 1 } : undefined)
  for (const e of book.items) if (e.at) timeline.push({ at: e.at, host: e.host, what: `Captured: ${e.command}` })
  timeline.sort((a, b) => a.at.localeCompare(b.at))

  const doc: ReportDoc = {
    title: spec.title,
    caseName: db.summary().name,
    generatedAt: (opts.now ?? new Date()).toISOString(),
    redacted: r !== null,
    summary: spec.summary,
    issue: spec.issue,
    rootCause: spec.rootCause,
    resolution: spec.resolution,
    notes: spec.notes,
    environment: environment(db),
    findings,
    runs,
    diffs,
    transcripts,
    traces,
    timeline: dedupeTimeline(timeline),
    evidence: book.items,
    redactionStatement: r
      ? 'This report is redacted. Every IP address (IPv4 and IPv6, in CIDRs, inside MACs, in hex in flow fields and marks, dashed in host names and in PTR names), MAC address, host, domain, cluster and user name, and every term the engineer added, is replaced by a pseudonym. Pseudonyms are derived from a secret key kept in the case (never in a report): the same address has the same pseudonym in every export of this case; addresses in one subnet stay in one subnet with the same prefix length; private addresses stay private; loopback and link-local addresses are kept. SHA-256 sums are those of the redacted captures.'
      : 'This report is not redacted: addresses and names are as captured.'
  }
  return r ? mapReportStrings(doc, r) : doc
}

/** One entry per time, host and text (a capture cited by a step and a finding is listed once). */
function dedupeTimeline(t: ReportTimelineEntry[]): ReportTimelineEntry[] {
  const seen = new Set<string>()
  return t.filter((e) => {
    const k = `${e.at}|${e.host}|${e.what}`
    if (seen.has(k)) return false
    seen.add(k)
    return true
  })
}
