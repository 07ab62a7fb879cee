// The real test lab (root, Debian): N "nodes", each a network namespace with its own sshd, its own
// Open vSwitch (netdev datapath) with br0, vxlan0 (port 1), tun0 (port 2), pod veths into pod
// namespaces and openshift-sdn flows; plus a jump host (sshd on 127.0.0.1). Everything it starts is
// recorded in DIR/lab.json, so stopLab ends exactly those processes and namespaces. Traffic stays on
// loopback and on the 10.200.x.0/24 veths the lab creates. See ../shared/lab-facts.md.
import { execFileSync, spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { join } from 'node:path'
import { writeOcStandin } from './oc-standin'
import { labFlows, labInventory, labPlan, type LabNodePlan } from './flows'

export const labUser = 'sdnlab'
export const labPassword = 'Lab-Passw0rd'
const prefix = 'swb'

export interface LabNode extends LabNodePlan {
  netns: string
  ovsDir: string
  sshdPidFile: string
  hostKeyPub: string
}

export interface Lab {
  dir: string
  nodes: LabNode[]
  jump: { host: string; port: number; sshdPidFile: string; hostKeyPub: string }
  keys: { ed25519: string; rsa: string; ecdsaWithPassphrase: string; passphrase: string }
  /** A second sshd on node1 that takes only keyboard-interactive (PAM) logins. */
  kbdInteractive: { address: string; port: number; pidFile: string } | null
  inventory: { hostSubnets: string; pods: string }
  /** Namespaces and pid files created, for stopLab. */
  created: { netns: string[]; pidFiles: string[]; user: boolean; sudoers: string | null }
}

function run(cmd: string, args: string[], opts: { env?: NodeJS.ProcessEnv; input?: string } = {}): string {
  const r = spawnSync(cmd, args, { encoding: 'utf8', env: opts.env ?? process.env, input: opts.input })
  if (r.status !== 0) throw new Error(`lab: ${cmd} ${args.join(' ')} failed (${r.status ?? r.signal}): ${(r.stderr || r.stdout || '').trim()}`)
  return r.stdout
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer()
    s.once('error', reject)
    s.listen(0, '127.0.0.1', () => {
      const p = (s.address() as { port: number }).port
      s.close(() => resolve(p))
    })
  })
}

function sshdConfig(o: { listen: string; port: number; hostKey: string; pidFile: string; authorized: string; setEnv?: string; pamKeyboardOnly?: boolean }): string {
  return [
    `ListenAddress ${o.listen}`,
    `Port ${o.port}`,
    `HostKey ${o.hostKey}`,
    `PidFile ${o.pidFile}`,
    `AuthorizedKeysFile ${o.authorized}`,
    'StrictModes no',
    `UsePAM ${o.pamKeyboardOnly ? 'yes' : 'no'}`,
    'PubkeyAuthentication yes',
    `PasswordAuthentication ${o.pamKeyboardOnly ? 'no' : 'yes'}`,
    `KbdInteractiveAuthentication ${o.pamKeyboardOnly ? 'yes' : 'no'}`,
    'PermitRootLogin prohibit-password',
    'AllowTcpForwarding yes',
    'UseDNS no',
    'PrintMotd no',
    'LogLevel VERBOSE',
    'MaxStartups 100:30:200',
    'MaxSessions 100',
    ...(o.setEnv ? [`SetEnv ${o.setEnv}`] : []),
    'Subsystem sftp /usr/lib/openssh/sftp-server',
    ''
  ].join('\n')
}

/**
 * sshd needs /run/sshd; a private mount namespace with a tmpfs /run creates nothing on the host.
 * /root is an empty tmpfs there too: the machine's own root dotfiles (here a .bashrc running
 * `pyenv init`, 0.7 s per command) must not leak into the lab's nodes.
 */
function startSshd(config: string, log: string, node?: { netns: string; ovsLogDir: string; hostname: string }): void {
  // A node's /var/log is its own (an empty tmpfs) and holds its OVS log where a real node has it;
  // its host name is its own too (UTS namespace), as a collector script run there would see it.
  const nodeSetup = node
    ? ` && mount -t tmpfs -o mode=0755 sdnlab-log /var/log && mkdir -p /var/log/openvswitch && mount --bind ${node.ovsLogDir} /var/log/openvswitch && hostname ${node.hostname}`
    : ''
  const inner = `mount -t tmpfs -o mode=0755 sdnlab-run /run && mkdir -m 0755 /run/sshd && mount -t tmpfs -o mode=0700 sdnlab-root /root${nodeSetup} && exec /usr/sbin/sshd -f ${config} -E ${log}`
  const args = [...(node ? ['--uts'] : []), '--mount', '--propagation', 'private', 'sh', '-c', inner]
  const netns = node?.netns
  if (netns) run('ip', ['netns', 'exec', netns, 'unshare', ...args])
  else run('unshare', args)
}

function waitForPidFile(path: string, what: string, ms = 5000): void {
  const end = Date.now() + ms
  while (Date.now() < end) {
    if (existsSync(path) && readFileSync(path, 'utf8').trim() !== '') return
    spawnSync('sleep', ['0.02'])
  }
  throw new Error(`lab: ${what} did not start (no ${path})`)
}

function ovsEnv(dir: string): NodeJS.ProcessEnv {
  return { ...process.env, OVS_RUNDIR: join(dir, 'run'), OVS_DBDIR: join(dir, 'db'), OVS_LOGDIR: join(dir, 'log') }
}

function save(lab: Lab): void {
  writeFileSync(join(lab.dir, 'lab.json'), JSON.stringify(lab, null, 2))
}

export function loadLab(dir: string): Lab | null {
  try {
    return JSON.parse(readFileSync(join(dir, 'lab.json'), 'utf8')) as Lab
  } catch {
    return null
  }
}

const sudoersFile = '/etc/sudoers.d/sdnwb-lab'

function sudoersRules(): string {
  return [
    `Defaults:${labUser} env_keep += "OVS_RUNDIR OVS_DBDIR OVS_LOGDIR"`,
    `Defaults:${labUser} !lecture`,
    `${labUser} ALL=(root) NOPASSWD: /usr/bin/ovs-ofctl, /usr/bin/ovs-vsctl, /usr/bin/ovs-appctl, /usr/sbin/iptables-save, /usr/bin/true, /usr/bin/journalctl, /usr/bin/tail -n 5000 /var/log/openvswitch/ovs-vswitchd.log`,
    ''
  ].join('\n')
}

/** Who runs the lab that holds the shared names: a test process (its pid), or the `npm run lab` CLI (kept until stopped). */
const ownerFile = '/run/sdnwb-lab-owner.json'
interface LabOwner {
  pid: number | null
  dir: string
}

function readOwner(): LabOwner | null {
  try {
    return JSON.parse(readFileSync(ownerFile, 'utf8')) as LabOwner
  } catch {
    return null
  }
}

const labNamespaces = (): string[] =>
  (spawnSync('ip', ['netns', 'list'], { encoding: 'utf8' }).stdout ?? '')
    .split('\n')
    .map((l) => l.split(' ')[0] ?? '')
    .filter((n) => n.startsWith(`${prefix}-`))

/**
 * Names every lab uses: a second lab (a developer's `npm run lab -- start`) would collide with them.
 * What a lab leaves behind when it is not stopped is cleared: namespaces with no process in them (the
 * machine or the run was killed), and a lab whose owning test process is dead while its sshd and OVS
 * processes live on (the test runner was killed). A lab whose owner lives, or one started from the CLI,
 * is left alone and reported.
 */
function otherLabRunning(): string | null {
  let names = labNamespaces()
  if (names.length === 0) return null
  const busy = (ns: string) => (spawnSync('ip', ['netns', 'pids', ns], { encoding: 'utf8' }).stdout ?? '').trim() !== ''
  const owner = readOwner()
  if (names.some(busy)) {
    if (!owner || owner.pid === null || alive(owner.pid)) return names.find(busy) ?? null
    const orphan = loadLab(owner.dir)
    if (orphan) stopLab(orphan)
    for (const ns of labNamespaces()) {
      for (const pid of (spawnSync('ip', ['netns', 'pids', ns], { encoding: 'utf8' }).stdout ?? '').split(/\s+/).filter((x) => /^\d+$/.test(x))) {
        try {
          process.kill(Number(pid), 'SIGKILL')
        } catch {
          // gone already
        }
      }
    }
    spawnSync('sleep', ['0.2'])
  }
  names = labNamespaces()
  if (names.some(busy)) return names.find(busy) ?? null
  for (const ns of names) spawnSync('ip', ['netns', 'del', ns])
  const links = spawnSync('ip', ['-o', 'link', 'show'], { encoding: 'utf8' }).stdout ?? ''
  for (const m of links.matchAll(new RegExp(`^\\d+: (${prefix}v\\d+)[@:]`, 'gm'))) spawnSync('ip', ['link', 'del', m[1] ?? ''])
  rmSync(ownerFile, { force: true })
  return labNamespaces()[0] ?? null
}

export async function startLab(opts: { dir: string; nodes?: number; podsPerNode?: number; persistent?: boolean }): Promise<Lab> {
  if (process.getuid?.() !== 0) throw new Error('lab: must run as root (network namespaces, sshd, OVS netdev datapath)')
  const old = loadLab(opts.dir)
  if (old) stopLab(old)
  rmSync(opts.dir, { recursive: true, force: true })
  const other = otherLabRunning()
  if (other) throw new Error(`lab: namespace ${other} exists: another lab is running. Stop it first (npm run lab -- stop [--dir DIR]).`)
  writeFileSync(ownerFile, JSON.stringify({ pid: opts.persistent ? null : process.pid, dir: opts.dir } satisfies LabOwner))
  const dir = opts.dir
  const sshDir = join(dir, 'ssh')
  mkdirSync(sshDir, { recursive: true })
  mkdirSync(join(dir, 'home', labUser), { recursive: true })
  const plan = labPlan(opts.nodes ?? 2, opts.podsPerNode ?? 3)
  const lab: Lab = {
    dir,
    nodes: [],
    jump: { host: '127.0.0.1', port: await freePort(), sshdPidFile: join(sshDir, 'sshd-jump.pid'), hostKeyPub: '' },
    keys: { ed25519: join(sshDir, 'id_ed25519'), rsa: join(sshDir, 'id_rsa'), ecdsaWithPassphrase: join(sshDir, 'id_ecdsa_pp'), passphrase: 'lab passphrase' },
    inventory: labInventory(plan),
    kbdInteractive: null,
    created: { netns: [], pidFiles: [], user: false, sudoers: null }
  }
  save(lab)
  try {
    // Keys: clients (three types, one with a passphrase) and one host key per sshd.
    run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', lab.keys.ed25519])
    run('ssh-keygen', ['-q', '-t', 'rsa', '-b', '2048', '-N', '', '-f', lab.keys.rsa])
    run('ssh-keygen', ['-q', '-t', 'ecdsa', '-b', '256', '-N', lab.keys.passphrase, '-f', lab.keys.ecdsaWithPassphrase])
    const authorized = join(sshDir, 'authorized_keys')
    writeFileSync(authorized, [lab.keys.ed25519, lab.keys.rsa, lab.keys.ecdsaWithPassphrase].map((k) => readFileSync(k + '.pub', 'utf8').trim()).join('\n') + '\n', { mode: 0o644 })

    // Test user with a password (password auth is tested against it).
    if (spawnSync('id', [labUser]).status !== 0) {
      run('useradd', ['-M', '-d', join(dir, 'home', labUser), '-s', '/bin/sh', labUser])
      lab.created.user = true
    }
    run('chpasswd', [], { input: `${labUser}:${labPassword}\n` })
    run('chown', [labUser, join(dir, 'home', labUser)])
    // sudo without a password for the read-only diagnostics only: `sudo -n id` must still ask for one.
    writeFileSync(sudoersFile, sudoersRules(), { mode: 0o440 })
    lab.created.sudoers = sudoersFile
    run('visudo', ['-c', '-q', '-f', sudoersFile])

    // Jump host: sshd on loopback in the host namespace.
    run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(sshDir, 'host_jump')])
    // The jump host is also the lab's master: its sessions find the oc stand-in first on PATH.
    const masterPath = `PATH=${join(dir, 'bin')}:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin`
    writeFileSync(join(sshDir, 'sshd-jump.conf'), sshdConfig({ listen: '127.0.0.1', port: lab.jump.port, hostKey: join(sshDir, 'host_jump'), pidFile: lab.jump.sshdPidFile, authorized, setEnv: masterPath }))
    lab.jump.hostKeyPub = readFileSync(join(sshDir, 'host_jump.pub'), 'utf8').trim()
    startSshd(join(sshDir, 'sshd-jump.conf'), join(sshDir, 'sshd-jump.log'))
    lab.created.pidFiles.push(lab.jump.sshdPidFile)
    save(lab)

    for (const p of plan) {
      const netns = `${prefix}-${p.name}`
      const ovsDir = join(dir, p.name)
      const env = ovsEnv(ovsDir)
      for (const d of ['run', 'db', 'log']) mkdirSync(join(ovsDir, d), { recursive: true })
      run('ip', ['netns', 'add', netns])
      lab.created.netns.push(netns)
      save(lab)
      const hostVeth = `${prefix}v${p.index}`
      run('ip', ['link', 'add', hostVeth, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', netns])
      run('ip', ['addr', 'add', `${p.hostSideIp}/24`, 'dev', hostVeth])
      run('ip', ['link', 'set', hostVeth, 'up'])
      run('ip', ['-n', netns, 'link', 'set', 'lo', 'up'])
      run('ip', ['-n', netns, 'addr', 'add', `${p.ip}/24`, 'dev', 'eth0'])
      run('ip', ['-n', netns, 'link', 'set', 'eth0', 'up'])

      // OVS of this node, started inside its namespace (two netdev instances in one namespace clash).
      run('ovsdb-tool', ['create', join(ovsDir, 'db/conf.db'), '/usr/share/openvswitch/vswitch.ovsschema'], { env })
      run('ip', ['netns', 'exec', netns, 'ovsdb-server', join(ovsDir, 'db/conf.db'), `--remote=punix:${join(ovsDir, 'run/db.sock')}`, '--pidfile', '--detach', '--log-file', '-vconsole:off'], { env })
      lab.created.pidFiles.push(join(ovsDir, 'run/ovsdb-server.pid'))
      run('ovs-vsctl', ['--no-wait', 'init'], { env })
      run('ip', ['netns', 'exec', netns, 'ovs-vswitchd', '--pidfile', '--detach', '--log-file', '-vconsole:off'], { env })
      lab.created.pidFiles.push(join(ovsDir, 'run/ovs-vswitchd.pid'))
      save(lab)
      run('ovs-vsctl', ['add-br', 'br0', '--', 'set', 'Bridge', 'br0', 'datapath_type=netdev', 'fail_mode=secure', 'protocols=OpenFlow13'], { env })
      run('ovs-vsctl', ['add-port', 'br0', 'vxlan0', '--', 'set', 'Interface', 'vxlan0', 'type=vxlan', 'ofport_request=1', 'options:key=flow', 'options:remote_ip=flow', 'options:dst_port=4789'], { env })
      run('ovs-vsctl', ['add-port', 'br0', 'tun0', '--', 'set', 'Interface', 'tun0', 'type=internal', 'ofport_request=2'], { env })
      const [, len] = p.subnet.split('/')
      run('ip', ['-n', netns, 'addr', 'add', `${p.gateway}/${len}`, 'dev', 'tun0'])
      run('ip', ['-n', netns, 'link', 'set', 'tun0', 'mtu', '1450', 'up'])
      run('ip', ['-n', netns, 'route', 'add', '10.128.0.0/14', 'dev', 'tun0', 'proto', 'static'])
      run('ip', ['-n', netns, 'route', 'add', '172.30.0.0/16', 'dev', 'tun0', 'proto', 'static'])
      for (const pod of p.pods) {
        const podNs = `${prefix}-${pod.name}`
        const veth = `v${p.index}p${pod.ofport - 2}`
        run('ip', ['netns', 'add', podNs])
        lab.created.netns.push(podNs)
        run('ip', ['-n', netns, 'link', 'add', veth, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', podNs])
        run('ip', ['-n', podNs, 'link', 'set', 'eth0', 'address', pod.mac, 'mtu', '1450'])
        run('ip', ['-n', podNs, 'addr', 'add', `${pod.ip}/${len}`, 'dev', 'eth0'])
        run('ip', ['-n', podNs, 'link', 'set', 'lo', 'up'])
        run('ip', ['-n', podNs, 'link', 'set', 'eth0', 'up'])
        run('ip', ['-n', podNs, 'route', 'add', 'default', 'via', p.gateway])
        run('ip', ['-n', netns, 'link', 'set', veth, 'mtu', '1450', 'up'])
        run('ovs-vsctl', ['add-port', 'br0', veth, '--', 'set', 'Interface', veth, `ofport_request=${pod.ofport}`, `external_ids:ip=${pod.ip}`, `external_ids:sandbox=${pod.name}`], { env })
      }
      save(lab)
      const flowsFile = join(ovsDir, 'flows.txt')
      writeFileSync(flowsFile, labFlows(p, plan))
      run('ovs-ofctl', ['-O', 'OpenFlow13', '--bundle', 'add-flows', 'br0', flowsFile], { env })
      run('ip', ['netns', 'exec', netns, 'sysctl', '-q', '-w', 'net.ipv4.ip_forward=1'])
      run('ip', ['netns', 'exec', netns, 'iptables-restore'], { input: iptablesRules(p) })

      // This node's sshd, in its namespace, with the OVS environment for the session.
      const hostKey = join(sshDir, `host_${p.name}`)
      run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', hostKey])
      const pidFile = join(sshDir, `sshd-${p.name}.pid`)
      const conf = join(sshDir, `sshd-${p.name}.conf`)
      writeFileSync(conf, sshdConfig({ listen: p.ip, port: 22, hostKey, pidFile, authorized, setEnv: `OVS_RUNDIR=${env.OVS_RUNDIR} OVS_DBDIR=${env.OVS_DBDIR} OVS_LOGDIR=${env.OVS_LOGDIR}` }))
      startSshd(conf, join(sshDir, `sshd-${p.name}.log`), { netns, ovsLogDir: join(ovsDir, 'log'), hostname: p.name })
      lab.created.pidFiles.push(pidFile)
      lab.nodes.push({ ...p, netns, ovsDir, sshdPidFile: pidFile, hostKeyPub: readFileSync(hostKey + '.pub', 'utf8').trim() })
      if (p.index === 1) {
        // Keyboard-interactive through PAM (password login off), the way many hardened nodes are set up.
        const kbdPid = join(sshDir, 'sshd-kbd.pid')
        const kbdConf = join(sshDir, 'sshd-kbd.conf')
        writeFileSync(kbdConf, sshdConfig({ listen: p.ip, port: 2022, hostKey, pidFile: kbdPid, authorized, pamKeyboardOnly: true }))
        startSshd(kbdConf, join(sshDir, 'sshd-kbd.log'), { netns, ovsLogDir: join(ovsDir, 'log'), hostname: p.name })
        lab.created.pidFiles.push(kbdPid)
        lab.kbdInteractive = { address: p.ip, port: 2022, pidFile: kbdPid }
      }
      save(lab)
    }
    writeOcStandin(dir, plan, new Map(lab.nodes.map((n) => [n.name, { netns: n.netns, ovsDir: n.ovsDir }])))
    waitForPidFile(lab.jump.sshdPidFile, 'jump sshd')
    for (const n of lab.nodes) waitForPidFile(n.sshdPidFile, `sshd of ${n.name}`)
    if (lab.kbdInteractive) waitForPidFile(lab.kbdInteractive.pidFile, 'keyboard-interactive sshd')
    return lab
  } catch (err) {
    stopLab(lab)
    throw err
  }
}

function iptablesRules(p: LabNodePlan): string {
  return `*filter
:INPUT ACCEPT [0:0]
:FORWARD DROP [0:0]
:OUTPUT ACCEPT [0:0]
:OPENSHIFT-FIREWALL-ALLOW - [0:0]
:OPENSHIFT-FIREWALL-FORWARD - [0:0]
-A INPUT -m comment --comment "firewall overrides" -j OPENSHIFT-FIREWALL-ALLOW
-A FORWARD -m comment --comment "firewall overrides" -j OPENSHIFT-FIREWALL-FORWARD
-A OPENSHIFT-FIREWALL-ALLOW -p udp -m udp --dport 4789 -m comment --comment "VXLAN incoming" -j ACCEPT
-A OPENSHIFT-FIREWALL-ALLOW -i tun0 -m comment --comment "from SDN to localhost" -j ACCEPT
-A OPENSHIFT-FIREWALL-FORWARD -d 10.128.0.0/14 -m comment --comment "forward traffic from SDN" -j ACCEPT
-A OPENSHIFT-FIREWALL-FORWARD -s 10.128.0.0/14 -m comment --comment "forward traffic to SDN" -j ACCEPT
COMMIT
*nat
:PREROUTING ACCEPT [0:0]
:INPUT ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
:POSTROUTING ACCEPT [0:0]
-A POSTROUTING -s ${p.subnet} ! -d 10.128.0.0/14 -j MASQUERADE
COMMIT
`
}

function pidOf(file: string): number | null {
  try {
    const n = Number(readFileSync(file, 'utf8').trim())
    return n > 0 ? n : null
  } catch {
    return null
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

/** Ends exactly what the lab started (pid files), deletes its namespaces, its user and its folder. */
/** A process's children, grandchildren...: an sshd listener's session processes outlive it otherwise. */
function descendants(pid: number): number[] {
  const kids = (spawnSync('pgrep', ['-P', String(pid)], { encoding: 'utf8' }).stdout ?? '').split(/\s+/).filter((x) => /^\d+$/.test(x)).map(Number)
  return kids.flatMap((k) => [k, ...descendants(k)])
}

export function stopLab(lab: Lab): void {
  const daemons = lab.created.pidFiles.map(pidOf).filter((p): p is number => p !== null)
  const pids = [...daemons.flatMap((p) => (alive(p) ? descendants(p) : [])), ...daemons]
  for (const p of pids) if (alive(p)) process.kill(p, 'SIGTERM')
  const end = Date.now() + 3000
  while (Date.now() < end && pids.some(alive)) spawnSync('sleep', ['0.05'])
  for (const p of pids) if (alive(p)) process.kill(p, 'SIGKILL')
  for (const ns of [...lab.created.netns].reverse()) spawnSync('ip', ['netns', 'del', ns])
  for (const n of lab.nodes.length ? lab.nodes : []) spawnSync('ip', ['link', 'del', `${prefix}v${n.index}`])
  if (lab.created.user) spawnSync('userdel', [labUser])
  if (lab.created.sudoers) rmSync(lab.created.sudoers, { force: true })
  if (readOwner()?.dir === lab.dir) rmSync(ownerFile, { force: true })
  rmSync(lab.dir, { recursive: true, force: true })
}

// --- breaking things on purpose ---

export function nodeOvs(lab: Lab, node: string): { env: NodeJS.ProcessEnv; ofctl: (args: string[]) => string } {
  const n = lab.nodes.find((x) => x.name === node)
  if (!n) throw new Error(`lab: no node ${node}`)
  const env = ovsEnv(n.ovsDir)
  return { env, ofctl: (args) => run('ovs-ofctl', ['-O', 'OpenFlow13', ...args], { env }) }
}

/** Deletes flows matching e.g. "table=90,ip,nw_dst=10.128.2.0/23" (strict priority match when given). */
/**
 * Real packets from node1's first pod to a pod of node2, put into node1's br0 with packet-out (nothing leaves the
 * lab): ICMP echo requests that go through the tables as the pod's own would.
 */
export function sendPodToRemotePod(lab: Lab, count: number): void {
  const hex = (s: string) => s.replace(/[^0-9a-f]/gi, '')
  const ip = (a: string) => a.split('.').map((x) => Number(x).toString(16).padStart(2, '0')).join('')
  const src = lab.nodes[0]!.pods[0]!
  const dst = lab.nodes[1]!.pods[0]!
  const packet = hex(`000000000001 ${src.mac} 0800`) + hex(`4500 0054 0000 4000 4001 0000 ${ip(src.ip)} ${ip(dst.ip)}`) + hex('0800 0000 0000 0000') + '00'.repeat(56)
  for (let i = 0; i < count; i++) nodeOvs(lab, lab.nodes[0]!.name).ofctl(['packet-out', 'br0', `in_port=${src.ofport},packet=${packet},actions=table`])
}

export function deleteFlows(lab: Lab, node: string, match: string, strict = false): void {
  nodeOvs(lab, node).ofctl([strict ? '--strict' : '', 'del-flows', 'br0', match].filter((x) => x !== ''))
}

export function stopNodeSshd(lab: Lab, node: string): void {
  const n = lab.nodes.find((x) => x.name === node)
  const pid = n ? pidOf(n.sshdPidFile) : null
  if (pid && alive(pid)) process.kill(pid, 'SIGKILL')
}

/** Kills every sshd process serving sessions of a node (the listener and its session children). */
export function killNodeSshdSessions(lab: Lab, node: string): void {
  const n = lab.nodes.find((x) => x.name === node)
  if (!n) return
  const out = spawnSync('pgrep', ['-f', `sshd-${node}.conf`], { encoding: 'utf8' }).stdout
  const children = spawnSync('sh', ['-c', `ip netns pids ${n.netns}`], { encoding: 'utf8' }).stdout
  const all = new Set([...out.split(/\s+/), ...children.split(/\s+/)].filter((x) => /^\d+$/.test(x)).map(Number))
  for (const pid of all) {
    const comm = spawnSync('ps', ['-o', 'comm=', '-p', String(pid)], { encoding: 'utf8' }).stdout.trim()
    if (comm.startsWith('sshd') && alive(pid)) process.kill(pid, 'SIGKILL')
  }
}

/** Starts a node's sshd again after stopNodeSshd / killNodeSshdSessions. */
export function startNodeSshd(lab: Lab, node: string): void {
  const n = lab.nodes.find((x) => x.name === node)
  if (!n) throw new Error(`lab: no node ${node}`)
  rmSync(n.sshdPidFile, { force: true })
  startSshd(join(lab.dir, 'ssh', `sshd-${node}.conf`), join(lab.dir, 'ssh', `sshd-${node}.log`), { netns: n.netns, ovsLogDir: join(n.ovsDir, 'log'), hostname: node })
  waitForPidFile(n.sshdPidFile, `sshd of ${node}`)
}

/** Gives a node's sshd a new host key and restarts it: a client that knew the old key must refuse. */
export function changeHostKey(lab: Lab, node: string): string {
  const n = lab.nodes.find((x) => x.name === node)
  if (!n) throw new Error(`lab: no node ${node}`)
  stopNodeSshd(lab, node)
  const key = join(lab.dir, 'ssh', `host_${node}`)
  rmSync(key, { force: true })
  rmSync(key + '.pub', { force: true })
  rmSync(n.sshdPidFile, { force: true })
  run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', key])
  startNodeSshd(lab, node)
  n.hostKeyPub = readFileSync(key + '.pub', 'utf8').trim()
  save(lab)
  return n.hostKeyPub
}

export { execFileSync }
