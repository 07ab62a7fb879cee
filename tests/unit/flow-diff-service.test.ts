// The diff view's backend on a real case file: a --names dump compares with a numbered dump of the same node through
// the node's own port list, and the charts read the case's dumps.
import { localCaller } from '../../src-main/node/backend/dispatcher'
import { describe, expect, it } from 'vitest'
import { FlowDiffService } from '../../src-main/node/backend/flow-diff-handlers'
import { newCapture } from '../helpers/captures'
import { flowWindow, parseCapture } from '../../src-main/core/capture/parsed-view'
import { parsedAs } from '../../src-main/core/parse/registry'
import { withHostPortNumbers } from '../../src-main/node/capture/flow-knowledge'
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
    const before = await h['flows.diff']({ a: numbered.id, b: named.id }, localCaller)
    expect(before.totals.removed + before.totals.changed).toBeGreaterThan(10)
    save('ovs-ofctl -O OpenFlow13 dump-ports-desc br0', 'lab/node1-dump-ports-desc-of13.txt', '2026-12-01T10:06:00Z')
    const h2 = new FlowDiffService(() => c.db).handlers()
    const after = await h2['flows.diff']({ a: numbered.id, b: named.id }, localCaller)
    expect([after.totals.removed, after.totals.added, after.totals.changed]).toEqual([0, 0, 0])
    // Exported for a report: the block and its Markdown say the same.
    const changed = await h['flows.diffExport']({ diffId: before.diffId }, localCaller)
    expect(changed.block.kind).toBe('flow-diff')
    expect(changed.markdown).toContain(`${before.totals.removed} removed, ${before.totals.added} added, ${before.totals.changed} changed`)
    expect(changed.markdown).toMatch(/#### Table 0 \(classify\)\n\n```diff\n[-+~] table=0, priority=/)
    expect((await h2['flows.diffExport']({ diffId: after.diffId }, localCaller)).block.tables).toEqual([])
  })

  it('an OpenFlow 1.0 dump against a 1.3 one is compared across versions by itself, unless told not to', async () => {
    const of10 = save('ovs-ofctl dump-flows br0', 'lab/hostns-dump-flows-of10.txt', '2026-12-01T10:00:00Z')
    const of13 = save('ovs-ofctl -O OpenFlow13 dump-flows br0', 'lab/hostns-dump-flows-of13.txt', '2026-12-01T10:01:00Z')
    const h = new FlowDiffService(() => c.db).handlers()
    const auto = await h['flows.diff']({ a: of10.id, b: of13.id }, localCaller)
    expect(auto.acrossOfVersions).toBe(true)
    expect([auto.totals.removed, auto.totals.added, auto.totals.changed]).toEqual([0, 0, 0])
    const strict = await h['flows.diff']({ a: of10.id, b: of13.id, acrossOfVersions: false }, localCaller)
    expect(strict.totals.changed + strict.totals.removed).toBeGreaterThan(0)
  })

  it('the flow grid of a --names dump filters on port numbers and shows the names as written', () => {
    save('ovs-ofctl -O OpenFlow13 dump-ports-desc br0', 'lab/node1-dump-ports-desc-of13.txt', '2026-12-01T10:06:00Z')
    const flows = parsedAs(parseCapture('ovs-ofctl -O OpenFlow13 --names dump-flows br0', sample('lab/node1-dump-flows-of13-names.txt')), 'ovs-ofctl.dump-flows')!.flows
    const numbered = withHostPortNumbers(c.db, 'node1', flows)
    const w = flowWindow(numbered, { text: 'in_port=3', offset: 0, limit: 50 }, undefined, null, flows)
    expect(w.total).toBeGreaterThan(0)
    expect(w.rows.every((r) => r.match.includes('in_port=vethnode1p1'))).toBe(true)
    expect(flowWindow(flows, { text: 'in_port=3', offset: 0, limit: 50 }).total).toBe(0)
  })

  it('charts: flows per table of each node, one node\'s drops over its dumps', async () => {
    save('ovs-ofctl -O OpenFlow13 dump-flows br0', 'lab/node1-dump-flows-of13.txt', '2026-12-01T10:00:00Z')
    saveAs('node2', 'ovs-ofctl -O OpenFlow13 dump-flows br0', 'lab/sdn-flows.txt', '2026-12-01T10:01:00Z')
    const charts = await new FlowDiffService(() => c.db).handlers()['flows.charts']({}, localCaller)
    expect(charts.hosts).toEqual(['node1', 'node2'])
    expect(charts.host).toBe('node1')
    expect(charts.perTable.nodes.map((n) => n.host)).toEqual(['node1', 'node2'])
    expect(charts.drops.points).toHaveLength(1)
    expect(() => new FlowDiffService(() => c.db).handlers()['flows.charts']({ host: 'node9' }, localCaller)).toThrow(/no br0 flow dump of node9/)
  })
})
