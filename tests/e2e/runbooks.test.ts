// The pod-to-pod runbook from the UI on the real lab with a planted fault (node1's table 90 flow for node2's
// subnet deleted): live, then offline on the captures the live run saved.
import { createServer } from 'node:net'
import type { Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { shot } from '../helpers/browser'
import { openLabUi, type LabUi } from '../helpers/lab-ui'
import { deleteFlows } from '../lab/lab'
import { startPodToPodRun, stepRunToEnd } from '../helpers/runbook-ui'

let ui: LabUi
let page: Page
let pageErrors: string[]
const planted = "node1 has no table 90 flow for node2's subnet 10.128.2.0/23"

beforeAll(async () => {
  ui = await openLabUi({ prefix: 'sdnwb-e2e-rb-', caseName: 'Lab runbooks', height: 900, beforeServe: (l) => deleteFlows(l, 'node1', 'table=90,ip,nw_dst=10.128.2.0/23') })
  ;({ page, pageErrors } = ui)
})

afterAll(async () => {
  await ui?.close()
})

const startRun = (mode: 'live' | 'offline') => startPodToPodRun(page, mode)
const stepToEnd = () => stepRunToEnd(page)

describe('pod-to-pod runbook from the UI', () => {
  it('live: each step runs over SSH and the planted missing table 90 flow is found and named', async () => {
    await startRun('live')
    await shot(page, 'runbook-first-step')
    expect(await page.getByTestId('step-command').textContent()).toBe('oc get pods --all-namespaces -o wide')
    const steps = await stepToEnd()
    expect(steps).toEqual(['locate-pods', 'subnets', 'src-forwarding', 'src-pod-flows', 'src-remote-flows', 'dst-flows'])
    expect(await page.getByTestId('finding-title').allTextContents()).toEqual([planted])
    expect(await page.getByTestId('finding').first().textContent()).toContain('set_field:10.200.1.2->tun_dst')
    expect(await page.locator('[data-testid=step-record][data-step=src-remote-flows]').getAttribute('data-result')).toBe('fail')
    await shot(page, 'runbook-live-finding')
    // The output of a step, inline: the raw dump opened at the evidence line (table 90's default drop).
    const rec = page.locator('[data-testid=step-record][data-step=src-remote-flows]')
    await rec.getByTestId('toggle-output').click()
    await expect.poll(() => rec.locator('.tl.current').textContent()).toMatch(/table=90, .*priority=0 actions=drop/)
    await rec.scrollIntoViewIfNeeded()
    await shot(page, 'runbook-inline-output')
  })

  it('offline: the same runbook on the saved captures reaches the same finding', async () => {
    await startRun('offline')
    // A paste larger than one call carries is refused in the panel, with the import offered instead.
    await page.getByText('Paste the output instead').click()
    const paste = page.getByRole('textbox', { name: 'Output' })
    await paste.evaluate((el, n) => {
      const t = el as HTMLTextAreaElement
      t.value = 'x'.repeat(n)
      t.dispatchEvent(new Event('input', { bubbles: true }))
    }, 13 * 1024 * 1024)
    await expect.poll(() => page.getByTestId('paste-too-big').textContent()).toMatch(/13\.0 MB; a pasted output can be at most 12\.0 MB/)
    expect(await page.getByRole('button', { name: 'Check this output' }).isDisabled()).toBe(true)
    await expect.poll(() => page.getByTestId('paste-import-instead').isVisible()).toBe(true)
    await shot(page, 'runbook-paste-too-big')
    await paste.fill('')
    await expect.poll(() => page.getByTestId('paste-too-big').count()).toBe(0)
    const steps = await stepToEnd()
    expect(steps).toEqual(['locate-pods', 'subnets', 'src-forwarding', 'src-pod-flows', 'src-remote-flows', 'dst-flows'])
    expect(await page.getByTestId('finding-title').allTextContents()).toEqual([planted])
    await shot(page, 'runbook-offline-finding')
  })

  it('the findings view shows the finding once, with the evidence of both runs; an evidence line opens its capture there', async () => {
    await page.getByTestId('nav-findings').click()
    // Live, then offline on the saved capture: one finding (same runbook step, same node), two sources.
    await expect.poll(() => page.getByTestId('finding-title').allTextContents()).toEqual([planted])
    const card = page.getByTestId('case-finding')
    expect(await card.getByTestId('finding-sources').textContent()).toMatch(/run #\d+.*run #\d+/)
    expect(await card.getByTestId('finding-evidence').count()).toBeGreaterThanOrEqual(1)
    await shot(page, 'runbook-findings')
    const evidence = card.getByTestId('finding-evidence').first()
    const open = evidence.getByTestId('evidence-open')
    const label = (await open.textContent()) ?? ''
    expect(label).toMatch(/ · ovs-ofctl -O OpenFlow13 dump-flows br0 · .* · live \(#\d+\), lines? \d+/)
    const line = /lines? (\d+)/.exec(label)?.[1]
    const excerpt = ((await evidence.locator('pre').textContent()) ?? '').split('\n')[0] ?? ''
    await open.click()
    await expect.poll(() => page.getByTestId('capture-detail').textContent()).toContain('ovs-ofctl -O OpenFlow13 dump-flows br0')
    // Opened at the evidence line, highlighted.
    await expect.poll(() => page.locator('.tl.current').getAttribute('data-line')).toBe(line)
    expect(await page.locator('.tl.current').textContent()).toContain(excerpt.trim())
    await shot(page, 'runbook-evidence-line')
    expect(pageErrors).toEqual([])
  })
})

describe('a finding continues with the next runbook', () => {
  it('external access ends at a closed port; "Continue with" opens the Router runbook with what the run knew', async () => {
    const closed = await new Promise<number>((r) => {
      const srv = createServer().listen(0, '127.0.0.1', () => {
        const p = (srv.address() as { port: number }).port
        srv.close(() => r(p))
      })
    })
    await page.getByTestId('nav-runbooks').click()
    await page.locator('[data-runbook="external-access"]').click()
    await page.locator('input[name=input-url]').fill(`http://127.0.0.1:${closed}/app`)
    await page.locator('input[name=input-hostname]').fill('localhost')
    await page.locator('input[name=input-port]').fill(String(closed))
    await page.getByTestId('runbook-start').locator('input[type=radio][value=live]').check()
    await page.getByTestId('start-run').click()
    for (const step of ['curl', 'resolve']) {
      await expect.poll(() => page.getByTestId('current-step').getAttribute('data-step')).toBe(step)
      await page.getByTestId('run-step').click()
    }
    await expect.poll(() => page.getByTestId('current-step').getAttribute('data-step')).toBe('router-ip')
    await page.getByTestId('current-step').getByRole('button', { name: /^Yes/ }).click()
    await expect.poll(() => page.getByTestId('current-step').getAttribute('data-step')).toBe('connect')
    await page.getByTestId('run-step').click()
    await expect.poll(() => page.getByTestId('finding-title').allTextContents()).toEqual([`Nothing listens on 127.0.0.1:${closed}`])
    const go = page.getByTestId('finding-continue')
    expect(await go.textContent()).toContain('Continue with')
    await shot(page, 'runbook-continue-offer')
    await go.click()
    const form = page.getByTestId('runbook-start')
    await expect.poll(() => form.locator('h2').textContent()).toMatch(/router/i)
    expect(await form.locator('input[name=input-hostname]').inputValue()).toBe('localhost')
    expect(await form.locator('input[name=input-routerIP]').inputValue()).toBe('127.0.0.1')
    expect(await form.locator('input[type=radio][value=live]').isChecked()).toBe(true)
    await shot(page, 'runbook-continue-form')
    // The same from the case's Findings view: it opens the Runbooks view on the filled-in form.
    await page.getByTestId('nav-findings').click()
    const card = page.getByTestId('case-finding').filter({ hasText: 'Nothing listens' })
    await card.getByTestId('finding-continue').click()
    await expect.poll(() => page.getByTestId('runbook-start').locator('input[name=input-routerIP]').inputValue()).toBe('127.0.0.1')
    expect(pageErrors).toEqual([])
  })
})
