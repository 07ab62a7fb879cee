import { execFileSync } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { diffFlows } from '../../src-main/core/flows/diff'
import { parsedAs, parseOutput, parserForCommand } from '../../src-main/core/parse/registry'
import { sample } from '../helpers/samples'
import { tempDir } from '../helpers/tmp'
import { startOvsDummy, type OvsDummy } from '../lab/ovs-dummy'

// Fresh output of the real tools, in every form a field engineer meets, read by our parsers.
let t: ReturnType<typeof tempDir>
let ovs: OvsDummy
const sdnFlows = sample('lab/sdn-flows.txt')

function ok(args: string[], tool = 'ovs-ofctl'): string {
  const r = ovs.run(tool, args)
  if (r.status !== 0) throw new Error(`${tool} ${args.join(' ')} failed (${r.status}): ${r.stderr}`)
  return r.stdout
}

beforeAll(() => {
  execFileSync('ovs-vswitchd', ['--version'])
  t = tempDir('sdnwb-ovs-')
  ovs = startOvsDummy(t.dir)
  ok(['add-br', 'br0', '--', 'set', 'Bridge', 'br0', 'fail_mode=secure', 'protocols=OpenFlow10,OpenFlow13'], 'ovs-vsctl')
  ok(['add-port', 'br0', 'vxlan0', '--', 'set', 'Interface', 'vxlan0', 'type=vxlan', 'ofport_request=1', 'options:key=flow', 'options:remote_ip=flow', 'options:dst_port=4789'], 'ovs-vsctl')
  ok(['add-port', 'br0', 'tun0', '--', 'set', 'Interface', 'tun0', 'type=internal', 'ofport_request=2'], 'ovs-vsctl')
  for (let i = 1; i <= 3; i++) {
    ok(['add-port', 'br0', `veth${i}`, '--', 'set', 'Interface', `veth${i}`, 'type=dummy', `ofport_request=${i + 2}`, `external_ids:ip=10.129.0.${i + 1}`, `external_ids:sandbox=pod${i}`], 'ovs-vsctl')
  }
  writeFileSync(join(t.dir, 'flows'), sdnFlows)
  ok(['-O', 'OpenFlow13', '--bundle', 'add-flows', 'br0', join(t.dir, 'flows')])
})

afterAll(() => {
  ovs?.stop()
  t?.cleanup()
})

describe('parsers on fresh output of a real Open vSwitch', () => {
  const forms: [string, string[]][] = [
    ['OF1.3', ['-O', 'OpenFlow13', 'dump-flows', 'br0']],
    ['OF1.0', ['dump-flows', 'br0']],
    ['--no-stats', ['-O', 'OpenFlow13', '--no-stats', 'dump-flows', 'br0']],
    ['--names', ['-O', 'OpenFlow13', '--names', 'dump-flows', 'br0']],
    ['--sort', ['-O', 'OpenFlow13', '--sort', 'dump-flows', 'br0']],
    ['table=70', ['-O', 'OpenFlow13', 'dump-flows', 'br0', 'table=70']]
  ]

  it.each(forms)('dump-flows %s: no diagnostics, same flows as the file', (name, args) => {
    const out = ok(args)
    const match = parserForCommand(`ovs-ofctl ${args.join(' ')}`)
    expect(match?.id).toBe('ovs-ofctl.dump-flows')
    const r = parseOutput('ovs-ofctl.dump-flows', out)
    expect(r.diagnostics).toEqual([])
    const dumped = parsedAs(r, 'ovs-ofctl.dump-flows')?.flows ?? []
    const file = parsedAs(parseOutput('ovs-ofctl.dump-flows', sdnFlows), 'ovs-ofctl.dump-flows')?.flows ?? []
    const expected = name === 'table=70' ? file.filter((f) => f.table === 70) : file
    if (name === '--names') {
      expect(dumped).toHaveLength(expected.length)
      return
    }
    const d = diffFlows(dumped, expected, { acrossOfVersions: name === 'OF1.0' })
    expect(d.totals).toMatchObject({ added: 0, removed: 0, changed: 0 })
  })

  it('dump-ports-desc, show, dump-ports, vsctl show and list Interface (json, text, csv)', () => {
    const cases: [string, string[], string][] = [
      ['ovs-ofctl -O OpenFlow13 dump-ports-desc br0', ['-O', 'OpenFlow13', 'dump-ports-desc', 'br0'], 'ovs-ofctl'],
      ['ovs-ofctl -O OpenFlow13 show br0', ['-O', 'OpenFlow13', 'show', 'br0'], 'ovs-ofctl'],
      ['ovs-ofctl -O OpenFlow13 dump-ports br0', ['-O', 'OpenFlow13', 'dump-ports', 'br0'], 'ovs-ofctl'],
      ['ovs-vsctl show', ['show'], 'ovs-vsctl'],
      ['ovs-vsctl --format=json list Interface', ['--format=json', 'list', 'Interface'], 'ovs-vsctl'],
      ['ovs-vsctl list Interface', ['list', 'Interface'], 'ovs-vsctl'],
      ['ovs-vsctl --format=csv --data=bare --no-headings --columns=name,ofport list Interface', ['--format=csv', '--data=bare', '--no-headings', '--columns=name,ofport', 'list', 'Interface'], 'ovs-vsctl']
    ]
    for (const [cmd, args, tool] of cases) {
      const m = parserForCommand(cmd)!
      const r = parseOutput(m.id, ok(args, tool), m.options)
      expect(r.diagnostics, cmd).toEqual([])
      expect(r.records, cmd).toBeGreaterThanOrEqual(1)
    }
    const ports = parsedAs(parseOutput('ovs-ofctl.dump-ports-desc', ok(['-O', 'OpenFlow13', 'dump-ports-desc', 'br0'])), 'ovs-ofctl.dump-ports-desc') ?? { records: [] }
    expect(ports.records.map((p) => `${p.ofport}:${p.name}`).sort()).toEqual(['1:vxlan0', '2:tun0', '3:veth1', '4:veth2', '5:veth3', 'LOCAL:br0'])
  })

  it('ofproto/trace: a pod-to-pod walk and a VNID drop, as the lab samples show them', () => {
    const m = parserForCommand("ovs-appctl ofproto/trace br0 'in_port=3,ip,nw_src=10.129.0.2,nw_dst=10.129.0.3'")!
    const pass = ovs.run('ovs-appctl', ['ofproto/trace', 'br0', 'in_port=3,ip,nw_src=10.129.0.2,nw_dst=10.129.0.3'])
    const p1 = parseOutput(m.id, pass.stdout)
    expect(p1.diagnostics).toEqual([])
    const r1 = parsedAs(p1, 'ovs-appctl.ofproto-trace')
    expect(r1?.passes[0]!.steps.map((s) => s.table)).toEqual([0, 20, 21, 30, 70, 80])
    expect(r1?.verdict).toMatchObject({ dropped: false, outputPorts: [4] })
    const drop = ovs.run('ovs-appctl', ['ofproto/trace', 'br0', 'in_port=5,ip,nw_src=10.129.0.4,nw_dst=10.129.0.2'])
    const r2 = parsedAs(parseOutput(m.id, drop.stdout), 'ovs-appctl.ofproto-trace')
    expect(r2?.verdict).toMatchObject({ dropped: true, lastTable: 80 })
    const bad = ovs.run('ovs-appctl', ['ofproto/trace', 'br0', 'in_port=2,ip,ct_state=+trk+rpl'])
    const r3 = parsedAs(parseOutput(m.id, bad.stdout + bad.stderr), 'ovs-appctl.ofproto-trace')
    expect(r3?.error).toMatch(/ct_state/)
  })
})
