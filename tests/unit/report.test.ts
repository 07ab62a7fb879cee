// The report (node/report, core/report): built from a real case file, rendered as Markdown and self-contained
// HTML, redacted with the case's key (a fixed one here, printed, so the run is repeatable): the scanner finds no
// original address or name in any encoding, two exports with the same key are identical, evidence carries the
// SHA-256 of the capture the reader can check, and the engineer's Markdown cannot inject HTML or load anything.
import { createHash } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { reportHtml } from '../../src-main/core/report/html'
import { reportMarkdown } from '../../src-main/core/report/markdown'
import { buildReport } from '../../src-main/node/report/build'
import { markdownToHtml } from '../../src-main/node/report/markdown-html'
import { redactionMapping } from '../../src-main/node/report/report-service'
import { caseRedaction } from '../../src-main/node/redact/case-redaction'
import { TraceService } from '../../src-main/node/trace/trace-service'
import { addressesIn, findLeaks, pseudonymsOf } from '../helpers/leak-scanner'
import { fill, key, noDiff, spec } from '../helpers/report-case'
import { useTempCase } from '../helpers/temp-case'
import { parseCapture } from '../../src-main/core/capture/parsed-view'
import { newCapture } from '../helpers/captures'
import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { ReportSpec } from '../../src-main/contract'
import { defaultReportSpec } from '../../src-main/node/report/build'
import { parseOutput, parsedAs } from '../../src-main/core/parse/registry'
import { applyChecks, startRun } from '../../src-main/core/runbook/engine'
import { stepFromDumps } from '../../src-main/core/runbook/from-dumps'
import { dumpTopology } from '../../src-main/core/sdn/dump-topology'
import { parseRunbookYaml } from '../../src-main/node/runbook/runbook-library'
import { labFlows, labPlan } from '../lab/flows'

const c = useTempCase()
describe('a report from the case', () => {
  it('holds the sections, the confirmed finding with its evidence (lines, SHA-256 of the capture) and the environment read from captures', () => {
    const { dumpId, findingId } = fill(c.db)
    const s = spec(c.db, dumpId)
    expect(s.findingIds).toEqual([findingId])
    const doc = buildReport(c.db, s, { redaction: null, diff: noDiff, now: new Date('2026-12-01T10:00:00Z') })
    expect(doc.environment).toMatchObject({ openshift: '3.11 (kubelet v1.11.0+d4cacc0)', plugin: 'redhat/openshift-ovs-networkpolicy', clusterNetwork: '10.128.0.0/14', serviceNetwork: '172.30.0.0/16' })
    expect(doc.environment.nodes.map((n) => [n.name, n.address])).toEqual([['node1.lab.example.com', '10.200.0.1'], ['node2.lab.example.com', '10.200.0.2']])
    const [f] = doc.findings
    expect(f).toMatchObject({ severity: 'error', status: 'confirmed', sources: ['Check SDN (remote.flows)'], evidence: [1] })
    const e1 = doc.evidence[0]!
    expect(e1.sha256).toBe(createHash('sha256').update(c.db.captures.text(dumpId)).digest('hex'))
    expect(e1.lines.filter((l) => l.hit).map((l) => l.n)).toEqual([3, 4])
    expect(e1.lines[0]!.n).toBe(1)
    // The excerpt of lines 1-30 is a second item on the same capture.
    expect(doc.evidence[1]!.lines.map((l) => l.n)).toEqual(Array.from({ length: 30 }, (_, i) => i + 1))

    const md = reportMarkdown(doc)
    for (const h of ['## Summary', '## Environment', '## Findings', '## Root cause', '## Resolution', '## Timeline (UTC)', '## Evidence appendix', '## Redaction']) expect(md).toContain(h)
    expect(md).toContain('### Error: No table 90 flow for node node2.lab.example.com')
    expect(md).toContain(`- SHA-256: \`${e1.sha256}\``)
    expect(md).toContain('This report is not redacted')

    const html = reportHtml(doc, markdownToHtml)
    expect(html).toContain('<strong>node1.lab.example.com</strong>')
    expect(html).toContain('<h2 id="evidence">Evidence appendix</h2>')
    expect(html).toMatch(/counter\(page\) " of " counter\(pages\)/)
  })

  it('is one self-contained file: no script, nothing loaded from outside; the engineer\'s Markdown cannot inject HTML', () => {
    const { dumpId } = fill(c.db)
    const s = { ...spec(c.db, dumpId), summary: 'See <script>alert(1)</script> <img src="http://x.example/a.png"> [a](javascript:alert(1)) ![logo](https://cdn.example/logo.png) [kb](https://access.redhat.com/solutions/1)' }
    const html = reportHtml(buildReport(c.db, s, { redaction: null, diff: noDiff }), markdownToHtml)
    expect(html).not.toMatch(/<script/i)
    expect(html).not.toMatch(/<img/i)
    expect(html).not.toMatch(/<[a-z][^>]*\ssrc=/i)
    expect(html).not.toContain('javascript:')
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;')
    expect(html).toContain('<a href="https://access.redhat.com/solutions/1">kb</a>')
    expect(html).toContain("default-src 'none'")
    // Every link is to a section of the report or the one the engineer wrote.
    expect([...html.matchAll(/href="([^"]+)"/g)].map((m) => m[1]).filter((h) => !h!.startsWith('#'))).toEqual(['https://access.redhat.com/solutions/1'])
  })

  it('redacted: the scanner finds no original address, MAC or name in any encoding, in the HTML or the Markdown', () => {
    const { dumpId } = fill(c.db)
    const red = caseRedaction(c.db)
    const texts = c.db.captures.list().map((x) => c.db.captures.text(x.id))
    const found = addressesIn(texts, { hostBits: red.hostBits })
    const names = ['node1', 'node2', 'master1', 'lab.example.com', 'alice']
    // An address whose pseudonym happens to be another original of the case cannot be told from a leak: left out
    // (printed), and there must be few.
    const pseudonyms = pseudonymsOf(c.db.captures.list().map((x) => c.db.captures.text(x.id)), (t) => red.redactor.redact(t))
    const ambiguous = found.ipv4.filter((ip) => pseudonyms.has(ip))
    console.log(`report redaction scan: key ${key.toString('hex')}, ${found.ipv4.length} IPv4, ${found.macs.length} MACs, ${names.length} names; ambiguous: ${ambiguous.join(', ') || 'none'}`)
    expect(ambiguous.length).toBeLessThanOrEqual(2)
    expect(found.ipv4.length).toBeGreaterThan(10)
    expect(found.macs.length).toBeGreaterThan(2)
    const originals = { ipv4: found.ipv4.filter((ip) => !pseudonyms.has(ip)), macs: found.macs, names }

    const s = spec(c.db, dumpId)
    const doc = buildReport(c.db, s, { redaction: red, diff: noDiff, now: new Date('2026-12-01T10:00:00Z') })
    const md = reportMarkdown(doc)
    const html = reportHtml(doc, markdownToHtml)
    // The unredacted report has them (the scanner sees what it must).
    const plain = reportMarkdown(buildReport(c.db, s, { redaction: null, diff: noDiff }))
    expect(findLeaks(plain, originals).length).toBeGreaterThan(10)
    expect(findLeaks(md, originals)).toEqual([])
    expect(findLeaks(html, originals)).toEqual([])
    expect(md).toContain('This report is redacted.')
    expect(doc.evidence[0]!.sha256).toBe(createHash('sha256').update(red.redactor.redact(c.db.captures.text(dumpId))).digest('hex'))
    // The finding keeps its shape: a node pseudonym, a /23 subnet.
    expect(doc.findings[0]!.title).toMatch(/^No table 90 flow for node node-\d\d\.domain-01\.example \(10\.\d+\.\d+\.\d+, subnet 10\.\d+\.\d+\.0\/23\)$/)

    // The same key: the same pseudonyms in a second export.
    const again = reportMarkdown(buildReport(c.db, s, { redaction: caseRedaction(c.db), diff: noDiff, now: new Date('2026-12-01T10:00:00Z') }))
    expect(again).toBe(md)
  })

  it('embeds an offline trace: the packet, the walk as ofproto/trace prints it, the verdict, the dump as evidence; redacted like the rest', () => {
    const { dumpId } = fill(c.db)
    const tracer = new TraceService(() => c.db)
    const s = { ...spec(c.db, dumpId), traces: [{ captureId: dumpId, flow: 'in_port=3,ip,nw_src=10.129.0.2,nw_dst=10.128.0.5', ctNext: [] }] }
    const opts = { diff: noDiff, trace: (id: number, flow: string, ct: string[]) => tracer.forReport(id, flow, ct), now: new Date('2026-12-01T10:00:00Z') }
    const doc = buildReport(c.db, s, { ...opts, redaction: null })
    const t = doc.traces[0]!
    expect(t.verdict).toMatch(/^Sent over VXLAN to node node2\.lab\.example\.com \(10\.200\.0\.2\) with VNID 0xabcdef/)
    expect(t.text).toContain('90. ip,nw_dst=10.128.0.0/23, priority 100')
    const md = reportMarkdown(doc)
    expect(md).toContain('### Offline trace on node1.lab.example.com (E')
    expect(md).toContain('Packet: `in_port=3,ip,nw_src=10.129.0.2,nw_dst=10.128.0.5`')
    // The dump it walked is evidence, its matched flows marked.
    expect(doc.evidence.find((e) => e.ref === t.evidence)!.lines.some((l) => l.hit)).toBe(true)
    const red = caseRedaction(c.db)
    const found = addressesIn(c.db.captures.list().map((x) => c.db.captures.text(x.id)), { hostBits: red.hostBits })
    const pseudonyms = pseudonymsOf(c.db.captures.list().map((x) => c.db.captures.text(x.id)), (t) => red.redactor.redact(t))
    const originals = { ipv4: found.ipv4.filter((ip) => !pseudonyms.has(ip)), macs: found.macs, names: ['node1', 'node2', 'lab.example.com'] }
    const redacted = buildReport(c.db, s, { ...opts, redaction: red })
    expect(findLeaks(reportMarkdown(redacted), originals)).toEqual([])
    expect(findLeaks(reportHtml(redacted, markdownToHtml), originals)).toEqual([])
    expect(redacted.traces[0]!.text).toContain('priority 100')
  })

  it('shows the engineer the mapping of what the report names (addresses, MACs, names) to pseudonyms', () => {
    const { dumpId } = fill(c.db)
    const red = caseRedaction(c.db)
    const doc = buildReport(c.db, spec(c.db, dumpId), { redaction: null, diff: noDiff })
    const m = redactionMapping(c.db, doc)
    const get = (o: string) => m.find((x) => x.original === o)
    expect(get('node1')).toMatchObject({ kind: 'host', pseudonym: red.names.get('node1') })
    expect(get('lab.example.com')).toMatchObject({ kind: 'domain', pseudonym: 'domain-01.example' })
    expect(get('10.200.0.1')).toMatchObject({ kind: 'ipv4', pseudonym: red.redactor.redact('10.200.0.1') })
    expect(m.filter((x) => x.kind === 'mac').length).toBeGreaterThan(0)
    expect(m.filter((x) => x.kind === 'ipv6')).toEqual([])
    for (const x of m) expect(x.original).not.toBe(x.pseudonym)
  })
})

describe('the tracer on a case', () => {
  it('reads the node\'s groups from its dump-groups capture: a select group\'s buckets are branches, each with where it sends the packet', () => {
    fill(c.db)
    const save = (command: string, stdout: string) => {
      const p = parseCapture(command, stdout)!
      return c.db.captures.save(newCapture({ hostName: 'node9', command, stdout, parse: { parserId: p.parser, records: p.records, diagnostics: p.diagnostics } }))!
    }
    const dump = save('ovs-ofctl -O OpenFlow13 dump-flows br0', 'OFPST_FLOW reply (OF1.3) (xid=0x2):\n cookie=0x0, duration=1s, table=0, n_packets=0, n_bytes=0, priority=0 actions=group:37\n')
    // One service, as the backend holds it: a dump-groups capture that comes later is used.
    const service = new TraceService(() => c.db)
    const tracer = () => service.run({ captureId: dump.id, flow: 'in_port=3,ip,nw_src=10.129.0.2,nw_dst=8.8.8.8' })
    expect(tracer().unmodelled).toEqual(['group:37 (table 0)'])
    const groups = save('ovs-ofctl -O OpenFlow13 dump-groups br0', 'OFPST_GROUP_DESC reply (OF1.3) (xid=0x2):\n group_id=37,type=select,bucket=actions=set_field:10.200.0.2->tun_dst,output:1,bucket=actions=output:2\n')
    expect(groups.parserId).toBe('ovs-ofctl.dump-groups')
    const v = tracer()
    expect(v.unmodelled).toEqual([])
    expect(v.passes[0]!.branches.map((b) => [b.bucket, b.actions, b.result])).toEqual([
      [0, ['set_field:10.200.0.2->tun_dst', 'output:1'], 'sent over VXLAN to node node2.lab.example.com (10.200.0.2) with VNID 0x0'],
      [1, ['output:2'], 'out through tun0 (port 2)']
    ])
    expect(v.verdict).toMatch(/^Select group 37, the switch picks one bucket by hash: bucket 0: sent over VXLAN .* \| bucket 1: out through tun0/)
    expect(v.text).toContain('    group:37\n     -> no live bucket')
  })
})

describe('a runbook step answered from several dumps, in the report', () => {
  it('cites each dump\'s own lines as its evidence, not the first capture\'s', () => {
    const plan = labPlan(2)
    const ids = plan.map((n, i) => {
      const text = labFlows(n, plan)
      const command = 'ovs-ofctl -O OpenFlow13 dump-flows br0'
      const p = parseCapture(command, text, null)
      return c.db.captures.save(newCapture({ hostName: n.name, command, stdout: text, startedAt: `2026-12-01T09:0${i}:00Z`, source: 'imported', parse: p ? { parserId: p.parser, records: p.records, diagnostics: p.diagnostics } : null })).id
    })
    const topology = dumpTopology(plan.map((n, i) => ({ node: n.name, captureId: ids[i]!, flows: parsedAs(parseOutput('ovs-ofctl.dump-flows', labFlows(n, plan)), 'ovs-ofctl.dump-flows')!.flows })))
    const rb = parseRunbookYaml(readFileSync(resolve(__dirname, '../../resources/runbooks/pod-to-pod.yaml'), 'utf8'))
    if (!('runbook' in rb)) throw new Error('pod-to-pod.yaml does not load')
    const started = startRun(rb.runbook, { srcPod: plan[0]!.pods[0]!.ip, srcNamespace: 'proj-a', dstPod: plan[1]!.pods[0]!.ip, dstNamespace: 'proj-a' })
    if (!('state' in started)) throw new Error('the run does not start')
    const answer = stepFromDumps(rb.runbook, started.state, topology)
    if (!('evaluate' in answer)) throw new Error(answer.problem)
    const state = applyChecks(rb.runbook, started.state, answer.evaluate, { captureIds: answer.captureIds, note: 'from the dumps', at: '2026-12-01T09:05:00Z' })
    const run = c.db.runs.create({ runbookId: 'pod-to-pod', version: rb.runbook.version, title: rb.runbook.title, mode: 'offline', ovsVia: 'host', state })
    const doc = buildReport(c.db, ReportSpec.parse({ ...defaultReportSpec(c.db), runIds: [run.id], findingIds: [], captures: [] }), { redaction: null, diff: noDiff })
    const step = doc.runs[0]!.steps[0]!
    expect(step.evidence).toHaveLength(2)
    const cited = state.history[0]!.checks.flatMap((ch) => ch.evidence)
    for (const [i, ref] of step.evidence.entries()) {
      const ev = doc.evidence.find((e) => e.ref === ref)!
      expect(ev.captureId).toBe(ids[i])
      expect(ev.lines.filter((l) => l.hit).map((l) => l.n)).toEqual(cited.filter((e) => e.captureId === ids[i]).map((e) => e.line).sort((a, b) => a - b))
    }
  })
})
