// A real Open vSwitch for parser tests: ovsdb-server and ovs-vswitchd in a private run/db/log folder,
// with the dummy datapath (no kernel module, no devices, no packets: the OVS test-suite mode). It
// gives real output of ovs-ofctl / ovs-vsctl / ovs-appctl for any flow set, and is stopped by pid.
import { execFileSync, spawnSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll } from 'vitest'

export interface OvsDummy {
  dir: string
  env: NodeJS.ProcessEnv
  run(cmd: string, args: string[], input?: string): { stdout: string; stderr: string; status: number }
  stop(): void
}

export function startOvsDummy(dir: string): OvsDummy {
  for (const d of ['run', 'db', 'log']) mkdirSync(join(dir, d), { recursive: true })
  const env = { ...process.env, OVS_RUNDIR: join(dir, 'run'), OVS_DBDIR: join(dir, 'db'), OVS_LOGDIR: join(dir, 'log') }
  const opts = { env, stdio: 'pipe' as const }
  execFileSync('ovsdb-tool', ['create', join(dir, 'db/conf.db'), '/usr/share/openvswitch/vswitch.ovsschema'], opts)
  execFileSync('ovsdb-server', [join(dir, 'db/conf.db'), `--remote=punix:${join(dir, 'run/db.sock')}`, '--pidfile', '--detach', '--log-file', '-vconsole:off'], opts)
  execFileSync('ovs-vsctl', ['--no-wait', 'init'], opts)
  execFileSync('ovs-vswitchd', ['--enable-dummy=override', '--disable-system', '--pidfile', '--detach', '--log-file', '-vconsole:off'], opts)
  const run = (cmd: string, args: string[], input?: string) => {
    const r = spawnSync(cmd, args, { env, input, encoding: 'utf8', maxBuffer: 1 << 28 })
    return { stdout: r.stdout ?? '', stderr: r.stderr ?? '', status: r.status ?? -1 }
  }
  const stop = () => {
    for (const name of ['ovs-vswitchd', 'ovsdb-server']) {
      try {
        const pid = Number(readFileSync(join(dir, 'run', `${name}.pid`), 'utf8').trim())
        if (pid > 0) process.kill(pid, 'SIGTERM')
      } catch {
        // not running
      }
    }
    rmSync(dir, { recursive: true, force: true })
  }
  return { dir, env, run, stop }
}

/**
 * A switch for round-trip tests, started before the suite and stopped after it: br0 (secure, the given
 * OpenFlow versions) with dummy ports p1..p3 as ports 1..3 and a TLV map for tun_metadata0 (4 bytes) and 1 (8 bytes). The returned object is filled in by beforeAll.
 */
export function useTestSwitch(prefix: string, protocols = 'OpenFlow10,OpenFlow13,OpenFlow15'): { ovs: OvsDummy } {
  const ctx = {} as { ovs: OvsDummy }
  let dir: string
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), prefix))
    ctx.ovs = startOvsDummy(dir)
    const r = ctx.ovs.run('ovs-vsctl', ['add-br', 'br0', '--', 'set', 'Bridge', 'br0', 'fail_mode=secure', `protocols=${protocols}`])
    if (r.status !== 0) throw new Error(r.stderr)
    for (let i = 1; i <= 3; i++) ctx.ovs.run('ovs-vsctl', ['add-port', 'br0', `p${i}`, '--', 'set', 'Interface', `p${i}`, 'type=dummy', `ofport_request=${i}`])
    // Geneve options for tun_metadata0 (4 bytes) and tun_metadata1 (8 bytes).
    const tlv = ctx.ovs.run('ovs-ofctl', ['add-tlv-map', 'br0', '{class=0xffff,type=0,len=4}->tun_metadata0,{class=0xffff,type=1,len=8}->tun_metadata1'])
    if (tlv.status !== 0) throw new Error(tlv.stderr)
  })
  afterAll(() => {
    ctx.ovs?.stop()
  })
  return ctx
}
