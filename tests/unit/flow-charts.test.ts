// The numbers behind the charts (core/flows/charts.ts): flows per table per node, top counters, default drops over time.
import { describe, expect, it } from 'vitest'
import { dropSeries, flowsPerTable, topCounters, type ChartDump } from '../../src-main/core/flows/charts'
import { parseCapture } from '../../src-main/core/capture/parsed-view'
import { parsedAs } from '../../src-main/core/parse/registry'

const flows = (lines: string[]) => parsedAs(parseCapture('ovs-ofctl -O OpenFlow13 dump-flows br0', lines.join('\n')), 'ovs-ofctl.dump-flows')!.flows
const f = (table: number, priority: number, match: string, actions: string, packets: number) => ` cookie=0x0, duration=9s, table=${table}, n_packets=${packets}, n_bytes=${packets * 60}, priority=${priority}${match ? `,${match}` : ''} actions=${actions}`
const dump = (captureId: number, host: string, at: string, lines: string[]): ChartDump => ({ captureId, host, startedAt: at, flows: flows(lines) })

describe('flow charts', () => {
  it('counts flows per table for each node, over the union of their tables', () => {
    const a = dump(1, 'node1', '2026-12-01T10:00:00Z', [f(0, 0, '', 'drop', 1), f(90, 100, 'ip,nw_dst=10.128.2.0/23', 'output:1', 0), f(90, 0, '', 'drop', 3)])
    const b = dump(2, 'node2', '2026-12-01T10:00:00Z', [f(0, 0, '', 'drop', 1), f(90, 0, '', 'drop', 0), f(100, 0, '', 'goto_table:101', 0)])
    const p = flowsPerTable([a, b])
    expect(p.tables.map((t) => t.table)).toEqual([0, 90, 100])
    expect(p.tables[1]?.name).toBe('IP remote')
    expect(p.nodes.map((n) => [n.host, n.counts])).toEqual([['node1', [1, 2, 0]], ['node2', [1, 1, 1]]])
  })

  it('keeps the flows that counted most, highest first, and marks the drops', () => {
    const lines = Array.from({ length: 40 }, (_, i) => f(30, 100 + i, `ip,nw_dst=10.128.0.${i}`, i % 2 ? 'drop' : 'goto_table:70', i * 10))
    const top = topCounters(flows(lines), 5)
    expect(top.map((t) => t.packets)).toEqual([390, 380, 370, 360, 350])
    expect(top.map((t) => t.drops)).toEqual([true, false, true, false, true])
    expect(topCounters(flows([f(0, 0, '', 'drop', 0)]))).toEqual([])
  })

  it('follows each table default drop across dumps; a dump without it has no value there', () => {
    const s = dropSeries([
      dump(1, 'node1', '2026-12-01T10:00:00Z', [f(10, 0, '', 'drop', 5), f(90, 0, '', 'drop', 0), f(90, 100, 'ip', 'drop', 99)]),
      dump(2, 'node1', '2026-12-01T10:05:00Z', [f(10, 0, '', 'drop', 5), f(90, 0, '', 'drop', 40)]),
      dump(3, 'node1', '2026-12-01T10:10:00Z', [f(90, 0, '', 'drop', 70)])
    ])
    expect(s.tables.map((t) => t.table)).toEqual([10, 90])
    expect(s.points.map((p) => [p.captureId, p.packets])).toEqual([[1, [5, 0]], [2, [5, 40]], [3, [null, 70]]])
  })
})
