import { parserForCommand } from '../../src-main/core/parse/registry'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { canonicalActions } from '../../src-main/core/flows/actions'
import { diffFlows } from '../../src-main/core/flows/diff'
import { flowActions, flowKey, matchField, plainFlow, type Flow } from '../../src-main/core/flows/flow'
import { parseDumpFlows } from '../../src-main/core/parse/ovs-dump-flows'
import { sample } from '../helpers/samples'

const wellFormed = [
  'lab/hostns-dump-flows-of10.txt',
  'lab/hostns-dump-flows-of13-no-stats.txt',
  'lab/hostns-dump-flows-of13-table70.txt',
  'lab/hostns-dump-flows-of13.txt',
  'lab/node1-dump-flows-of13-names.txt',
  'lab/node1-dump-flows-of13-sorted.txt',
  'lab/node1-dump-flows-of13.txt',
  'lab/node1-dump-flows-table40-ssh-tty.txt',
  'lab/sdn-flows.txt',
  'lab/sdn-flows-modified.txt',
  'lab/scale100k-input-excerpt.txt',
  'seed/ovs-ofctl-dump-flows-of13.txt',
  'public/origin-issue-16447-dump-flows-fragments.txt',
  'public/origin-issue-16630-dump-flows-fragment.txt',
  'public/origin-util-ovs-test-dumpflows-parser.txt',
  'public/origin-ovscontroller-test-getpoddetails-multitenant-v3.txt',
  'public/sdn-ovscontroller-test-expectedflows-master-v13.txt',
  'public/sdn-ovscontroller-test-expectedflows-v9.txt'
]

describe('ovs-ofctl dump-flows parser on real samples', () => {
  it.each(wellFormed)('%s parses with no diagnostics', (f) => {
    const r = parseDumpFlows(sample(f))
    expect(r.diagnostics).toEqual([])
    expect(r.flows.length).toBeGreaterThanOrEqual(3)
  })

  it('reads the OF1.3 dump: header, counters, typed match and actions, exact text', () => {
    const r = parseDumpFlows(sample('lab/node1-dump-flows-of13.txt'))
    expect(r).toMatchObject({ format: 'of13', headers: 1, portNames: false, crlf: false })
    expect(r.flows).toHaveLength(64)
    const f = r.flows.find((x) => x.table === 0 && x.priority === 200 && x.protocol === 'arp' && matchField(x, 'in_port')?.canon === 'in_port=1')
    expect(f).toBeDefined()
    expect(f?.text).toBe(' cookie=0x0, duration=49.845s, table=0, n_packets=0, n_bytes=0, priority=200,arp,in_port=1,arp_spa=10.128.0.0/14,arp_tpa=10.129.0.0/23 actions=move:NXM_NX_TUN_ID[0..31]->NXM_NX_REG0[],goto_table:10')
    expect(f?.duration).toBe(49.845)
    expect(matchField(f!, 'arp_tpa')).toMatchObject({ kind: 'ipv4', ipv4: { prefix: 23, text: '10.129.0.0/23' } })
    expect(flowActions(f!).map((a) => a.type)).toEqual(['move', 'goto_table'])
    expect(flowActions(f!)[0]).toMatchObject({ src: 'NXM_NX_TUN_ID[0..31]', dst: 'NXM_NX_REG0[]' })
    const ct = r.flows.find((x) => flowActions(x).some((a) => a.type === 'ct'))
    expect(flowActions(ct!)[0]).toMatchObject({ type: 'ct', table: 70, nat: 'nat', commit: false })
    expect(matchField(ct!, 'ct_state')).toMatchObject({ kind: 'ct_state', ctState: { set: ['rpl'], unset: [] } })
    const note = r.flows.find((x) => x.table === 253)
    expect(note).toMatchObject({ priority: 32768 })
    expect(flowActions(note!)).toMatchObject([{ type: 'note', bytes: '020700000000' }])
    const t50 = r.flows.find((x) => x.table === 50 && x.priority === 100)
    expect(flowActions(t50!).find((a) => a.type === 'set_field')).toMatchObject({ value: '10.200.0.2', field: 'tun_dst' })
    const reg = r.flows.find((x) => x.table === 80 && x.priority === 100)
    expect(matchField(reg!, 'reg0')).toMatchObject({ kind: 'int', value: '0xabcdef' })
    expect(flowActions(reg!)[0]).toMatchObject({ type: 'output', field: 'reg2[]' })
  })

  it('reads OF1.0 (NXST header, idle_age, resubmit) and the multipart headers of big dumps', () => {
    const of10 = parseDumpFlows(sample('lab/hostns-dump-flows-of10.txt'))
    expect(of10.format).toBe('of10')
    expect(of10.flows[0]?.more?.idleAge).toBe(24)
    expect(of10.flows.some((f) => flowActions(f).some((a) => a.type === 'resubmit' && a.table === 10 && a.port === null))).toBe(true)
    const big = parseDumpFlows(sample('lab/scale100k-dump-flows-excerpt.txt'))
    expect(big.headers).toBe(2)
    // The excerpt elides lines with "...": each is reported where it is, the flows around it are read.
    expect(big.diagnostics.map((d) => [d.line, d.message])).toEqual([
      [5, 'not a flow line'],
      [10, 'not a flow line']
    ])
  })

  it('reads --names and TTY output (CRLF, port names) and flags them', () => {
    const tty = parseDumpFlows(sample('lab/node1-dump-flows-table40-ssh-tty.txt'))
    expect(tty).toMatchObject({ crlf: true, portNames: true })
    expect(tty.flows[0]?.text.endsWith('\r')).toBe(false)
    expect(flowActions(tty.flows[0]!)[0]).toMatchObject({ type: 'output', port: 'vethnode1p1' })
    const names = parseDumpFlows(sample('lab/node1-dump-flows-of13-names.txt'))
    expect(matchField(names.flows[0]!, 'in_port')).toMatchObject({ kind: 'port', port: 'tun0' })
    expect(names.portNames).toBe(true)
    const named = (t: string) => parseDumpFlows(t).portNames
    expect(named('table=0,in_port=LOCAL actions=output:NXM_NX_REG2[],output:3,output:IN_PORT')).toBe(false)
    expect(named('table=0,in_port=NXM_OF_IN_PORT[] actions=output:reg2,goto_table:20')).toBe(false)
    expect(named('table=0,in_port=3 actions=output:tun0')).toBe(true)
    expect(named('table=0, priority=5, ip, in_port=veth1 actions=drop')).toBe(true)
    expect(named('in_port=2 actions=output(port=vxlan0,max_len=128)')).toBe(true)
  })

  it('reports stderr log lines and a refused connection precisely', () => {
    const r = parseDumpFlows(sample('lab/node1-dump-flows-default-of10-refused.txt'))
    expect(r.flows).toEqual([])
    expect(r.diagnostics.map((d) => [d.line, d.severity])).toEqual([
      [1, 'warning'],
      [2, 'warning'],
      [3, 'error']
    ])
    expect(r.diagnostics[0]?.message).toMatch(/stderr/)
  })

  it('reports a line cut short, with its line number and text', () => {
    const text = sample('lab/node1-dump-flows-of13.txt')
    const lines = text.split('\n')
    lines[5] = (lines[5] as string).slice(0, 90)
    lines[2] = (lines[2] as string).replace(/actions=.*/, 'actions=move:NXM_NX_TUN_ID[0..31]->NXM_NX_RE')
    const r = parseDumpFlows(lines.join('\n'))
    expect(r.flows).toHaveLength(63)
    expect(r.diagnostics).toHaveLength(2)
    expect(r.diagnostics[0]).toMatchObject({ line: 3, severity: 'error' })
    expect(r.diagnostics[0]?.message).toMatch(/^move:NXM_NX_TUN_ID\[0\.\.31\]->NXM_NX_RE: unknown field NXM_NX_RE \(text cut short\?\)/)
    expect(r.diagnostics[1]).toMatchObject({ line: 6, severity: 'error', message: 'flow without "actions=" (line cut short?)' })
  })

  it('gives the same key and canonical actions for every spelling of a flow', () => {
    const spellings = [
      'table=60, priority=100, tcp, nw_dst=172.30.0.0/16, tp_dst=443, actions=load:2->NXM_NX_REG2[],output:2',
      ' cookie=0x0, duration=1.5s, table=60, n_packets=3, n_bytes=9, priority=100,tcp,nw_dst=172.30.0.0/16,tp_dst=443 actions=load:0x2->NXM_NX_REG2[],output:2',
      'table=60,priority=100,dl_type=0x0800,nw_proto=6,tcp_dst=443,ip_dst=172.30.1.2/255.255.0.0,actions=load:0x0002->reg2[],2'
    ]
    const flows = spellings.map((s) => parseDumpFlows(s).flows[0]!)
    expect(new Set(flows.map(flowKey)).size).toBe(1)
    expect(new Set(flows.map((f) => canonicalActions(flowActions(f)))).size).toBe(1)
    expect(flowKey(flows[0]!)).toBe('60 100 tcp,nw_dst=172.30.0.0/16,tp_dst=443')
  })

  it('keeps unknown fields and actions as raw text', () => {
    const r = parseDumpFlows('table=5, priority=10, foo_field=abc, actions=frobnicate(1,2),learn(table=9,NXM_OF_VLAN_TCI[0..11])')
    expect(r.diagnostics).toEqual([])
    const f = r.flows[0]!
    expect(matchField(f, 'foo_field')).toMatchObject({ kind: 'raw', value: 'abc' })
    expect(flowActions(f)).toEqual([
      { type: 'other', text: 'frobnicate(1,2)', name: 'frobnicate', arg: '1,2' },
      { type: 'other', text: 'learn(table=9,NXM_OF_VLAN_TCI[0..11])', name: 'learn', arg: 'table=9,NXM_OF_VLAN_TCI[0..11]' }
    ])
  })
})

describe('the fast reader of dump lines', () => {
  // The usual dump line is read left to right by a dedicated reader; any other spelling by the
  // general one. Both must give the same flow: the same lines with the properties spaced differently
  // (", " -> ",  ") can only be taken by the general reader.
  const fields = (f: Flow) => {
    const { text: _t, line: _l, ...rest } = plainFlow(f)
    return rest
  }
  it.each(wellFormed)('%s: the fast and the general reader agree on every flow', (file) => {
    const text = sample(file)
    const fast = parseDumpFlows(text)
    const respaced = text
      .split('\n')
      .map((l) => {
        const at = l.indexOf(' actions=')
        return at < 0 ? l : l.slice(0, at).replace(/, /g, ',  ') + l.slice(at)
      })
      .join('\n')
    const general = parseDumpFlows(respaced)
    expect(general.flows.length).toBe(fast.flows.length)
    expect(general.diagnostics).toEqual(fast.diagnostics.map((d) => ({ ...d, text: general.diagnostics.find((g) => g.line === d.line)?.text ?? d.text })))
    fast.flows.forEach((f, i) => expect(fields(general.flows[i]!)).toEqual(fields(f)))
  })

  it('reads the header fields exactly (cookie, fractional duration, counters, ages, default priority)', () => {
    const r = parseDumpFlows(
      [
        ' cookie=0xa1b2, duration=123.05s, table=21, n_packets=9007199254740, n_bytes=5, idle_age=7, hard_age=8, priority=300,ip actions=drop',
        ' cookie=0x0, duration=0s, table=0, n_packets=0, n_bytes=0, in_port=3 actions=goto_table:20',
        ' cookie=0x0, duration=1.5s, table=253, n_packets=0, n_bytes=0, priority=0 actions=note:01.ff',
        ' cookie=0x0, duration=1.5s, table=1, n_packets=0, n_bytes=0, idle_timeout=30, priority=5,tcp actions=drop'
      ].join('\n')
    )
    expect(r.diagnostics).toEqual([])
    expect(plainFlow(r.flows[0]!)).toMatchObject({ cookie: '0xa1b2', duration: 123.05, table: 21, packets: 9007199254740, bytes: 5, priority: 300, matchText: 'ip', protocol: 'ip', actionsText: 'drop' })
    expect(r.flows[0]!.more).toMatchObject({ idleAge: 7, hardAge: 8 })
    expect(plainFlow(r.flows[1]!)).toMatchObject({ priority: 32768, matchText: 'in_port=3', duration: 0, more: null })
    expect(plainFlow(r.flows[2]!)).toMatchObject({ priority: 0, matchText: '', matchCanon: '', actionsText: 'note:01.ff' })
    expect(plainFlow(r.flows[3]!)).toMatchObject({ priority: 5, matchText: 'tcp', more: { idleTimeout: 30 } })
  })

  it('gives a flow as a plain object to JSON, with every field', () => {
    const f = parseDumpFlows(' cookie=0x0, duration=2.5s, table=0, n_packets=1, n_bytes=2, priority=100,ip actions=goto_table:20').flows[0]!
    expect(JSON.parse(JSON.stringify(f))).toEqual({
      line: 1,
      text: ' cookie=0x0, duration=2.5s, table=0, n_packets=1, n_bytes=2, priority=100,ip actions=goto_table:20',
      cookie: '0x0',
      table: 0,
      priority: 100,
      duration: 2.5,
      packets: 1,
      bytes: 2,
      more: null,
      protocol: 'ip',
      matchText: 'ip',
      matchCanon: 'ip',
      actionsText: 'goto_table:20'
    })
  })
})

describe('parser robustness', () => {
  const real = sample('lab/node1-dump-flows-of13.txt')

  it('never throws on arbitrary text', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 400 }), (s) => {
        const r = parseDumpFlows(s)
        expect(Array.isArray(r.flows)).toBe(true)
      }),
      { numRuns: 2000 }
    )
  })

  it('never throws on real output cut, spliced or sprinkled with junk', () => {
    fc.assert(
      fc.property(fc.nat(real.length), fc.nat(real.length), fc.string({ maxLength: 30 }), (cut, at, junk) => {
        const mangled = real.slice(0, cut) + junk + real.slice(at)
        const r = parseDumpFlows(mangled)
        for (const d of r.diagnostics) expect(d.line).toBeGreaterThan(0)
      }),
      { numRuns: 1500 }
    )
  })

  it('reads an item named like an Object property ("__proto__", "constructor") as an unknown item, not a protocol', () => {
    for (const item of ['__proto__', 'constructor', 'toString', 'hasOwnProperty']) {
      const r = parseDumpFlows(` cookie=0x0, duration=1s, table=0, n_packets=0, n_bytes=0, priority=100,${item},in_port=2 actions=drop`)
      expect(r.flows, item).toHaveLength(1)
      expect(r.flows[0]!.matchCanon, item).not.toMatch(/^(ip|arp|ipv6)\b/)
    }
    expect(parserForCommand('oc get constructor')).toBeNull()
    expect(parserForCommand('oc get __proto__ -o wide')).toBeNull()
  })

  it('reports binary garbage instead of reading it as flows', () => {
    const bin = String.fromCharCode(...Array.from({ length: 300 }, (_, i) => (i * 37) % 32))
    const r = parseDumpFlows(`${bin}\n${real}`)
    expect(r.flows).toHaveLength(64)
    expect(r.diagnostics[0]).toMatchObject({ line: 1, message: 'binary data, not text output' })
  })
})

describe('flow diff', () => {
  it('reports counter deltas and rates, and a flow re-added between dumps', () => {
    const a = parseDumpFlows(' cookie=0x0, duration=10.000s, table=0, n_packets=100, n_bytes=1000, priority=5,ip actions=drop\n cookie=0x0, duration=50.0s, table=0, n_packets=7, n_bytes=70, priority=4,ip actions=drop').flows
    const b = parseDumpFlows(' cookie=0x0, duration=20.000s, table=0, n_packets=600, n_bytes=6000, priority=5,ip actions=drop\n cookie=0x0, duration=3.0s, table=0, n_packets=2, n_bytes=20, priority=4,ip actions=drop').flows
    const d = diffFlows(a, b)
    expect(d.totals).toMatchObject({ moved: 2, changed: 0, unchanged: 0 })
    const moved = d.tables[0]!.moved
    expect(moved[0]!.counters).toMatchObject({ packets: 500, bytes: 5000, seconds: 10, packetsPerSecond: 50, reset: false })
    expect(moved[1]!.counters).toMatchObject({ packets: 2, reset: true })
  })

  it('pairs flows wherever they are: the in-order walk and the lookup agree', () => {
    const text = sample('lab/sdn-flows.txt')
    const modified = sample('lab/sdn-flows-modified.txt')
    const a = parseDumpFlows(text).flows
    const b = parseDumpFlows(modified).flows
    const inOrder = diffFlows(a, b)
    // The same flows of B in reverse and shuffled order: nothing can be paired by place.
    const shuffled = [...b].reverse()
    for (let i = 0; i < shuffled.length; i += 3) shuffled.push(shuffled.splice(i, 1)[0]!)
    const summary = (d: ReturnType<typeof diffFlows>) =>
      d.tables.map((t) => ({ table: t.table, added: t.added.map((e) => e.key).sort(), removed: t.removed.map((e) => e.key).sort(), changed: t.changed.map((e) => e.key).sort(), moved: t.moved.length, unchanged: t.unchanged }))
    expect(summary(diffFlows(a, shuffled))).toEqual(summary(inOrder))
    expect(summary(diffFlows([...a].reverse(), b))).toEqual(summary(inOrder))
    expect(inOrder.totals.added + inOrder.totals.removed + inOrder.totals.changed).toBeGreaterThan(0)
  })

  it('reports duplicate keys in the second input, paired or not', () => {
    const a = parseDumpFlows('table=1,priority=5,ip,actions=drop').flows
    const b = parseDumpFlows('table=1,priority=5,ip,actions=drop\ntable=2,priority=5,ip,actions=drop\ntable=1,priority=5,ip,actions=output:1\ntable=2,priority=5,ip,actions=output:2').flows
    const d = diffFlows(a, b)
    expect(d.duplicates).toEqual([
      { side: 'after', key: '1 5 ip', lines: [1, 3] },
      { side: 'after', key: '2 5 ip', lines: [2, 4] }
    ])
    // The last of the duplicates is the flow: table 1 changed to output:1, table 2 added with output:2.
    expect(d.tables.map((t) => [t.table, t.changed.map((e) => e.after?.actionsText), t.added.map((e) => e.after?.actionsText)])).toEqual([
      [1, ['output:1'], []],
      [2, [], ['output:2']]
    ])
  })

  it('reports duplicate keys in one input', () => {
    const a = parseDumpFlows('table=1,priority=5,ip,actions=drop\ntable=1,priority=5,ip,actions=output:2').flows
    expect(diffFlows(a, []).duplicates).toEqual([{ side: 'before', key: '1 5 ip', lines: [1, 2] }])
  })
})

describe('big input', () => {
  it('reads a 50 MB dump (about 300k flows) without diagnostics', async () => {
    const { dumpText, sdnFlows } = await import('../helpers/flowgen')
    const text = dumpText(sdnFlows({ pods: 70_000, nodes: 3_000, services: 10_000 }))
    expect(text.length).toBeGreaterThan(50 * 1024 * 1024)
    const r = parseDumpFlows(text)
    expect(r.diagnostics).toEqual([])
    expect(r.flows.length).toBe(70_000 * 4 + 3_000 * 3 + 10_000 + 33)
    expect(r.headers).toBe(Math.ceil(r.flows.length / 545))
  }, 60_000)
})
