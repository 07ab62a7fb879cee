// `sdnwb diff-flows` against `ovs-ofctl diff-flows` on dumps of a real switch before and after changes made
// through it, and `sdnwb flows canon`: run as a user runs them, through scripts/sdnwb.mjs.
import { spawnSync } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { parseDiffFlows } from '../../src-main/core/parse/ovs-diff-flows'
import { sample } from '../helpers/samples'
import { tempDir } from '../helpers/tmp'
import { startOvsDummy, type OvsDummy } from '../lab/ovs-dummy'

const cli = resolve(__dirname, '../../scripts/sdnwb.mjs')
let t: ReturnType<typeof tempDir>
let ovs: OvsDummy

function sdnwb(args: string[]) {
  const r = spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', cwd: resolve(__dirname, '../..'), maxBuffer: 1 << 28 })
  return { status: r.status, stdout: r.stdout, stderr: r.stderr }
}

function ok(args: string[], tool = 'ovs-ofctl'): string {
  const r = ovs.run(tool, args)
  if (r.status !== 0) throw new Error(`${tool} ${args.join(' ')}: ${r.stderr}`)
  return r.stdout
}

/** A dump saved as ovs-ofctl can read it back: without its "OFPST_FLOW reply" header lines. */
const dump = (file: string, version = 'OpenFlow13') => {
  const p = join(t.dir, file)
  writeFileSync(p, ok(['-O', version, 'dump-flows', 'br0']).split('\n').filter((l) => !/^(OFPST_FLOW|NXST_FLOW) reply/.test(l)).join('\n'))
  return p
}

beforeAll(() => {
  t = tempDir('sdnwb-cli-')
  ovs = startOvsDummy(join(t.dir, 'ovs'))
  ok(['add-br', 'br0', '--', 'set', 'Bridge', 'br0', 'fail_mode=secure', 'protocols=OpenFlow10,OpenFlow13'], 'ovs-vsctl')
  ok(['add-port', 'br0', 'vxlan0', '--', 'set', 'Interface', 'vxlan0', 'type=vxlan', 'ofport_request=1', 'options:key=flow', 'options:remote_ip=flow'], 'ovs-vsctl')
  ok(['add-port', 'br0', 'tun0', '--', 'set', 'Interface', 'tun0', 'type=internal', 'ofport_request=2'], 'ovs-vsctl')
  for (let i = 1; i <= 3; i++) ok(['add-port', 'br0', `veth${i}`, '--', 'set', 'Interface', `veth${i}`, 'type=dummy', `ofport_request=${i + 2}`], 'ovs-vsctl')
  writeFileSync(join(t.dir, 'sdn.flows'), sample('lab/sdn-flows.txt'))
  ok(['-O', 'OpenFlow13', '--bundle', 'add-flows', 'br0', join(t.dir, 'sdn.flows')])
})

afterAll(() => {
  ovs?.stop()
  t?.cleanup()
})

const sorted = (s: string) => s.split('\n').filter((l) => l !== '').sort()

describe('sdnwb diff-flows is ovs-ofctl diff-flows', () => {
  it('prints the same lines and exits the same on dumps before and after changes made through the switch', () => {
    const before = dump('before.txt')
    ok(['-O', 'OpenFlow13', 'del-flows', 'br0', 'table=90,ip,nw_dst=10.128.2.0/23'])
    ok(['-O', 'OpenFlow13', 'add-flow', 'br0', 'table=20,priority=100,ip,in_port=5,nw_src=10.129.0.9,actions=load:0x42->NXM_NX_REG0[],goto_table:21'])
    ok(['-O', 'OpenFlow13', 'mod-flows', 'br0', 'table=0,priority=250,ip,in_port=2,nw_dst=224.0.0.0/4,actions=output:3'])
    ok(['-O', 'OpenFlow13', 'add-flow', 'br0', 'table=101,priority=0,cookie=0x1234,actions=output:2'])
    const after = dump('after.txt')
    for (const [a, b] of [[before, after], [after, before], [before, before]] as const) {
      const theirs = spawnSync('ovs-ofctl', ['diff-flows', a, b], { encoding: 'utf8', env: ovs.env })
      const ours = sdnwb(['diff-flows', a, b])
      expect(ours.stderr).toBe('')
      expect(theirs.stderr).toBe('')
      expect(ours.status).toBe(theirs.status)
      expect(sorted(ours.stdout)).toEqual(sorted(theirs.stdout))
    }
    const json = sdnwb(['diff-flows', '--json', before, after])
    expect(json.status).toBe(2)
    const theirs = parseDiffFlows(spawnSync('ovs-ofctl', ['diff-flows', before, after], { encoding: 'utf8', env: ovs.env }).stdout)
    expect(JSON.parse(json.stdout).totals).toMatchObject({ added: theirs.added.length, removed: theirs.removed.length, changed: theirs.changed.length })
    expect(theirs.added.length + theirs.removed.length + theirs.changed.length).toBeGreaterThanOrEqual(3)
  })

  it('maps port names with --ports, and an OF1.0 dump with --across-of-versions', () => {
    const numbers = dump('numbers.txt')
    const names = join(t.dir, 'names.txt')
    writeFileSync(names, ok(['-O', 'OpenFlow13', '--names', 'dump-flows', 'br0']))
    const ports = join(t.dir, 'ports.txt')
    writeFileSync(ports, ok(['-O', 'OpenFlow13', 'dump-ports-desc', 'br0']))
    expect(sdnwb(['diff-flows', numbers, names]).status).toBe(2) // tun0 is not 2 without the port list
    const mapped = sdnwb(['diff-flows', '--ports', ports, numbers, names])
    expect(mapped).toMatchObject({ status: 0, stdout: '', stderr: '' })
    const of10 = dump('of10.txt', 'OpenFlow10')
    expect(sdnwb(['diff-flows', of10, numbers]).status).toBe(2)
    expect(sdnwb(['diff-flows', '--across-of-versions', of10, numbers])).toMatchObject({ status: 0, stdout: '' })
  })

  it('exits 1 with the file and line of what it cannot read', () => {
    const bad = join(t.dir, 'bad.txt')
    writeFileSync(bad, 'table=0, priority=10,ip actions=drop\ntable=0, priority=cut')
    const r = sdnwb(['diff-flows', bad, bad])
    expect(r.status).toBe(1)
    expect(r.stderr).toMatch(new RegExp(`${bad}:2: error: `))
    expect(sdnwb(['diff-flows', join(t.dir, 'missing.txt'), bad])).toMatchObject({ status: 1, stderr: expect.stringMatching(/cannot read .*missing\.txt: no such file/) })
  })
})

describe('sdnwb flows canon', () => {
  it('prints one canonical line per flow: the switch reads each back as the same flow', () => {
    const spelled = join(t.dir, 'spelled.txt')
    writeFileSync(spelled, 'table=3 priority=7 ip_src=10.1.2.3/255.255.0.0 reg1=0x3cb/0xff dl_type=0x0800 actions=drop\ncookie=0x5,table=3,priority=8,tcp,tcp_dst=80/0xffff,importance=2,actions=output:2\n')
    const r = sdnwb(['flows', 'canon', spelled])
    expect(r).toMatchObject({ status: 0, stderr: '' })
    expect(r.stdout).toBe('table=3, priority=7,ip,reg1=0xcb/0xff,nw_src=10.1.0.0/16 actions=drop\ncookie=0x5, table=3, importance=2, priority=8,tcp,tp_dst=80 actions=output:2\n')
    // ovs-ofctl diff-flows sees no difference between the spelled file and our canonical lines.
    const canon = join(t.dir, 'canon.txt')
    writeFileSync(canon, r.stdout)
    expect(spawnSync('ovs-ofctl', ['diff-flows', spelled, canon], { encoding: 'utf8', env: ovs.env })).toMatchObject({ status: 0, stdout: '' })
    const json = JSON.parse(sdnwb(['flows', 'canon', '--json', spelled]).stdout)
    expect(json[0]).toMatchObject({ line: 1, table: 3, priority: 7, match: 'ip,reg1=0xcb/0xff,nw_src=10.1.0.0/16', actions: 'drop' })
  })
})
