// The diff between long tables as a person reads it (core/flows/diff-context.ts): context around each change, the
// unchanged runs collapsed and openable, the rail's marks where the changes sit in the whole order.
import { describe, expect, it } from 'vitest'
import { diffFlows } from '../../src-main/core/flows/diff'
import { diffModel } from '../../src-main/core/flows/diff-view'
import { keyOf, tableOrders, withContext, type DiffItem } from '../../src-main/core/flows/diff-context'
import { parseCapture } from '../../src-main/core/capture/parsed-view'
import { parsedAs } from '../../src-main/core/parse/registry'

const flows = (lines: string[]) => parsedAs(parseCapture('ovs-ofctl -O OpenFlow13 dump-flows br0', lines.join('\n')), 'ovs-ofctl.dump-flows')!.flows
const f = (table: number, priority: number, i: number, out = 1) => ` cookie=0x0, duration=9s, table=${table}, n_packets=0, n_bytes=0, priority=${priority},ip,nw_dst=10.0.1.${100 + i} actions=output:${out}`
const shape = (items: DiffItem[]) => items.map((x) => (x.type === 'gap' ? `gap ${x.table}:${x.count}` : x.type === 'same' ? `same ${x.table}` : `${x.row.kind} ${x.row.table}`))

describe('diff with context', () => {
  // Table 10: 20 flows; table 30: 5. B: flow 10 of table 10 changed, flow 11 removed; table 30 untouched.
  const a = flows([...Array.from({ length: 20 }, (_, i) => f(10, 100, i)), ...Array.from({ length: 5 }, (_, i) => f(30, 100, i))])
  const b = flows([...Array.from({ length: 20 }, (_, i) => f(10, 100, i, i === 10 ? 2 : 1)).filter((_, i) => i !== 11), ...Array.from({ length: 5 }, (_, i) => f(30, 100, i))])
  const model = diffModel(diffFlows(a, b))
  const orders = tableOrders(a, b)
  const changed = new Set(model.rows.map((r) => keyOf(r.table, r.priority, r.match)))

  it('two changes side by side share their context; the runs before and after are gaps; a table without change is left out', () => {
    const { items, rail } = withContext(model.rows, orders, changed, 2, new Set())
    // Flows 10 (changed) and 11 (removed): 8 before the context, 6 after it (20 keys in table 10).
    expect(shape(items)).toEqual(['gap 10:8', 'same 10', 'same 10', 'changed 10', 'removed 10', 'same 10', 'same 10', 'gap 10:6'])
    expect(rail.map((m) => [m.kind, m.item])).toEqual([['changed', 3], ['removed', 4]])
    expect(rail[0]!.at).toBeCloseTo(10 / 25)
  })

  it('an opened gap shows its flows; no context leaves only the changes and the gaps', () => {
    const closed = withContext(model.rows, orders, changed, 2, new Set()).items
    const first = closed[0]
    if (first?.type !== 'gap') throw new Error('no gap')
    const opened = withContext(model.rows, orders, changed, 2, new Set([first.id])).items
    expect(opened.filter((x) => x.type === 'same')).toHaveLength(4 + first.count)
    expect(shape(withContext(model.rows, orders, changed, 0, new Set()).items).filter((x) => x.startsWith('same'))).toEqual([])
  })
})
