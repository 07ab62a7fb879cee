// The set-up every end-to-end test on the real lab shares: a lab, `npm run serve` on it, a case holding the
// lab's hosts (made through the same backend API the UI uses), and the UI open in Chromium.
import { chmodSync } from 'node:fs'
import { join } from 'node:path'
import type { Browser, Page } from 'playwright-core'
import { startLab, stopLab, type Lab } from '../lab/lab'
import { launchChromium } from './browser'
import { addLabHosts } from './lab-case'
import { startServe, type ServeProcess } from './serve'
import { tempDir } from './tmp'
import { WsClient } from './ws-client'

export interface LabUi {
  dir: string
  lab: Lab
  serve: ServeProcess
  ws: WsClient
  browser: Browser
  page: Page
  /** Uncaught errors of the page: a test ends by expecting none. */
  pageErrors: string[]
  close(): Promise<void>
}

/** The lab, `npm run serve` on it and a case holding its hosts, without a browser. */
export interface LabServe {
  dir: string
  lab: Lab
  serve: ServeProcess
  ws: WsClient
  close(): Promise<void>
}

export async function openLabServe(opts: { prefix: string; caseName: string; beforeServe?: (lab: Lab) => void }): Promise<LabServe> {
  const t = tempDir(opts.prefix)
  chmodSync(t.dir, 0o755)
  const parts: Partial<LabServe> = { dir: t.dir }
  const close = async () => {
    parts.ws?.close()
    await parts.serve?.stop()
    if (parts.lab) stopLab(parts.lab)
    t.cleanup()
  }
  try {
    parts.lab = await startLab({ dir: join(t.dir, 'lab'), nodes: 2 })
    opts.beforeServe?.(parts.lab)
    parts.serve = await startServe(['--port', '0', '--data-dir', join(t.dir, 'data'), '--cases-dir', join(t.dir, 'cases')])
    const ws = (parts.ws = await WsClient.connect(parts.serve.url))
    await ws.call('case.create', { name: opts.caseName })
    await addLabHosts((m, i) => ws.call(m, i), parts.lab)
  } catch (err) {
    await close()
    throw err
  }
  return { ...(parts as Omit<LabServe, 'close'>), close }
}

export async function openLabUi(opts: { prefix: string; caseName: string; height: number; beforeServe?: (lab: Lab) => void }): Promise<LabUi> {
  const base = await openLabServe(opts)
  const parts: Partial<LabUi> = { ...base, pageErrors: [] }
  const close = async () => {
    await parts.browser?.close()
    await base.close()
  }
  try {
    parts.browser = await launchChromium()
    parts.page = await parts.browser.newPage({ viewport: { width: 1400, height: opts.height } })
    parts.page.on('pageerror', (e) => parts.pageErrors?.push(e.message))
    await parts.page.goto(base.serve.url)
  } catch (err) {
    await close()
    throw err
  }
  return { ...(parts as Omit<LabUi, 'close'>), close }
}
