import { execFileSync } from 'node:child_process'
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { describe, expect, it } from 'vitest'
import { parseCapture } from '../../src-main/core/capture/parsed-view'
import { applyAnswer, applyEvidence, applySkip, nextAction, startRun, stepBack, type RunState } from '../../src-main/core/runbook/engine'
import { continueProblems, type Runbook } from '../../src-main/core/runbook/model'
import { commandLine } from '../../src-main/core/shell/quote'
import { parseRunbookYaml } from '../../src-main/node/runbook/runbook-library'
import { labFlows, labInventory, labPlan, type LabNodePlan } from '../lab/flows'
import { sample } from '../helpers/samples'

const dir = resolve(__dirname, '../../resources/runbooks')
const files = readdirSync(dir).filter((f) => f.endsWith('.yaml'))
const runbooks = new Map<string, Runbook>()
for (const f of files) {
  const r = parseRunbookYaml(readFileSync(join(dir, f), 'utf8'))
  if ('runbook' in r) runbooks.set(r.runbook.id, r.runbook)
}

/** Every edge of a runbook's graph: step, the outcome that leaves it, and where it goes. */
function edges(rb: Runbook): Set<string> {
  const out = new Set<string>()
  for (const s of rb.steps) {
    if (s.pass) out.add(`${s.id}:pass->${s.pass.next}`)
    if (s.fail) out.add(`${s.id}:fail->${s.fail.next}`)
    if (s.skip) out.add(`${s.id}:skip->${s.skip.next}`)
    s.checks.forEach((c, i) => c.fail && out.add(`${s.id}:check${i}->${c.fail.next}`))
    for (const c of s.choices ?? []) out.add(`${s.id}:choice-${c.id}->${c.next}`)
  }
  // A step whose checks all carry their own fail outcome never takes the step's fail outcome.
  for (const s of rb.steps) if (s.fail && s.checks.length > 0 && s.checks.every((c) => c.fail)) out.delete(`${s.id}:fail->${s.fail.next}`)
  return out
}

const visited = new Map<string, Set<string>>()

/** The edge the last applied step took. */
function record(rb: Runbook, before: RunState, after: RunState): void {
  const r = after.history[after.history.length - 1]!
  const s = rb.steps.find((x) => x.id === r.stepId)!
  const next = after.current ?? 'done'
  let kind: string
  if (r.result === 'answered') kind = `choice-${r.choice}`
  else if (r.result === 'skipped') kind = 'skip'
  else if (r.result === 'pass' || (r.result === 'decided' && r.choice === 'yes')) kind = 'pass'
  else {
    const i = r.checks.findIndex((c) => !c.pass)
    kind = s.checks[i]?.fail ? `check${i}` : 'fail'
  }
  const set = visited.get(rb.id) ?? new Set<string>()
  set.add(`${r.stepId}:${kind}->${next}`)
  visited.set(rb.id, set)
  expect(before.history.length + 1).toBe(after.history.length)
}

interface World {
  exec(stepId: string, target: { kind: string; node?: string }, argv: string[]): { text: string; exitCode: number }
}

/** Runs a runbook to the end against a world that answers each command. */
function walk(rb: Runbook, inputs: Record<string, string>, world: World, answers: Record<string, string> = {}): RunState {
  const started = startRun(rb, inputs)
  if ('missing' in started) throw new Error(`missing inputs ${started.missing.join()}`)
  let state = started.state
  for (let guard = 0; guard < 100; guard++) {
    const a = nextAction(rb, state)
    const before = state
    if (a.kind === 'done') return state
    if (a.kind === 'blocked') throw new Error(a.message)
    if (a.kind === 'ask') state = applyAnswer(rb, state, answers[a.step.id] ?? a.choices[0]!.id, 't')
    else if (a.kind === 'decide') state = applyEvidence(rb, state, null, 't')
    else {
      const { text, exitCode } = world.exec(a.step.id, a.target, a.argv)
      const parsed = parseCapture(commandLine(a.argv), text, a.step.parser)
      state = applyEvidence(rb, state, { exitCode, text, parsed, captureId: guard + 1 }, 't', a.argv, a.target)
    }
    record(rb, before, state)
  }
  throw new Error('runbook did not end')
}

// ---- a small cluster for pod-to-pod, with faults on demand ----

interface Faults {
  noPod?: string
  noHostSubnet?: string
  ipForward?: string
  deleteFlows?: Record<string, RegExp[]>
  traceStopsAt30?: boolean
}

function cluster(f: Faults = {}): { plan: LabNodePlan[]; world: World } {
  const plan = labPlan(2, 3)
  const pods = ['NAMESPACE   NAME          READY   STATUS    RESTARTS   AGE   IP            NODE']
  for (const n of plan) for (const p of n.pods) if (p.name !== f.noPod) pods.push(`${p.vnid === 0xabcdef ? 'proj-a' : 'proj-b'}      ${p.name}   1/1     Running   0          1m    ${p.ip}   ${n.name}`)
  const subnets = labInventory(plan).hostSubnets.split('\n').filter((l) => !f.noHostSubnet || !l.startsWith(f.noHostSubnet + ' ')).join('\n')
  const node = (name: string) => plan.find((n) => n.name === name)!
  const podByIp = (ip: string) => plan.flatMap((n) => n.pods.map((p) => ({ p, n }))).find((x) => x.p.ip === ip)!
  const world: World = {
    exec(stepId, target, argv) {
      const cmd = argv.join(' ')
      if (cmd.startsWith('oc get pods')) return { text: pods.join('\n') + '\n', exitCode: 0 }
      if (cmd.startsWith('oc get hostsubnets')) return { text: subnets, exitCode: 0 }
      if (cmd.startsWith('sysctl')) return { text: `net.ipv4.ip_forward = ${f.ipForward ?? '1'}\n`, exitCode: 0 }
      const n = node(target.node!)
      if (cmd.includes('dump-flows')) {
        const del = f.deleteFlows?.[n.name] ?? []
        return { text: labFlows(n, plan).split('\n').filter((l) => !del.some((re) => re.test(l))).join('\n'), exitCode: 0 }
      }
      if (cmd.includes('ofproto/trace')) {
        const m = /nw_src=([\d.]+),nw_dst=([\d.]+)/.exec(argv[3] ?? '')!
        const src = podByIp(m[1]!)
        const dst = podByIp(m[2]!)
        const head = `Flow: ${argv[3]}\n\nbridge("br0")\n-------------\n 0. ip, priority 100\n    goto_table:20\n20. ip,in_port=${src.p.ofport},nw_src=${src.p.ip}, priority 100\n    load:0x${src.p.vnid.toString(16)}->NXM_NX_REG0[]\n    goto_table:21\n21. priority 0\n    goto_table:30\n`
        if (f.traceStopsAt30) return { text: head + '30. ip, priority 0\n    drop\n\nFinal flow: unchanged\nMegaflow: recirc_id=0,ip\nDatapath actions: drop\n', exitCode: 0 }
        if (src.n === dst.n) {
          const t70 = `30. ip,nw_dst=${n.subnet}, priority 200\n    goto_table:70\n70. ip,nw_dst=${dst.p.ip}, priority 100\n    load:0x${dst.p.vnid.toString(16)}->NXM_NX_REG1[]\n    load:0x${dst.p.ofport.toString(16)}->NXM_NX_REG2[]\n    goto_table:80\n`
          const end = src.p.vnid === dst.p.vnid ? `80. reg0=0x${src.p.vnid.toString(16)},reg1=0x${dst.p.vnid.toString(16)}, priority 100\n    output:NXM_NX_REG2[]\n     -> output port is ${dst.p.ofport}\n\nFinal flow: x\nMegaflow: x\nDatapath actions: ${dst.p.ofport + 1}\n` : `80. priority 0\n    drop\n\nFinal flow: x\nMegaflow: x\nDatapath actions: drop\n`
          return { text: head + t70 + end, exitCode: 0 }
        }
        const t90 = `30. ip,nw_dst=10.128.0.0/14, priority 100\n    goto_table:90\n90. ip,nw_dst=${dst.n.subnet}, priority 100\n    move:NXM_NX_REG0[]->NXM_NX_TUN_ID[0..31]\n     -> NXM_NX_TUN_ID[0..31] is now 0x${src.p.vnid.toString(16)}\n    set_field:${dst.n.ip}->tun_dst\n    output:1\n     -> output to native tunnel\n     >> native tunnel routing failed\n\nFinal flow: x\nMegaflow: x\nDatapath actions: drop\n`
        return { text: head + t90, exitCode: 0 }
      }
      throw new Error(`${stepId}: no answer for ${cmd}`)
    }
  }
  return { plan, world }
}

const remote = { srcPod: 'node1-pod1', srcNamespace: 'proj-a', dstPod: 'node2-pod1', dstNamespace: 'proj-a' }
const local = { srcPod: 'node1-pod1', srcNamespace: 'proj-a', dstPod: 'node1-pod2', dstNamespace: 'proj-a' }

describe('runbook files', () => {
  it('every runbook validates against the schema', () => {
    expect(files.length).toBeGreaterThan(0)
    for (const f of files) {
      const r = parseRunbookYaml(readFileSync(join(dir, f), 'utf8'))
      expect('problems' in r ? r.problems : [], f).toEqual([])
    }
  })

  it('a broken runbook is reported with where the problem is', () => {
    const r = parseRunbookYaml('id: x\ntitle: X\nversion: 1\nsection: s\nsummary: s\nsteps:\n  - {id: a, title: A, why: w, where: master, command: [hostname], pass: {next: nowhere}}\n  - {id: a, title: B, why: w, where: manual}\n')
    const text = 'problems' in r ? r.problems.join('\n') : ''
    expect(text).toMatch(/step id "a" is used twice/)
    expect(text).toMatch(/no step "nowhere"/)
    expect(text).toMatch(/a manual step needs a question and choices/)
  })
})

describe('pod-to-pod engine paths', () => {
  const rb = () => runbooks.get('pod-to-pod')!

  it('healthy, pods on two nodes: every check passes, no finding', () => {
    const s = walk(rb(), remote, cluster().world)
    expect(s.findings).toEqual([])
    expect(s.history.map((h) => h.stepId)).toEqual(['locate-pods', 'subnets', 'src-forwarding', 'src-pod-flows', 'same-node', 'src-remote-flows', 'remote-trace', 'dst-flows'])
    expect(s.history[2]!.title).toBe('Does node1 forward IP?')
    // "Same node?" is a decision, not a failed check: the pods are on two nodes.
    expect(s.history.find((h) => h.stepId === 'same-node')).toMatchObject({ result: 'decided', choice: 'no' })
    expect(s.history.some((h) => h.result === 'fail')).toBe(false)
    expect(s.history.find((h) => h.stepId === 'remote-trace')!.argv).toEqual(['ovs-appctl', 'ofproto/trace', 'br0', 'in_port=3,ip,nw_src=10.128.0.2,nw_dst=10.128.2.2'])
  })

  it("the planted fault: node1's table 90 flow for node2's subnet deleted is found and named", () => {
    const s = walk(rb(), remote, cluster({ deleteFlows: { node1: [/^table=90, priority=100.*nw_dst=10\.128\.2\.0\/23/] } }).world)
    expect(s.findings.map((f) => f.title)).toEqual(["node1 has no table 90 flow for node2's subnet 10.128.2.0/23"])
    expect(s.findings[0]!.explain).toContain('set_field:10.200.1.2->tun_dst')
    expect(s.findings[0]!.evidence[0]!.reason).toMatch(/no table 90 flow matching ip,nw_dst=10\.128\.2\.0\/23/)
  })

  it('ARP flow missing, trace not reaching table 90, destination flows missing: each named', () => {
    expect(walk(rb(), remote, cluster({ deleteFlows: { node1: [/^table=50, priority=100/] } }).world).findings.map((f) => f.title)).toEqual([
      "node1 has no table 50 (ARP) flow for node2's subnet 10.128.2.0/23"
    ])
    expect(walk(rb(), remote, cluster({ traceStopsAt30: true }).world).findings.map((f) => f.title)).toEqual(['The trace on node1 does not reach node2'])
    expect(walk(rb(), remote, cluster({ deleteFlows: { node2: [/^table=10, priority=100/] } }).world).findings.map((f) => f.title)).toEqual(['node2 drops VXLAN from node1 (10.200.0.2)'])
    expect(walk(rb(), remote, cluster({ deleteFlows: { node2: [/^table=70, priority=100, ip, nw_dst=10\.128\.2\.2,/] } }).world).findings.map((f) => f.title)).toEqual([
      'br0 on node2 has no flows for pod node2-pod1 (10.128.2.2)'
    ])
  })

  it('a missing pod, a missing HostSubnet, IP forwarding off, the source pod without flows', () => {
    expect(walk(rb(), remote, cluster({ noPod: 'node2-pod1' }).world).findings.map((f) => f.title)).toEqual(['A pod of the path is not running'])
    expect(walk(rb(), remote, cluster({ noHostSubnet: 'node2' }).world).findings.map((f) => f.title)).toEqual(['A node has no HostSubnet'])
    const fwd = walk(rb(), remote, cluster({ ipForward: '0' }).world)
    expect(fwd.findings.map((f) => f.title)).toEqual(['IP forwarding is off on node1'])
    expect(fwd.current).toBeNull()
    expect(walk(rb(), remote, cluster({ deleteFlows: { node1: [/in_port=3, nw_src=10\.128\.0\.2,/] } }).world).findings.map((f) => f.title)).toEqual([
      'br0 on node1 has no flows for pod node1-pod1 (10.128.0.2)'
    ])
  })

  it('pods on the same node: traced through br0; another project is dropped in table 80', () => {
    const ok = walk(rb(), local, cluster().world)
    expect(ok.findings).toEqual([])
    expect(ok.history.map((h) => h.stepId).slice(-2)).toEqual(['same-node', 'local-trace'])
    const iso = walk(rb(), { ...local, dstPod: 'node1-pod3', dstNamespace: 'proj-b' }, cluster().world)
    expect(iso.findings.map((f) => f.title)).toEqual(['br0 on node1 drops node1-pod1 -> node1-pod3'])
    expect(iso.findings[0]!.evidence[0]!.reason).toMatch(/dropped in table 80/)
  })

  it('steps back, forgets what came after, and resumes from a saved state', () => {
    const s = walk(rb(), remote, cluster({ ipForward: '0' }).world)
    const back = stepBack(s, 2)
    expect(back.current).toBe('src-forwarding')
    expect(back.findings).toEqual([])
    const saved = JSON.parse(JSON.stringify(back)) as RunState
    const a = nextAction(rb(), saved)
    expect(a).toMatchObject({ kind: 'run', target: { kind: 'node', node: 'node1' }, argv: ['sysctl', 'net.ipv4.ip_forward'] })
    const skipped = applySkip(rb(), saved, 'no capture of it offline', 't')
    expect(skipped.current).toBe('src-pod-flows')
    expect(skipped.history[2]).toMatchObject({ result: 'skipped', note: 'no capture of it offline' })
  })

  it('a hostile input is one quoted value in the command, never executed', () => {
    const evil = "x'; touch /tmp/sdnwb-pwned; echo $(id) `id` |"
    // A pod-typed input refuses such a value outright; a free-text input takes it, and it still cannot run.
    expect(startRun(rb(), { ...remote, srcPod: evil })).toMatchObject({ invalid: [{ id: 'srcPod', problem: expect.stringMatching(/Kubernetes name/) }] })
    const rb2: Runbook = {
      ...rb(),
      inputs: rb().inputs.map((i) => ({ ...i, type: 'text' as const })),
      steps: [{ id: 'd', title: 'd', why: 'w', where: { kind: 'master' }, command: ['oc', 'describe', 'pod', '{srcPod}', '-n', '{srcNamespace}'], mutating: false, checks: [], pass: { next: 'done' } }]
    }
    const st = startRun(rb2, { ...remote, srcPod: evil, srcNamespace: '$(reboot)' })
    if ('missing' in st) throw new Error('inputs')
    const a = nextAction(rb2, st.state)
    if (a.kind !== 'run') throw new Error(a.kind)
    expect(a.argv).toEqual(['oc', 'describe', 'pod', evil, '-n', '$(reboot)'])
    const out = execFileSync('sh', ['-c', commandLine(['printf', '%s\\n', ...a.argv.slice(1)])], { encoding: 'utf8' })
    expect(out.split('\n').slice(0, 5)).toEqual(['describe', 'pod', evil, '-n', '$(reboot)'])
    expect(existsSync('/tmp/sdnwb-pwned')).toBe(false)
  })
})

// ---- one node, from the real lab samples, with faults on demand ----

interface NodeFaults {
  noHostSubnet?: boolean
  ipForward?: string
  dropRoute?: string
  noBridge?: boolean
  swapPorts?: boolean
  dropFlows?: RegExp
  dropForwardRule?: boolean
}

function node1(f: NodeFaults = {}): World {
  return {
    exec(stepId, _target, argv) {
      const cmd = argv.join(' ')
      if (cmd === 'oc get hostsubnets') return { text: `NAME    HOST    HOST IP      SUBNET          EGRESS CIDRS   EGRESS IPS\n${f.noHostSubnet ? '' : 'node1   node1   10.200.0.2   10.129.0.0/23   []             []\n'}node2   node2   10.200.1.2   10.129.2.0/23   []             []\n`, exitCode: 0 }
      if (cmd.startsWith('sysctl')) return { text: `net.ipv4.ip_forward = ${f.ipForward ?? '1'}\n`, exitCode: 0 }
      if (cmd === 'ip route show') return { text: sample('lab/node1-ip-route.txt').split('\n').filter((l) => !f.dropRoute || !l.startsWith(f.dropRoute + ' ')).join('\n'), exitCode: 0 }
      if (cmd === 'ovs-vsctl list-br') return { text: f.noBridge ? '' : 'br0\n', exitCode: 0 }
      if (cmd.includes('dump-ports-desc')) {
        const t = sample('lab/node1-dump-ports-desc-of13.txt')
        return { text: f.swapPorts ? t.replace('1(vxlan0)', '1(tunX)') : t, exitCode: 0 }
      }
      if (cmd.includes('dump-flows')) return { text: sample('lab/node1-dump-flows-of13.txt').split('\n').filter((l) => !f.dropFlows || !f.dropFlows.test(l)).join('\n'), exitCode: 0 }
      if (cmd === 'iptables-save') return { text: sample('lab/node1-iptables-save.txt').split('\n').filter((l) => !f.dropForwardRule || !l.startsWith('-A FORWARD ')).join('\n'), exitCode: 0 }
      throw new Error(`${stepId}: no answer for ${cmd}`)
    }
  }
}

describe('local-networking engine paths', () => {
  const rb = () => runbooks.get('local-networking')!

  it('a healthy node: every check passes, and the external firewall question is asked', () => {
    const s = walk(rb(), { node: 'node1' }, node1(), { external: 'yes' })
    expect(s.findings).toEqual([])
    expect(s.history.map((h) => `${h.stepId}:${h.result}`)).toEqual(['hostsubnet:pass', 'forwarding:pass', 'routes:pass', 'bridge:pass', 'ports:pass', 'flows:pass', 'iptables:pass', 'external:answered'])
    expect(s.history[2]!.checks.map((c) => c.expect)).toEqual(['10.128.0.0/14 is routed to tun0', '10.129.0.0/23 is routed to tun0'])
    expect(walk(rb(), { node: 'node1' }, node1(), { external: 'unknown' }).findings).toEqual([])
  })

  it('a node with every local fault at once: each one named, the run goes on to the end', () => {
    const s = walk(rb(), { node: 'node1' }, node1({ ipForward: '0', dropRoute: '10.129.0.0/23', swapPorts: true, dropFlows: /table=10,/, dropForwardRule: true }), { external: 'no' })
    expect(s.findings.map((f) => f.title)).toEqual([
      'IP forwarding is off on node1',
      'A pod network route is missing on node1',
      'br0 on node1 lacks vxlan0 or tun0 at its port number',
      'br0 on node1 accepts VXLAN from no other node',
      "The SDN's FORWARD rule is missing on node1",
      'VXLAN between the nodes is blocked outside the cluster'
    ])
    expect(s.findings[1]!.evidence[1]!.reason).toMatch(/no route to 10\.129\.0\.0\/23 on tun0/)
  })

  it('stops where nothing further can be checked: no HostSubnet, no br0, no SDN flows', () => {
    expect(walk(rb(), { node: 'node1' }, node1({ noHostSubnet: true })).findings.map((f) => f.title)).toEqual(['node1 has no HostSubnet'])
    expect(walk(rb(), { node: 'node1' }, node1({ noBridge: true })).findings.map((f) => f.title)).toEqual(['br0 is missing on node1'])
    expect(walk(rb(), { node: 'node1' }, node1({ dropFlows: /table=253/ })).findings.map((f) => f.title)).toEqual(['br0 on node1 has no SDN version flow (table 253)'])
  })
})

const hostSubnets = 'NAME    HOST    HOST IP      SUBNET          EGRESS CIDRS   EGRESS IPS\nnode1   node1   10.200.0.2   10.129.0.0/23   []             []\nnode2   node2   10.200.1.2   10.129.2.0/23   []             []\n'

describe('mtu engine paths', () => {
  const rb = () => runbooks.get('mtu')!
  // The real lab sample has tun0 at 1500 on a 1500 interface: the fault itself. 1450 is right.
  const world = (tunMtu: number, subnets = hostSubnets): World => ({
    exec(_id, _t, argv) {
      if (argv[0] === 'oc') return { text: subnets, exitCode: 0 }
      return { text: sample('lab/node1-ip-addr.txt').replace(/tun0: (<[^>]*>) mtu 1500/, `tun0: $1 mtu ${tunMtu}`), exitCode: 0 }
    }
  })

  it('tun0 50 below the HostIP interface: fine; the configured MTU is asked with the numbers', () => {
    const s = walk(rb(), { node: 'node1' }, world(1450), { config: 'yes' })
    expect(s.findings).toEqual([])
    expect(s.history[1]!.checks[0]!.reason).toBe('tun0 mtu 1450, eth0 (HostIP) mtu 1500: 50 bytes left for VXLAN')
    const a = walk(rb(), { node: 'node1' }, world(1450), { config: 'no' })
    expect(a.findings.map((f) => f.explain)).toEqual([expect.stringContaining('eth0 (1500)')])
  })

  it('tun0 at 1500 on a 1500 interface (the lab sample): found; no HostSubnet: stops', () => {
    const s = walk(rb(), { node: 'node1' }, world(1500), { config: 'yes' })
    expect(s.findings.map((f) => f.title)).toEqual(['The SDN MTU on node1 is too big for VXLAN'])
    expect(s.findings[0]!.evidence[0]!.reason).toMatch(/only 0 bytes for 50 of VXLAN headers/)
    expect(walk(rb(), { node: 'node3' }, world(1450)).findings.map((f) => f.title)).toEqual(['node3 has no HostSubnet'])
  })
})

describe('node-to-node engine paths', () => {
  const rb = () => runbooks.get('node-to-node')!
  interface F { ping?: number; tracepath?: number; viaTun0?: boolean; noRoute?: boolean; lostIp?: boolean }
  const world = (f: F = {}): World => ({
    exec(_id, target, argv) {
      const cmd = argv.join(' ')
      if (cmd === 'oc get hostsubnets') return { text: hostSubnets, exitCode: 0 }
      if (cmd === 'ip addr show') return { text: f.lostIp ? 'x' : `2: eth0: <UP> mtu 1500\n    inet ${target.node === 'node2' ? '10.200.1.2' : '10.200.0.2'}/24 scope global eth0\n`, exitCode: 0 }
      if (argv[0] === 'ping') return { text: '', exitCode: f.ping ?? 0 }
      if (argv[0] === 'tracepath') return { text: ' 1?: [LOCALHOST]\n', exitCode: f.tracepath ?? 0 }
      if (cmd.startsWith('ip route get')) return f.noRoute ? { text: 'RTNETLINK answers: Network is unreachable\n', exitCode: 2 } : { text: `10.200.1.2 ${f.viaTun0 ? 'dev tun0' : 'dev eth0'} src 10.200.0.2 uid 0\n    cache\n`, exitCode: 0 }
      throw new Error(cmd)
    }
  })
  const io = { srcNode: 'node1', dstNode: 'node2' }

  it('reachable: ping answers, route via the underlay, link confirmed', () => {
    const s = walk(rb(), io, world(), { link: 'yes' })
    expect(s.findings).toEqual([])
    expect(s.history.map((h) => h.stepId)).toEqual(['subnets', 'host-ip', 'ping', 'route', 'link'])
  })

  it('no ping but tracepath gets through: no finding; neither: the nodes do not reach each other', () => {
    expect(walk(rb(), io, world({ ping: 1 }), { link: 'yes' }).findings).toEqual([])
    const s = walk(rb(), io, world({ ping: 1, tracepath: 1, noRoute: true }), { link: 'no' })
    expect(s.findings.map((f) => f.title)).toEqual(['node1 does not reach node2 (10.200.1.2)', 'node1 has no usable route to 10.200.1.2', 'The link between node1 and node2 is down or mismatched'])
    expect(walk(rb(), io, world({ viaTun0: true }), { link: 'yes' }).findings.map((f) => f.title)).toEqual(['node1 has no usable route to 10.200.1.2'])
  })

  it('a wrong HostSubnet: a node without one, or a HostIP the node no longer holds', () => {
    expect(walk(rb(), { srcNode: 'node1', dstNode: 'node7' }, world()).findings.map((f) => f.title)).toEqual(['A node of the path has no HostSubnet'])
    expect(walk(rb(), io, world({ lostIp: true })).findings.map((f) => f.title)).toEqual(['node2 does not hold its HostIP 10.200.1.2'])
  })
})

describe('sdn-logs engine paths', () => {
  const rb = () => runbooks.get('sdn-logs')!
  const pods = 'NAME        READY   STATUS    RESTARTS   AGE   IP           NODE    NOMINATED NODE\novs-x7k2p   1/1     Running   0          3d    10.200.0.2   node1.example.com   <none>\nsdn-x7k2p   1/1     Running   0          3d    10.200.0.2   node1.example.com   <none>\n'
  const world = (log: string, journal = 'Nov 25 node started\n'): World => ({
    exec(_id, _t, argv) {
      const cmd = argv.join(' ')
      if (cmd.includes('get pods')) return { text: pods, exitCode: 0 }
      if (cmd.includes('logs sdn-x7k2p')) return { text: log, exitCode: 0 }
      if (argv[0] === 'journalctl') return { text: journal, exitCode: 0 }
      throw new Error(cmd)
    }
  })
  const ok = 'I1125 openshift-sdn network plugin ready\n'

  it('finds the sdn pod of the node by its NODE column (short name too) and reads a clean log', () => {
    const s = walk(rb(), { node: 'node1' }, world(ok))
    expect(s.findings).toEqual([])
    expect(s.history[1]!.argv).toEqual(['oc', '-n', 'openshift-sdn', 'logs', 'sdn-x7k2p'])
  })

  it('names each trouble message of the 3.11 SDN', () => {
    expect(walk(rb(), { node: 'node1' }, world('W1125 Local networks conflict with SDN; this will eventually cause problems: x\n')).findings.map((f) => f.title)).toEqual(['A local network of node1 overlaps the SDN'])
    expect(walk(rb(), { node: 'node1' }, world('E1125 SDN healthcheck detected unhealthy OVS server, restarting: x\n')).findings.map((f) => f.title)).toEqual(['OVS on node1 was restarted by the SDN health check'])
    expect(walk(rb(), { node: 'node1' }, world("W1125 will restart pod 'a/b' due to update failure on restart: x\n")).findings.map((f) => f.title)).toEqual(['The SDN on node1 restarted pods it could not set up again'])
  })

  it('without an sdn pod on the node (before 3.10), reads the node service journal', () => {
    expect(walk(rb(), { node: 'node9' }, world(ok)).history.map((h) => h.stepId)).toEqual(['sdn-pod', 'journal'])
    expect(walk(rb(), { node: 'node9' }, world(ok, 'Local networks conflict with SDN; x\n')).findings.map((f) => f.title)).toEqual(['A local network of node9 overlaps the SDN'])
  })
})

describe('external-access engine paths (this machine)', () => {
  const rb = () => runbooks.get('external-access')!
  interface F { curl?: number; resolve?: string; connect?: 'ok' | 'refused' | 'timeout' }
  const world = (f: F = {}): World => ({
    exec(_id, target, argv) {
      expect(target.kind).toBe('workstation')
      if (argv[0] === 'curl' && argv[4]?.startsWith('telnet://')) {
        const c = f.connect ?? 'ok'
        return c === 'ok' ? { text: '*   Trying 10.0.0.9:80...\n* Connected to 10.0.0.9 (10.0.0.9) port 80 (#0)\n* Time-out\n', exitCode: 28 } : c === 'refused' ? { text: '* connect to 10.0.0.9 port 80 failed: Connection refused\n', exitCode: 7 } : { text: '*   Trying 10.0.0.9:80...\n* Connection timed out\n', exitCode: 28 }
      }
      if (argv[0] === 'curl') return { text: '< HTTP/1.1 503 Service Unavailable\n', exitCode: f.curl ?? 0 }
      if (argv[0] === 'getent') return { text: f.resolve ?? '10.0.0.9      STREAM app.example.com\n10.0.0.9      DGRAM\n', exitCode: f.resolve === '' ? 2 : 0 }
      throw new Error(argv.join(' '))
    }
  })
  const io = { url: 'http://app.example.com/x', hostname: 'app.example.com', port: '80' }

  it('works from here; does not resolve; resolves elsewhere', () => {
    expect(walk(rb(), io, world()).findings.map((f) => f.title)).toEqual(['http://app.example.com/x answers from this machine'])
    expect(walk(rb(), io, world({ curl: 6, resolve: '' })).findings.map((f) => f.title)).toEqual(['app.example.com does not resolve'])
    expect(walk(rb(), io, world({ curl: 7 }), { 'router-ip': 'no' }).findings.map((f) => f.title)).toEqual(['app.example.com points at 10.0.0.9, which runs no router'])
  })

  it('the router port: answers, refuses, or times out', () => {
    expect(walk(rb(), io, world({ curl: 28 }), { 'router-ip': 'yes' }).findings.map((f) => f.title)).toEqual(['The router\'s port answers at 10.0.0.9:80'])
    expect(walk(rb(), io, world({ curl: 7, connect: 'refused' }), { 'router-ip': 'unknown' }).findings.map((f) => f.title)).toEqual(['Nothing listens on 10.0.0.9:80'])
    expect(walk(rb(), io, world({ curl: 28, connect: 'timeout' }), { 'router-ip': 'yes' }).findings.map((f) => f.title)).toEqual(['10.0.0.9:80 does not answer'])
  })

  it('a finding at the router port continues with the Router runbook, with the host name and the address it resolved', () => {
    const f = walk(rb(), io, world({ curl: 7, connect: 'refused' }), { 'router-ip': 'yes' }).findings[0]!
    expect(f.continueWith).toEqual({ runbookId: 'router', inputs: { hostname: 'app.example.com', routerIP: '10.0.0.9' } })
    // A value whose placeholder the run never learned is left for the engineer to fill in.
    expect(walk(rb(), io, world()).findings[0]!.continueWith).toBeNull()
  })
})

describe('continuing with another runbook', () => {
  it('the shipped runbooks only continue with runbooks and inputs that exist', () => {
    expect(continueProblems([...runbooks.values()])).toEqual([])
    expect([...runbooks.values()].flatMap((r) => r.steps.flatMap((s) => [s.pass, s.fail, ...s.checks.map((c) => c.fail)].map((o) => o?.finding?.continue?.runbook))).filter((x) => x).length).toBeGreaterThanOrEqual(9)
  })

  it('a continue to a missing runbook or input is reported', () => {
    const r = parseRunbookYaml(
      'id: x\ntitle: X\nversion: 1\nsection: s\nsummary: s\ninputs: [{id: a, label: A, type: text}]\nsteps:\n  - id: s1\n    title: T\n    why: w\n    where: master\n    command: [hostname]\n    pass: {next: done, finding: {severity: info, title: t, explain: e, continue: {runbook: router, inputs: {nope: "{a}"}}}}\n    fail: {next: done, finding: {severity: info, title: t, explain: e, continue: {runbook: ghost}}}\n'
    )
    if (!('runbook' in r)) throw new Error(r.problems.join())
    expect(continueProblems([r.runbook, ...runbooks.values()]).filter((p) => p.runbookId === 'x').map((p) => p.message)).toEqual([
      'step "s1" pass: runbook "router" has no input "nope"',
      'step "s1" fail: continues with runbook "ghost", which does not exist'
    ])
  })

  it('the engine fills the next runbook\'s inputs from the run (inputs and facts), leaving unknown ones out', () => {
    const rb: Runbook = {
      id: 'x', title: 'X', version: 1, section: 's', summary: 's',
      inputs: [{ id: 'node', label: 'Node', type: 'node', required: true }],
      steps: [{ id: 's1', title: 'T', why: 'w', where: { kind: 'master' }, command: ['hostname'], mutating: false, checks: [{ type: 'exit', expect: 'x', params: { equals: 0 } }], pass: { next: 'done', finding: { severity: 'info', title: 't', explain: 'e', continue: { runbook: 'mtu', inputs: { node: '{node}', other: '{neverLearned}' } } } }, fail: { next: 'done' } }]
    }
    const st = startRun(rb, { node: 'node7' })
    if (!('state' in st)) throw new Error('start')
    const done = applyEvidence(rb, st.state, { exitCode: 0, text: '', parsed: null, captureId: null }, 't')
    expect(done.findings[0]!.continueWith).toEqual({ runbookId: 'mtu', inputs: { node: 'node7' } })
  })
})

describe('router engine paths', () => {
  const rb = () => runbooks.get('router')!
  interface F { noEndpoints?: boolean; elsewhere?: boolean; noRoute?: boolean }
  const world = (f: F = {}): World => ({
    exec(_id, _t, argv) {
      if (argv[2] === 'endpoints') return { text: f.noEndpoints ? 'No resources found.\n' : 'NAMESPACE   NAME     ENDPOINTS       AGE\ndefault     router   10.128.0.4:80   3d\n', exitCode: 0 }
      if (argv[2] === 'pods') {
        expect(argv[5]).toBe('--template={{range .items}}HostIP: {{.status.hostIP}}   PodIP: {{.status.podIP}}{{"\\n"}}{{end}}')
        return { text: `HostIP: ${f.elsewhere ? '192.168.1.7' : '10.0.0.9'}   PodIP: 10.128.0.4\n`, exitCode: 0 }
      }
      if (argv[2] === 'route') return { text: `NAMESPACE   NAME   HOST/PORT   PATH   SERVICES   PORT   TERMINATION   WILDCARD\nproj-a   app   ${f.noRoute ? 'other.example.com' : 'app.example.com'}    /      app   8080                 None\n`, exitCode: 0 }
      throw new Error(argv.join(' '))
    }
  })
  const io = { hostname: 'app.example.com', routerIP: '10.0.0.9' }

  it('routers ready, on the right host, with a route; or not', () => {
    expect(walk(rb(), io, world()).findings.map((f) => f.title)).toEqual(['A route serves app.example.com'])
    expect(walk(rb(), io, world({ noEndpoints: true })).findings.map((f) => f.title)).toEqual(['No router is ready'])
    expect(walk(rb(), io, world({ elsewhere: true, noRoute: true })).findings.map((f) => f.title)).toEqual(['No router runs on 10.0.0.9', 'No route for app.example.com'])
  })

  it('an input inside a pattern is matched literally, not as a regular expression', () => {
    expect(walk(rb(), { hostname: 'app.example.com', routerIP: '10.0.0.9' }, world()).history[1]!.result).toBe('pass')
    // "10x0x0x9" would match the pattern if the dots of the input were regular expression wildcards.
    const w: World = { exec: (id, t, argv) => (argv[2] === 'pods' ? { text: 'HostIP: 10x0x0x9   PodIP: 1.2.3.4\n', exitCode: 0 } : world().exec(id, t, argv)) }
    expect(walk(rb(), io, w).history[1]!.result).toBe('fail')
  })
})

describe('diagnostics engine paths', () => {
  const rb = () => runbooks.get('diagnostics')!
  it('NetworkCheck is marked as changing the cluster; its errors become a finding', () => {
    const st = startRun(rb(), {})
    if ('missing' in st) throw new Error('inputs')
    expect(nextAction(rb(), st.state)).toMatchObject({ kind: 'run', mutating: true })
    const clean: World = { exec: () => ({ text: '[Note] Running diagnostic: NetworkCheck\n       Description: Create a pod on all schedulable nodes and run network diagnostics from the application standpoint\n[Note] Summary of diagnostics execution (version v3.11.0):\n[Note] Completed with no errors or warnings seen.\n', exitCode: 0 }) }
    expect(walk(rb(), {}, clean).findings).toEqual([])
    const bad: World = { exec: () => ({ text: 'ERROR: [DNet2005 from diagnostic NetworkDiagnostic@openshift/origin/pkg/oc/cli/admin/diagnostics/diagnostics/cluster/network/run_pod.go:171]\n       Setting up test environment for network diagnostics failed\n', exitCode: 1 }) }
    const s = walk(rb(), {}, bad)
    expect(s.findings.map((f) => f.title)).toEqual(['NetworkCheck reported errors'])
    expect(s.findings[0]!.evidence[0]!.lines[0]!.text).toMatch(/^ERROR: \[DNet2005/)
  })
})

describe('service engine paths', () => {
  const rb = () => runbooks.get('service')!
  interface F { noSvc?: boolean; noEndpoints?: boolean; svc?: number; ep?: number }
  const world = (f: F = {}): World => ({
    exec(_id, _t, argv) {
      if (argv[2] === 'svc') return { text: `NAME       TYPE        CLUSTER-IP       EXTERNAL-IP   PORT(S)    AGE\n${f.noSvc ? '' : 'registry   ClusterIP   172.30.243.225   <none>        5000/TCP   3d\n'}`, exitCode: 0 }
      if (argv[2] === 'endpoints') return { text: `NAME       ENDPOINTS         AGE\nregistry   ${f.noEndpoints ? '<none>' : '10.128.2.2:5000,10.128.4.7:5000'}   3d\n`, exitCode: 0 }
      if (argv[0] === 'curl') return argv[8]!.includes('172.30.') ? { text: f.svc ? '000\n' : '200\n', exitCode: f.svc ?? 0 } : { text: f.ep ? '000\n' : '200\n', exitCode: f.ep ?? 0 }
      throw new Error(argv.join(' '))
    }
  })
  const io = { service: 'registry', namespace: 'default', port: '5000', node: 'node1' }
  it('each outcome of the service IP and the endpoint names where to look next', () => {
    expect(walk(rb(), io, world()).findings.map((f) => f.title)).toEqual(['Service registry and its endpoint 10.128.2.2:5000 answer from node1'])
    expect(walk(rb(), io, world({ ep: 7 })).findings.map((f) => f.title)).toEqual(['Endpoint 10.128.2.2:5000 of registry does not answer from node1'])
    expect(walk(rb(), io, world({ svc: 28 })).findings.map((f) => f.title)).toEqual(['10.128.2.2:5000 answers but the service IP 172.30.243.225:5000 does not'])
    expect(walk(rb(), io, world({ svc: 28, ep: 28 })).findings.map((f) => f.title)).toEqual(['Neither registry nor its endpoint 10.128.2.2:5000 answer from node1'])
    expect(walk(rb(), io, world({ noSvc: true })).findings.map((f) => f.title)).toEqual(['Service registry is missing in default, or has no cluster IP'])
    expect(walk(rb(), io, world({ noEndpoints: true })).findings.map((f) => f.title)).toEqual(['Service registry has no endpoints'])
    const s = walk(rb(), io, world())
    expect(s.history[2]!.argv).toEqual(['curl', '-ksS', '-o', '/dev/null', '--max-time', '10', '-w', '%{http_code}\n', 'http://172.30.243.225:5000/'])
  })
})

describe('kube-proxy engine paths', () => {
  const rb = () => runbooks.get('kube-proxy')!
  const nat = (rules: string): World => ({ exec: () => ({ text: `*nat\n:KUBE-SERVICES - [0:0]\n${rules}COMMIT\n`, exitCode: 0 }) })
  const svcRule = '-A KUBE-SERVICES -d 172.30.243.225/32 -p tcp -m comment --comment "default/registry:5000-tcp cluster IP" -m tcp --dport 5000 -j KUBE-SVC-ECTPRXTXBM34L34Q\n'
  const io = { serviceIP: '172.30.243.225', port: '5000', node: 'node1' }
  it('the service rule and its endpoint chains, or what is missing', () => {
    expect(walk(rb(), io, nat(svcRule + '-A KUBE-SVC-ECTPRXTXBM34L34Q -m comment --comment "default/registry:5000-tcp" -j KUBE-SEP-OLQGGBJGOEPRWVQN\n')).findings).toEqual([])
    expect(walk(rb(), io, nat(svcRule)).findings.map((f) => f.title)).toEqual(['KUBE-SVC-ECTPRXTXBM34L34Q on node1 has no endpoint'])
    expect(walk(rb(), io, nat(svcRule.replace('--dport 5000', '--dport 5001'))).findings.map((f) => f.title)).toEqual(['node1 has no NAT rule for 172.30.243.225:5000'])
    // The dots of the service IP are literal: 172x30x243x225 must not match.
    expect(walk(rb(), io, nat(svcRule.replace('172.30.243.225', '172x30x243x225'))).findings.map((f) => f.title)).toEqual(['node1 has no NAT rule for 172.30.243.225:5000'])
  })
})

describe('pod-egress engine paths', () => {
  const rb = () => runbooks.get('pod-egress')!
  const world = (resolve: string | null, connect = 0): World => ({
    exec(_id, target, argv) {
      expect(target.kind).toBe('master')
      expect(argv.slice(0, 6)).toEqual(['oc', '-n', 'proj-a', 'exec', 'web-1', '--'])
      if (argv[6] === 'getent') return resolve === null ? { text: '', exitCode: 2 } : { text: `${resolve}  github.com\n`, exitCode: 0 }
      return { text: '', exitCode: connect }
    }
  })
  const io = { pod: 'web-1', namespace: 'proj-a', externalHost: 'github.com' }
  it('resolution, the wildcard question, the connection', () => {
    expect(walk(rb(), io, world('140.82.121.4'), { wildcard: 'yes' }).findings.map((f) => f.title)).toEqual(['web-1 reaches github.com'])
    expect(walk(rb(), io, world('140.82.121.4', 7), { wildcard: 'yes' }).findings.map((f) => f.title)).toEqual(['web-1 cannot connect to github.com'])
    expect(walk(rb(), io, world('10.0.0.99'), { wildcard: 'no' }).findings.map((f) => f.title)).toEqual(['A DNS wildcard answers for github.com'])
    expect(walk(rb(), io, world(null)).findings.map((f) => f.title)).toEqual(['github.com does not resolve inside web-1'])
  })
})

describe('coverage', () => {
  // Runs last (tests of a file run in order): every path through every runbook was taken above.
  it('every edge of every runbook is taken by an engine test', () => {
    for (const rb of runbooks.values()) {
      const missing = [...edges(rb)].filter((e) => !visited.get(rb.id)?.has(e))
      expect(missing, `${rb.id}: paths no test takes`).toEqual([])
      expect(visited.get(rb.id)?.size ?? 0).toBeGreaterThan(0)
    }
  })
})
