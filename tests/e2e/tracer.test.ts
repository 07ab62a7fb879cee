// The offline packet tracer in the UI on the real lab with a planted fault (node1's table 90 flow for node2's
// subnet deleted): pod A to pod B is dropped in table 90 and the missing flow is named; the same packet from node2
// goes over VXLAN and on into node1's saved dump; the reachability matrix shows the failing pairs; and a case that
// holds only the two dumps (imported files) traces the same packet to the same drop, and runs the pod-to-pod runbook
// offline (where the pods run and the nodes' subnets read from the dumps). The runbook's trace step is simulated
// offline on the saved dump when no saved trace exists.
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { shot } from '../helpers/browser'
import { dumpNodes } from '../helpers/lab-capture'
import { openLabUi, type LabUi } from '../helpers/lab-ui'
import type { WsClient } from '../helpers/ws-client'
import { deleteFlows } from '../lab/lab'
import { startPodToPodRun, stepRunToEnd } from '../helpers/runbook-ui'

let ui: LabUi
let page: Page
let ws: WsClient
let pageErrors: string[]
const ids: Record<string, number> = {}

beforeAll(async () => {
  ui = await openLabUi({ prefix: 'sdnwb-e2e-tracer-', caseName: 'Tracer', height: 950, beforeServe: (l) => deleteFlows(l, 'node1', 'table=90,ip,nw_dst=10.128.2.0/23') })
  ;({ page, ws, pageErrors } = ui)
  Object.assign(ids, await dumpNodes(ws, ['master1', 'node1', 'node2']))
})

afterAll(async () => {
  await ui?.close()
})

async function traceIn(dumpId: number, from: string, to: string): Promise<void> {
  await page.getByTestId('tracer-dump').selectOption(String(dumpId))
  await expect.poll(() => page.locator(`[data-testid=trace-from] option[value="${from}"]`).count()).toBe(1)
  await page.getByTestId('trace-from').selectOption(from)
  await page.getByTestId('trace-to').selectOption(to)
  await page.getByTestId('trace-go').click()
}

describe('the offline packet tracer', () => {
  it('pod A to pod B on the node with the fault: dropped in table 90, the missing flow named', async () => {
    await page.getByTestId('nav-tracer').click()
    await traceIn(ids.node1 as number, 'pod:proj-a/node1-pod1', 'pod:proj-a/node2-pod1')
    await expect.poll(() => page.getByTestId('trace-verdict').first().textContent(), { timeout: 20_000 }).toMatch(/^Dropped in table 90 \(IP remote\) by its default flow "priority 0 actions=drop": no table 90 flow for nw_dst=10\.128\.2\.\d+, though node2's HostSubnet 10\.128\.2\.0\/23 \(HostIP 10\.200\.\d+\.\d+\) holds it: the flow openshift-sdn programs for that HostSubnet is missing$/)
    expect(await page.locator('[data-testid=trace-step]').evaluateAll((els) => els.map((e) => e.getAttribute('data-table')))).toEqual(['0', '20', '21', '30', '90'])
    await shot(page, 'tracer-drop-table-90')
    // The ofproto/trace text is there to compare with the real tool.
    await page.getByLabel(/As ofproto\/trace prints it/).check()
    await expect.poll(() => page.getByTestId('trace-text').textContent()).toContain('90. priority 0\n    drop')
    // Into the report: the trace with its verdict, in the preview.
    await page.getByTestId('trace-add-report').click()
    await expect.poll(() => page.getByTestId('report-trace').count()).toBe(1)
    const frame = page.frameLocator('[data-testid=report-preview]')
    await expect.poll(() => frame.locator('body').textContent(), { timeout: 20_000 }).toContain('Offline trace on node1')
    expect(await frame.locator('body').textContent()).toContain("though node2's HostSubnet 10.128.2.0/23")
    await page.getByTestId('nav-tracer').click()
  })

  it('from node2 the packet goes over VXLAN and on through node1\'s saved dump to the pod', async () => {
    await traceIn(ids.node2 as number, 'pod:proj-a/node2-pod1', 'pod:proj-a/node1-pod1')
    await expect.poll(() => page.locator('[data-testid=trace-run][data-node=node1]').count(), { timeout: 20_000 }).toBe(1)
    const verdict = (await page.getByTestId('trace-verdict').first().textContent()) ?? ''
    expect(verdict).toMatch(/^Sent over VXLAN to node node1 \(10\.200\.\d+\.\d+\) with VNID 0x[0-9a-f]+ \(table 90 \(IP remote\)\); on node1: delivered to port \d+.*pod proj-a\/node1-pod1/)
    await shot(page, 'tracer-vxlan-continued')
  })

  it('the reachability matrix of node1 shows the pairs the fault breaks, and a cell opens its trace', async () => {
    await page.getByTestId('tracer-dump').selectOption(String(ids.node1))
    await page.getByTestId('tracer-matrix-tab').click()
    await page.getByTestId('tracer-matrix-go').click()
    await expect.poll(() => page.getByTestId('tracer-matrix-summary').textContent(), { timeout: 30_000 }).toMatch(/^\d+ failing of \d+ pairs/)
    const failing = Number(/^(\d+)/.exec((await page.getByTestId('tracer-matrix-summary').textContent()) ?? '')?.[1])
    expect(failing).toBeGreaterThan(0)
    expect(await page.locator('[data-testid=matrix-cell][data-kind=dropped]').count()).toBeGreaterThan(0)
    expect(await page.locator('[data-testid=matrix-cell][data-kind=delivered]').count()).toBeGreaterThan(0)
    await shot(page, 'tracer-matrix')
    await page.locator('[data-testid=matrix-cell][data-kind=dropped]').first().click()
    await expect.poll(() => page.getByTestId('trace-verdict').first().textContent()).toMatch(/^Dropped/)
  })

  it('offline, the runbook\'s trace step is simulated on the saved dump (no saved trace of the packet) and says so', async () => {
    await startPodToPodRun(page, 'offline', { src: 'node1-pod1', dst: 'node1-pod2' })
    const steps = await stepRunToEnd(page)
    expect(steps).toContain('local-trace')
    const rec = page.locator('[data-testid=step-record][data-step=local-trace]')
    expect(await rec.getAttribute('data-result')).toBe('pass')
    const caps = await ws.call('captures.list', {})
    const simulated = caps.find((c) => c.command.startsWith('ovs-appctl ofproto/trace br0'))!
    expect(simulated.title).toMatch(/^Simulated: Trace the packet through br0 on node1$/)
    expect(simulated.origin).toBe(`simulated by the offline tracer on capture #${ids.node1} (node1 · ovs-ofctl -O OpenFlow13 dump-flows br0 · ${caps.find((c) => c.id === ids.node1)!.startedAt})`)
    expect(simulated.parserId).toBe('ovs-appctl.ofproto-trace')
    await rec.scrollIntoViewIfNeeded()
    await shot(page, 'tracer-runbook-simulated')
  })

  it('a case holding only the two dumps (imported files) traces the same packet to the same drop', async () => {
    const folder = join(ui.dir, 'customer-dumps')
    mkdirSync(folder, { recursive: true })
    for (const n of ['node1', 'node2']) writeFileSync(join(folder, `${n}-dump-flows-of13.txt`), (await ws.call('captures.text', { id: ids[n] as number })).text)
    const pod1 = (await ws.call('trace.endpoints', { captureId: ids.node1 as number })).endpoints.find((e) => e.id === 'pod:proj-a/node1-pod1')!
    const pod2 = (await ws.call('trace.endpoints', { captureId: ids.node1 as number })).endpoints.find((e) => e.id === 'pod:proj-a/node2-pod1')!
    await ws.call('case.create', { name: 'Only dumps' })
    const imported = await ws.call('captures.import', { path: folder })
    expect(imported.captureIds).toHaveLength(2)
    const caps = await ws.call('captures.list', {})
    const dump1 = caps.find((c) => c.hostName === 'node1')!
    await page.reload()
    await page.getByTestId('nav-tracer').click()
    await page.getByTestId('tracer-dump').selectOption(String(dump1.id))
    // No pod list in this case: the pod is known by its port on br0, the destination given as an address.
    await expect.poll(() => page.locator(`[data-testid=trace-from] option[value="pod:${pod1.ip}"]`).count()).toBe(1)
    await page.getByTestId('trace-from').selectOption(`pod:${pod1.ip}`)
    await page.getByLabel('Destination address').fill(pod2.ip)
    await page.getByTestId('trace-go').click()
    await expect.poll(() => page.getByTestId('trace-verdict').first().textContent(), { timeout: 20_000 }).toMatch(new RegExp(`^Dropped in table 90 \\(IP remote\\) by its default flow .*nw_dst=${pod2.ip.replace(/\./g, '\\.')}`))
    // The dumps name node2's subnet and HostIP (its own table 30 and 100): the missing flow is named as with oc output.
    expect(await page.getByTestId('trace-verdict').first().textContent()).toContain("though node2's HostSubnet 10.128.2.0/23 (HostIP 10.200.")
    await shot(page, 'tracer-dumps-only')
    // From node2, over VXLAN to node1's HostIP (node2's table 90 says it) and on through node1's dump to the pod.
    const dump2 = caps.find((c) => c.hostName === 'node2')!
    await page.getByTestId('tracer-dump').selectOption(String(dump2.id))
    await expect.poll(() => page.locator(`[data-testid=trace-from] option[value="pod:${pod2.ip}"]`).count()).toBe(1)
    await page.getByTestId('trace-from').selectOption(`pod:${pod2.ip}`)
    // Now a pod of the list: node1's pod is known from node1's dump (the address typed before is cleared).
    await page.getByLabel('Destination address').fill('')
    await page.getByTestId('trace-to').selectOption(`pod:${pod1.ip}`)
    await page.getByTestId('trace-go').click()
    await expect.poll(() => page.locator('[data-testid=trace-run][data-node=node1]').count(), { timeout: 20_000 }).toBe(1)
    expect(await page.getByTestId('trace-verdict').first().textContent()).toMatch(/^Sent over VXLAN to node node1 \(10\.200\.\d+\.\d+\) with VNID 0x[0-9a-f]+ .*; on node1: delivered to port \d+/)
    expect(pageErrors).toEqual([])
  })

  it('on the case holding only the dumps, "pod A cannot reach pod B" runs offline: the pods and subnets are read from the dumps, the missing flow found', async () => {
    const caps = await ws.call('captures.list', {})
    const t = await ws.call('trace.endpoints', { captureId: caps.find((c) => c.hostName === 'node1')!.id })
    const a = t.endpoints.find((e) => e.local && e.kind === 'pod')!
    const b = t.endpoints.find((e) => e.kind === 'pod' && e.node === 'node2')!
    await startPodToPodRun(page, 'offline', { src: a.ip, dst: b.ip })
    // No oc get pods in the case: the step is answered from the flows of both dumps, and says so.
    await expect.poll(() => page.getByTestId('answered-from').textContent()).toMatch(/its checks are read from the flows of .*node1.* and .*node2/)
    await shot(page, 'runbook-dumps-only-locate')
    const steps: string[] = []
    for (let i = 0; i < 12; i++) {
      const step = (await page.getByTestId('current-step').getAttribute('data-step')) as string
      if (step === 'done') break
      steps.push(step)
      // A step no saved output answers (ip_forward: no sysctl in the case) is marked not checkable, as an engineer would.
      if (await page.getByTestId('run-step').isDisabled()) await page.getByTestId('skip-step').click()
      else await page.getByTestId('run-step').click()
      await expect.poll(() => page.getByTestId('current-step').getAttribute('data-step'), { timeout: 30_000 }).not.toBe(step)
    }
    expect(steps).toEqual(['locate-pods', 'subnets', 'src-forwarding', 'src-pod-flows', 'src-remote-flows', 'dst-flows'])
    const located = page.locator('[data-testid=step-record][data-step=locate-pods]')
    expect(await located.getAttribute('data-result')).toBe('pass')
    expect(await located.textContent()).toContain(`${a.ip} has port`)
    expect(await located.textContent()).toContain('Answered from the saved br0 dumps of node1')
    expect(await page.locator('[data-testid=step-record][data-step=src-forwarding]').getAttribute('data-result')).toBe('skipped')
    await expect.poll(() => page.getByTestId('finding-title').allTextContents()).toEqual(["node1 has no table 90 flow for node2's subnet 10.128.2.0/23"])
    expect(await page.getByTestId('finding').first().textContent()).toContain('set_field:10.200.1.2->tun_dst')
    await page.locator('[data-testid=step-record][data-step=subnets]').scrollIntoViewIfNeeded()
    await shot(page, 'runbook-dumps-only-done')
    expect(pageErrors).toEqual([])
  })
})
