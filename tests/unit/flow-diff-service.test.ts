// The diff view's backend on a real case file: a --names dump compares with a numbered dump of the same node through
// the node's own port list, and the charts read the case's dumps.
import { describe, expect, it } from 'vitest'
import { FlowDiffService } from '../../src-main/node/backend/flow-diff-handlers'
import { newCapture } from '../helpers/captures'
import { parseCapture } from '../../src-main/core/capture/parsed-view'
import { sample } from '../helpers/samples'
import { useTempCase } from '../helpers/temp-case'

const c = useTempCase()

describe('flow diffs in a case', () => {
  /** A capture saved as a live one is: with the parser its command selects and what it read. */
  const saveAs = (hostName: string, command: string, file: string, at: string) => {
    const stdout = sample(file)
    const p = parseCapture(command, stdout)
    return c.db.captures.save(newCapture({ hostName, command, stdout, startedAt: at, parse: p ? { parserId: p.parser, records: p.records, diagnostics: [] } : null }))
  }
  const save = (command: string, file: string, at: string) => saveAs('node1', command, file, at)

  it('a --names dump and a numbered one of the same node are the same flows once the port list names the numbers', async () => {
    const numbered = save('ovs-ofctl -O OpenFlow13 dump-flows br0', 'lab/node1-dump-flows-of13.txt', '2026-12-01T10:00:00Z')
    const named = save('ovs-ofctl -O OpenFlow13 --names dump-flows br0', 'lab/node1-dump-flows-of13-names.txt', '2026-12-01T10:05:00Z')
    const h = new FlowDiffService(() => c.db).handlers()
    // Without the node's port list, every flow naming a port differs.
    const before = await h['flows.diff']({ a: numbered.id, b: named.id })
    expect(before.totals.removed + before.totals.changed).toBeGreaterThan(10)
    save('ovs-ofctl -O OpenFlow13 dump-ports-desc br0', 'lab/node1-dump-ports-desc-of13.txt', '2026-12-01T10:06:00Z')
    const h2 = new FlowDiffService(() => c.db).handlers()
    const after = await h2['flows.diff']({ a: numbered.id, b: named.id })
    expect([after.totals.removed, after.totals.added, after.totals.changed]).toEqual([0, 0, 0])
    // Exported for a report: the block and its Markdown say the same.
    const changed = await h['flows.diffExport']({ diffId: before.diffId })
    expect(changed.block.kind).toBe('flow-diff')
    expect(changed.markdown).toContain(`${before.totals.removed} removed, ${before.totals.added} added, ${before.totals.changed} changed`)
    expect(changed.markdown).toMatch(/#### Table 0 \(classify\)\n\n```diff\n[-+~] table=0, priority=/)
    expect((await h2['flows.diffExport']({ diffId: after.diffId })).block.tables).toEqual([])
  })

  it('charts: flows per table of each node, one node\'s drops over its dumps', async () => {
    save('ovs-ofctl -O OpenFlow13 dump-flows br0', 'lab/node1-dump-flows-of13.txt', '2026-12-01T10:00:00Z')
    saveAs('node2', 'ovs-ofctl -O OpenFlow13 dump-flows br0', 'lab/sdn-flows.txt', '2026-12-01T10:01:00Z')
    const charts = await new FlowDiffService(() => c.db).handlers()['flows.charts']({})
    expect(charts.hosts).toEqual(['node1', 'node2'])
    expect(charts.host).toBe('node1')
    expect(charts.perTable.nodes.map((n) => n.host)).toEqual(['node1', 'node2'])
    expect(charts.drops.points).toHaveLength(1)
    expect(() => new FlowDiffService(() => c.db).handlers()['flows.charts']({ host: 'node9' })).toThrow(/no br0 flow dump of node9/)
  })
})
