// Capture sets run against the real lab: real sshd, real Open vSwitch, real case files; and the backend killed mid-run.
import Database from '../../src-main/node/store/sqlite'
import { execFileSync } from 'node:child_process'
import { chmodSync, writeFileSync } from 'node:fs'
import { createServer, type Server } from 'node:net'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { BackendEvent, CaptureItemProgress, CaptureRun } from '../../src-main/contract'
import { parseOutput } from '../../src-main/core/parse/registry'
import { CaseDb } from '../../src-main/node/store/case-db'
import { deleteFlows, sendPodToRemotePod, startLab, stopLab, type Lab } from '../lab/lab'
import { startServe, type ServeProcess } from '../helpers/serve'
import { SshHarness } from '../helpers/ssh-harness'
import { tempDir } from '../helpers/tmp'
import { WsClient } from '../helpers/ws-client'
import { labKnownHosts } from '../helpers/lab-case'

let t: ReturnType<typeof tempDir>
let lab: Lab
let h: SshHarness
let silent: Server
const ids: Record<string, number> = {}


function runEnded(runId: number) {
  return (e: BackendEvent) => e.name === 'capture.run' && (e.payload as CaptureRun).id === runId && (e.payload as CaptureRun).status !== 'running'
}

async function waitForEvent(harness: SshHarness, pred: (e: BackendEvent) => boolean, ms = 60_000): Promise<BackendEvent> {
  const end = Date.now() + ms
  for (;;) {
    const hit = harness.events.find(pred)
    if (hit) return hit
    if (Date.now() > end) throw new Error('timed out waiting for an event')
    await new Promise((r) => setTimeout(r, 20))
  }
}

beforeAll(async () => {
  t = tempDir('sdnwb-capture-')
  chmodSync(t.dir, 0o755)
  lab = await startLab({ dir: join(t.dir, 'lab'), nodes: 2 })
  // Accepts and says nothing; it reads (and drops) what comes, so it sees the client hang up.
  silent = createServer((s) => s.resume())
  await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r))
  h = new SshHarness(join(t.dir, 'wb'), { connectTimeoutMs: 2000 })
  h.policy.hostKey = () => 'reject'
  await h.call('case.create', { name: 'capture lab' })
  await h.call('knownHosts.import', { text: labKnownHosts(lab), source: 'lab' })
  const [n1, n2] = lab.nodes
  if (!n1 || !n2) throw new Error('lab has no nodes')
  ids.jump = await h.addHost({ name: 'master1', address: '127.0.0.1', port: lab.jump.port, role: 'master', keyPath: lab.keys.ed25519 })
  ids.node1 = await h.addHost({ name: 'node1', address: n1.ip, port: 22, keyPath: lab.keys.ed25519, jumpHostId: ids.jump })
  ids.node2 = await h.addHost({ name: 'node2', address: n2.ip, port: 22, keyPath: lab.keys.ed25519, jumpHostId: ids.jump })
  const port = (silent.address() as { port: number }).port
  ids.dead = await h.addHost({ name: 'node9', address: '127.0.0.1', port, keyPath: lab.keys.ed25519 })
})

afterAll(async () => {
  h?.close()
  if (silent) {
    // Every connection the workbench opened to it was closed by the workbench.
    const open = await new Promise<number>((r) => silent.getConnections((_e, n) => r(n)))
    silent.close()
    expect(open).toBe(0)
  }
  if (lab) stopLab(lab)
  t?.cleanup()
})

describe('capture sets on the lab', () => {
  it('runs the openshift-sdn set on a master and two nodes through the jump host, saving every output as it completes', async () => {
    const timings: number[] = []
    for (let round = 0; round < 3; round++) {
      await h.call('ssh.disconnect', { hostId: ids.jump })
      const started = Date.now()
      const start = await h.call('capture.start', { setId: 'openshift-sdn', hostIds: [ids.jump, ids.node1, ids.node2] })
      await waitForEvent(h, runEnded(start.run.id))
      timings.push(Date.now() - started)
    }
    const median = [...timings].sort((a, b) => a - b)[1]
    console.log(`capture: openshift-sdn set (${(await h.call('captureSets.list')).sets[0]?.set.commands.length} commands) on master + 2 nodes via jump, cold: ${timings.join(', ')} ms, median ${median} ms`)

    const runs = await h.call('capture.runs')
    const run = runs[0]!
    expect(run.status).toBe('finished')
    const caps = await h.call('captures.list', { runId: run.id })
    const by = (host: string, cmd: string) => caps.find((c) => c.hostName === host && c.commandId === cmd)
    for (const node of ['node1', 'node2']) {
      for (const cmd of ['ip-addr', 'ip-route', 'ovs-vsctl-show', 'ovs-dump-flows', 'ovs-dump-ports-desc', 'ovs-dump-ports', 'ovs-list-interface', 'iptables-save', 'ip-forward', 'ovs-log']) {
        const c = by(node, cmd)
        expect(c, `${node} ${cmd}`).toBeDefined()
        expect(c!.status, `${node} ${cmd}: ${c!.error ?? ''}`).toBe('ok')
        expect(c!.stdoutBytes).toBeGreaterThan(0)
      }
      const flows = by(node, 'ovs-dump-flows')!
      expect(flows).toMatchObject({ parserId: 'ovs-ofctl.dump-flows', diagnosticCount: 0 })
      expect(flows.records).toBeGreaterThan(30)
      expect(by(node, 'ip-forward')!.stdoutBytes).toBeGreaterThan(0)
      expect((await h.call('captures.text', { id: by(node, 'ovs-log')!.id })).text).toMatch(/ovs-vswitchd|vswitchd/)
    }
    // The saved text is exactly what ovs-ofctl printed, parsed again identically.
    const f1 = by('node1', 'ovs-dump-flows')!
    const text = (await h.call('captures.text', { id: f1.id })).text
    expect(parseOutput('ovs-ofctl.dump-flows', text).records).toBe(f1.records)

    // The master's oc (the lab's stand-in for the API) answers: the SDN objects parse.
    expect(by('master1', 'oc-nodes')).toMatchObject({ status: 'ok', parserId: 'oc.get.nodes', records: 2, diagnosticCount: 0 })
    expect(by('master1', 'oc-hostsubnets')).toMatchObject({ status: 'ok', parserId: 'oc.get.hostsubnets', records: 2, diagnosticCount: 0 })
    expect(by('master1', 'oc-netnamespaces')).toMatchObject({ status: 'ok', parserId: 'oc.get.netnamespaces', diagnosticCount: 0 })
    // The SDN pod log of each node is read on the master, from the pod the pod list puts on that node;
    // the master itself runs no sdn pod in the lab: not run, and said why.
    expect(by('master1', 'sdn-pods')).toMatchObject({ status: 'ok', records: 4 })
    for (const node of ['node1', 'node2']) {
      const log = by(node, 'sdn-pod-log')!
      expect(log).toMatchObject({ status: 'ok', viaHostName: 'master1' })
      expect(log.command).toMatch(/^oc -n openshift-sdn logs sdn-\w+ --since=2h$/)
    }
    const progress = h.events.filter((e) => e.name === 'capture.item').map((e) => e.payload as CaptureItemProgress).filter((p) => p.runId === run.id)
    const podLog = progress.filter((p) => p.commandId === 'sdn-pod-log' && p.state === 'skipped')
    expect(podLog.map((p) => p.hostName)).toEqual(['master1'])
    expect(podLog[0]?.message).toMatch(/no sdn pod runs on node master1/)
    // A command that fails is recorded with its exit code and stderr: the lab has no kernel VXLAN device.
    const vx = by('node1', 'ip-link-vxlan')!
    expect(vx).toMatchObject({ status: 'failed', exitCode: 1 })
    expect((await h.call('captures.get', { id: vx.id })).stderr).toMatch(/vxlan_sys_4789.*does not exist/)
    // Every item went queued -> running -> done (or skipped), and each done item names its saved capture.
    const done = progress.filter((p) => p.state === 'done')
    expect(done.length).toBe(caps.length)
    expect(new Set(done.map((p) => p.captureId))).toEqual(new Set(caps.map((c) => c.id)))
  })

  it('with OVS in the ovs pod (3.10+), the OVS commands run through oc exec on the master and give the same data', async () => {
    const host = await h.call('capture.start', { setId: 'openshift-sdn', hostIds: [ids.node1, ids.node2] })
    await waitForEvent(h, runEnded(host.run.id))
    const pod = await h.call('capture.start', { setId: 'openshift-sdn', hostIds: [ids.node1, ids.node2], ovsVia: 'ovs-pod' })
    await waitForEvent(h, runEnded(pod.run.id))
    const hostCaps = await h.call('captures.list', { runId: host.run.id })
    const podCaps = await h.call('captures.list', { runId: pod.run.id })
    for (const node of ['node1', 'node2']) {
      for (const cmd of ['ovs-vsctl-show', 'ovs-dump-flows', 'ovs-dump-ports-desc', 'ovs-list-interface']) {
        const viaPod = podCaps.find((c) => c.hostName === node && c.commandId === cmd)!
        const onHost = hostCaps.find((c) => c.hostName === node && c.commandId === cmd)!
        expect(viaPod, `${node} ${cmd}`).toMatchObject({ status: 'ok', viaHostName: 'master1', hostId: ids[node] })
        expect(viaPod.command).toMatch(/^oc -n openshift-sdn exec ovs-\w+ -- ovs-/)
        expect(viaPod.parserId).toBe(onHost.parserId)
        const [a, b] = await Promise.all([viaPod, onHost].map(async (c) => stable(c.parserId, parseOutput(c.parserId as never, (await h.call('captures.text', { id: c.id })).text).data)))
        expect(a, `${node} ${cmd}`).toEqual(b)
      }
      // Commands that are not OVS commands still run on the node itself.
      expect(podCaps.find((c) => c.hostName === node && c.commandId === 'ip-addr')).toMatchObject({ viaHostName: null, status: 'ok' })
    }
  })

  it('a host that cannot be reached is recorded once and its other commands are not tried; the rest go on', async () => {
    const start = await h.call('capture.start', { setId: 'openshift-sdn', hostIds: [ids.node1, ids.dead] })
    const t0 = Date.now()
    await waitForEvent(h, runEnded(start.run.id))
    const elapsed = Date.now() - t0
    const caps = await h.call('captures.list', { runId: start.run.id })
    const dead = caps.filter((c) => c.hostName === 'node9')
    expect(dead).toHaveLength(1)
    expect(dead[0]).toMatchObject({ status: 'error', errorKind: 'timeout' })
    expect(dead[0]!.error).toMatch(/node9|127\.0\.0\.1/)
    const skipped = h.events
      .filter((e) => e.name === 'capture.item')
      .map((e) => e.payload as CaptureItemProgress)
      .filter((p) => p.runId === start.run.id && p.hostName === 'node9' && p.state === 'skipped' && p.runOnHostName === 'node9')
    expect(skipped.length).toBeGreaterThan(5)
    expect(skipped[0]!.message).toMatch(/^not run: node9: /)
    expect(caps.filter((c) => c.hostName === 'node1' && c.status === 'ok').length).toBeGreaterThanOrEqual(11)
    // Three commands wait for the silent host at once, then the rest are dropped: a few seconds, not 12 timeouts.
    expect(elapsed).toBeLessThan(10_000)
  })

  it('finds a pod IP in every capture that holds it, with the matching lines, and pages the flow grid', async () => {
    const pod = lab.nodes[0]!.pods[0]!
    const r = await h.call('captures.search', { query: pod.ip })
    const hosts = new Set(r.hits.map((x) => `${x.capture.hostName} ${x.capture.commandId}`))
    expect(hosts).toContain('node1 ovs-dump-flows')
    const flowsHit = r.hits.find((x) => x.capture.commandId === 'ovs-dump-flows')!
    expect(flowsHit.lines.length).toBeGreaterThan(0)
    for (const l of flowsHit.lines) expect(l.text).toMatch(new RegExp(`${pod.ip.replace(/\./g, '\\.')}(?![0-9])`))
    const text = (await h.call('captures.text', { id: flowsHit.capture.id })).text.split('\n')
    for (const l of flowsHit.lines) {
      expect(text[l.line - 1]!.slice(l.from).startsWith(l.text)).toBe(true)
      expect(l.matches.map((m) => l.text.slice(m.start, m.end))).toContain(pod.ip)
    }

    const grid = await h.call('captures.flows', { id: flowsHit.capture.id, table: 70, offset: 0, limit: 100 })
    expect(grid.total).toBeGreaterThan(0)
    expect(grid.rows.every((x) => x.table === 70)).toBe(true)
    expect(grid.tables.map((x) => x.table)).toEqual(expect.arrayContaining([0, 10, 20, 70, 90]))
    const view = await h.call('captures.parsed', { id: flowsHit.capture.id })
    expect(view).toMatchObject({ kind: 'flows', parserId: 'ovs-ofctl.dump-flows', diagnosticCount: 0 })
  })

  it('cancel stops a run: running commands end, queued ones are not started', async () => {
    await h.call('captureSets.save', {
      yaml: 'id: slow\ntitle: Slow\nversion: 1\ncommands:\n' + [1, 2, 3, 4, 5, 6].map((i) => `  - {id: s${i}, title: S${i}, on: node, argv: [sleep, '${20 + i}']}`).join('\n') + '\n'
    })
    const start = await h.call('capture.start', { setId: 'slow', hostIds: [ids.node1] })
    await waitForEvent(h, (e) => e.name === 'capture.item' && (e.payload as CaptureItemProgress).runId === start.run.id && (e.payload as CaptureItemProgress).state === 'running')
    await new Promise((r) => setTimeout(r, 300))
    const t0 = Date.now()
    expect(await h.call('capture.cancel', { runId: start.run.id })).toEqual({ cancelled: true })
    const end = await waitForEvent(h, runEnded(start.run.id), 10_000)
    expect(Date.now() - t0).toBeLessThan(3000)
    expect((end.payload as CaptureRun).status).toBe('cancelled')
    const caps = await h.call('captures.list', { runId: start.run.id })
    expect(caps.length).toBe(3)
    expect(caps.every((c) => c.status === 'cancelled')).toBe(true)
    await h.call('captureSets.delete', { id: 'slow' })
  })
})

/** Parsed data without what changes from one minute to the next (counters, durations, ages, line numbers). */
function stable(parserId: string | null, data: unknown): unknown {
  if (parserId === 'ovs-ofctl.dump-flows') {
    return ((data as { flows: { table: number; priority: number; matchCanon: string; actionsText: string; cookie: string }[] }).flows ?? [])
      .map((f) => `${f.cookie} ${f.table} ${f.priority} ${f.matchCanon} ${f.actionsText}`)
      .sort()
  }
  const volatile = new Set(['line', 'packets', 'bytes', 'duration', 'durationSeconds', 'idleAge', 'hardAge', 'statistics'])
  return JSON.parse(JSON.stringify(data, (k, v) => (volatile.has(k) ? undefined : v)))
}

describe('offline imports give what the live capture gave', () => {
  const compared = ['ip-addr', 'ip-route', 'ovs-vsctl-show', 'ovs-dump-flows', 'ovs-dump-ports-desc', 'iptables-save', 'ip-forward']
  let live: Map<string, { parserId: string | null; data: unknown; records: number | null }>

  async function parsedOf(id: number) {
    const c = (await h.call('captures.get', { id })).capture
    const text = (await h.call('captures.text', { id })).text
    const p = parseOutput(c.parserId as never, text)
    return { parserId: c.parserId, data: stable(c.parserId, p.data), records: c.records }
  }

  beforeAll(async () => {
    const start = await h.call('capture.start', { setId: 'openshift-sdn', hostIds: [ids.node1] })
    await waitForEvent(h, runEnded(start.run.id))
    live = new Map()
    for (const c of await h.call('captures.list', { runId: start.run.id })) if (c.commandId && compared.includes(c.commandId)) live.set(c.commandId, await parsedOf(c.id))
    expect([...live.keys()].sort()).toEqual([...compared].sort())
  })

  it('the collector script, run on the node as a customer would, archives outputs that import to the same parsed data', async () => {
    const { script, leftOut } = await h.call('captureSets.collectorScript', { setId: 'openshift-sdn' })
    expect(leftOut).toEqual([])
    const out = join(t.dir, 'collected')
    execFileSync('mkdir', ['-p', out])
    const r = await h.call('ssh.exec', { hostId: ids.node1, argv: ['sh', '-c', script, 'sdnwb-collect.sh', '-o', out], timeoutMs: 120_000 })
    expect(r.exitCode, r.stderr).toBe(0)
    const archive = r.stdout.trim()
    expect(archive).toMatch(new RegExp(`^${out}/sdnwb-.+\\.tar\\.gz$`))
    const preview = await h.call('captures.importPreview', { path: archive })
    expect(preview).toMatchObject({ layout: 'collector', bundleKind: 'tar', damage: null, refused: [] })
    const imported = await h.call('captures.import', { path: archive })
    expect(imported.failed).toEqual([])
    const caps = (await h.call('captures.list', {})).filter((c) => imported.captureIds.includes(c.id))
    expect(caps.length).toBe(13)
    // The manifest names the node (its own host name), which is the case's host node1.
    expect(imported.preview.hostName).toBe('node1')
    expect(caps.every((c) => c.hostName === 'node1' && c.hostId === ids.node1)).toBe(true)
    for (const id of compared) {
      const c = caps.find((x) => x.commandId === id)!
      expect(c, id).toBeDefined()
      expect(c.status, `${id}: ${c.error}`).toBe('ok')
      expect(await parsedOf(c.id), id).toEqual(live.get(id))
    }
    const missing = caps.find((c) => c.commandId === 'node-log')!
    expect(missing.source).toBe('imported')
  })

  it('run with -m -p on a master, the collector takes every node\'s OVS state and SDN log through its pods', async () => {
    const { script } = await h.call('captureSets.collectorScript', { setId: 'openshift-sdn' })
    const out = join(t.dir, 'collected-master')
    execFileSync('mkdir', ['-p', out])
    const r = await h.call('ssh.exec', { hostId: ids.jump, argv: ['sh', '-c', script, 'sdnwb-collect.sh', '-m', '-p', '-o', out], timeoutMs: 120_000 })
    expect(r.exitCode, r.stderr).toBe(0)
    const imported = await h.call('captures.import', { path: r.stdout.trim(), hostName: 'master1' })
    expect(imported.failed).toEqual([])
    const caps = (await h.call('captures.list', {})).filter((c) => imported.captureIds.includes(c.id))
    const viaPods = ['ovs-vsctl-show', 'ovs-dump-flows', 'ovs-dump-ports-desc', 'ovs-dump-ports', 'ovs-dump-groups', 'ovs-list-interface', 'sdn-pod-log']
    for (const node of ['node1', 'node2']) {
      const mine = caps.filter((c) => c.hostName === node)
      expect(mine.map((c) => c.commandId).sort(), node).toEqual([...viaPods].sort())
      for (const c of mine) {
        expect(c.status, `${node} ${c.commandId}: ${c.error}`).toBe('ok')
        expect(c.hostId).toBe(ids[node])
        expect(c.command).toMatch(/^oc -n openshift-sdn (exec ovs-\S+ -- |logs sdn-\S+ )/)
      }
    }
    // Through the ovs pod, node1's bridge reads as it did live on the node.
    for (const id of ['ovs-vsctl-show', 'ovs-dump-flows', 'ovs-dump-ports-desc']) {
      const c = caps.find((x) => x.hostName === 'node1' && x.commandId === id)!
      expect(await parsedOf(c.id), id).toEqual(live.get(id))
    }
    // The master's own outputs (the cluster objects, and the pod list used) are the master's.
    const master = caps.filter((c) => c.hostName === 'master1').map((c) => c.commandId)
    expect(master).toEqual(expect.arrayContaining(['oc-pods', 'oc-network-policies', 'oc-namespaces', 'sdn-pods']))
    expect(caps.filter((c) => c.hostName !== 'master1' && c.hostName !== 'node1' && c.hostName !== 'node2')).toEqual([])
  })

  it('a sosreport of the node as sos 3.x writes it (its file names, hostname file), packed as .tar.xz, imports as the commands sos ran', async () => {
    const root = join(t.dir, 'sos', 'sosreport-node1-2026-11-25-lab')
    // File names exactly as sos 3.x mangles the commands its plugins run (sos-commands.ts).
    const sosName: Record<string, [string, string[]]> = {
      'ip-addr': ['networking/ip_address', ['ip', 'address']],
      'ip-route': ['networking/ip_route_show_table_all', ['ip', 'route', 'show', 'table', 'all']],
      'ovs-vsctl-show': ['openvswitch/ovs-vsctl_-t_5_show', ['ovs-vsctl', '-t', '5', 'show']],
      'ovs-dump-flows': ['openvswitch/ovs-ofctl_-O_OpenFlow13_dump-flows_br0', ['ovs-ofctl', '-O', 'OpenFlow13', 'dump-flows', 'br0']],
      'ovs-dump-ports-desc': ['openvswitch/ovs-ofctl_-O_OpenFlow13_dump-ports-desc_br0', ['ovs-ofctl', '-O', 'OpenFlow13', 'dump-ports-desc', 'br0']],
      'iptables-save': ['networking/iptables-save', ['iptables-save']],
      'ip-forward': ['kernel/sysctl_-a', ['sysctl', '-a']]
    }
    const written = new Map<string, string>()
    for (const [id, [file, argv]] of Object.entries(sosName)) {
      const r = await h.call('ssh.exec', { hostId: ids.node1, argv })
      expect(r.exitCode).toBe(0)
      execFileSync('mkdir', ['-p', join(root, 'sos_commands', file.split('/')[0]!)])
      writeFileSync(join(root, 'sos_commands', file), r.stdout)
      written.set(id, r.stdout)
    }
    writeFileSync(join(root, 'hostname'), 'node1\n')
    execFileSync('mkdir', ['-p', join(root, 'sos_commands', 'yum')])
    writeFileSync(join(root, 'sos_commands', 'yum', 'yum_list_installed'), 'not network\n')
    const archive = join(t.dir, 'sos', 'sosreport-node1-2026-11-25-lab.tar.xz')
    execFileSync('tar', ['-C', join(t.dir, 'sos'), '-cJf', archive, 'sosreport-node1-2026-11-25-lab'])
    const imported = await h.call('captures.import', { path: archive })
    expect(imported.preview).toMatchObject({ layout: 'sosreport', hostName: 'node1', ignoredFiles: 2 })
    expect(imported.preview.items.every((i) => i.hostFrom === 'bundle' && i.commandFrom === 'bundle')).toBe(true)
    expect(imported.captureIds).toHaveLength(7)
    const caps = (await h.call('captures.list', { hostName: 'node1' })).filter((c) => imported.captureIds.includes(c.id))
    // Imported captures of node1 are tied to the case's host node1.
    expect(caps.every((c) => c.hostId === ids.node1)).toBe(true)
    for (const [id, [file, argv]] of Object.entries(sosName)) {
      const c = caps.find((x) => x.origin === `sosreport-node1-2026-11-25-lab.tar.xz:sosreport-node1-2026-11-25-lab/sos_commands/${file}`)!
      expect(c, id).toBeDefined()
      // The command sos ran, read back from its file name; the same parser as the live capture of that output.
      expect(c.command, id).toBe(argv.join(' '))
      expect(c.parserId, id).toBe(live.get(id)?.parserId)
      const data = stable(c.parserId, parseOutput(c.parserId as never, written.get(id) as string).data)
      expect((await parsedOf(c.id)).data, id).toEqual(data)
      // Where the output is the same as the live command's, so is the parsed data.
      if (!['ip-route', 'ip-forward'].includes(id)) expect(await parsedOf(c.id), id).toEqual(live.get(id))
    }
  })
})

describe('the backend killed mid-capture', () => {
  let serve: ServeProcess | null = null
  afterAll(async () => {
    await serve?.stop()
  })

  it('keeps every output that finished before the kill; the run reads as interrupted', async () => {
    const dir = join(t.dir, 'killed')
    serve = await startServe(['--data-dir', join(dir, 'data'), '--cases-dir', join(dir, 'cases')])
    const ws = await WsClient.connect(serve.url)
    const kase = await ws.call('case.create', { name: 'killed' })
    await ws.call('knownHosts.import', { text: labKnownHosts(lab), source: 'lab' })
    const mk = (name: string, address: string, port: number, jumpHostId: number | null, role = 'compute') =>
      ws.call('hosts.create', { host: { name, address, port, user: 'root', role, jumpHostId, authMethod: 'key', keyPath: lab.keys.ed25519 } })
    const jump = await mk('master1', '127.0.0.1', lab.jump.port, null, 'master')
    const n1 = await mk('node1', lab.nodes[0]!.ip, 22, jump.id)
    const n2 = await mk('node2', lab.nodes[1]!.ip, 22, jump.id)
    // Fast commands finish; the slow ones are still running when the process dies.
    await ws.call('captureSets.save', {
      yaml: `id: kill-test
title: Kill test
version: 1
commands:
  - {id: flows, title: Flows, on: node, argv: [ovs-ofctl, -O, OpenFlow13, dump-flows, br0]}
  - {id: addr, title: Addresses, on: node, argv: [ip, addr, show]}
  - {id: slow, title: Slow, on: node, argv: [sh, -c, 'sleep 30; echo never']}
`
    })
    const start = await ws.call('capture.start', { setId: 'kill-test', hostIds: [n1.id, n2.id] })
    const finished = new Map<number, CaptureItemProgress>()
    const isDone = (e: BackendEvent) => e.name === 'capture.item' && (e.payload as CaptureItemProgress).state === 'done'
    for (;;) {
      const ev = await ws.waitFor((e) => isDone(e) && !finished.has((e.payload as CaptureItemProgress).captureId ?? -1))
      const p = ev.payload as CaptureItemProgress
      finished.set(p.captureId as number, p)
      if (finished.size === 4) break
    }
    ws.close()
    serve.child.kill('SIGKILL')
    await new Promise((r) => serve!.child.once('exit', r))
    serve = null

    const raw = new Database(kase.path, { readonly: true })
    expect(raw.pragma('integrity_check', { simple: true })).toBe('ok')
    raw.close()
    const db = CaseDb.open(kase.path)
    try {
      const caps = db.captures.list({ runId: start.run.id })
      expect(new Set(caps.map((c) => c.id))).toEqual(new Set(finished.keys()))
      for (const c of caps) {
        expect(c.status).toBe('ok')
        const text = db.captures.text(c.id)
        expect(Buffer.byteLength(text)).toBe(c.stdoutBytes)
        if (c.commandId === 'flows') expect(parseOutput('ovs-ofctl.dump-flows', text)).toMatchObject({ records: c.records, diagnostics: [] })
      }
      expect(db.captures.getRun(start.run.id)).toMatchObject({ status: 'interrupted', planned: 6, saved: 4 })
      expect(db.captures.search('OpenFlow13').hits.length + db.captures.search('br0').hits.length).toBeGreaterThan(0)
    } finally {
      db.close()
    }
  })
})

describe('openshift-sdn checks on the captures of a node', () => {
  it('a healthy node gives no error; with its table 90 flow for node2 deleted and captured again, the check names it', async () => {
    const healthy = await h.call('captures.checkNode', { hostName: 'node1' })
    // node1 was captured before in this file: the dump before the newest is compared too (drop counters).
    expect(healthy.used.map((u) => u.role).sort()).toEqual(['clusterNetwork', 'egressPolicies', 'flows', 'hostSubnetCookies', 'hostSubnets', 'interfaces', 'links', 'namespaces', 'netNamespaces', 'networkPolicies', 'pods', 'ports', 'previousFlows', 'routes', 'services', 'sysctl'])
    // The lab's flows carry the cookies its HostSubnet UIDs give, and table 111 names every other node.
    expect(healthy.findings.filter((f) => f.check === 'remote.cookie' || f.id === 'remote.multicast-fanout')).toEqual([])
    expect(healthy.facts).toMatchObject({ pluginId: 2, ruleVersion: 7, localSubnet: '10.128.0.0/23', nodeIP: '10.200.0.2' })
    // NetNamespaces are captured as JSON, so the multicast annotation is known and that check runs too;
    // the pods with their labels and the NetworkPolicies let table 80 be checked against the policies.
    expect(healthy.ran).toEqual(expect.arrayContaining(['bridge', 'remote nodes', 'local pods', 'egress IPs', 'egress network policies', 'network policies', 'multicast', 'host networking']))
    expect(healthy.findings.filter((f) => f.severity === 'error')).toEqual([])
    deleteFlows(lab, 'node1', 'table=90,ip,nw_dst=10.128.2.0/23')
    const start = await h.call('capture.start', { setId: 'openshift-sdn', hostIds: [ids.node1] })
    await waitForEvent(h, runEnded(start.run.id))
    const r = await h.call('captures.checkNode', { hostName: 'node1' })
    expect(r.findings.filter((f) => f.severity === 'error').map((f) => f.id)).toEqual(['remote.flows:node2:90'])
    // A project's policy rule deleted on the node: the NetworkPolicy check names the project.
    deleteFlows(lab, 'node1', 'table=80,reg1=0xabcdef')
    const again = await h.call('capture.start', { setId: 'openshift-sdn', hostIds: [ids.node1] })
    await waitForEvent(h, runEnded(again.run.id))
    const np = await h.call('captures.checkNode', { hostName: 'node1' })
    expect(np.findings.filter((f) => f.severity === 'error').map((f) => f.id).sort()).toEqual(['networkpolicy.missing:proj-a', 'remote.flows:node2:90'])
    expect(r.findings[0]!.evidence.map((e) => e.source)).toEqual(expect.arrayContaining([expect.stringMatching(/^capture #\d+: node1 .*dump-flows br0$/)]))
    await expect(h.call('captures.checkNode', { hostName: 'node7' })).rejects.toThrow(/No usable flow dump of br0 on node7/)

    // Real packets from node1's first pod to a pod of node2, put into br0 with packet-out (nothing leaves the
    // lab): without the table 90 flow they die in table 90's default drop, whose counter the next dump shows.
    sendPodToRemotePod(lab, 7)
    const third = await h.call('capture.start', { setId: 'openshift-sdn', hostIds: [ids.node1] })
    await waitForEvent(h, runEnded(third.run.id))
    const drops = await h.call('captures.checkNode', { hostName: 'node1' })
    expect(drops.ran).toContain('drop counters')
    expect(drops.findings.filter((f) => f.check === 'drops.rising').map((f) => f.title)).toEqual([expect.stringMatching(/^Table 90 dropped 7 packets between the two dumps/)])
  })
})
