import { existsSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { launchChromium, shot } from '../helpers/browser'
import { CaseDb } from '../../src-main/node/store/case-db'
import { startServe, type ServeProcess } from '../helpers/serve'
import { tempDir } from '../helpers/tmp'

let t: ReturnType<typeof tempDir>
let serve: ServeProcess
let browser: Browser
let page: Page
const consoleErrors: string[] = []

beforeAll(async () => {
  t = tempDir('sdnwb-e2e-')
  serve = await startServe(['--port', '0', '--data-dir', join(t.dir, 'data'), '--cases-dir', join(t.dir, 'cases')])
  browser = await launchChromium()
  page = await browser.newPage({ viewport: { width: 1280, height: 760 } })
  page.on('console', (m) => {
    if (m.type() === 'error') consoleErrors.push(m.text())
  })
  page.on('pageerror', (e) => consoleErrors.push(e.message))
})

afterAll(async () => {
  await browser?.close()
  await serve?.stop()
  t?.cleanup()
})

async function addHost(p: Page, h: { name: string; address: string; port?: string; role?: string; jump?: string; auth?: string; key?: string }) {
  await p.getByRole('button', { name: 'Add host' }).first().click()
  const form = p.locator('form.host-form')
  await form.locator('input[name=name]').fill(h.name)
  await form.locator('input[name=address]').fill(h.address)
  if (h.port) await form.locator('input[name=port]').fill(h.port)
  if (h.role) await form.locator('select[name=role]').selectOption(h.role)
  if (h.jump) await form.locator('select[name=jumpHostId]').selectOption({ label: h.jump })
  if (h.auth) await form.getByText(h.auth, { exact: true }).click()
  if (h.key) await form.locator('input[name=keyPath]').fill(h.key)
  await form.getByRole('button', { name: 'Add host' }).click()
}

describe('browser mode end to end', () => {
  it('opens with the token and shows the start screen, connected', async () => {
    await page.goto(serve.url)
    expect(page.url()).toBe(serve.origin + '/')
    await expect.poll(() => page.getByTestId('connection').textContent()).toBe('Backend connected')
    await expect.poll(() => page.getByRole('heading', { name: 'New case' }).isVisible()).toBe(true)
    await shot(page, '01-start')
  })

  it('creates a case, and shows validation errors in the host form', async () => {
    await page.locator('input[name=case-name]').fill('ACME prod: pod to service')
    await page.getByRole('button', { name: 'Create case' }).click()
    await expect.poll(() => page.getByTestId('case-name').textContent()).toBe('ACME prod: pod to service')
    expect(readdirSync(join(t.dir, 'cases'))).toContain('acme-prod-pod-to-service.sdncase')
    // A new case opens on its overview.
    await expect.poll(() => page.getByTestId('overview').isVisible()).toBe(true)
    await shot(page, '01b-new-case-overview')
    await page.getByTestId('nav-hosts').click()

    await addHost(page, { name: 'bad host', address: '10.0.0.300', port: '70000' })
    const form = page.locator('form.host-form')
    await expect.poll(() => form.locator('.field-error').count()).toBe(4)
    const errors = await form.locator('.field-error').allTextContents()
    expect(errors.join('|')).toMatch(/Letters, digits/)
    expect(errors.join('|')).toMatch(/Not an IPv4 address/)
    expect(errors.join('|')).toMatch(/Port is 1 to 65535/)
    expect(errors.join('|')).toMatch(/needs the path of a private key/)
    await shot(page, '02-host-form-validation')
    await form.getByRole('button', { name: 'Cancel' }).click()
  })

  it('adds two hosts, one through the other as jump host', async () => {
    await addHost(page, { name: 'master1', address: '127.0.0.1', port: '2222', role: 'master', key: '/tmp/sdnlab/ssh/id_ed25519' })
    await expect.poll(() => page.locator('tr[data-host=master1]').count()).toBe(1)
    await addHost(page, { name: 'node1', address: '10.200.0.2', role: 'compute', jump: 'master1 (127.0.0.1)', auth: 'Password' })
    await expect.poll(() => page.locator('tr[data-host=node1]').count()).toBe(1)
    await expect.poll(() => page.locator('tr[data-host=node1]').textContent()).toContain('master1')
    await shot(page, '03-two-hosts')
  })

  it('still shows both after a reload, and after closing and reopening the case', async () => {
    await page.reload()
    await expect.poll(() => page.locator('[data-testid=hosts-table] tbody tr').count()).toBe(2)
    await page.getByRole('button', { name: 'Close case' }).click()
    await expect.poll(() => page.getByRole('heading', { name: 'Open a case' }).isVisible()).toBe(true)
    await page.getByTestId('case-list').getByRole('button', { name: 'Open' }).first().click()
    // A case opens on its overview: its two hosts are there, each leading to the Hosts view.
    await expect.poll(() => page.locator('[data-testid=overview-hosts] tbody tr').count()).toBe(2)
    await page.getByTestId('nav-hosts').click()
    await expect.poll(() => page.locator('[data-testid=hosts-table] tbody tr').count()).toBe(2)
    const node1 = await page.locator('tr[data-host=node1]').textContent()
    expect(node1).toContain('10.200.0.2')
    expect(node1).toContain('password')
  })

  it('refuses to delete a jump host in use, then deletes the other host', async () => {
    const master = page.locator('tr[data-host=master1]')
    await master.getByRole('button', { name: 'Delete' }).click()
    await master.getByRole('button', { name: 'Delete' }).click()
    await expect.poll(() => page.getByRole('alert').textContent()).toMatch(/jump host of node1/)
    await shot(page, '04-delete-refused')

    const node = page.locator('tr[data-host=node1]')
    await node.getByRole('button', { name: 'Delete' }).click()
    await node.getByRole('button', { name: 'Delete' }).click()
    await expect.poll(() => page.locator('[data-testid=hosts-table] tbody tr[data-host]').count()).toBe(1)
    await page.reload()
    await expect.poll(() => page.locator('[data-testid=hosts-table] tbody tr[data-host]').count()).toBe(1)
  })

  it('switches to the light theme and keeps it', async () => {
    await page.getByRole('button', { name: 'Light theme' }).click()
    await expect.poll(() => page.evaluate(() => document.documentElement.dataset.theme)).toBe('light')
    await page.locator('tr[data-host=master1]').getByRole('button', { name: 'Edit' }).click()
    await shot(page, '05-light-edit')
    await page.reload()
    await expect.poll(() => page.evaluate(() => document.documentElement.dataset.theme)).toBe('light')
  })

  it('shows a clear refusal to a page opened without the token', async () => {
    const other = await browser.newContext()
    const p = await other.newPage()
    const res = await p.goto(serve.origin + '/')
    expect(res?.status()).toBe(401)
    expect(await p.textContent('body')).toMatch(/Unauthorized/)
    const wrong = await p.goto(serve.origin + '/?token=guess')
    expect(wrong?.status()).toBe(401)
    await shot(p, '06-no-token')
    await other.close()
  })

  it('refuses to open a damaged case file from the UI, with a message', async () => {
    await page.getByRole('button', { name: 'Close case' }).click()
    const { writeFileSync } = await import('node:fs')
    const bogus = join(t.dir, 'cases', 'broken.sdncase')
    writeFileSync(bogus, 'this is not a database')
    await page.locator('input[name=open-path]').fill(bogus)
    await page.locator('input[name=open-path]').press('Enter')
    await expect.poll(() => page.getByTestId('open-error').textContent()).toMatch(/not an SQLite database.*not changed/)
    await shot(page, '07-open-refused')
    expect(existsSync(bogus + '-wal')).toBe(false)
    expect(consoleErrors).toEqual([])
  })

  it('offers to open read-only a case another workbench holds, and shows the read-only state', async () => {
    const path = join(t.dir, 'cases', 'acme-prod-pod-to-service.sdncase')
    const holder = CaseDb.open(path)
    try {
      await page.locator('input[name=open-path]').fill(path)
      await page.locator('input[name=open-path]').press('Enter')
      await expect.poll(() => page.getByTestId('case-locked').textContent()).toMatch(/is open in SDN Workbench \(pid \d+, user \w+, on .+\) since .*open it read-only/)
      await shot(page, '08-case-locked')
      await page.getByTestId('open-read-only').click()
      await expect.poll(() => page.getByTestId('read-only').textContent()).toBe('Read-only: opened read-only')
      await page.getByTestId('nav-hosts').click()
      await expect.poll(() => page.locator('[data-testid=hosts-table] tbody tr[data-host]').count()).toBe(1)
      await addHost(page, { name: 'node9', address: '10.0.0.9', auth: 'Password' })
      await expect.poll(() => page.locator('form.host-form').textContent()).toMatch(/open read-only \(opened read-only\); nothing was saved/)
      await shot(page, '09-read-only-write-refused')
      await page.locator('form.host-form').getByRole('button', { name: 'Cancel' }).click()
    } finally {
      holder.close()
    }
    expect(consoleErrors).toEqual([])
  })
})
