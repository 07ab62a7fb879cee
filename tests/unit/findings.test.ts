// The one finding model in a real case file: the same finding seen again merges its evidence, the engineer's
// status and note survive reopening and re-runs, a run's findings go with it, old cases keep their findings.
import { join, resolve } from 'node:path'
import { describe, expect, it } from 'vitest'
import { fromNodeCheck, fromRun } from '../../src-main/core/findings/sources'
import { findingKey, subjectKey, unfilledPlaceholders } from '../../src-main/core/findings/model'
import { hostKey, sameHostName, sameHostRecord } from '../../src-main/core/hosts/identity'
import { renderFinding } from '../../src-main/core/runbook/engine'
import { runbookProblems, type FindingSpec, type Runbook } from '../../src-main/core/runbook/model'
import { aboutKind, renderRunbookKind, runbookKind, sdnCatalog, sdnFinding as catalogFinding } from '../../src-main/core/findings/catalog'
import type { RunState } from '../../src-main/core/runbook/engine'
import type { Finding } from '../../src-main/core/sdn/evidence'
import { RunbookLibrary } from '../../src-main/node/runbook/runbook-library'
import { CaseDb } from '../../src-main/node/store/case-db'
import { caseApplicationId, caseMigrations } from '../../src-main/node/store/case-schema'
import { migrate } from '../../src-main/node/store/migrate'
import Database from '../../src-main/node/store/sqlite'
import { newCapture } from '../helpers/captures'
import { useTempCase } from '../helpers/temp-case'

const c = useTempCase()

const sdnFinding = (over: Partial<Finding> = {}): Finding => ({
  id: 'remote.flows:node2:50',
  check: 'remote.flows',
  severity: 'error',
  title: 'No table 50 flow for node2',
  detail: 'ARP to node2 subnet is dropped.',
  evidence: [],
  ...over
})

describe('host identity', () => {
  it('one host in any case, short or FQDN; two FQDNs of different domains are two hosts', () => {
    expect(sameHostName('node1', 'NODE1.example.com')).toBe(true)
    expect(sameHostName('node1.example.com.', 'node1.EXAMPLE.com')).toBe(true)
    expect(sameHostName('node1.a.example', 'node1.b.example')).toBe(false)
    expect(sameHostName('node1', 'node10')).toBe(false)
    expect(sameHostName('fe80::1', 'FE80:0:0::1')).toBe(true)
    expect(sameHostName('10.0.0.1', '10.0.0.1')).toBe(true)
    expect(sameHostName('10.0.0.1', 'node1')).toBe(false)
    expect(sameHostRecord({ name: 'node1', address: '10.0.0.1' }, '10.0.0.1')).toBe(true)
    expect(hostKey('Node1.Example.com')).toBe('node1')
    expect(subjectKey({ host: 'node1.example.com', table: 50 })).toBe(subjectKey({ table: 50, host: 'NODE1' }))
  })
})

describe('findings in a case', () => {
  it('the same finding seen live and then offline is one finding with two pieces of evidence', () => {
    const live = c.db.captures.save(newCapture({ hostName: 'node1', command: 'ovs-ofctl -O OpenFlow13 dump-flows br0', stdout: 'a\nb\nc\n' }))
    const imported = c.db.captures.save(newCapture({ hostName: 'node1.example.com', command: 'ovs-ofctl -O OpenFlow13 dump-flows br0', source: 'imported', origin: '/tmp/sos.tar.xz:sos_commands/openvswitch/x', stdout: 'a\nb\n' }))
    const ev = (id: number) => [{ source: `capture #${id}: node1 dump`, line: 2, text: 'b' }]
    const byId = (s: string) => Number(/^capture #(\d+)/.exec(s)?.[1])
    const [first] = c.db.findings.record(fromNodeCheck('node1', [sdnFinding({ evidence: ev(live.id) })], byId))
    const [second] = c.db.findings.record(fromNodeCheck('node1.example.com', [sdnFinding({ evidence: ev(imported.id) })], byId))
    expect(second).toBe(first)
    const all = c.db.findings.list()
    expect(all).toHaveLength(1)
    const f = all[0]!
    expect(f.evidence.map((e) => [e.captureId, e.lines, e.excerpt])).toEqual([
      [live.id, [2], 'b'],
      [imported.id, [2], 'b']
    ])
    expect(f.evidence[1]?.capture).toMatchObject({ hostName: 'node1.example.com', source: 'imported', origin: '/tmp/sos.tar.xz:sos_commands/openvswitch/x' })
    // The same evidence again adds nothing.
    c.db.findings.record(fromNodeCheck('node1', [sdnFinding({ evidence: ev(live.id) })], byId))
    expect(c.db.findings.list()[0]?.evidence).toHaveLength(2)
    // The subject is typed from the check's id: the HostSubnet and the table it is about.
    expect(f.subject).toMatchObject({ host: 'node1', hostSubnet: 'node2', table: 50 })
    // Another node: another finding.
    c.db.findings.record(fromNodeCheck('node3', [sdnFinding()], byId))
    expect(c.db.findings.list()).toHaveLength(2)
  })

  it('status and note survive reopening the case and the check seeing the finding again', () => {
    const [id] = c.db.findings.record(fromNodeCheck('node1', [sdnFinding()], () => null))
    c.db.findings.update(id as number, { status: 'confirmed', note: 'seen on the customer console too' })
    const path = c.db.path
    c.db.close()
    c.db = CaseDb.open(path)
    c.db.findings.record(fromNodeCheck('node1', [sdnFinding({ severity: 'warning' })], () => null))
    const f = c.db.findings.get(id as number)
    expect(f).toMatchObject({ status: 'confirmed', note: 'seen on the customer console too', severity: 'warning' })
    expect(c.db.findings.list({ status: ['open'] })).toEqual([])
    expect(c.db.findings.list({ host: 'NODE1.example.com' })).toHaveLength(1)
    expect(c.db.findings.list({ severity: ['error'] })).toEqual([])
  })

  it('a run saved again replaces its evidence; untouched findings it no longer has go, worked-on ones stay', () => {
    const run = c.db.runs.create({ runbookId: 'local-networking', version: 2, title: 't', mode: 'offline', ovsVia: 'host', state: state([]) })
    const one = { stepId: 'forwarding', severity: 'error' as const, title: 'IP forwarding is off on node1', explain: 'x', evidence: [], captureIds: [] }
    const two = { ...one, stepId: 'routes', title: 'A pod network route is missing on node1' }
    c.db.runs.update(run.id, state([one, two]))
    expect(c.db.findings.list().map((f) => f.kind).sort()).toEqual(['runbook:local-networking.forwarding', 'runbook:local-networking.routes'])
    const routes = c.db.findings.list().find((f) => f.kind.endsWith('routes'))!
    c.db.findings.update(routes.id, { note: 'keep' })
    c.db.runs.update(run.id, state([]))
    expect(c.db.findings.list().map((f) => f.kind)).toEqual(['runbook:local-networking.routes'])
    c.db.runs.update(run.id, state([one]))
    c.db.runs.delete(run.id)
    expect(c.db.findings.list().map((f) => [f.kind, f.note])).toEqual([['runbook:local-networking.routes', 'keep']])
  })

  it('lines of a capture are read from the chunks that hold them', () => {
    const long = 'x'.repeat(70_000)
    const text = Array.from({ length: 3000 }, (_, i) => `line ${i + 1}`).join('\n') + `\n${long}\nafter\n`
    const cap = c.db.captures.save(newCapture({ stdout: text }))
    expect(c.db.captures.lines(cap.id, 1, 2)).toEqual([{ line: 1, text: 'line 1' }, { line: 2, text: 'line 2' }])
    expect(c.db.captures.lines(cap.id, 2999, 3000).map((l) => l.text)).toEqual(['line 2999', 'line 3000'])
    expect(c.db.captures.lines(cap.id, 3001, 3002)).toEqual([{ line: 3001, text: long }, { line: 3002, text: 'after' }])
    expect(c.db.captures.lines(cap.id, 3003, 3010)).toEqual([])
  })

  it('a case of schema 4 keeps its runs\' findings, with their evidence, under the new model', () => {
    const path = join(c.dir, 'old.sdncase')
    const db = new Database(path)
    db.pragma(`application_id = ${caseApplicationId}`)
    migrate(db, caseMigrations.filter((m) => m.version <= 4))
    db.prepare("INSERT INTO case_info VALUES (1, 'id', 'old', '2026-01-01T00:00:00Z', 't')").run()
    db.prepare("INSERT INTO runbook_runs VALUES (1, 'local-networking', 2, 't', 'offline', 'host', ?, 'done', 'x', 'x')").run(JSON.stringify(state([])))
    db.prepare(
      "INSERT INTO findings (run_id, step_id, severity, title, explain, evidence, capture_ids, continue_with, created_at) VALUES (1, 'routes', 'error', 'A route is missing', 'e', ?, '[]', NULL, '2026-01-01T00:00:00Z')"
    ).run(JSON.stringify([{ expect: '10.128.0.0/14 is routed to tun0', reason: 'no route', lines: [{ line: 3, text: 'default via 10.0.0.1' }] }]))
    db.close()
    const opened = CaseDb.open(path)
    const [f] = opened.findings.list()
    expect(f).toMatchObject({ kind: 'runbook:local-networking.routes', title: 'A route is missing', status: 'open' })
    expect(f?.evidence.map((e) => [e.lines, e.excerpt, e.label])).toEqual([[[3], 'default via 10.0.0.1', '10.128.0.0/14 is routed to tun0: no route']])
    opened.close()
  })
})

describe('runbook findings', () => {
  it('never show a placeholder, even when no step gave the facts they name', () => {
    const { runbooks, problems } = new RunbookLibrary(resolve(__dirname, '../../resources/runbooks')).list()
    expect(problems).toEqual([])
    let rendered = 0
    for (const rb of runbooks) {
      for (const s of rb.steps) {
        const specs = [s.pass?.finding, s.fail?.finding, s.skip?.finding, ...s.checks.map((ch) => ch.fail?.finding), ...(s.choices ?? []).map((ch) => ch.finding)].filter((x) => x !== undefined)
        for (const spec of specs) {
          const r = renderFinding(spec, {})
          expect(unfilledPlaceholders(`${r.title} ${r.explain}`), `${rb.id}.${s.id}`).toEqual([])
          rendered++
        }
      }
    }
    expect(rendered).toBeGreaterThan(20)
  })

  it('are keyed by runbook step and the run\'s subject: the node and the other inputs', () => {
    const f = { stepId: 'routes', severity: 'error' as const, title: 't', explain: 'e', evidence: [], captureIds: [] }
    const a = fromRun(1, { ...state([f]), inputs: { node: 'node1', clusterNetwork: '10.128.0.0/14' } })
    const b = fromRun(2, { ...state([f]), inputs: { node: 'NODE1.example.com', clusterNetwork: '10.128.0.0/14' } })
    expect(findingKey(a[0]!)).toBe(findingKey(b[0]!))
    expect(a[0]?.subject.host).toBe('node1')
  })
})

describe('the finding catalog', () => {
  const library = () => new RunbookLibrary(resolve(__dirname, '../../resources/runbooks')).list().runbooks

  it('every kind has its check, a severity and what it means; a runbook-nameable kind renders from text alone', () => {
    for (const [kind, e] of Object.entries(sdnCatalog)) {
      expect(e.check, kind).toMatch(/^[a-z0-9.-]+$/)
      expect(e.about.length, kind).toBeGreaterThan(20)
      const r = runbookKind(kind)
      if (!r) continue
      const out = renderRunbookKind(r.kind, Object.fromEntries(r.params.map((p) => [p, 'node1'])))
      expect(`${out.title} ${out.explain}`, kind).not.toMatch(/undefined|null|NaN|\[object/)
      expect(out.title, kind).toContain('node1')
    }
    expect(aboutKind('sdn.host.ip-forward')).toContain('ip_forward')
    expect(aboutKind('runbook:mtu.hostsubnet')).toBeNull()
  })

  it('IP forwarding off, found by Check SDN and by a runbook step on the same node, is one finding in the catalog\'s words', () => {
    const sysctl = c.db.captures.save(newCapture({ hostName: 'node1', command: 'sysctl net.ipv4.ip_forward', stdout: 'net.ipv4.ip_forward = 0\n' }))
    const check = catalogFinding('host.ip-forward', { node: 'node1', value: '0' }, [{ source: `capture #${sysctl.id}`, line: 1, text: 'net.ipv4.ip_forward = 0' }])
    c.db.findings.record(fromNodeCheck('node1', [check], () => sysctl.id))
    const rb = library().find((r) => r.id === 'pod-to-pod')!
    const spec = rb.steps.find((s) => s.id === 'src-forwarding')!.fail!.finding!
    expect(spec.kind).toBe('host.ip-forward')
    const rendered = renderFinding(spec, { srcNode: 'node1.example.com' })
    expect(rendered.title).toBe('IP forwarding is off on node1.example.com')
    const run = fromRun(7, { ...state([{ stepId: 'src-forwarding', ...rendered, evidence: [{ expect: 'net.ipv4.ip_forward is 1', reason: 'it is 0', lines: [{ line: 1, text: 'net.ipv4.ip_forward = 0' }] }], captureIds: [sysctl.id] }]), runbookId: 'pod-to-pod', inputs: { srcNode: 'node1.example.com', dstNode: 'node2' } })
    expect(run[0]?.kind).toBe('sdn.host.ip-forward')
    c.db.findings.record(run)
    const all = c.db.findings.list()
    expect(all).toHaveLength(1)
    expect(all[0]).toMatchObject({ kind: 'sdn.host.ip-forward', severity: 'error', about: sdnCatalog['host.ip-forward'].about })
    expect(all[0]!.sources.map((s) => s.kind).sort()).toEqual(['check', 'runbook'])
  })

  it('a runbook naming a kind the catalog lacks, or with the wrong parameters, is refused at load', () => {
    const rb = library().find((r) => r.id === 'local-networking')!
    const withFinding = (finding: FindingSpec): Runbook => ({ ...rb, steps: rb.steps.map((s) => (s.id === 'forwarding' ? { ...s, fail: { next: 'routes', finding } } : s)) })
    expect(runbookProblems(withFinding({ kind: 'host.ip-forward', params: { node: '{node}' } }))).toEqual([])
    expect(runbookProblems(withFinding({ kind: 'host.frobnicated', params: {} })).join()).toContain('"host.frobnicated" is no finding kind')
    expect(runbookProblems(withFinding({ kind: 'host.ip-forward', params: {} })).join()).toContain('needs the parameter "node"')
    expect(runbookProblems(withFinding({ kind: 'host.ip-forward', params: { node: '{node}', host: 'x' } })).join()).toContain('has no parameter "host"')
    // A kind only a check can fill (typed parameters) cannot be named by a runbook.
    expect(runbookProblems(withFinding({ kind: 'host.mtu', params: {} })).join()).toContain('"host.mtu" is no finding kind')
  })
})

function state(findings: RunState['findings']): RunState {
  return { runbookId: 'local-networking', runbookVersion: 2, inputs: { node: 'node1' }, history: [], current: null, findings }
}
