// The hosts view against the real lab: import, connect through a jump host, host-key and password
// prompts, test, a changed host key, an unreachable host, all from the UI in Chromium.
import { execFileSync } from 'node:child_process'
import { chmodSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { join } from 'node:path'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { launchChromium, shot } from '../helpers/browser'
import { startServe, type ServeProcess } from '../helpers/serve'
import { tempDir } from '../helpers/tmp'
import { changeHostKey, labPassword, labUser, startLab, stopLab, type Lab } from '../lab/lab'

let t: ReturnType<typeof tempDir>
let lab: Lab
let serve: ServeProcess
let browser: Browser
let page: Page
let closedPort = 0
const pageErrors: string[] = []

function fingerprintOf(pub: string): string {
  const f = join(t.dir, 'k.pub')
  writeFileSync(f, pub + '\n')
  return execFileSync('ssh-keygen', ['-l', '-E', 'sha256', '-f', f], { encoding: 'utf8' }).split(' ')[1] ?? ''
}

const row = (name: string) => page.locator(`tr[data-host="${name}"]`)
const conn = (name: string) => row(name).getByTestId('conn')

beforeAll(async () => {
  t = tempDir('sdnwb-e2e-ssh-')
  chmodSync(t.dir, 0o755)
  lab = await startLab({ dir: join(t.dir, 'lab'), nodes: 2 })
  closedPort = await new Promise<number>((r) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const p = (s.address() as { port: number }).port
      s.close(() => r(p))
    })
  })
  serve = await startServe(['--port', '0', '--data-dir', join(t.dir, 'data'), '--cases-dir', join(t.dir, 'cases')])
  browser = await launchChromium()
  page = await browser.newPage({ viewport: { width: 1360, height: 800 } })
  page.on('pageerror', (e) => pageErrors.push(e.message))
  await page.goto(serve.url)
})

afterAll(async () => {
  await browser?.close()
  await serve?.stop()
  if (lab) stopLab(lab)
  t?.cleanup()
})

describe('hosts view on the real lab', () => {
  it('imports hosts from a pasted OpenSSH config, with a preview', async () => {
    await page.locator('input[name=case-name]').fill('Lab SSH')
    await page.getByRole('button', { name: 'Create case' }).click()
    await expect.poll(() => page.getByTestId('case-name').textContent()).toBe('Lab SSH')
    await page.getByTestId('nav-hosts').click()
    const config = [
      'Host lab-jump',
      '  HostName 127.0.0.1',
      `  Port ${lab.jump.port}`,
      '  User root',
      `  IdentityFile ${lab.keys.ed25519}`,
      'Host node1',
      `  HostName ${lab.nodes[0]!.ip}`,
      '  User root',
      `  IdentityFile ${lab.keys.ed25519}`,
      '  ProxyJump lab-jump',
      'Host node2',
      `  HostName ${lab.nodes[1]!.ip}`,
      `  User ${labUser}`,
      '  PreferredAuthentications password',
      'Host gone',
      '  HostName 127.0.0.1',
      `  Port ${closedPort}`,
      `  IdentityFile ${lab.keys.ed25519}`,
      ''
    ].join('\n')
    await page.getByRole('button', { name: 'Import…' }).click()
    const dlg = page.getByTestId('import-hosts')
    await dlg.locator('textarea[name=text]').fill(config)
    await dlg.getByRole('button', { name: 'Preview' }).click()
    await expect.poll(() => dlg.locator('[data-testid=import-preview] tbody tr[data-row]').count()).toBe(4)
    expect(await dlg.locator('tr[data-row=node1]').textContent()).toContain('lab-jump')
    await shot(page, 'ssh-01-import-preview')
    await dlg.getByRole('button', { name: 'Import 4 new hosts' }).click()
    await expect.poll(() => dlg.getByTestId('import-result').textContent()).toContain('Imported 4 hosts')
    await dlg.getByRole('button', { name: 'Close' }).click()
    await expect.poll(() => page.locator('tr[data-host]').count()).toBe(4)
    expect(await conn('node1').textContent()).toContain('Not connected')
  })

  it('connects to a lab node through the jump host: two host-key prompts with the real fingerprints, then Connected', async () => {
    await row('node1').getByRole('button', { name: 'Connect' }).click()
    const prompt = page.getByTestId('host-key-prompt')
    await expect.poll(() => prompt.isVisible()).toBe(true)
    expect(await prompt.textContent()).toContain('lab-jump')
    expect(await prompt.getByTestId('fingerprint').textContent()).toBe(fingerprintOf(lab.jump.hostKeyPub))
    await shot(page, 'ssh-02-host-key-prompt')
    await prompt.getByRole('button', { name: 'Accept and remember' }).click()
    await expect.poll(async () => (await prompt.isVisible()) && (await prompt.textContent())?.includes('node1')).toBe(true)
    expect(await prompt.getByTestId('fingerprint').textContent()).toBe(fingerprintOf(lab.nodes[0]!.hostKeyPub))
    await prompt.getByRole('button', { name: 'Accept and remember' }).click()
    await expect.poll(() => conn('node1').textContent(), { timeout: 15_000 }).toContain('Connected')
    expect(await conn('lab-jump').textContent()).toContain('Connected')
    await row('node1').getByRole('button', { name: 'Test' }).click()
    await expect.poll(() => page.getByTestId('test-note').first().textContent()).toMatch(/Logged in as root \(\d+ ms\)\./)
    await shot(page, 'ssh-03-connected-through-jump')
  })

  it('asks for the password of a password host and tests sudo -n', async () => {
    await row('node2').getByRole('button', { name: 'Test' }).click()
    const hk = page.getByTestId('host-key-prompt')
    await expect.poll(() => hk.isVisible()).toBe(true)
    await hk.getByRole('button', { name: 'Accept and remember' }).click()
    const sp = page.getByTestId('secret-prompt')
    await expect.poll(() => sp.isVisible()).toBe(true)
    expect(await sp.textContent()).toContain(`Password for ${labUser}@node2`)
    expect(await sp.locator('input[name=secret]').getAttribute('type')).toBe('password')
    await sp.locator('input[name=secret]').fill(labPassword)
    await shot(page, 'ssh-04-password-prompt')
    await sp.getByRole('button', { name: 'Log in' }).click()
    await expect.poll(() => conn('node2').textContent(), { timeout: 15_000 }).toContain('Connected')
    await expect.poll(() => row('node2').locator('xpath=following-sibling::tr[1]').textContent()).toContain(`Logged in as ${labUser}; sudo -n works`)
  })

  it('shows a clear per-host error for an unreachable host while the others stay connected', async () => {
    await row('gone').getByRole('button', { name: 'Connect' }).click()
    await expect.poll(() => conn('gone').textContent()).toContain('Unreachable')
    expect(await page.locator('tr[data-host-error=gone]').textContent()).toMatch(/connection refused\. sshd is not listening there/)
    expect(await conn('node1').textContent()).toContain('Connected')
  })

  it('refuses a changed host key with an unmistakable error; after removing the old key it asks again', async () => {
    await row('node2').getByRole('button', { name: 'Disconnect' }).click()
    await expect.poll(() => conn('node2').textContent()).toContain('Not connected')
    const newKey = changeHostKey(lab, 'node2')
    await row('node2').getByRole('button', { name: 'Connect' }).click()
    await expect.poll(() => conn('node2').textContent()).toContain('HOST KEY CHANGED')
    const err = await page.locator('tr[data-host-error=node2]').textContent()
    expect(err).toContain('HOST KEY CHANGED for node2')
    expect(err).toContain(fingerprintOf(newKey))
    expect(err).toContain('Nothing was run')
    expect(await page.getByTestId('host-key-prompt').count()).toBe(0)
    await shot(page, 'ssh-05-host-key-changed')

    await page.getByRole('button', { name: 'Known hosts' }).click()
    const kh = page.getByTestId('known-hosts')
    const entry = kh.locator(`tr[data-known="${lab.nodes[1]!.ip}"]`)
    await expect.poll(() => entry.count()).toBe(1)
    await shot(page, 'ssh-06-known-hosts')
    await entry.getByRole('button', { name: 'Remove' }).click()
    await entry.getByRole('button', { name: 'Remove' }).click()
    await expect.poll(() => entry.count()).toBe(0)
    await kh.getByRole('button', { name: 'Close' }).click()

    await row('node2').getByRole('button', { name: 'Connect' }).click()
    const hk = page.getByTestId('host-key-prompt')
    await expect.poll(() => hk.isVisible()).toBe(true)
    expect(await hk.getByTestId('fingerprint').textContent()).toBe(fingerprintOf(newKey))
    await hk.getByRole('button', { name: 'Accept once' }).click()
    // The password typed earlier is still in the backend's memory for this session: no second prompt.
    await expect.poll(() => conn('node2').textContent(), { timeout: 15_000 }).toContain('Connected')
    expect(await page.getByTestId('secret-prompt').count()).toBe(0)
    expect(pageErrors).toEqual([])
  })
})
