// The pod-to-pod runbook on the real lab with a planted fault: live over SSH (OVS on the node and in the
// ovs pod), then offline against the captures the live run saved.
import { chmodSync } from 'node:fs'
import { createServer } from 'node:net'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { RunView } from '../../src-main/contract'
import { deleteFlows, startLab, stopLab, type Lab } from '../lab/lab'
import { SshHarness } from '../helpers/ssh-harness'
import { tempDir } from '../helpers/tmp'
import { addLabHosts } from '../helpers/lab-case'

let t: ReturnType<typeof tempDir>
let lab: Lab
let h: SshHarness
const ids: Record<string, number> = {}
const inputs = { srcPod: 'node1-pod1', srcNamespace: 'proj-a', dstPod: 'node2-pod1', dstNamespace: 'proj-a' }

async function runToEnd(v: RunView): Promise<RunView> {
  let view = v
  for (let i = 0; i < 30 && view.next.kind !== 'done'; i++) {
    if (view.next.kind !== 'run') throw new Error(`stuck at ${JSON.stringify(view.next)}`)
    view = await h.call('runs.execute', { runId: view.run.id })
  }
  return view
}

beforeAll(async () => {
  t = tempDir('sdnwb-runbook-')
  chmodSync(t.dir, 0o755)
  lab = await startLab({ dir: join(t.dir, 'lab'), nodes: 2 })
  h = new SshHarness(join(t.dir, 'wb'), { connectTimeoutMs: 2000 })
  h.policy.hostKey = () => 'reject'
  await h.call('case.create', { name: 'runbook lab' })
  Object.assign(ids, await addLabHosts((m, i) => h.call(m, i), lab))
})

afterAll(() => {
  h?.close()
  if (lab) stopLab(lab)
  t?.cleanup()
})

describe('pod-to-pod on the lab', () => {
  it('healthy lab: every step passes live, no finding', async () => {
    const v = await runToEnd(await h.call('runs.start', { runbookId: 'pod-to-pod', inputs, mode: 'live' }))
    expect(v.state.findings).toEqual([])
    // "Same node?" is decided (no: the pods are on two nodes), not a failed step.
    expect(v.state.history.map((r) => `${r.stepId}:${r.result}${r.result === 'decided' ? `:${r.choice}` : ''}`)).toEqual([
      'locate-pods:pass', 'subnets:pass', 'src-forwarding:pass', 'src-pod-flows:pass', 'same-node:decided:no', 'src-remote-flows:pass', 'remote-trace:pass', 'dst-flows:pass'
    ])
    expect(v.run.status).toBe('done')
  })

  let liveFindings: string[] = []
  it('planted fault (node1 table 90 flow for node2 deleted): found live, and named', async () => {
    deleteFlows(lab, 'node1', 'table=90,ip,nw_dst=10.128.2.0/23')
    const v = await runToEnd(await h.call('runs.start', { runbookId: 'pod-to-pod', inputs, mode: 'live' }))
    liveFindings = v.state.findings.map((f) => f.title)
    expect(liveFindings).toEqual(["node1 has no table 90 flow for node2's subnet 10.128.2.0/23"])
    const f = v.state.findings[0]!
    expect(f.explain).toContain('set_field:10.200.1.2->tun_dst')
    expect(f.captureIds).toHaveLength(1)
    const cap = await h.call('captures.get', { id: f.captureIds[0]! })
    expect(cap.capture).toMatchObject({ hostName: 'node1', parserId: 'ovs-ofctl.dump-flows', source: 'live', title: 'Does node1 send the destination subnet to node2?' })
    const findings = await h.call('findings.list')
    expect(findings.map((x) => x.title)).toContain(liveFindings[0])
  })

  it('the same runbook offline, on the captures the live run saved, reaches the same finding', async () => {
    const v0 = await h.call('runs.start', { runbookId: 'pod-to-pod', inputs, mode: 'offline' })
    expect(v0.next).toMatchObject({ kind: 'run', stepId: 'locate-pods' })
    if (v0.next.kind === 'run') expect(v0.next.candidates.length).toBeGreaterThan(0)
    const v = await runToEnd(v0)
    expect(v.state.findings.map((f) => f.title)).toEqual(liveFindings)
    // Every step was answered by a capture already in the case.
    expect(v.state.history.filter((r) => r.stepId !== 'same-node').every((r) => r.captureIds.length === 1)).toBe(true)
  })

  it('with OVS in the ovs pods (3.10+): the OVS steps go through oc exec on the master and find the same fault', async () => {
    const v = await runToEnd(await h.call('runs.start', { runbookId: 'pod-to-pod', inputs, mode: 'live', ovsVia: 'ovs-pod' }))
    expect(v.state.findings.map((f) => f.title)).toEqual(liveFindings)
    const flows = v.state.history.find((r) => r.stepId === 'src-remote-flows')!
    const cap = await h.call('captures.get', { id: flows.captureIds[0]! })
    expect(cap.capture.command).toMatch(/^oc -n openshift-sdn exec ovs-\w+ -- ovs-ofctl -O OpenFlow13 dump-flows br0$/)
    expect(cap.capture).toMatchObject({ hostName: 'node1', viaHostName: 'master1' })
  })

  it('offline, a step with no capture says so and can be marked not checkable; stepping back forgets', async () => {
    // Reverse direction: node2 is now the source; its ip_forward was never captured.
    let v = await h.call('runs.start', { runbookId: 'pod-to-pod', inputs: { srcPod: 'node2-pod1', srcNamespace: 'proj-a', dstPod: 'node1-pod1', dstNamespace: 'proj-a' }, mode: 'offline' })
    for (let i = 0; i < 10 && v.next.kind === 'run' && v.next.problem === null; i++) v = await h.call('runs.execute', { runId: v.run.id })
    expect(v.next).toMatchObject({ kind: 'run', stepId: 'src-forwarding', hostName: 'node2' })
    if (v.next.kind === 'run') expect(v.next.problem).toMatch(/^No capture of `sysctl net\.ipv4\.ip_forward` from node2 in this case\./)
    await expect(h.call('runs.execute', { runId: v.run.id })).rejects.toThrow(/No capture/)
    v = await h.call('runs.skip', { runId: v.run.id, note: 'not checkable offline' })
    expect(v.state.history[2]).toMatchObject({ stepId: 'src-forwarding', result: 'skipped', note: 'not checkable offline' })
    expect(v.next).toMatchObject({ kind: 'run', stepId: 'src-pod-flows' })
    const back = await h.call('runs.back', { runId: v.run.id, index: 1 })
    expect(back.next).toMatchObject({ kind: 'run', stepId: 'subnets' })
    expect(back.state.history).toHaveLength(1)
  })
  it('external access, from this machine (loopback only): curl, name resolution, the port', async () => {
    const closed = await new Promise<number>((r) => {
      const srv = createServer().listen(0, '127.0.0.1', () => {
        const p = (srv.address() as { port: number }).port
        srv.close(() => r(p))
      })
    })
    let v = await h.call('runs.start', { runbookId: 'external-access', inputs: { url: `http://127.0.0.1:${closed}/app`, hostname: 'localhost', port: String(closed) }, mode: 'live' })
    expect(v.next).toMatchObject({ kind: 'run', stepId: 'curl', hostName: 'workstation', problem: null })
    v = await h.call('runs.execute', { runId: v.run.id })
    v = await h.call('runs.execute', { runId: v.run.id })
    expect(v.next).toMatchObject({ kind: 'ask', stepId: 'router-ip' })
    if (v.next.kind === 'ask') expect(v.next.question).toContain('127.0.0.1')
    v = await h.call('runs.answer', { runId: v.run.id, choiceId: 'yes' })
    v = await h.call('runs.execute', { runId: v.run.id })
    expect(v.state.findings.map((f) => f.title)).toEqual([`Nothing listens on 127.0.0.1:${closed}`])
    const curl = await h.call('captures.get', { id: v.state.history[0]!.captureIds[0]! })
    expect(curl.capture).toMatchObject({ hostName: 'workstation', status: 'failed', exitCode: 7 })
  })

  it('a step that changes the cluster never runs without an explicit confirmation', async () => {
    const v = await h.call('runs.start', { runbookId: 'diagnostics', inputs: {}, mode: 'live' })
    expect(v.next).toMatchObject({ kind: 'run', mutating: true, command: 'oc adm diagnostics NetworkCheck' })
    const before = (await h.call('captures.list', {})).length
    await expect(h.call('runs.execute', { runId: v.run.id })).rejects.toThrow(/changes the cluster\. It runs only when you confirm it/)
    expect((await h.call('captures.list', {})).length).toBe(before)
    // Confirmed, it runs (the lab's stand-in oc has no diagnostics: the failure is the finding).
    const done = await h.call('runs.execute', { runId: v.run.id, confirm: true })
    expect(done.state.findings.map((f) => f.title)).toEqual(['NetworkCheck reported errors'])
  })

  // Last: it captures node2's ip_forward, which the offline test above must not find.
  it('local networking of node2, live (OVS in the ovs pod): every check passes; the firewall question is answered', async () => {
    let v = await h.call('runs.start', { runbookId: 'local-networking', inputs: { node: 'node2' }, mode: 'live', ovsVia: 'ovs-pod' })
    for (let i = 0; i < 10 && v.next.kind === 'run'; i++) v = await h.call('runs.execute', { runId: v.run.id })
    expect(v.next).toMatchObject({ kind: 'ask', stepId: 'external' })
    if (v.next.kind === 'ask') expect(v.next.question).toContain('10.200.1.2')
    v = await h.call('runs.answer', { runId: v.run.id, choiceId: 'yes' })
    expect(v.next.kind).toBe('done')
    expect(v.state.findings).toEqual([])
    expect(v.state.history.map((r) => `${r.stepId}:${r.result}`)).toEqual(['hostsubnet:pass', 'forwarding:pass', 'routes:pass', 'bridge:pass', 'ports:pass', 'flows:pass', 'iptables:pass', 'external:answered'])
  })
})
