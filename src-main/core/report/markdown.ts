// The report as Markdown, for pasting into a support case: the sections in the order support write-ups use, the
// engineer's own Markdown as written, evidence as fenced blocks with line numbers.
import { diffMarkdown } from '../flows/diff-export'
import { checkWord, cite, resultWord, severityWord, utc, type ReportDoc, type ReportEvidence } from './model'

/** A fence longer than any backtick run inside the text, so a capture cannot end its own block. */
function fence(text: string): string {
  const longest = Math.max(2, ...[...text.matchAll(/`+/g)].map((m) => m[0].length))
  return '`'.repeat(longest + 1)
}

/** Text for a table cell: no line breaks, pipes escaped. */
const cell = (s: string | null | undefined) => (s ?? '').replace(/\r?\n/g, ' ').replace(/\|/g, '\\|')

function evidenceBlock(e: ReportEvidence): string[] {
  const width = String(e.lines.at(-1)?.n ?? 1).length
  const body = e.lines.map((l) => `${String(l.n).padStart(width)}${l.hit ? '>' : ' '} ${l.text}`).join('\n')
  const f = fence(body)
  return [
    `### E${e.ref}. ${e.label}`,
    '',
    `- Host: ${e.host}`,
    `- Command: \`${e.command.replace(/`/g, "'")}\``,
    `- Time (UTC): ${e.at ? utc(e.at) : 'unknown'}`,
    `- Source: ${e.origin}`,
    ...(e.sha256 ? [`- SHA-256: \`${e.sha256}\``] : []),
    '',
    ...(e.lines.length ? [`${f}text`, body, f] : ['(no lines)']),
    ...(e.more > 0 ? ['', `(${e.more} more line${e.more === 1 ? '' : 's'} of the capture not shown)`] : []),
    ''
  ]
}

export function reportMarkdown(doc: ReportDoc): string {
  const out: string[] = [`# ${doc.title}`, '', `Case ${doc.caseName} · generated ${utc(doc.generatedAt)}${doc.redacted ? ' · redacted' : ''}`, '']
  const section = (title: string, body: string) => {
    if (body.trim() === '') return
    out.push(`## ${title}`, '', body.trim(), '')
  }
  section('Summary', doc.summary)

  const env = doc.environment
  out.push('## Environment', '')
  out.push(`- OpenShift: ${env.openshift ?? 'not known from the captures'}`)
  out.push(`- Open vSwitch: ${env.ovs ?? 'not known from the captures'}`)
  out.push(`- SDN plugin: ${env.plugin ?? 'not known from the captures'}`)
  if (env.clusterNetwork) out.push(`- Cluster network: ${env.clusterNetwork}`)
  if (env.serviceNetwork) out.push(`- Service network: ${env.serviceNetwork}`)
  out.push('')
  if (env.nodes.length) {
    out.push('| Node | Roles | Address | Version | OVS | Status |', '|---|---|---|---|---|---|')
    for (const n of env.nodes) out.push(`| ${cell(n.name)} | ${cell(n.roles)} | ${cell(n.address)} | ${cell(n.version)} | ${cell(n.ovs)} | ${cell(n.status)} |`)
    out.push('')
  }
  if (env.readFrom.length) out.push(`Read from: ${env.readFrom.join('; ')}.`, '')

  section('Issue', doc.issue)

  if (doc.findings.length) {
    out.push('## Findings', '')
    for (const f of doc.findings) {
      out.push(`### ${severityWord[f.severity]}: ${f.title}`, '')
      out.push(`Status: ${f.status}${f.subject ? ` · ${f.subject}` : ''}${f.evidence.length ? ` · evidence ${cite(f.evidence)}` : ''}`, '')
      if (f.explain) out.push(f.explain, '')
      if (f.sources.length) out.push(`Reported by: ${f.sources.join('; ')}.`, '')
      if (f.note) out.push(`Engineer's note: ${f.note}`, '')
    }
  }

  if (doc.runs.length || doc.diffs.length || doc.transcripts.length || doc.traces.length) out.push('## Diagnostic steps', '')
  for (const r of doc.runs) {
    out.push(`### Runbook: ${r.title} (${r.mode}, ${r.status === 'done' ? 'finished' : 'not finished'})`, '')
    out.push(`Started ${utc(r.startedAt)}${r.inputs.length ? ` · ${r.inputs.map(([k, v]) => `${k} = ${v}`).join(', ')}` : ''}`, '')
    r.steps.forEach((s, i) => {
      out.push(`${i + 1}. **${s.title}**: ${resultWord[s.result]}${s.choice ? ` (${s.choice})` : ''}${s.where ? ` on ${s.where}` : ''}${s.evidence.length ? ` · ${cite(s.evidence)}` : ''}`)
      if (s.command) out.push(`   - Command: \`${s.command.replace(/`/g, "'")}\``)
      for (const c of s.checks) out.push(`   - ${checkWord(s.result, c.pass)}: ${c.expect} (${c.reason})`)
      if (s.note) out.push(`   - ${s.note}`)
    })
    out.push('')
    for (const n of r.notes) out.push(`> ${n.replace(/\n/g, '\n> ')}`, '')
  }
  for (const d of doc.diffs) {
    out.push(diffMarkdown(d.block))
    if (d.counters.length) {
      out.push('Packets counted per table between the two dumps:', '', '| Table | Name | Packets |', '|---:|---|---:|')
      for (const c of d.counters) out.push(`| ${c.table} | ${cell(c.name)} | ${c.packets} |`)
      out.push('')
    }
  }
  for (const t of doc.transcripts) {
    out.push(`### Terminal on ${t.host}: ${t.title} (started ${utc(t.startedAt)})`, '')
    for (const c of t.commands) {
      const body = [`$ ${c.line}`, ...c.lines].join('\n')
      const f = fence(body)
      out.push(`${f}console`, body, f, `Exit code ${c.exitCode ?? 'unknown'} · ${utc(c.at)}${c.more ? ` · ${c.more} more lines not shown` : ''}`, '')
    }
  }

  for (const t of doc.traces) {
    out.push(`### Offline trace on ${t.node}${t.evidence !== null ? ` (${cite([t.evidence])})` : ''}`, '', `Packet: \`${t.flow}\`${t.ctNext.length ? ` · --ct-next ${t.ctNext.join(' ')}` : ''}`, '', `Verdict: ${t.verdict}`, '')
    for (const part of [{ node: t.node, text: t.text }, ...(t.continued ? [{ node: t.continued.node, text: t.continued.text }] : [])]) {
      const f = fence(part.text)
      out.push(`${t.continued ? `On ${part.node}:\n\n` : ''}${f}text`, part.text.trimEnd(), f, '')
    }
  }

  section('Root cause', doc.rootCause)
  section('Resolution', doc.resolution)
  section('Notes', doc.notes)

  if (doc.timeline.length) {
    out.push('## Timeline (UTC)', '', '| Time | Host | What |', '|---|---|---|')
    for (const t of doc.timeline) out.push(`| ${utc(t.at)} | ${cell(t.host)} | ${cell(t.what)} |`)
    out.push('')
  }
  if (doc.evidence.length) {
    out.push('## Evidence appendix', '')
    for (const e of doc.evidence) out.push(...evidenceBlock(e))
  }
  out.push('## Redaction', '', doc.redactionStatement, '')
  return out.join('\n')
}
