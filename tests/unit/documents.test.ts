// Every parser's output as a view a person reads (core/capture/documents.ts): no parser is left without one, no
// cell is JSON, rows keep their lines, and port statistics get their rates from an earlier capture.
import { describe, expect, it } from 'vitest'
import { parsedDocument, type DocBlock, type ParsedDocument } from '../../src-main/core/capture/documents'
import { parseCapture } from '../../src-main/core/capture/parsed-view'
import { parseOutput, parserIds } from '../../src-main/core/parse/registry'
import { sample } from '../helpers/samples'

const doc = (command: string, text: string, earlier?: { command: string; text: string; seconds: number }): ParsedDocument => {
  const p = parseCapture(command, text)
  if (!p) throw new Error(`no parser for ${command}`)
  const e = earlier ? { parsed: parseCapture(earlier.command, earlier.text)!, seconds: earlier.seconds } : null
  const d = parsedDocument(p, e)
  if (!d) throw new Error(`no document for ${command}`)
  return d
}

const tables = (d: ParsedDocument) => d.blocks.filter((b): b is Extract<DocBlock, { kind: 'table' }> => b.kind === 'table')
const looksLikeJson = (s: string) => /^\s*[[{]\s*"|":\s*[[{"\d]/.test(s)

function wellFormed(d: ParsedDocument, what: string) {
  expect(d.summary, what).not.toBe('')
  for (const t of tables(d)) {
    for (const r of t.rows) {
      expect(r.cells.length, `${what}: ${t.title}`).toBe(t.columns.length)
      for (const c of r.cells) expect(looksLikeJson(c.text), `${what}: ${t.title}: ${c.text}`).toBe(false)
    }
  }
}

const cases: [string, string][] = [
  ['iptables-save -c', 'lab/node1-iptables-save-counters.txt'],
  ['ip addr show', 'lab/node1-ip-addr.txt'],
  ['ip -j addr', 'lab/node1-ip-j-addr.json'],
  ['ip route', 'lab/node1-ip-route.txt'],
  ['ip -j route', 'lab/node1-ip-j-route.json'],
  ['ovs-vsctl show', 'lab/node1-ovs-vsctl-show.txt'],
  ['ovs-ofctl -O OpenFlow13 dump-ports br0', 'lab/node1-dump-ports-of13.txt'],
  ['ovs-ofctl -O OpenFlow13 dump-ports-desc br0', 'lab/node1-dump-ports-desc-of13.txt'],
  ['ovs-vsctl --format=json list Interface', 'lab/node1-list-interface.json'],
  ['ovs-vsctl list Interface', 'lab/hostns-list-interface.txt'],
  ['ovs-ofctl diff-flows a b', 'lab/hostns-diff-flows-file-vs-file.txt'],
  ['brctl show', 'seed/brctl-show.txt'],
  ['oc adm manage-node node1 --list-pods', 'seed/oc-adm-manage-node-list-pods.txt']
]

describe('parsed documents', () => {
  it('every parser but the flow table and the trace (their own views) has a document, even of an empty output', () => {
    for (const id of parserIds) {
      const d = parsedDocument(parseOutput(id, ''))
      if (id === 'ovs-ofctl.dump-flows' || id === 'ovs-appctl.ofproto-trace') expect(d, id).toBeNull()
      else expect(d, id).not.toBeNull()
    }
  })

  it.each(cases)('%s: tables of text, no JSON, every row with its line', (command, file) => {
    const d = doc(command, sample(file))
    wellFormed(d, file)
    const rows = tables(d).flatMap((t) => t.rows)
    const trees = d.blocks.filter((b) => b.kind === 'tree')
    expect(rows.length + trees.length, file).toBeGreaterThan(0)
    for (const r of rows) expect(r.line === null || r.line >= 1).toBe(true)
  })

  it('iptables-save: chains with policy and counters, rules with their chain and counters; a counting DROP stands out', () => {
    const text = sample('lab/node1-iptables-save-counters.txt')
    const d = doc('iptables-save -c', text)
    const p = parseCapture('iptables-save -c', text)!
    const parsed = p.parser === 'iptables-save' && p.data ? p.data.tables : []
    expect(tables(d).filter((t) => t.title.endsWith(': rules')).reduce((n, t) => n + t.rows.length, 0)).toBe(parsed.reduce((n, t) => n + t.rules.length, 0))
    const forward = tables(d).find((t) => t.title === 'filter: chains')!.rows.find((r) => r.cells[0]?.text === 'FORWARD')!
    expect(forward.cells[1]).toMatchObject({ text: 'DROP', tone: 'warn' })
    const counting = doc('iptables-save -c', '*filter\n:INPUT ACCEPT [5:300]\n[12:720] -A INPUT -s 10.0.0.9/32 -j DROP\n[0:0] -A INPUT -j ACCEPT\nCOMMIT\n')
    const rules = tables(counting).find((t) => t.title === 'filter: rules')!
    expect(rules.rows.map((r) => [r.line, r.tone ?? null, r.cells[4]?.value])).toEqual([
      [3, 'bad', 12],
      [4, null, 0]
    ])
  })

  it('ovs-vsctl show is a tree: Open vSwitch, its bridges, their ports and interfaces with type and options', () => {
    const d = doc('ovs-vsctl show', sample('lab/node1-ovs-vsctl-show.txt'))
    const tree = d.blocks.find((b) => b.kind === 'tree')
    if (tree?.kind !== 'tree') throw new Error('no tree')
    const root = tree.nodes[0]!
    expect(root.label).toBe('Open vSwitch')
    const br0 = root.children.find((b) => b.label === 'Bridge br0')!
    // A port with one interface of its own name is one line.
    const vxlan = br0.children.find((p) => p.label === 'Port vxlan0')!
    expect(vxlan.children).toEqual([])
    expect(vxlan.detail).toMatch(/type vxlan · options \{.*dst_port=4789/)
    const bond = doc('ovs-vsctl show', '    Bridge br-ex\n        Port bond0\n            Interface eth1\n            Interface eth2\n                error: "could not open network device eth2 (No such device)"\n').blocks[0]
    if (bond?.kind !== 'tree') throw new Error('no tree')
    const port = bond.nodes[0]!.children[0]!.children[0]!
    expect(port).toMatchObject({ label: 'Port bond0', tone: 'bad' })
    expect(port.children.map((i) => [i.label, i.tone ?? null])).toEqual([['Interface eth1', null], ['Interface eth2', 'bad']])
    expect(vxlan.line).toBeGreaterThan(1)
  })

  it('port statistics: the rates against an earlier capture, a counter that went down gives none', () => {
    const before = 'OFPST_PORT reply (OF1.3) (xid=0x2): 2 ports\n  port  1: rx pkts=100, bytes=1000, drop=0, errs=0, frame=0, over=0, crc=0\n           tx pkts=50, bytes=500, drop=0, errs=0, coll=0\n  port  2: rx pkts=900, bytes=9000, drop=0, errs=0, frame=0, over=0, crc=0\n           tx pkts=10, bytes=100, drop=0, errs=0, coll=0\n'
    const after = 'OFPST_PORT reply (OF1.3) (xid=0x2): 2 ports\n  port  1: rx pkts=300, bytes=3000, drop=40, errs=0, frame=0, over=0, crc=0\n           tx pkts=150, bytes=1500, drop=0, errs=0, coll=0\n  port  2: rx pkts=5, bytes=50, drop=0, errs=0, frame=0, over=0, crc=0\n           tx pkts=1, bytes=10, drop=0, errs=0, coll=0\n'
    const cmd = 'ovs-ofctl -O OpenFlow13 dump-ports br0'
    const t = tables(doc(cmd, after, { command: cmd, text: before, seconds: 20 }))[0]!
    expect(t.columns.map((c) => c.name).slice(-3)).toEqual(['rx pkt/s', 'tx pkt/s', 'drop/s'])
    const [p1, p2] = t.rows
    expect(p1!.cells.slice(-3).map((c) => c.value)).toEqual([10, 5, 2])
    expect(p1!.tone).toBe('bad')
    // Port 2's counters went down (the port was re-created): no rate rather than a negative one.
    expect(p2!.cells.slice(-3).map((c) => c.value)).toEqual([undefined, undefined, 0])
    expect(tables(doc(cmd, after))[0]!.note).toMatch(/earlier dump-ports capture/)
  })

  it('OVSDB maps and sets read as ovs-vsctl prints them', () => {
    const d = doc('ovs-vsctl --format=json list Interface', sample('lab/node1-list-interface.json'))
    const t = tables(d)[0]!
    const ext = t.columns.findIndex((c) => c.name === 'external_ids')
    expect(ext).toBeGreaterThanOrEqual(0)
    expect(t.rows.some((r) => /^\{[a-z_-]+=/.test(r.cells[ext]?.text ?? ''))).toBe(true)
  })
})
