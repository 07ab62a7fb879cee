// `npm run bench:capture -- [--nodes N] [--rounds R]` (root): the openshift-sdn capture set on a lab of N nodes,
// through the jump host, from cold connections (login included), against one node alone. Medians.
import { chmodSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import type { BackendEvent, CaptureRun } from '../../src-main/contract'
import { Backend } from '../../src-main/node/backend/backend'
import { silentLogger } from '../../src-main/node/log'
import { startLab, stopLab } from '../lab/lab'

const { values } = parseArgs({ options: { nodes: { type: 'string', default: '8' }, rounds: { type: 'string', default: '3' }, parallel: { type: 'string' } } })
const nodes = Number(values.nodes)
const rounds = Number(values.rounds)

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b)
  return s[Math.floor(s.length / 2)] as number
}

const dir = mkdtempSync(join(tmpdir(), 'sdnwb-bench-lab-'))
chmodSync(dir, 0o755)
const t0 = Date.now()
const lab = await startLab({ dir: join(dir, 'lab'), nodes })
console.log(`lab of ${nodes} nodes up in ${((Date.now() - t0) / 1000).toFixed(1)} s`)
// --parallel N: the SSH manager's limit of commands in flight across hosts (default 16).
const ssh = values.parallel ? { maxParallelCommands: Number(values.parallel) } : {}
const backend = new Backend({ version: 'bench', mode: 'browser', dataDir: join(dir, 'data'), casesDir: join(dir, 'cases'), log: silentLogger, ssh })
const events: BackendEvent[] = []
backend.onEvent((e) => events.push(e))
async function call(method: string, input: unknown): Promise<any> {
  const r = await backend.dispatch(method, input)
  if (!r.ok) throw new Error(`${method}: ${r.error.message}`)
  return r.value
}
try {
  await call('case.create', { name: 'bench' })
  const known = [`[127.0.0.1]:${lab.jump.port} ${lab.jump.hostKeyPub}`, ...lab.nodes.map((n) => `${n.ip} ${n.hostKeyPub}`)].join('\n')
  await call('knownHosts.import', { text: known, source: 'lab' })
  const host = (name: string, address: string, port: number, jumpHostId: number | null) =>
    call('hosts.create', { host: { name, address, port, user: 'root', role: 'compute', jumpHostId, authMethod: 'key', keyPath: lab.keys.ed25519 } })
  const jump = await host('jump', '127.0.0.1', lab.jump.port, null)
  const ids: number[] = []
  for (const n of lab.nodes) ids.push((await host(n.name, n.ip, 22, jump.id)).id)
  const commands = (await call('captureSets.list', {})).sets.find((s: { set: { id: string } }) => s.set.id === 'openshift-sdn').set.commands.filter((c: { on: string }) => c.on === 'node').length

  async function runOn(hostIds: number[]): Promise<{ ms: number; ok: number; total: number; cpuMs: number }> {
    for (const id of [jump.id, ...ids]) await call('ssh.disconnect', { hostId: id })
    const cpu0 = process.cpuUsage()
    const started = Date.now()
    const p = await call('capture.start', { setId: 'openshift-sdn', hostIds })
    const runId = p.run.id as number
    while (!events.some((e) => e.name === 'capture.run' && (e.payload as CaptureRun).id === runId && (e.payload as CaptureRun).status !== 'running')) await new Promise((r) => setTimeout(r, 5))
    const ms = Date.now() - started
    const c = process.cpuUsage(cpu0)
    const cpuMs = Math.round((c.user + c.system) / 1000)
    const caps = (await call('captures.list', { runId })) as { status: string; commandId: string }[]
    return { ms, ok: caps.filter((x) => x.status === 'ok').length, total: caps.length, cpuMs }
  }

  const one: number[] = []
  const all: number[] = []
  const cpuOne: number[] = []
  const cpuAll: number[] = []
  let last = { ok: 0, total: 0 }
  for (let r = 0; r < rounds; r++) {
    const o = await runOn(ids.slice(0, 1))
    one.push(o.ms)
    cpuOne.push(o.cpuMs)
    const a = await runOn(ids)
    all.push(a.ms)
    cpuAll.push(a.cpuMs)
    last = a
  }
  console.log(`openshift-sdn set, ${commands} node commands per node, through the jump host, cold logins, ${rounds} rounds, medians:`)
  console.log(`  1 node:        ${median(one)} ms   (${one.join(', ')})`)
  console.log(`  ${nodes} nodes:  ${String(median(all)).padStart(6)} ms   (${all.join(', ')})   ${last.ok} of ${last.total} outputs ok (the lab has no vxlan_sys_4789 device and no journal)`)
  console.log(`  workbench CPU (this process): 1 node ${median(cpuOne)} ms, ${nodes} nodes ${median(cpuAll)} ms; the rest of the machine's 2 cores run the lab's sshd and commands`)
  console.log(`  ratio ${nodes} nodes / 1 node: ${(median(all) / median(one)).toFixed(2)}   (DESIGN target for 20 hosts: < 2)`)
} finally {
  backend.close()
  stopLab(lab)
  rmSync(dir, { recursive: true, force: true })
}
