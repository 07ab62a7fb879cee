// The diff view's rows: what changed marked inside the actions, node-vs-node differences every node has set apart.
import { describe, expect, it } from 'vitest'
import { diffFlows } from '../../src-main/core/flows/diff'
import { diffModel, diffPieces, nodeIdentityOf } from '../../src-main/core/flows/diff-view'
import { parseDumpFlows } from '../../src-main/core/parse/ovs-dump-flows'
import { sample } from '../helpers/samples'

describe('diff rows', () => {
  it('mark the parts of an action list that differ, word by word', () => {
    const a = 'move:NXM_NX_REG0[]->NXM_NX_TUN_ID[0..31],set_field:10.200.1.2->tun_dst,output:1'
    const b = 'move:NXM_NX_REG0[]->NXM_NX_TUN_ID[0..31],set_field:10.200.0.9->tun_dst,output:1'
    const p = diffPieces(a, b)
    expect(p.map((x) => x.text).join('')).toBe(a)
    expect(p.filter((x) => x.differs).map((x) => x.text)).toEqual(['set_field:10.200.1.2->tun_dst'])
    expect(diffPieces('drop', 'drop')).toEqual([{ text: 'drop', differs: false }])
  })

  it('before vs after: the deleted flow removed, counters that moved kept apart', () => {
    const before = sample('lab/node1-dump-flows-of13.txt')
    const lines = before.split('\n')
    const victim = lines.findIndex((l) => /table=90, .*priority=100,/.test(l))
    const after = lines.filter((_, i) => i !== victim).map((l) => (/table=90, .*priority=0 /.test(l) ? l.replace(/n_packets=\d+/, 'n_packets=7') : l)).join('\n')
    const m = diffModel(diffFlows(parseDumpFlows(before).flows, parseDumpFlows(after).flows))
    expect(m.rows.filter((r) => r.kind !== 'moved').map((r) => [r.kind, r.table, r.priority])).toEqual([['removed', 90, 100]])
    expect(m.rows.filter((r) => r.kind === 'moved').map((r) => [r.table, r.priority, r.packetsDelta])).toEqual([[90, 0, 7]])
    expect(m.tables.find((t) => t.table === 90)).toMatchObject({ name: 'IP remote', removed: 1, moved: 1 })
  })

  it('node vs node: the node\'s own subnet, gateway, IP, pods and the flows for the other node are per-node', () => {
    const n1 = parseDumpFlows(sample('lab/node1-dump-flows-of13.txt')).flows
    const id = nodeIdentityOf(n1)
    expect(id.subnet).toMatch(/^\d+\.\d+\.\d+\.\d+\/\d+$/)
    expect(id.gateway).toMatch(/^\d+\.\d+\.\d+\.1$/)
    expect(id.podIPs.length).toBeGreaterThan(0)
    // The same node against itself with another gateway written in: that difference is the node's own.
    const other = parseDumpFlows(sample('lab/node1-dump-flows-of13.txt').split(id.gateway as string).join('10.99.0.1')).flows
    const m = diffModel(diffFlows(n1, other), { a: id, b: nodeIdentityOf(other) })
    expect(m.rows.length).toBeGreaterThan(0)
    expect(m.rows.every((r) => r.perNode !== null)).toBe(true)
    expect(m.totals.perNode).toBe(m.rows.length)
    // Counters between two nodes are not movement.
    expect(m.rows.some((r) => r.kind === 'moved')).toBe(false)
  })
})
