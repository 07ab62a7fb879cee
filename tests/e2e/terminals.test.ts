// Terminals in the real UI (Chromium, browser mode) on the real lab: xterm.js over the WebSocket, ssh2 through
// the jump host, the session recorded in the case.
import { readFileSync } from 'node:fs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Page } from 'playwright-core'
import { openLabUi, type LabUi } from '../helpers/lab-ui'
import { killNodeSshdSessions, startNodeSshd } from '../lab/lab'
import type { WsClient } from '../helpers/ws-client'

let ui: LabUi
let page: Page
let ws: WsClient
let pageErrors: string[]

beforeAll(async () => {
  ui = await openLabUi({ prefix: 'sdnwb-e2e-term-', caseName: 'Terminals', height: 900 })
  ;({ page, ws, pageErrors } = ui)
}, 120_000)

afterAll(async () => {
  await ui?.close()
})

async function typeLine(text: string): Promise<void> {
  await page.keyboard.type(text)
  await page.keyboard.press('Enter')
}

describe('terminals', () => {
  it('node1 through the jump host: dump-flows, saved as a capture and read in the flow grid, found by search, exported', async () => {
    await page.getByTestId('nav-hosts').click()
    await page.locator('tr[data-host="node1"]').getByTestId('host-terminal').click()
    await page.getByTestId('terminal-tab').filter({ hasText: 'node1' }).waitFor()
    // The prompt hook answers: the tab says commands are tracked.
    await page.getByText('Shell integration: on').waitFor({ timeout: 15_000 })
    await page.locator('[data-testid="xterm-host"]:visible').click()
    await typeLine('ovs-ofctl -O OpenFlow13 dump-flows br0')
    const cmd = page.getByTestId('terminal-commands').locator('li').filter({ hasText: 'ovs-ofctl -O OpenFlow13 dump-flows br0' })
    await cmd.waitFor({ timeout: 15_000 })
    expect(await cmd.locator('.exit').textContent()).toBe('exit 0')
    await page.screenshot({ path: 'test-results/screenshots/terminal-node1.png' })
    // Find in the scrollback (xterm.js's search addon): Ctrl+Shift+F opens the bar, Enter selects the match, which
    // the Selection block then offers to save; Escape closes the bar and gives the keys back to the terminal.
    await page.keyboard.press('Control+Shift+F')
    await page.getByTestId('terminal-find').locator('input').fill('table=253')
    await page.getByTestId('terminal-find').locator('input').press('Enter')
    await page.getByRole('button', { name: 'Save selection as capture' }).waitFor()
    await page.screenshot({ path: 'test-results/screenshots/terminal-find.png' })
    await page.getByTestId('terminal-find').locator('input').press('Escape')
    await page.getByTestId('terminal-find-open').waitFor()
    expect(await page.getByTestId('terminal-find').count()).toBe(0)
    await cmd.getByTestId('save-command').click()
    await page.getByTestId('terminal-note').filter({ hasText: 'read by ovs-ofctl.dump-flows' }).waitFor()
    await page.getByTestId('terminal-note').getByRole('button', { name: 'Open' }).click()
    // The flow grid reads it as any capture.
    await page.getByTestId('flow-grid').waitFor({ timeout: 15_000 })
    await expect.poll(() => page.getByTestId('flow-grid').textContent(), { timeout: 20_000 }).toContain('goto_table')
    await page.screenshot({ path: 'test-results/screenshots/terminal-capture-grid.png' })

    // A line of it through the recordings' search.
    await page.getByTestId('nav-terminals').click()
    await page.getByTestId('transcript-search').fill('"table=253"')
    await page.getByTestId('transcript-search').press('Enter')
    await page.getByTestId('transcript-hit').first().waitFor()
    expect(await page.getByTestId('transcript-hit').first().textContent()).toContain('table=253')

    // The recording exported as asciicast.
    const download = page.waitForEvent('download')
    await page.getByTestId('export-cast').click()
    const file = await (await download).path()
    const lines = readFileSync(file, 'utf8').trim().split('\n')
    expect(JSON.parse(lines[0] as string)).toMatchObject({ version: 2 })
    // Keys typed one by one, each recorded once the shell echoed it.
    const typed = lines.slice(1).map((l) => JSON.parse(l) as [number, string, string]).filter((e) => e[1] === 'i').map((e) => e[2]).join('')
    expect(typed).toContain('ovs-ofctl -O OpenFlow13 dump-flows br0\r')
  }, 120_000)

  it('broadcast: hostname typed once reaches node1 and node2, each tab marked', async () => {
    await page.getByTestId('nav-terminals').click()
    const tabs = page.getByTestId('terminal-tab')
    const before = await tabs.count()
    for (const node of ['node1', 'node2']) {
      await page.getByTestId('terminal-host').selectOption({ label: node })
      await page.getByTestId('terminal-new').click()
      await tabs.nth(before + (node === 'node1' ? 0 : 1)).waitFor()
      await page.locator(`.tab.active[data-host="${node}"]`).waitFor()
      await page.getByText('Shell integration: on').waitFor({ timeout: 15_000 })
      await page.getByTestId('terminal-broadcast').check()
    }
    const mine = [tabs.nth(before), tabs.nth(before + 1)]
    for (const t of mine) await t.locator('.bc-badge').waitFor()
    // Back to node1's tab: its screen is the one shown; typing there reaches both.
    await mine[0]?.locator('.tab-title').click()
    expect(await page.locator('.tab.active').getAttribute('data-host')).toBe('node1')
    await page.locator('[data-testid="xterm-host"]:visible').click()
    await typeLine('hostname')
    // Both recordings hold the command, each with its node's answer.
    const deadline = Date.now() + 15_000
    let outs: string[] = []
    for (;;) {
      const list = await ws.call('transcripts.list', {})
      outs = await Promise.all(list.filter((s) => s.endedAt === null).map(async (s) => (await ws.call('transcripts.export', { transcriptId: s.id, format: 'text' })).text))
      if (outs.filter((o) => /Commands:\n(?:.*\n)*.*exit 0 .*hostname/.test(o)).length >= 2 || Date.now() > deadline) break
      await new Promise((r) => setTimeout(r, 200))
    }
    expect(outs.filter((o) => /exit 0 .*hostname/.test(o)).length).toBe(2)
    expect(outs.some((o) => /\nnode1\n/.test(o))).toBe(true)
    expect(outs.some((o) => /\nnode2\n/.test(o))).toBe(true)
    await page.screenshot({ path: 'test-results/screenshots/terminal-broadcast.png' })
    expect(pageErrors).toEqual([])
  }, 120_000)

  it('a dropped connection is shown in its tab and Reconnect opens a new shell; an ended recording is replayed', async () => {
    await page.getByTestId('nav-terminals').click()
    await page.getByTestId('terminal-host').selectOption({ label: 'node2' })
    await page.getByTestId('terminal-new').click()
    await page.locator('.tab.active[data-host="node2"]').waitFor()
    await page.getByText('Shell integration: on').waitFor({ timeout: 15_000 })
    await page.locator('[data-testid="xterm-host"]:visible').click()
    await typeLine('echo replay-$((6*7))')
    await page.getByTestId('terminal-commands').locator('li').filter({ hasText: 'echo replay-' }).waitFor({ timeout: 15_000 })
    killNodeSshdSessions(ui.lab, 'node2')
    startNodeSshd(ui.lab, 'node2')
    const ended = page.getByTestId('terminal-ended')
    await ended.waitFor({ timeout: 30_000 })
    expect(await ended.textContent()).toMatch(/dropped|closed|ended/)
    await page.screenshot({ path: 'test-results/screenshots/terminal-dropped.png' })
    await ended.getByRole('button', { name: 'Reconnect' }).click()
    await ended.waitFor({ state: 'detached', timeout: 30_000 })
    await page.getByText('Shell integration: on').waitFor({ timeout: 15_000 })
    await page.locator('[data-testid="xterm-host"]:visible').click()
    await typeLine('echo again-$((2*3))')
    await page.getByTestId('terminal-commands').locator('li').filter({ hasText: 'echo again-' }).waitFor({ timeout: 15_000 })

    // The recording that ended with the drop, replayed to its end, shows what the shell printed.
    const rec = page.getByTestId('recording').filter({ hasText: 'node2' }).first()
    await rec.getByTestId('recording-replay').click()
    await page.getByTestId('replay').waitFor()
    await page.getByTestId('replay-end').click()
    await page.getByTestId('replay-position').filter({ hasText: 'end' }).waitFor({ timeout: 30_000 })
    expect(await page.getByTestId('replay-screen').textContent()).toContain('replay-42')
    await page.screenshot({ path: 'test-results/screenshots/terminal-replay.png' })
    await page.getByTestId('replay').getByRole('button', { name: 'Close' }).click()
    expect(pageErrors).toEqual([])
  }, 120_000)
})
