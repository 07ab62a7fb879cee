// Driving a runbook run in the UI (the pod-to-pod runbook from node1's first pod to node2's), shared by the e2e
// tests that need a run on the lab.
import type { Page } from 'playwright-core'
import { expect } from 'vitest'

export async function startPodToPodRun(page: Page, mode: 'live' | 'offline', pods: { src: string; dst: string } = { src: 'node1-pod1', dst: 'node2-pod1' }): Promise<void> {
  await page.getByTestId('nav-runbooks').click()
  await page.locator('[data-runbook="pod-to-pod"]').click()
  await page.locator('input[name=input-srcPod]').fill(pods.src)
  await page.locator('input[name=input-srcNamespace]').fill('proj-a')
  await page.locator('input[name=input-dstPod]').fill(pods.dst)
  await page.locator('input[name=input-dstNamespace]').fill('proj-a')
  await page.getByTestId('runbook-start').locator(`input[type=radio][value=${mode}]`).check()
  await page.getByTestId('start-run').click()
  await expect.poll(() => page.getByTestId('current-step').getAttribute('data-step')).toBe('locate-pods')
}

/** Clicks the step button until the run is done, checking that each click moved the run on. */
export async function stepRunToEnd(page: Page): Promise<string[]> {
  const seen: string[] = []
  for (let i = 0; i < 20; i++) {
    const step = (await page.getByTestId('current-step').getAttribute('data-step')) as string
    if (step === 'done') return seen
    seen.push(step)
    await page.getByTestId('run-step').click()
    await expect.poll(() => page.getByTestId('current-step').getAttribute('data-step'), { timeout: 30_000 }).not.toBe(step)
  }
  throw new Error(`run did not end: ${seen.join(' > ')}`)
}
