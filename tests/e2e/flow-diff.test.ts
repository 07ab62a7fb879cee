// The flow diff view on the real lab: node1 dumped, a planted fault (its table 90 flow for node2 deleted) and real
// packets into br0 that now die in table 90's default drop, dumped again; the diff shows exactly the deleted flow
// as removed and the drop counter as moved. node1 vs node2 sets the per-node differences apart. The UI's diff and
// `sdnwb diff-flows --json` agree (the same engine).
import { spawnSync } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import type { Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { shot } from '../helpers/browser'
import { openLabUi, type LabUi } from '../helpers/lab-ui'
import type { WsClient } from '../helpers/ws-client'
import { sample } from '../helpers/samples'
import { deleteFlows, sendPodToRemotePod, type Lab } from '../lab/lab'
import { dumpNodes as dumpNodesOf } from '../helpers/lab-capture'

let ui: LabUi
let lab: Lab
let page: Page
let ws: WsClient
let pageErrors: string[]
const captureIds: Record<string, number> = {}

beforeAll(async () => {
  ui = await openLabUi({ prefix: 'sdnwb-e2e-diff-', caseName: 'Flow diffs', height: 900 })
  ;({ lab, page, ws, pageErrors } = ui)
})

afterAll(async () => {
  await ui?.close()
})

const dumpNodes = (names: string[]) => dumpNodesOf(ws, names)

describe('the flow diff view', () => {
  it('before vs after a planted fault: exactly the deleted flow is removed, the drop counter moved', async () => {
    Object.assign(captureIds, await dumpNodes(['node1', 'node2']))
    captureIds.before = captureIds.node1 as number
    deleteFlows(lab, 'node1', 'table=90,ip,nw_dst=10.128.2.0/23')
    // Real packets from node1's first pod to a pod of node2 (packet-out into br0; nothing leaves the lab).
    sendPodToRemotePod(lab, 5)
    captureIds.after = (await dumpNodes(['node1'])).node1 as number

    await page.getByTestId('nav-captures').click()
    // Open the later dump and compare it with the earlier one.
    const items = page.locator('[data-testid=capture-group][data-group=node1] [data-testid=capture-item]').filter({ hasText: 'ovs-ofctl -O OpenFlow13 dump-flows br0' })
    await items.first().click()
    await expect.poll(() => page.getByTestId('capture-detail').getAttribute('data-capture-id')).toBe(String(captureIds.after))
    await page.getByTestId('compare-with').selectOption(String(captureIds.before))
    await page.getByTestId('compare-go').click()
    await expect.poll(() => page.getByTestId('flow-diff').isVisible()).toBe(true)
    await expect.poll(() => page.getByTestId('diff-totals').textContent()).toMatch(/1 removed\s*0 added\s*0 changed/)
    const removed = page.locator('[data-testid=diff-row][data-kind=removed]')
    expect(await removed.count()).toBe(1)
    expect(await removed.textContent()).toMatch(/table=90 priority=100,ip,nw_dst=10\.128\.2\.0\/23/)
    // Around it, table 90's other flow (its default drop) as context; one mark on the rail.
    await expect.poll(() => page.locator('[data-testid=diff-same][data-table="90"]').textContent()).toMatch(/priority=0 actions=drop/)
    expect(await page.getByTestId('diff-rail-mark').count()).toBe(1)
    await shot(page, 'diff-before-after')
    // Without context the unchanged flows collapse into a gap, which opens when clicked.
    await page.getByTestId('diff-context').selectOption('0')
    await expect.poll(() => page.locator('[data-testid=diff-gap][data-table="90"]').textContent()).toMatch(/1 unchanged flow in table 90/)
    expect(await page.getByTestId('diff-same').count()).toBe(0)
    await page.getByTestId('diff-gap').click()
    await expect.poll(() => page.locator('[data-testid=diff-same][data-table="90"]').count()).toBe(1)
    await page.getByTestId('diff-context').selectOption('2')
    await page.getByTestId('diff-rail-mark').click()
    await expect.poll(() => page.locator('.row.current[data-kind=removed]').count()).toBe(1)
    // The counters that moved: table 90's default drop counted the packets.
    await page.getByTestId('diff-show-moved').check()
    const drop = page.locator('[data-testid=diff-row][data-kind=moved][data-table="90"]')
    await expect.poll(() => drop.count()).toBe(1)
    expect(await drop.textContent()).toMatch(/priority=0.*\+5 packets/)
    await shot(page, 'diff-counters-moved')
    // From the keyboard: n goes to the (only) change.
    await page.getByTestId('diff-show-moved').focus()
    await page.keyboard.press('n')
    await expect.poll(() => page.locator('.row.current[data-kind=removed]').count()).toBe(1)
    // Exported for a report or a support case.
    await page.getByTestId('diff-markdown').click()
    await expect.poll(() => page.getByTestId('diff-export-text').inputValue()).toMatch(/1 removed, 0 added, 0 changed, \d+ with counters moved[\s\S]*#### Table 90 \(IP remote\)[\s\S]*- table=90, priority=100,ip,nw_dst=10\.128\.2\.0\/23/)
    await shot(page, 'diff-markdown')
    await page.getByRole('dialog').getByRole('button', { name: 'Close' }).click()
    const took = await page.getByTestId('diff-took').textContent()
    console.log(`diff of the lab dumps opened: ${took}`)
    expect(pageErrors).toEqual([])
  })

  it('node1 vs node2: the differences every node has are set apart', async () => {
    const r = await ws.call('flows.diff', { a: captureIds.before as number, b: captureIds.node2 as number })
    expect(r.nodeVsNode).toBe(true)
    expect(r.totals.perNode).toBeGreaterThan(0)
    await page.getByTestId('nav-captures').click()
    const n1 = page.locator('[data-testid=capture-group][data-group=node1] [data-testid=capture-item]').filter({ hasText: 'ovs-ofctl -O OpenFlow13 dump-flows br0' })
    await n1.last().click()
    await page.getByTestId('compare-with').selectOption(String(captureIds.node2))
    await page.getByTestId('compare-go').click()
    await expect.poll(() => page.getByTestId('flow-diff').textContent()).toMatch(/node vs node/)
    // The rows come a frame after the header (a slow machine showed the header with none yet).
    await expect.poll(() => page.locator('[data-testid=diff-row]').count()).toBeGreaterThan(0)
    const all = await page.locator('[data-testid=diff-row]').count()
    await page.getByTestId('diff-hide-per-node').check()
    await expect.poll(() => page.locator('[data-testid=diff-row]').count()).toBeLessThan(all)
    await shot(page, 'diff-node-vs-node')
    expect(pageErrors).toEqual([])
  })

  it("node1's later dump rates its flows against the earlier one: table 90's drop is hot, and sorts first", async () => {
    await page.getByTestId('nav-captures').click()
    await page.locator('[data-testid=capture-group][data-group=node1] [data-testid=capture-item]').filter({ hasText: 'ovs-ofctl -O OpenFlow13 dump-flows br0' }).first().click()
    await expect.poll(() => page.getByTestId('capture-detail').getAttribute('data-capture-id')).toBe(String(captureIds.after))
    await page.getByRole('tab', { name: 'Parsed' }).click()
    await expect.poll(() => page.getByTestId('flow-rate-basis').textContent()).toMatch(/^rates over [\d.]+ s since /)
    await page.getByTestId('flow-text-filter').fill('table=90 && priority=0')
    await expect.poll(async () => Number(await page.locator('[data-testid=flow-row][data-table="90"]').first().getAttribute('data-rate'))).toBeGreaterThan(0)
    await page.getByTestId('flow-text-filter').fill('')
    await expect.poll(() => page.getByTestId('flow-count').textContent()).toMatch(/^(\d+) of \1 flows/)
    await page.getByRole('button', { name: 'pkt/s' }).click()
    // Sorted by rate, highest first: the packets sent all died in table 90, so its drop is among the hottest.
    await expect.poll(async () => (await page.locator('[data-testid=flow-row]').evaluateAll((rs) => rs.slice(0, 6).map((r) => r.getAttribute('data-table')))).includes('90')).toBe(true)
    await shot(page, 'flow-grid-rates')
    expect(pageErrors).toEqual([])
  })

  it('a flow shown whole: its goto_table is a link to that table, and back', async () => {
    await page.getByTestId('nav-captures').click()
    await page.locator('[data-testid=capture-group][data-group=node2] [data-testid=capture-item]').filter({ hasText: 'ovs-ofctl -O OpenFlow13 dump-flows br0' }).first().click()
    await page.getByRole('tab', { name: 'Parsed' }).click()
    const row = page.locator('[data-testid=flow-row][data-table="0"]').filter({ hasText: 'goto_table:' }).first()
    await row.click()
    const follow = page.getByTestId('flow-detail').getByTestId('flow-follow').first()
    const to = await follow.getAttribute('data-to')
    expect(to).toMatch(/^\d+$/)
    // Read with what the case knows: the table's purpose, port 1 is vxlan0, the VNID comes from the tunnel.
    await expect.poll(() => page.getByTestId('flow-detail').locator('.purpose').textContent()).toMatch(/^Classify by in_port/)
    await expect.poll(() => page.getByTestId('flow-detail-match').textContent()).toMatch(/in_port=1 — vxlan0/)
    expect(await page.getByTestId('flow-detail-actions').textContent()).toMatch(/source VNID := the VXLAN VNID of the packet/)
    await shot(page, 'flow-detail-pane')
    await follow.click()
    await expect.poll(() => page.getByTestId('flow-table-filter').inputValue()).toBe(to)
    await expect.poll(async () => new Set(await page.locator('[data-testid=flow-row]').evaluateAll((rs) => rs.map((r) => r.getAttribute('data-table')))).size).toBe(1)
    expect(await page.locator('[data-testid=flow-row]').first().getAttribute('data-table')).toBe(to)
    await page.getByTestId('flow-back').click()
    await expect.poll(() => page.locator('[data-testid=flow-row][data-table="0"]').count()).toBeGreaterThan(0)
    await page.getByTestId('flow-forward').click()
    await expect.poll(() => page.getByTestId('flow-table-filter').inputValue()).toBe(to)
    // Table 80's output:NXM_NX_REG2[] leads to the flows that loaded the port into reg2 (tables 60 and 70).
    await page.getByTestId('flow-table-filter').selectOption({ label: (await page.locator('[data-testid=flow-table-filter] option', { hasText: 'table 80 ' }).textContent())! })
    await page.locator('[data-testid=flow-row][data-table="80"]').filter({ hasText: 'output:NXM_NX_REG2[]' }).first().click()
    await page.getByTestId('flow-follow-reg2').click()
    await expect.poll(async () => new Set(await page.locator('[data-testid=flow-row]').evaluateAll((rs) => rs.map((r) => r.getAttribute('data-table')))).has('70')).toBe(true)
    expect((await page.getByTestId('flow-row').allTextContents()).every((t) => t.includes('->NXM_NX_REG2[]'))).toBe(true)
    expect(pageErrors).toEqual([])
  })

  it('an ofproto/trace is shown as its table walk, the dropping step marked', async () => {
    const file = join(ui.dir, 'node1-trace-vnid-mismatch.txt')
    writeFileSync(file, sample('lab/hostns-trace-pod-to-pod-vnid-mismatch-drop.txt'))
    const r = await ws.call('captures.import', { path: file, hostName: 'node1', command: 'ovs-appctl ofproto/trace br0 in_port=3,ip,nw_src=10.128.0.2,nw_dst=10.128.0.4' })
    const id = r.captureIds[0] as number
    await page.getByTestId('nav-captures').click()
    await page.locator(`[data-testid=capture-item]`).filter({ hasText: 'ofproto/trace' }).first().click()
    await expect.poll(() => page.getByTestId('capture-detail').getAttribute('data-capture-id')).toBe(String(id))
    await page.getByRole('tab', { name: 'Parsed' }).click()
    await expect.poll(() => page.getByTestId('trace-verdict').textContent()).toMatch(/Dropped in table \d+/)
    const table = /Dropped in table (\d+)/.exec((await page.getByTestId('trace-verdict').textContent()) ?? '')?.[1]
    expect(await page.locator('[data-testid=trace-step].drop').getAttribute('data-table')).toBe(table)
    expect(await page.locator('[data-testid=trace-step]').count()).toBeGreaterThan(2)
    // Each step links to its flow in node1's dump (the flows every br0 has are in it): the link opens the dump there.
    await expect.poll(() => page.getByTestId('trace-flow-link').count()).toBeGreaterThan(0)
    await shot(page, 'trace-view')
    const step = page.locator('[data-testid=trace-step]').filter({ has: page.getByTestId('trace-flow-link') }).first()
    const stepTable = await step.getAttribute('data-table')
    await step.getByTestId('trace-flow-link').click()
    await expect.poll(() => page.getByTestId('capture-detail').getAttribute('data-capture-id')).toBe(String(captureIds.after))
    await expect.poll(() => page.locator('.tl.current').textContent()).toContain(`table=${stepTable},`)
    expect(pageErrors).toEqual([])
  })

  it("Check SDN's rising drops lead to the diff of the two dumps it compared", async () => {
    await page.getByTestId('nav-captures').click()
    await page.locator('[data-testid=check-node][data-host=node1]').click()
    await expect.poll(() => page.getByTestId('node-check-compare').count()).toBe(1)
    await page.getByTestId('node-check-compare').click()
    await expect.poll(() => page.getByTestId('diff-totals').textContent()).toMatch(/1 removed/)
    expect(pageErrors).toEqual([])
  })

  it('the rising-drops finding Check SDN stored opens the same diff from the Findings view', async () => {
    await page.getByTestId('nav-findings').click()
    const card = page.locator('[data-testid=case-finding][data-kind="sdn.drops.rising"]').filter({ hasText: 'Table 90' })
    await expect.poll(() => card.count()).toBe(1)
    await card.getByTestId('finding-compare').click()
    await expect.poll(() => page.getByTestId('flow-diff').isVisible()).toBe(true)
    await expect.poll(() => page.getByTestId('diff-totals').textContent()).toMatch(/1 removed\s*0 added\s*0 changed/)
    expect(await page.getByTestId('flow-diff').textContent()).toContain(`#${captureIds.before}`)
    expect(pageErrors).toEqual([])
  })

  it('charts: flows per table per node (node1 short of a table 90 flow), top counters, default drops over time', async () => {
    await page.getByTestId('nav-charts').click()
    await expect.poll(() => page.getByTestId('charts-host').inputValue()).toBe('node1')
    const t90 = page.getByTestId('chart-tables-data').locator('tr').filter({ hasText: /^90/ })
    await expect.poll(async () => {
      const [n1, n2] = (await t90.locator('td.num').allTextContents()).map(Number)
      return n2! - n1!
    }).toBe(1)
    expect(await t90.getAttribute('class')).toContain('uneven')
    expect(await page.getByTestId('chart-tables').locator('canvas').count()).toBeGreaterThan(0)
    await expect.poll(() => page.getByTestId('chart-top-row').count()).toBeGreaterThan(0)
    // Two dumps of node1: a line per table with a default drop, table 90 among them.
    await expect.poll(() => page.getByTestId('chart-drops').textContent()).toMatch(/across its 2 dumps/)
    expect(await page.getByTestId('chart-drops').locator('canvas').count()).toBeGreaterThan(0)
    expect(await page.getByTestId('chart-drops').textContent()).toMatch(/table 90/)
    await shot(page, 'charts')
    await page.getByTestId('chart-drops').scrollIntoViewIfNeeded()
    await shot(page, 'charts-drops')
    await page.getByTestId('charts-host').selectOption('node2')
    await expect.poll(() => page.getByTestId('chart-drops').textContent()).toMatch(/on node2 across its 1 dump/)
    expect(pageErrors).toEqual([])
  })

  it('the UI\'s diff and `sdnwb diff-flows --json` agree', async () => {
    const a = join(ui.dir, 'a.txt')
    const b = join(ui.dir, 'b.txt')
    writeFileSync(a, (await ws.call('captures.text', { id: captureIds.before as number })).text)
    writeFileSync(b, (await ws.call('captures.text', { id: captureIds.after as number })).text)
    const cli = spawnSync(process.execPath, [resolve(__dirname, '../../scripts/sdnwb.mjs'), 'diff-flows', a, b, '--json'], { encoding: 'utf8', cwd: resolve(__dirname, '../..') })
    expect(cli.status).toBe(2)
    const ours = await ws.call('flows.diff', { a: captureIds.before as number, b: captureIds.after as number })
    const theirs = JSON.parse(cli.stdout) as { totals: typeof ours.totals }
    const { perNode: _perNode, ...totals } = ours.totals
    expect(totals).toEqual(theirs.totals)
  })
})
