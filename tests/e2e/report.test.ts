// The customer report from the UI on the real lab with a planted fault (node1's table 90 flow for node2's subnet
// deleted, real packets then dropped in table 90): Check SDN's finding confirmed, the pod-to-pod runbook run live,
// the before/after flow diff added from the diff view; the report previewed, exported as HTML, Markdown and PDF,
// not redacted and redacted; the PDF pages looked at (pdftoppm) and read (pdftotext); the leak scanner finds no
// lab address, MAC or host name in any encoding in the redacted exports; every export kept in the case.
import { execFileSync } from 'node:child_process'
import { mkdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import type { Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { shot } from '../helpers/browser'
import { dumpNodes } from '../helpers/lab-capture'
import { openLabUi, type LabUi } from '../helpers/lab-ui'
import { addressesIn, findLeaks, pseudonymsOf } from '../helpers/leak-scanner'
import { startPodToPodRun, stepRunToEnd } from '../helpers/runbook-ui'
import type { WsClient } from '../helpers/ws-client'
import { deleteFlows, sendPodToRemotePod, type Lab } from '../lab/lab'
import { caseRedaction } from '../../src-main/node/redact/case-redaction'
import { CaseDb } from '../../src-main/node/store/case-db'
import { checkNodeFromCaptures } from '../../src-main/node/capture/node-check'

let ui: LabUi
let lab: Lab
let page: Page
let ws: WsClient
let pageErrors: string[]
const ids: Record<string, number> = {}
const shots = join(process.cwd(), 'test-results', 'screenshots')

beforeAll(async () => {
  ui = await openLabUi({ prefix: 'sdnwb-e2e-report-', caseName: 'ACME pod network', height: 950 })
  ;({ lab, page, ws, pageErrors } = ui)
})

afterAll(async () => {
  await ui?.close()
})

async function exportAs(format: 'html' | 'md' | 'pdf', redacted: boolean): Promise<string> {
  const [download] = await Promise.all([page.waitForEvent('download', { timeout: 60_000 }), page.getByTestId(`report-export-${format}`).click()])
  const file = join(ui.dir, `${redacted ? 'redacted' : 'plain'}-${download.suggestedFilename()}`)
  await download.saveAs(file)
  // A redacted export's name is its redacted title's: it does not say the customer's name either.
  expect(download.suggestedFilename()).toBe(redacted ? `term-01-pod-network-sdn-troubleshooting-report-redacted.${format}` : `acme-pod-network-sdn-troubleshooting-report.${format}`)
  return file
}

describe('a customer report from the case', () => {
  it('the planted fault becomes a report with the Check SDN finding, the runbook path and the flow diff; exported and redacted without a leak', async () => {
    // Captures before, the fault and real packets dropped by it, node1 again after.
    Object.assign(ids, await dumpNodes(ws, ['master1', 'node1', 'node2']))
    ids.before = ids.node1 as number
    deleteFlows(lab, 'node1', 'table=90,ip,nw_dst=10.128.2.0/23')
    sendPodToRemotePod(lab, 5)
    ids.after = (await dumpNodes(ws, ['node1'])).node1 as number

    // Check SDN on node1: the finding, confirmed in Findings.
    await page.getByTestId('nav-captures').click()
    await page.locator('[data-testid=check-node][data-host=node1]').click()
    await expect.poll(() => page.locator('[data-testid=node-finding]').filter({ hasText: 'no table 90 flow' }).count(), { timeout: 30_000 }).toBeGreaterThan(0)
    await page.getByTestId('node-check').getByRole('button', { name: 'Close', exact: true }).click()
    await page.getByTestId('nav-findings').click()
    const card = page.getByTestId('case-finding').filter({ hasText: 'no table 90 flow' })
    await card.getByTestId('finding-status').selectOption('confirmed')
    await expect.poll(() => card.getByTestId('finding-status').inputValue()).toBe('confirmed')

    // The before/after diff, added to a report from the diff view (with the counters that moved).
    await page.getByTestId('nav-captures').click()
    await page.locator('[data-testid=capture-group][data-group=node1] [data-testid=capture-item]').filter({ hasText: 'ovs-ofctl -O OpenFlow13 dump-flows br0' }).first().click()
    await expect.poll(() => page.getByTestId('capture-detail').getAttribute('data-capture-id')).toBe(String(ids.after))
    await page.getByTestId('compare-with').selectOption(String(ids.before))
    await page.getByTestId('compare-go').click()
    await expect.poll(() => page.getByTestId('diff-totals').textContent(), { timeout: 30_000 }).toMatch(/1 removed/)
    await page.getByTestId('diff-show-moved').check()
    await page.getByTestId('diff-add-report').click()
    await expect.poll(() => page.getByTestId('report-view').isVisible()).toBe(true)
    await expect.poll(() => page.getByTestId('report-diff').count()).toBe(1)
    // The new report's picks defaulted from the case: the confirmed finding.
    const findingBox = page.locator('[data-testid^=report-finding-]')
    await expect.poll(() => findingBox.count()).toBeGreaterThan(0)
    expect(await findingBox.evaluateAll((els) => els.filter((e) => (e as HTMLInputElement).checked).length)).toBe(1)

    // The runbook, live: its path ends at the same finding; picked for the report.
    await startPodToPodRun(page, 'live')
    expect(await stepRunToEnd(page)).toContain('src-remote-flows')
    await page.getByTestId('nav-report').click()
    await expect.poll(() => page.locator('[data-testid^=report-run-]').count()).toBe(1)
    await page.locator('[data-testid^=report-run-]').check()

    await page.getByTestId('report-summary').fill('Pods on **node1** cannot reach pods on node2: packets to 10.128.2.0/23 die in table 90.')
    await page.getByTestId('report-issue').fill('Since the maintenance window, node1-pod1 gets no answer from node2-pod1.')
    await page.getByTestId('report-rootCause').fill("node1's table 90 flow for node2's subnet (tun_dst 10.200.1.2) was deleted by hand.")
    await page.getByTestId('report-resolution').fill('1. Restart the SDN pod on node1 so it programs br0 again.\n2. Check `ovs-ofctl -O OpenFlow13 dump-flows br0 table=90`.')

    // The live preview: the report as it will be exported.
    const frame = page.frameLocator('[data-testid=report-preview]')
    await expect.poll(() => frame.locator('body').textContent(), { timeout: 20_000 }).toContain('Since the maintenance window')
    const preview = (await frame.locator('body').textContent()) ?? ''
    for (const s of ['Environment', 'Findings', 'Diagnostic steps', 'Runbook: ', 'Flow diff, before vs after', 'Root cause', 'Resolution', 'Timeline (UTC)', 'Evidence appendix', 'SHA-256']) expect(preview).toContain(s)
    expect(preview).toMatch(/no table 90 flow/)
    expect(await frame.locator('svg[aria-label="Packets counted per table"]').count()).toBe(1)
    await shot(page, 'report-builder')

    // Exported as it is, then redacted.
    const plain = { html: await exportAs('html', false), md: await exportAs('md', false), pdf: await exportAs('pdf', false) }
    // The customer's name is one of the engineer's terms.
    await page.getByTestId('redaction-term-input').fill('ACME')
    await page.getByTestId('redaction-term-add').click()
    await expect.poll(() => page.getByTestId('redaction-term').count()).toBe(1)
    await page.getByTestId('report-redact').check()
    await expect.poll(() => frame.locator('body').textContent(), { timeout: 20_000 }).toContain('This report is redacted.')
    await shot(page, 'report-builder-redacted')
    await page.getByTestId('report-mapping').click()
    await expect.poll(() => page.getByTestId('report-mapping-table').locator('tbody tr').count()).toBeGreaterThan(5)
    expect(await page.getByTestId('report-mapping-table').textContent()).toContain('node1')
    await shot(page, 'report-mapping')
    const red = { html: await exportAs('html', true), md: await exportAs('md', true), pdf: await exportAs('pdf', true) }
    await expect.poll(() => page.getByTestId('report-exports').locator('tbody tr').count()).toBe(6)

    // The PDFs: pages looked at, text read back.
    mkdirSync(shots, { recursive: true })
    for (const [name, pdf] of [['report-lab-plain', plain.pdf], ['report-lab-redacted', red.pdf]] as const) {
      const info = execFileSync('pdfinfo', [pdf], { encoding: 'utf8' })
      expect(info).toMatch(/Tagged:\s+yes/)
      const pages = Number(/Pages:\s+(\d+)/.exec(info)?.[1])
      expect(pages).toBeGreaterThanOrEqual(3)
      execFileSync('pdftoppm', ['-png', '-r', '60', '-f', '1', '-l', '3', pdf, join(shots, name)])
      const text = execFileSync('pdftotext', ['-layout', pdf, '-'], { encoding: 'utf8' })
      expect(text).toContain(`Page ${pages} of ${pages}`)
      expect(text).toContain('Flow diff, before vs after')
    }
    const plainText = execFileSync('pdftotext', ['-layout', plain.pdf, '-'], { encoding: 'utf8' })
    expect(plainText).toContain('10.128.2.0/23')
    expect(readFileSync(plain.md, 'utf8')).toContain('## Diagnostic steps')

    // The leak scanner: every lab address, MAC and host name the case's captures hold, in every encoding.
    const db = CaseDb.open(join(ui.dir, 'cases', 'acme-pod-network.sdncase'), { readOnly: true })
    let originals
    try {
      const r = caseRedaction(db)
      const found = addressesIn(db.captures.list().map((c) => db.captures.text(c.id)), { hostBits: r.hostBits })
      // An address whose pseudonym is another original (or itself) cannot be told from a leak: left out, printed.
      const pseudonyms = pseudonymsOf(db.captures.list().map((x) => db.captures.text(x.id)), (t) => r.redactor.redact(t))
      const ambiguous = found.ipv4.filter((ip) => pseudonyms.has(ip))
      console.log(`lab report scan: ${found.ipv4.length} IPv4, ${found.macs.length} MACs; ambiguous: ${ambiguous.join(', ') || 'none'}`)
      expect(ambiguous.length).toBeLessThanOrEqual(3)
      originals = { ipv4: found.ipv4.filter((ip) => !pseudonyms.has(ip)), macs: found.macs, names: ['node1', 'node2', 'master1', 'ACME'] }
    } finally {
      db.close()
    }
    expect(originals.ipv4.length).toBeGreaterThan(10)
    expect(findLeaks(plainText, originals).length).toBeGreaterThan(5)
    expect(findLeaks(execFileSync('pdftotext', [red.pdf, '-'], { encoding: 'utf8' }), originals)).toEqual([])
    expect(findLeaks(readFileSync(red.html, 'utf8'), originals)).toEqual([])
    expect(findLeaks(readFileSync(red.md, 'utf8'), originals)).toEqual([])

    // A redacted copy of the whole case for a vendor: captures, the run and the findings, nothing of the lab left.
    await page.getByTestId('case-redacted-copy').click()
    await expect.poll(() => page.getByTestId('report-note').textContent(), { timeout: 30_000 }).toMatch(/Wrote the redacted copy .*: \d+ captures, 1 runbook runs, \d+ findings/)
    const copyPath = /Wrote the redacted copy (\S+\.sdncase)/.exec((await page.getByTestId('report-note').textContent()) ?? '')?.[1] as string
    expect(copyPath).toMatch(/\/term-01-pod-network-redacted\.sdncase$/)
    const copy = CaseDb.open(copyPath, { readOnly: true })
    try {
      const run = copy.runs.list()[0]!
      const state = JSON.stringify(copy.runs.get(run.id).state)
      expect(state).toContain('"stepId":"src-remote-flows"')
      expect(findLeaks(state, originals)).toEqual([])
      expect(copy.findings.list().length).toBe(3)
      for (const c of copy.captures.list()) expect(findLeaks([c.hostName, c.command, copy.captures.text(c.id)].join('\n'), originals), `${c.hostName} ${c.command}`).toEqual([])
      // Every parser reads the lab's redacted outputs as it read the originals (every command of the set: OVS,
      // ip, iptables, sysctl, every oc get kind), and Check SDN gives each node the same verdict.
      const orig = CaseDb.open(join(ui.dir, 'cases', 'acme-pod-network.sdncase'), { readOnly: true })
      try {
        const read = (l: { parserId: string | null; records: number | null; diagnosticCount: number }[]) => l.map((x) => `${x.parserId ?? 'text'} ${x.records ?? 0} ${x.diagnosticCount}`).sort()
        const parsers = new Set(orig.captures.list().map((x) => x.parserId).filter((x) => x !== null))
        expect(parsers.size).toBeGreaterThan(12)
        expect(read(copy.captures.list())).toEqual(read(orig.captures.list()))
        for (const [node, pseudonym] of [['node1', 'node-02'], ['node2', 'node-03']]) {
          const a = checkNodeFromCaptures(orig.captures, node as string)
          const b = checkNodeFromCaptures(copy.captures, pseudonym as string)
          expect(b.findings.map((f) => f.id.split(':')[0]), node).toEqual(a.findings.map((f) => f.id.split(':')[0]))
        }
        expect(checkNodeFromCaptures(orig.captures, 'node1').findings.length).toBeGreaterThan(0)
      } finally {
        orig.close()
      }
      // The run's steps point at the copy's own captures.
      const ids = new Set(copy.captures.list().map((c) => c.id))
      for (const step of copy.runs.get(run.id).state.history) for (const id of step.captureIds) expect(ids.has(id)).toBe(true)
    } finally {
      copy.close()
    }
    await shot(page, 'report-redaction-panel')
    expect(pageErrors).toEqual([])
  })
})
