// The report as one self-contained HTML file: no external resource (a CSP that allows none), its styles inline, its
// chart an inline SVG, print CSS with page numbers in the page margins (Chromium's @page margin boxes, the same in
// Electron's printToPDF and headless Chromium), headings the PDF outline is built from.
import { checkWord as checkWordText, resultWord, severityWord, utc, type ReportDiff, type ReportDoc, type ReportEvidence, type ReportStep } from './model'

/** Markdown the engineer wrote, to HTML that is safe to embed (raw HTML escaped, links only to http(s) and mailto). */
export type MarkdownToHtml = (markdown: string) => string

export const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;')
/** A CSS string's content: quotes, backslashes and line breaks escaped. */
const cssString = (s: string) => s.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/[\r\n]+/g, ' ')

const css = (title: string) => `
:root { --fg: #1b1f24; --muted: #5b636e; --line: #d7dbe0; --err: #b42318; --warn: #a15c07; --ok: #1a7f37; --code: #f5f7f9; }
* { box-sizing: border-box; }
body { font: 14px/1.5 system-ui, -apple-system, "Segoe UI", "DejaVu Sans", sans-serif; color: var(--fg); margin: 0 auto; max-width: 60rem; padding: 2rem; }
h1 { font-size: 1.7rem; margin: 0 0 .25rem; }
h2 { font-size: 1.3rem; border-bottom: 2px solid var(--line); padding-bottom: .2rem; margin-top: 2rem; }
h3 { font-size: 1.05rem; margin: 1.2rem 0 .4rem; }
h4 { font-size: .95rem; margin: .8rem 0 .3rem; }
.meta, .muted { color: var(--muted); }
table { border-collapse: collapse; width: 100%; margin: .5rem 0 1rem; font-size: .9em; }
th, td { border: 1px solid var(--line); padding: .25rem .45rem; text-align: left; vertical-align: top; }
th { background: var(--code); }
td.time { white-space: nowrap; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
code, pre { font-family: "DejaVu Sans Mono", Menlo, Consolas, monospace; font-size: .85em; }
code { background: var(--code); padding: 0 .2em; border-radius: 3px; }
pre { background: var(--code); border: 1px solid var(--line); border-radius: 4px; padding: .5rem .6rem; white-space: pre-wrap; overflow-wrap: anywhere; }
pre .ln { color: var(--muted); user-select: none; }
pre .hit { background: #fff1c2; display: inline-block; width: 100%; }
.sev { display: inline-block; font-size: .75rem; font-weight: 600; padding: 0 .4rem; border-radius: 3px; color: #fff; margin-right: .4rem; vertical-align: 1px; }
.sev.error { background: var(--err); } .sev.warning { background: var(--warn); } .sev.info { background: #445; }
.pass { color: var(--ok); } .fail { color: var(--err); }
.finding, .evidence table, ol.steps > li { break-inside: avoid-page; }
ol.steps > li { margin-bottom: .5rem; }
.diff .removed { color: var(--err); } .diff .added { color: var(--ok); } .diff .changed { color: var(--warn); }
.statement { border-left: 4px solid var(--line); padding: .3rem .8rem; }
svg text { font: 11px system-ui, "DejaVu Sans", sans-serif; fill: var(--fg); }
@page { size: A4; margin: 18mm 14mm 18mm 14mm;
  @top-left { content: "${cssString(title)}"; font: 9px system-ui, "DejaVu Sans", sans-serif; color: #5b636e; }
  @bottom-right { content: "Page " counter(page) " of " counter(pages); font: 9px system-ui, "DejaVu Sans", sans-serif; color: #5b636e; } }
@media print { body { max-width: none; padding: 0; font-size: 11pt; } h2 { break-after: avoid-page; } h3, h4 { break-after: avoid-page; } pre { font-size: 8pt; } }
`

/** A horizontal bar chart of packets per table (the counters that moved between two dumps), as inline SVG. */
export function counterChart(d: ReportDiff): string {
  const rows = d.counters.filter((c) => c.packets > 0)
  if (!rows.length) return ''
  const max = Math.max(...rows.map((r) => r.packets))
  const rowH = 20
  const labelW = 170
  const barW = 380
  const h = rows.length * rowH + 10
  const bars = rows
    .map((r, i) => {
      const w = Math.max(1, Math.round((r.packets / max) * barW))
      const y = 5 + i * rowH
      return `<text x="${labelW - 6}" y="${y + 13}" text-anchor="end">${esc(`${r.table} ${r.name}`.trim())}</text><rect x="${labelW}" y="${y + 3}" width="${w}" height="${rowH - 7}" fill="#3b6fb6"/><text x="${labelW + w + 5}" y="${y + 13}">${r.packets}</text>`
    })
    .join('')
  return `<figure><svg role="img" aria-label="Packets counted per table" width="${labelW + barW + 80}" height="${h}" viewBox="0 0 ${labelW + barW + 80} ${h}" xmlns="http://www.w3.org/2000/svg">${bars}</svg><figcaption class="muted">Packets counted per table between the two dumps</figcaption></figure>`
}

function evidenceHtml(e: ReportEvidence): string {
  const width = String(e.lines.at(-1)?.n ?? 1).length
  const lines = e.lines.map((l) => `<span class="${l.hit ? 'hit' : ''}"><span class="ln">${String(l.n).padStart(width)}</span> ${esc(l.text)}</span>`).join('\n')
  return `<section class="evidence" id="e${e.ref}"><h3>E${e.ref}. ${esc(e.label)}</h3>
<table><tbody>
<tr><th>Host</th><td>${esc(e.host)}</td></tr>
<tr><th>Command</th><td><code>${esc(e.command)}</code></td></tr>
<tr><th>Time (UTC)</th><td>${e.at ? utc(e.at) : 'unknown'}</td></tr>
<tr><th>Source</th><td>${esc(e.origin)}</td></tr>
${e.sha256 ? `<tr><th>SHA-256</th><td><code>${e.sha256}</code></td></tr>` : ''}
</tbody></table>
${e.lines.length ? `<pre>${lines}</pre>` : '<p class="muted">(no lines)</p>'}
${e.more > 0 ? `<p class="muted">${e.more} more line${e.more === 1 ? '' : 's'} of the capture not shown.</p>` : ''}
</section>`
}

/** A check of a step: passed or failed; a decide step's comparison is yes or no, never a failure. */
function checkWord(result: ReportStep['result'], pass: boolean, html: boolean): string {
  const word = checkWordText(result, pass)
  if (!html) return word
  return result === 'decided' ? `<strong>${word}</strong>` : `<span class="${pass ? 'pass' : 'fail'}">${word}</span>`
}

const refs = (r: readonly number[]) => (r.length ? ` <span class="muted">· ${r.map((x) => `<a href="#e${x}">E${x}</a>`).join(', ')}</span>` : '')

function diffHtml(d: ReportDiff): string {
  const b = d.block
  const t = b.totals
  const sign = { removed: '−', added: '+', changed: '~', moved: 'Δ' } as const
  const tables = b.tables
    .map(
      (table) =>
        `<h4>Table ${table.table}${table.name ? ` (${esc(table.name)})` : ''}</h4><pre class="diff">${table.rows
          .map((r) => {
            const body =
              r.kind === 'changed'
                ? `<span class="removed">− ${esc(r.flow)} ${esc(r.before ?? '')}</span>\n<span class="added">+ ${esc(r.flow)} ${esc(r.after ?? '')}</span>`
                : `<span class="${r.kind}">${sign[r.kind]} ${esc(r.flow)} ${esc(r.before ?? r.after ?? '')}</span>`
            return `${body}${r.note ? `\n<span class="muted">    ${esc(r.note)}</span>` : ''}`
          })
          .join('\n')}</pre>`
    )
    .join('')
  return `<section class="diff-block"><h3>${esc(b.title)}</h3>
<ul><li>A: ${esc(b.a)}</li><li>B: ${esc(b.b)}</li></ul>
<p>${t.removed} removed, ${t.added} added, ${t.changed} changed${b.nodeVsNode ? `, ${t.perNode} of them differences every node has` : `, ${t.moved} with counters moved`}; ${t.unchanged} unchanged.</p>
${counterChart(d)}${tables}${b.more ? `<p class="muted">${b.more} more rows not shown.</p>` : ''}</section>`
}

export function reportHtml(doc: ReportDoc, md: MarkdownToHtml): string {
  const parts: string[] = []
  const section = (id: string, title: string, body: string) => {
    if (body.trim() !== '') parts.push(`<h2 id="${id}">${title}</h2>\n${md(body)}`)
  }
  section('summary', 'Summary', doc.summary)

  const env = doc.environment
  const none = '<span class="muted">not known from the captures</span>'
  parts.push(`<h2 id="environment">Environment</h2>
<table><tbody>
<tr><th>OpenShift</th><td>${env.openshift ? esc(env.openshift) : none}</td></tr>
<tr><th>Open vSwitch</th><td>${env.ovs ? esc(env.ovs) : none}</td></tr>
<tr><th>SDN plugin</th><td>${env.plugin ? esc(env.plugin) : none}</td></tr>
${env.clusterNetwork ? `<tr><th>Cluster network</th><td>${esc(env.clusterNetwork)}</td></tr>` : ''}
${env.serviceNetwork ? `<tr><th>Service network</th><td>${esc(env.serviceNetwork)}</td></tr>` : ''}
</tbody></table>
${env.nodes.length ? `<table><thead><tr><th>Node</th><th>Roles</th><th>Address</th><th>Version</th><th>OVS</th><th>Status</th></tr></thead><tbody>${env.nodes.map((n) => `<tr><td>${esc(n.name)}</td><td>${esc(n.roles)}</td><td>${esc(n.address ?? '')}</td><td>${esc(n.version ?? '')}</td><td>${esc(n.ovs ?? '')}</td><td>${esc(n.status ?? '')}</td></tr>`).join('')}</tbody></table>` : ''}
${env.readFrom.length ? `<p class="muted">Read from: ${esc(env.readFrom.join('; '))}.</p>` : ''}`)

  section('issue', 'Issue', doc.issue)

  if (doc.findings.length) {
    parts.push(
      `<h2 id="findings">Findings</h2>` +
        doc.findings
          .map(
            (f) => `<section class="finding"><h3><span class="sev ${f.severity}">${severityWord[f.severity]}</span>${esc(f.title)}</h3>
<p class="muted">Status: ${f.status}${f.subject ? ` · ${esc(f.subject)}` : ''}${refs(f.evidence)}</p>
${f.explain ? `<p>${esc(f.explain)}</p>` : ''}${f.sources.length ? `<p class="muted">Reported by: ${esc(f.sources.join('; '))}.</p>` : ''}${f.note ? `<p><strong>Engineer's note:</strong> ${esc(f.note)}</p>` : ''}</section>`
          )
          .join('\n')
    )
  }

  if (doc.runs.length || doc.diffs.length || doc.transcripts.length || doc.traces.length) parts.push('<h2 id="diagnostic-steps">Diagnostic steps</h2>')
  for (const r of doc.runs) {
    const steps = r.steps
      .map(
        (s) => `<li><strong>${esc(s.title)}</strong>: <span class="${s.result === 'fail' ? 'fail' : s.result === 'pass' ? 'pass' : ''}">${resultWord[s.result]}</span>${s.choice ? ` (${esc(s.choice)})` : ''}${s.where ? ` on ${esc(s.where)}` : ''}${refs(s.evidence)}
${s.command ? `<br><code>${esc(s.command)}</code>` : ''}${s.checks.length ? `<ul>${s.checks.map((c) => `<li>${checkWord(s.result, c.pass, true)}: ${esc(c.expect)} <span class="muted">(${esc(c.reason)})</span></li>`).join('')}</ul>` : ''}${s.note ? `<br><span class="muted">${esc(s.note)}</span>` : ''}</li>`
      )
      .join('\n')
    parts.push(`<section class="run"><h3>Runbook: ${esc(r.title)} <span class="muted">(${r.mode}, ${r.status === 'done' ? 'finished' : 'not finished'})</span></h3>
<p class="muted">Started ${utc(r.startedAt)}${r.inputs.length ? ` · ${esc(r.inputs.map(([k, v]) => `${k} = ${v}`).join(', '))}` : ''}</p>
<ol class="steps">${steps}</ol>${r.notes.map((n) => `<blockquote>${md(n)}</blockquote>`).join('')}</section>`)
  }
  for (const d of doc.diffs) parts.push(diffHtml(d))
  for (const t of doc.transcripts) {
    parts.push(
      `<section class="transcript"><h3>Terminal on ${esc(t.host)}: ${esc(t.title)} <span class="muted">(started ${utc(t.startedAt)})</span></h3>${t.commands
        .map((c) => `<pre>$ ${esc(c.line)}\n${c.lines.map(esc).join('\n')}</pre><p class="muted">Exit code ${c.exitCode ?? 'unknown'} · ${utc(c.at)}${c.more ? ` · ${c.more} more lines not shown` : ''}</p>`)
        .join('')}</section>`
    )
  }

  for (const t of doc.traces) {
    parts.push(`<section class="trace"><h3>Offline trace on ${esc(t.node)}${refs(t.evidence !== null ? [t.evidence] : [])}</h3>
<p class="muted">Packet: <code>${esc(t.flow)}</code>${t.ctNext.length ? ` · --ct-next ${esc(t.ctNext.join(' '))}` : ''}</p>
<p><strong>Verdict:</strong> ${esc(t.verdict)}</p>
<pre>${esc(t.text.trimEnd())}</pre>${t.continued ? `<p class="muted">On ${esc(t.continued.node)}, after VXLAN:</p><pre>${esc(t.continued.text.trimEnd())}</pre>` : ''}</section>`)
  }

  section('root-cause', 'Root cause', doc.rootCause)
  section('resolution', 'Resolution', doc.resolution)
  section('notes', 'Notes', doc.notes)

  if (doc.timeline.length) {
    parts.push(`<h2 id="timeline">Timeline (UTC)</h2><table><thead><tr><th>Time</th><th>Host</th><th>What</th></tr></thead><tbody>${doc.timeline.map((t) => `<tr><td class="time">${utc(t.at)}</td><td>${esc(t.host ?? '')}</td><td>${esc(t.what)}</td></tr>`).join('')}</tbody></table>`)
  }
  if (doc.evidence.length) parts.push(`<h2 id="evidence">Evidence appendix</h2>${doc.evidence.map(evidenceHtml).join('\n')}`)
  parts.push(`<h2 id="redaction">Redaction</h2><p class="statement">${esc(doc.redactionStatement)}</p>`)

  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<meta name="generator" content="SDN Workbench">
<title>${esc(doc.title)}</title>
<style>${css(doc.title)}</style>
</head>
<body>
<header><h1>${esc(doc.title)}</h1><p class="meta">Case ${esc(doc.caseName)} · generated ${utc(doc.generatedAt)}${doc.redacted ? ' · redacted' : ''}</p></header>
${parts.join('\n')}
</body>
</html>
`
}

