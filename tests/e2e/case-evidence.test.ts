// The case as evidence, in the UI on the real lab: a node with a planted fault is captured live and checked,
// the finding is saved and worked on in Findings and survives reopening the case; a folder of mixed files from
// the "customer" is imported with its hosts fixed in the preview; the captures can be told apart in the list
// and in a runbook's capture picker; the same finding seen offline gains a second piece of evidence.
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { shot } from '../helpers/browser'
import { openLabUi, type LabUi } from '../helpers/lab-ui'
import type { WsClient } from '../helpers/ws-client'
import { deleteFlows } from '../lab/lab'

let ui: LabUi
let page: Page
let ws: WsClient
let pageErrors: string[]
const planted = 'Table 40 (ARP local) has no default flow'

beforeAll(async () => {
  ui = await openLabUi({
    prefix: 'sdnwb-e2e-ev-',
    caseName: 'Customer evidence',
    height: 900,
    // The fault: node1's table 40 lost its default drop.
    beforeServe: (lab) => deleteFlows(lab, 'node1', 'table=40,priority=0', true)
  })
  ;({ page, ws, pageErrors } = ui)
})

afterAll(async () => {
  await ui?.close()
})

const findingCard = () => page.getByTestId('case-finding').filter({ hasText: planted })

describe('the case as evidence', () => {
  it('opens on the overview; a live capture and Check SDN save the finding, which Findings shows and edits', async () => {
    await expect.poll(() => page.getByTestId('overview').isVisible()).toBe(true)
    await page.getByTestId('nav-capture').click()
    await page.getByTestId('pick-master1').uncheck()
    await page.getByTestId('pick-node2').uncheck()
    await page.getByTestId('start-capture').click()
    await expect.poll(() => page.getByTestId('run-status').textContent(), { timeout: 30_000 }).toBe('finished')

    await page.getByTestId('nav-captures').click()
    await page.locator('[data-testid=check-node][data-host=node1]').click()
    await expect.poll(() => page.locator('[data-testid=node-finding]').filter({ hasText: planted }).count()).toBe(1)
    expect(await page.getByTestId('node-check').textContent()).toContain("Saved in the case's Findings")
    await page.getByTestId('node-check').getByRole('button', { name: 'Close', exact: true }).click()

    await page.getByTestId('nav-findings').click()
    await expect.poll(() => findingCard().count()).toBe(1)
    expect(await findingCard().getByTestId('finding-sources').textContent()).toContain('Check SDN (bridge.default)')
    // The dump it is missing from is the evidence, named host · command · time · live.
    expect(await findingCard().getByTestId('evidence-open').first().textContent()).toMatch(/^node1 · ovs-ofctl -O OpenFlow13 dump-flows br0 · .* · live \(#\d+\)$/)
    await findingCard().getByTestId('finding-status').selectOption('confirmed')
    await findingCard().getByTestId('finding-note-edit').click()
    await findingCard().getByTestId('finding-note-input').fill('Seen on the customer console too; table 40 was flushed by hand.')
    await findingCard().getByTestId('finding-note-save').click()
    await expect.poll(() => findingCard().getByTestId('finding-note').textContent()).toContain('flushed by hand')
    await shot(page, 'evidence-finding-confirmed')

    // Closed and opened again: the status and the note are the case's.
    await page.getByRole('button', { name: 'Close case' }).click()
    await page.getByTestId('case-list').getByRole('button', { name: 'Open' }).first().click()
    await expect.poll(() => page.locator('[data-testid=overview-findings]').textContent()).toMatch(/1\s*open findings/)
    await shot(page, 'evidence-overview')
    await page.getByTestId('overview-findings').click()
    await expect.poll(() => findingCard().getByTestId('finding-status').inputValue()).toBe('confirmed')
    expect(await findingCard().getByTestId('finding-note').textContent()).toContain('flushed by hand')
    expect(pageErrors).toEqual([])
  })

  it('imports a folder of mixed files with a host fixed in the preview; the captures are told apart', async () => {
    // What the customer sent: the same node's dump and rules, a file whose name says no host, one that is no output.
    const hosts = await ws.call('hosts.list', {})
    const node1 = hosts.find((h) => h.name === 'node1')
    expect(node1).toBeDefined()
    const live = (await ws.call('captures.list', { hostName: 'node1' })).filter((c) => c.source === 'live')
    const dump = live.find((c) => c.command.includes('dump-flows br0'))
    const rules = live.find((c) => c.command.startsWith('iptables-save'))
    expect(dump && rules).toBeTruthy()
    const folder = join(ui.dir, 'from-customer')
    mkdirSync(folder, { recursive: true })
    writeFileSync(join(folder, 'node1-dump-flows-of13.txt'), (await ws.call('captures.text', { id: dump!.id })).text)
    writeFileSync(join(folder, 'iptables-save-after-restart.txt'), (await ws.call('captures.text', { id: rules!.id })).text)
    writeFileSync(join(folder, 'holiday-photo.jpg'), 'not an output')

    await page.getByTestId('nav-captures').click()
    await page.getByTestId('open-import').click()
    await page.locator('input[name=import-path]').fill(folder)
    await page.getByRole('button', { name: 'Preview' }).click()
    const rulesRow = page.locator('[data-testid=import-items] tr[data-path$="iptables-save-after-restart.txt"]')
    await expect.poll(() => rulesRow.count()).toBe(1)
    // Its name says no host: the row waits for one.
    expect(await rulesRow.textContent()).toMatch(/say which host it is from/)
    const dumpRow = page.locator('[data-testid=import-items] tr[data-path$="node1-dump-flows-of13.txt"]')
    expect(await dumpRow.textContent()).toMatch(/a guess from the file name/)
    await rulesRow.getByTestId('row-host').fill('node1')
    await rulesRow.getByTestId('row-host').press('Tab')
    await expect.poll(() => page.getByTestId('do-import').textContent()).toMatch(/Import 2/)
    await shot(page, 'evidence-import-preview-edited')
    await page.getByTestId('do-import').click()
    await expect.poll(() => page.getByTestId('import-result').textContent()).toMatch(/Imported 2 captures/)
    await page.getByTestId('import-captures').getByRole('button', { name: 'Close', exact: true }).click()

    // In the list: the live dump and the imported one, each with its command and where it came from.
    const items = page.locator('[data-testid=capture-group][data-group=node1] [data-testid=capture-item]')
    await expect.poll(() => items.filter({ hasText: 'imported from from-customer › node1-dump-flows-of13.txt' }).count()).toBe(1)
    const labels = await items.allTextContents()
    expect(new Set(labels).size).toBe(labels.length)
    await shot(page, 'evidence-captures-list')
  })

  it('Check SDN offline on the imported dump: the same finding, now with two pieces of evidence', async () => {
    await page.locator('[data-testid=check-node][data-host=node1]').click()
    await expect.poll(() => page.locator('[data-testid=node-finding]').filter({ hasText: planted }).textContent()).toContain('seen before')
    await page.getByTestId('node-check').getByRole('button', { name: 'Close', exact: true }).click()
    await page.getByTestId('nav-findings').click()
    await expect.poll(() => findingCard().getByTestId('finding-evidence').count()).toBe(2)
    const evidence = await findingCard().getByTestId('evidence-open').allTextContents()
    expect(evidence.some((e) => / · live \(#\d+\)/.test(e))).toBe(true)
    expect(evidence.some((e) => /imported from from-customer › node1-dump-flows-of13\.txt/.test(e))).toBe(true)
    expect(await page.getByTestId('case-finding').count()).toBe(1)
    // What the kind means comes from the finding catalog.
    await findingCard().getByTestId('finding-about').locator('summary').click()
    expect(await findingCard().getByTestId('finding-about').textContent()).toMatch(/What this check looks at.{20,}/)
    await shot(page, 'evidence-two-pieces')
    // Its evidence opens the capture it names.
    await findingCard().getByTestId('evidence-open').filter({ hasText: 'imported' }).click()
    await expect.poll(() => page.getByTestId('capture-detail').textContent()).toContain('imported')
  })

  it("a runbook's capture picker tells the live and the imported rules apart", async () => {
    await page.getByTestId('nav-runbooks').click()
    await page.locator('[data-runbook="kube-proxy"]').click()
    await page.locator('input[name=input-serviceIP]').fill('172.30.0.1')
    await page.locator('input[name=input-port]').fill('443')
    await page.locator('input[name=input-node]').fill('node1')
    await page.getByTestId('runbook-start').locator('input[type=radio][value=offline]').check()
    await page.getByTestId('start-run').click()
    await expect.poll(() => page.getByTestId('current-step').getAttribute('data-step')).toBe('nat')
    const options = await page.getByRole('combobox', { name: 'Another capture' }).locator('option').allTextContents()
    const picks = options.filter((o) => o.startsWith('node1 · iptables-save'))
    expect(picks.length).toBeGreaterThanOrEqual(2)
    expect(new Set(picks).size).toBe(picks.length)
    expect(picks.some((o) => o.includes(' · live ('))).toBe(true)
    expect(picks.some((o) => o.includes('imported from from-customer › iptables-save-after-restart.txt'))).toBe(true)
    await shot(page, 'evidence-runbook-picker')
    // The same runbook again: the form starts from the last run's inputs, and offers the nodes the case knows.
    await page.locator('[data-runbook="kube-proxy"]').click()
    await expect.poll(() => page.locator('input[name=input-serviceIP]').inputValue()).toBe('172.30.0.1')
    expect(await page.getByTestId('prefilled-from').textContent()).toMatch(/Filled in from run #\d+/)
    await expect.poll(() => page.getByTestId('suggest-node').locator('option').evaluateAll((os) => os.map((o) => (o as HTMLOptionElement).value))).toContain('node1')
    expect(pageErrors).toEqual([])
  })

  it('a finding written by the engineer, with lines picked in a capture as its evidence', async () => {
    await page.getByTestId('nav-captures').click()
    await page.locator('[data-testid=capture-group][data-group=node1] [data-testid=capture-item]').filter({ hasText: 'iptables-save' }).filter({ hasText: 'live' }).first().click()
    await page.getByRole('tab', { name: 'Raw' }).click()
    await page.locator('.tl[data-line="2"] .ln').click()
    await page.locator('.tl[data-line="4"] .ln').click({ modifiers: ['Shift'] })
    await expect.poll(() => page.locator('.tl.picked').count()).toBe(3)
    await shot(page, 'evidence-pick-lines')
    await page.getByTestId('pick-new-finding').click()
    await page.getByTestId('new-finding-title').fill('The NAT table was flushed at 10:02 by the customer script')
    await page.getByTestId('new-finding-explain').fill('Seen in the rules captured live.')
    await page.getByTestId('new-finding-save').click()
    const card = page.getByTestId('case-finding').filter({ hasText: 'flushed at 10:02' })
    await expect.poll(() => card.count()).toBe(1)
    expect(await card.getByTestId('finding-sources').textContent()).toContain('Reported by the engineer')
    expect(await card.getByTestId('evidence-open').textContent()).toMatch(/^node1 · iptables-save.* · live \(#\d+\), lines 2–4$/)
    await shot(page, 'evidence-engineer-finding')
    expect(pageErrors).toEqual([])
  })
})
