// SSH against the real lab: real OpenSSH sshd on loopback (jump host) and in node namespaces.
import { execFileSync, spawnSync } from 'node:child_process'
import { chmodSync, existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { createServer, type Server } from 'node:net'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { parseOutput } from '../../src-main/core/parse/registry'
import { changeHostKey, killNodeSshdSessions, labPassword, labUser, startLab, startNodeSshd, stopLab, type Lab } from '../lab/lab'
import { SshHarness } from '../helpers/ssh-harness'
import { tempDir } from '../helpers/tmp'

let t: ReturnType<typeof tempDir>
let lab: Lab
let h: SshHarness
let agent: { pid: number; sock: string }
const connectTimeoutMs = 2000
const ids: Record<string, number> = {}

function sshKeygenFingerprint(pub: string): string {
  const f = join(t.dir, 'fp.pub')
  writeFileSync(f, pub + '\n')
  return execFileSync('ssh-keygen', ['-l', '-E', 'sha256', '-f', f], { encoding: 'utf8' }).split(' ')[1] ?? ''
}

function sshdLog(node: string): string {
  return readFileSync(join(lab.dir, 'ssh', `sshd-${node}.log`), 'utf8')
}

function acceptedLogins(node: string): number {
  return sshdLog(node).split('\n').filter((l) => l.includes('Accepted ')).length
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b)
  return s[Math.floor(s.length / 2)] ?? NaN
}

beforeAll(async () => {
  t = tempDir('sdnwb-ssh-')
  chmodSync(t.dir, 0o755)
  lab = await startLab({ dir: join(t.dir, 'lab'), nodes: 2 })
  const sock = join(t.dir, 'agent.sock')
  const out = execFileSync('ssh-agent', ['-s', '-a', sock], { encoding: 'utf8' })
  agent = { sock, pid: Number(/SSH_AGENT_PID=(\d+)/.exec(out)?.[1]) }
  execFileSync('ssh-add', ['-q', lab.keys.rsa], { env: { ...process.env, SSH_AUTH_SOCK: sock }, stdio: 'ignore' })
  h = new SshHarness(join(t.dir, 'wb'), { connectTimeoutMs, agentSocket: sock, keepaliveMs: 1000 })
  await h.call('case.create', { name: 'ssh lab' })
  const [n1, n2] = lab.nodes
  if (!n1 || !n2) throw new Error('lab has no nodes')
  ids.jump = await h.addHost({ name: 'jump', address: '127.0.0.1', port: lab.jump.port, role: 'master', keyPath: lab.keys.ed25519 })
  ids.jump2 = await h.addHost({ name: 'jump2', address: '127.0.0.1', port: lab.jump.port, role: 'master', keyPath: lab.keys.ed25519, jumpHostId: ids.jump })
  ids.node1 = await h.addHost({ name: 'node1', address: n1.ip, port: 22, keyPath: lab.keys.rsa })
  ids.node2 = await h.addHost({ name: 'node2', address: n2.ip, port: 22, keyPath: lab.keys.ed25519 })
  ids.node1j = await h.addHost({ name: 'node1-j', address: n1.ip, port: 22, keyPath: lab.keys.ed25519, jumpHostId: ids.jump })
  ids.node2j = await h.addHost({ name: 'node2-j', address: n2.ip, port: 22, keyPath: lab.keys.ed25519, jumpHostId: ids.jump })
  ids.node2jj = await h.addHost({ name: 'node2-jj', address: n2.ip, port: 22, keyPath: lab.keys.ed25519, jumpHostId: ids.jump2 })
  ids.node1pp = await h.addHost({ name: 'node1-pp', address: n1.ip, port: 22, keyPath: lab.keys.ecdsaWithPassphrase })
  ids.node1pw = await h.addHost({ name: 'node1-pw', address: n1.ip, port: 22, user: labUser, authMethod: 'password' })
  ids.node2agent = await h.addHost({ name: 'node2-agent', address: n2.ip, port: 22, authMethod: 'agent' })
})

afterAll(() => {
  h?.close()
  if (agent?.pid) spawnSync('kill', [String(agent.pid)])
  if (lab) stopLab(lab)
  t?.cleanup()
})

describe('host keys', () => {
  it('an unknown key prompts with the SHA256 fingerprint ssh-keygen shows; "remember" stores it', async () => {
    h.policy.hostKey = () => 'remember'
    const before = h.prompts('ssh.hostKeyPrompt').length
    const s = await h.call('ssh.connect', { hostId: ids.jump })
    expect(s).toMatchObject({ state: 'connected', error: null })
    const asked = h.prompts('ssh.hostKeyPrompt').slice(before)
    expect(asked).toHaveLength(1)
    expect(asked[0]).toMatchObject({ hostName: 'jump', address: '127.0.0.1', port: lab.jump.port, keyType: 'ssh-ed25519' })
    expect(asked[0]?.fingerprint).toBe(sshKeygenFingerprint(lab.jump.hostKeyPub))
    const known = await h.call('knownHosts.list')
    expect(known.map((k) => k.pattern)).toContain(`[127.0.0.1]:${lab.jump.port}`)
    await h.call('ssh.disconnect', { hostId: ids.jump })
    expect(await h.call('ssh.connect', { hostId: ids.jump })).toMatchObject({ state: 'connected' })
    expect(h.prompts('ssh.hostKeyPrompt').length).toBe(before + 1)
  })

  it('a rejected key fails with a clear error and the server sees no login', async () => {
    const logins = acceptedLogins('node1')
    h.policy.hostKey = () => 'reject'
    const s = await h.call('ssh.connect', { hostId: ids.node1 })
    expect(s.state).toBe('failed')
    expect(s.error?.kind).toBe('host-key-rejected')
    expect(s.error?.message).toMatch(/not accepted\. Nothing was run/)
    expect(acceptedLogins('node1')).toBe(logins)
    h.policy.hostKey = () => 'once'
    expect(await h.call('ssh.connect', { hostId: ids.node1 })).toMatchObject({ state: 'connected' })
    expect((await h.call('knownHosts.list')).map((k) => k.pattern)).not.toContain(lab.nodes[0]?.ip)
    h.policy.hostKey = () => 'remember'
  })
})

describe('authentication', () => {
  it('key auth: ed25519 (jump), RSA (node1), ECDSA with a passphrase asked through a prompt (wrong, then right)', async () => {
    let asked = 0
    h.policy.secret = (p) => (p.kind === 'passphrase' ? (asked++ === 0 ? 'wrong' : lab.keys.passphrase) : null)
    for (const id of [ids.jump, ids.node1, ids.node1pp]) {
      const r = await h.call('ssh.exec', { hostId: id, argv: ['id', '-un'] })
      expect(r, JSON.stringify(r.error)).toMatchObject({ exitCode: 0, stdout: 'root\n', error: null })
    }
    expect(asked).toBe(2)
    const prompts = h.prompts('ssh.secretPrompt').filter((p) => p.kind === 'passphrase')
    expect(prompts.map((p) => p.prompt)).toEqual([`Passphrase for ${lab.keys.ecdsaWithPassphrase}`, `Wrong passphrase. Passphrase for ${lab.keys.ecdsaWithPassphrase}`])
  })

  it('password auth (wrong, then right) and agent auth; no secret reaches a file', async () => {
    let tries = 0
    h.policy.secret = (p) => (p.kind === 'password' ? (tries++ === 0 ? 'not-the-password' : labPassword) : null)
    const pw = await h.call('ssh.exec', { hostId: ids.node1pw, argv: ['id', '-un'] })
    expect(pw, JSON.stringify(pw.error)).toMatchObject({ exitCode: 0, stdout: `${labUser}\n` })
    expect(tries).toBe(2)
    const ag = await h.call('ssh.exec', { hostId: ids.node2agent, argv: ['id', '-un'] })
    expect(ag, JSON.stringify(ag.error)).toMatchObject({ exitCode: 0, stdout: 'root\n' })
    // The workbench's own files: app database, case file, WAL.
    const files = [join(t.dir, 'wb', 'data'), join(t.dir, 'wb', 'cases')].flatMap((d) => readdirSync(d).map((f) => join(d, f))).filter((f) => statSync(f).isFile())
    expect(files.length).toBeGreaterThan(1)
    for (const f of files) {
      const bytes = readFileSync(f)
      for (const secret of [labPassword, lab.keys.passphrase, 'not-the-password']) expect(bytes.includes(secret), `${secret} in ${f}`).toBe(false)
    }
  })

  it('keyboard-interactive (PAM, password login off): the server\'s question is asked through the prompt', async () => {
    const kbd = await h.addHost({ name: 'node1-kbd', address: lab.kbdInteractive!.address, port: lab.kbdInteractive!.port, user: labUser, authMethod: 'password' })
    // Its host key comes from an imported known_hosts file, hashed by ssh-keygen -H: no host-key question.
    const kh = join(t.dir, 'known_hosts')
    writeFileSync(kh, `[${lab.kbdInteractive!.address}]:${lab.kbdInteractive!.port} ${lab.nodes[0]!.hostKeyPub}\n`)
    execFileSync('ssh-keygen', ['-H', '-f', kh], { stdio: 'ignore' })
    const text = readFileSync(kh, 'utf8') + 'not a known_hosts line\n'
    expect(text.startsWith('|1|')).toBe(true)
    expect(await h.call('knownHosts.import', { text, source: 'known_hosts' })).toEqual({ added: 1, alreadyKnown: 0, problems: [{ line: 2, message: 'not "host keytype base64-key"' }] })
    expect((await h.call('knownHosts.import', { text, source: 'known_hosts' })).alreadyKnown).toBe(1)
    const hashed = (await h.call('knownHosts.list')).find((k) => k.source === 'known_hosts')
    expect(hashed).toMatchObject({ hashed: true, keyType: 'ssh-ed25519', fingerprint: sshKeygenFingerprint(lab.nodes[0]!.hostKeyPub) })
    const keyPrompts = h.prompts('ssh.hostKeyPrompt').length
    const seen: string[] = []
    h.policy.secret = (p) => {
      seen.push(`${p.kind}|${p.prompt}|${p.echo}`)
      return p.kind === 'keyboard-interactive' ? labPassword : null
    }
    const r = await h.call('ssh.exec', { hostId: kbd, argv: ['id', '-un'] })
    expect(r, JSON.stringify(r.error)).toMatchObject({ exitCode: 0, stdout: `${labUser}\n` })
    // No doomed "password" attempt first: the server offers only publickey and keyboard-interactive.
    expect(seen).toEqual([`keyboard-interactive|${labUser}@node1-kbd: Password:|false`])
    expect(h.prompts('ssh.hostKeyPrompt').length).toBe(keyPrompts)
  })

  it('a refused password ends as an auth error after three tries, not a hang', async () => {
    const bad = await h.addHost({ name: 'node2-badpw', address: lab.nodes[1]!.ip, port: 22, user: labUser, authMethod: 'password' })
    h.policy.secret = () => 'wrong-again'
    const s = await h.call('ssh.connect', { hostId: bad })
    expect(s.state).toBe('failed')
    expect(s.error).toMatchObject({ kind: 'auth' })
    expect(s.error?.message).toMatch(/wrong password for sdnlab/)
    expect(s.error?.message).not.toContain('wrong-again')
  })
})

describe('jump hosts', () => {
  it('reaches both nodes through the jump host, and node2 through two hops', async () => {
    for (const [id, ip] of [[ids.node1j, lab.nodes[0]!.ip], [ids.node2j, lab.nodes[1]!.ip], [ids.node2jj, lab.nodes[1]!.ip]] as const) {
      const r = await h.call('ssh.exec', { hostId: id, argv: ['ip', '-o', '-4', 'addr', 'show', 'dev', 'eth0'] })
      expect(r, JSON.stringify(r.error)).toMatchObject({ exitCode: 0 })
      expect(r.stdout).toContain(`inet ${ip}/24`)
    }
    expect((await h.call('ssh.states')).find((s) => s.hostId === ids.jump2)?.state).toBe('connected')
  })

  it('20 commands on 2 nodes in parallel through the jump host all complete (timings printed)', async () => {
    const cmds = [
      ['ovs-ofctl', '-O', 'OpenFlow13', 'dump-flows', 'br0'],
      ['ovs-ofctl', '-O', 'OpenFlow13', 'dump-ports-desc', 'br0'],
      ['ovs-vsctl', 'show'],
      ['ovs-vsctl', '--format=json', 'list', 'Interface'],
      ['ip', 'addr'],
      ['ip', 'route'],
      ['iptables-save'],
      ['sysctl', 'net.ipv4.ip_forward'],
      ['ip', '-d', 'link', 'show', 'vxlan_sys_4789'],
      ['ovs-appctl', 'ofproto/trace', 'br0', 'in_port=3,ip,nw_src=10.128.0.2,nw_dst=10.128.2.2']
    ]
    const runs: number[] = []
    for (let round = 0; round < 3; round++) {
      for (const id of [ids.node1j, ids.node2j]) await h.call('ssh.disconnect', { hostId: id })
      const t0 = Date.now()
      const results = await Promise.all([ids.node1j, ids.node2j].flatMap((id) => cmds.map((argv) => h.call('ssh.exec', { hostId: id, argv }))))
      runs.push(Date.now() - t0)
      expect(results).toHaveLength(20)
      for (const r of results) expect(r.error, `${r.command}: ${JSON.stringify(r.error)} ${r.stderr}`).toBeNull()
      // vxlan_sys_4789 does not exist in the lab (netdev datapath): a real non-zero exit, still a completed command.
      expect(results.filter((r) => r.exitCode !== 0).map((r) => r.command)).toEqual(['ip -d link show vxlan_sys_4789', 'ip -d link show vxlan_sys_4789'])
      const flows = parseOutput('ovs-ofctl.dump-flows', results[0]!.stdout)
      expect(flows.diagnostics).toEqual([])
      if (round === 0) console.log(`20 commands / 2 nodes via jump: per-command durations ms ${results.map((r) => r.durationMs).join(' ')}`)
    }
    console.log(`20 commands on 2 nodes through the jump host, from cold connections: runs ${runs.join(', ')} ms, median ${median(runs)} ms`)
  })
})

describe('failures', () => {
  let silent: Server
  beforeAll(async () => {
    silent = createServer(() => {}) // accepts and says nothing: not an SSH server
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r))
  })
  afterAll(() => silent.close())

  it('refused, filtered (SYN dropped) and silent hosts fail within the timeout while the others proceed', async () => {
    const port = (silent.address() as { port: number }).port
    const refusedPort = await new Promise<number>((r) => {
      const s = createServer().listen(0, '127.0.0.1', () => {
        const p = (s.address() as { port: number }).port
        s.close(() => r(p))
      })
    })
    const n1 = lab.nodes[0]!
    spawnSync('ip', ['netns', 'exec', n1.netns, 'iptables', '-I', 'INPUT', '-p', 'tcp', '--dport', '2222', '-j', 'DROP'])
    try {
      const keyPath = lab.keys.ed25519
      const refused = await h.addHost({ name: 'refused', address: '127.0.0.1', port: refusedPort, keyPath })
      const filtered = await h.addHost({ name: 'filtered', address: n1.ip, port: 2222, keyPath })
      const mute = await h.addHost({ name: 'mute', address: '127.0.0.1', port, keyPath })
      const t0 = Date.now()
      const done: Record<string, number> = {}
      const track = <T>(name: string, p: Promise<T>) => p.then((v) => ((done[name] = Date.now() - t0), v))
      const [r1, r2, r3, ok] = await Promise.all([
        track('refused', h.call('ssh.connect', { hostId: refused })),
        track('filtered', h.call('ssh.connect', { hostId: filtered })),
        track('mute', h.call('ssh.connect', { hostId: mute })),
        track('node2', h.call('ssh.exec', { hostId: ids.node2, argv: ['ovs-vsctl', 'show'] }))
      ])
      expect(r1.error).toMatchObject({ kind: 'unreachable' })
      expect(r1.error?.message).toMatch(/connection refused/)
      expect(r2.error).toMatchObject({ kind: 'timeout' })
      expect(r2.error?.message).toMatch(/no TCP connection within 2 s/)
      expect(r3.error).toMatchObject({ kind: 'timeout' })
      expect(r3.error?.message).toMatch(/no SSH greeting within 2 s/)
      expect(ok.error).toBeNull()
      expect(ok.exitCode).toBe(0)
      for (const k of ['filtered', 'mute']) {
        expect(done[k]).toBeGreaterThanOrEqual(connectTimeoutMs - 50)
        expect(done[k]).toBeLessThan(connectTimeoutMs + 1500)
      }
      expect(done.refused).toBeLessThan(1000)
      expect(done.node2).toBeLessThan(done.filtered!)
      console.log(`failures: refused ${done.refused} ms, filtered ${done.filtered} ms, silent ${done.mute} ms, node2 ok in ${done.node2} ms`)
    } finally {
      spawnSync('ip', ['netns', 'exec', n1.netns, 'iptables', '-D', 'INPUT', '-p', 'tcp', '--dport', '2222', '-j', 'DROP'])
    }
  })

  it('Disconnect gives up a login under way: at the SSH greeting, and at an open host-key question', async () => {
    const port = (silent.address() as { port: number }).port
    const mute = await h.addHost({ name: 'mute2', address: '127.0.0.1', port, keyPath: lab.keys.ed25519 })
    const t0 = Date.now()
    const pending = h.call('ssh.connect', { hostId: mute })
    await new Promise((r) => setTimeout(r, 300))
    await h.call('ssh.disconnect', { hostId: mute })
    expect(await pending).toMatchObject({ state: 'disconnected', error: null })
    expect(Date.now() - t0).toBeLessThan(1000)

    // "localhost" is another known-hosts name than 127.0.0.1: its key is asked about.
    const byName = await h.addHost({ name: 'jump-by-name', address: 'localhost', port: lab.jump.port, keyPath: lab.keys.ed25519 })
    h.policy.hostKey = () => 'ignore'
    const before = h.prompts('ssh.hostKeyPrompt').length
    const asking = h.call('ssh.connect', { hostId: byName })
    await expect.poll(() => h.prompts('ssh.hostKeyPrompt').length).toBe(before + 1)
    const question = h.prompts('ssh.hostKeyPrompt').at(-1)!
    await h.call('ssh.disconnect', { hostId: byName })
    expect((await asking).state).toBe('disconnected')
    expect(h.events.some((e) => e.name === 'ssh.promptClosed' && (e.payload as { promptId: string }).promptId === question.promptId)).toBe(true)
    expect((await h.call('ssh.pendingPrompts')).hostKeys).toEqual([])
    h.policy.hostKey = () => 'remember'
  })

  it('a command timeout stops the command; cancel stops another; the session stays usable', async () => {
    const slow = await h.call('ssh.exec', { hostId: ids.node1, argv: ['sleep', '17.5'], timeoutMs: 500 })
    expect(slow.error).toMatchObject({ kind: 'timeout' })
    expect(slow.durationMs).toBeLessThan(2000)
    // The remote sleep was signalled, not left running: gone within a few seconds (sshd delivers the signal and the
    // process exits asynchronously; a pgrep right after the timeout once still saw it on a loaded CI machine).
    const running = async () => (await h.call('ssh.exec', { hostId: ids.node1, argv: ['pgrep', '-f', '^sleep 17[.]5$'] })).stdout
    const gone = Date.now() + 3000
    while ((await running()) !== '' && Date.now() < gone) await new Promise((r) => setTimeout(r, 100))
    expect(await running()).toBe('')
    const pending = h.call('ssh.exec', { hostId: ids.node1, argv: ['sleep', '10'], execId: 'cancel-me' })
    await new Promise((r) => setTimeout(r, 300))
    expect(await h.call('ssh.cancelExec', { execId: 'cancel-me' })).toEqual({ cancelled: true })
    const c = await pending
    expect(c.error).toMatchObject({ kind: 'cancelled' })
    expect(c.durationMs).toBeLessThan(2000)
    expect(await h.call('ssh.exec', { hostId: ids.node1, argv: ['true'] })).toMatchObject({ exitCode: 0, error: null })
  })

  it('sudo -n: allowed diagnostics run as root; a command sudo wants a password for gives a clear error', async () => {
    h.policy.secret = (p) => (p.kind === 'password' ? labPassword : null)
    const flows = await h.call('ssh.exec', { hostId: ids.node1pw, argv: ['ovs-ofctl', '-O', 'OpenFlow13', 'dump-flows', 'br0'], sudo: true })
    expect(flows, flows.stderr).toMatchObject({ exitCode: 0, error: null })
    expect(flows.command).toBe('sudo -n -- ovs-ofctl -O OpenFlow13 dump-flows br0')
    expect(parseOutput('ovs-ofctl.dump-flows', flows.stdout).records).toBeGreaterThan(20)
    const denied = await h.call('ssh.exec', { hostId: ids.node1pw, argv: ['id', '-u'], sudo: true })
    expect(denied.error).toMatchObject({ kind: 'sudo-password' })
    expect(denied.error?.message).toMatch(/sudo on node1-pw wants a password for sdnlab/)
    const test = await h.call('ssh.test', { hostId: ids.node1pw })
    expect(test.state.state).toBe('connected')
    expect(test.result).toMatchObject({ exitCode: 0, error: null })
  })

  it('hostile argument values reach the command as literal arguments, never run', async () => {
    const mark = join(t.dir, 'pwned')
    const hostile = [`x; touch ${mark}1`, `$(touch ${mark}2)`, `\`touch ${mark}3\``, `it's "quoted"`, `a\nb; touch ${mark}4`, `| touch ${mark}5 &`, '*', '~', '$HOME']
    const r = await h.call('ssh.exec', { hostId: ids.node2j, argv: ['printf', '%s\\0', ...hostile] })
    expect(r.error).toBeNull()
    expect(r.stdout.split('\0').slice(0, -1)).toEqual(hostile)
    for (let i = 1; i <= 5; i++) expect(existsSync(`${mark}${i}`)).toBe(false)
    const sudo = await h.call('ssh.exec', { hostId: ids.node1pw, argv: ['ovs-vsctl', 'get', 'Interface', `tun0; touch ${mark}6`, 'ofport'], sudo: true })
    // The remote process saw the hostile value as one argument.
    expect(sudo.exitCode).not.toBe(0)
    expect(sudo.stderr).toMatch(/no row "tun0; touch/)
    expect(existsSync(`${mark}6`)).toBe(false)
  })

  it("killing a node's sshd mid-command is reported as a dropped connection, and the host can be reconnected", async () => {
    const t0 = Date.now()
    const running = h.call('ssh.exec', { hostId: ids.node2, argv: ['sleep', '30'] })
    const viaJump = h.call('ssh.exec', { hostId: ids.node2j, argv: ['sleep', '30'] })
    await new Promise((r) => setTimeout(r, 500))
    killNodeSshdSessions(lab, 'node2')
    const [r, j] = await Promise.all([running, viaJump])
    const took = Date.now() - t0
    expect(r.error).toMatchObject({ kind: 'dropped' })
    expect(j.error).toMatchObject({ kind: 'dropped' })
    expect(took).toBeLessThan(5000)
    expect((await h.call('ssh.states')).find((s) => s.hostId === ids.node2j)).toMatchObject({ state: 'failed', error: { kind: 'dropped' } })
    expect((await h.call('ssh.states')).find((s) => s.hostId === ids.node2)).toMatchObject({ state: 'failed', error: { kind: 'dropped' } })
    startNodeSshd(lab, 'node2')
    expect(await h.call('ssh.connect', { hostId: ids.node2 })).toMatchObject({ state: 'connected' })
    console.log(`sshd killed mid-command: reported dropped after ${took - 500} ms`)
  })

  it('keepalive: a peer that goes silent (packets dropped, no FIN) is reported as dropped, not a hang', async () => {
    const n1 = lab.nodes[0]!
    expect(await h.call('ssh.exec', { hostId: ids.node1, argv: ['true'] })).toMatchObject({ exitCode: 0 })
    const rule = ['INPUT', '-p', 'tcp', '--dport', '22', '-s', n1.hostSideIp, '-j', 'DROP']
    spawnSync('ip', ['netns', 'exec', n1.netns, 'iptables', '-I', ...rule])
    try {
      const t0 = Date.now()
      const r = await h.call('ssh.exec', { hostId: ids.node1, argv: ['sleep', '60'] })
      const took = Date.now() - t0
      expect(r.error).toMatchObject({ kind: 'dropped' })
      // keepalive every 1 s, 3 unanswered: about 4 s, well before the command's own 120 s timeout.
      expect(took).toBeLessThan(8000)
      console.log(`silent peer: reported dropped after ${took} ms (keepalive 1 s x 3)`)
    } finally {
      spawnSync('ip', ['netns', 'exec', n1.netns, 'iptables', '-D', ...rule])
    }
    expect(await h.call('ssh.connect', { hostId: ids.node1 })).toMatchObject({ state: 'connected' })
  })

  it('a changed host key refuses the connection, asks nothing and runs nothing', async () => {
    await h.call('ssh.disconnect', { hostId: ids.node2 })
    changeHostKey(lab, 'node2')
    const logins = acceptedLogins('node2')
    const asked = h.prompts('ssh.hostKeyPrompt').length
    h.policy.hostKey = () => 'remember'
    const s = await h.call('ssh.connect', { hostId: ids.node2 })
    expect(s.state).toBe('failed')
    expect(s.error?.kind).toBe('host-key-changed')
    expect(s.error?.message).toMatch(/^HOST KEY CHANGED for node2 \(10\.200\.1\.2:22\)/)
    expect(s.error?.message).toContain(sshKeygenFingerprint(lab.nodes[1]!.hostKeyPub))
    const r = await h.call('ssh.exec', { hostId: ids.node2, argv: ['touch', join(t.dir, 'ran')] })
    expect(r.error?.kind).toBe('host-key-changed')
    expect(existsSync(join(t.dir, 'ran'))).toBe(false)
    expect(h.prompts('ssh.hostKeyPrompt').length).toBe(asked)
    expect(acceptedLogins('node2')).toBe(logins)
    // The refused login's socket closing later must not turn the state into a "drop".
    await new Promise((r) => setTimeout(r, 300))
    expect((await h.call('ssh.states')).find((x) => x.hostId === ids.node2)?.error?.kind).toBe('host-key-changed')
    // Through the jump host the same node key is refused too.
    const viaJump = await h.call('ssh.connect', { hostId: ids.node2jj })
    expect(viaJump.error?.kind, JSON.stringify(viaJump)).toBe('host-key-changed')
  })
})
