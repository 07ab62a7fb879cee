import { request } from 'node:http'
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import WebSocket from 'ws'
import { Backend } from '../../src-main/node/backend/backend'
import { silentLogger } from '../../src-main/node/log'
import { startBrowserServer, type BrowserServer } from '../../src-main/node/server/browser-server'
import { isAllowedHostHeader, isLoopbackAddress, isLoopbackHost } from '../../src-main/node/server/loopback'
import { tempDir } from '../helpers/tmp'

let t: ReturnType<typeof tempDir>
let backend: Backend
let server: BrowserServer

interface Res {
  status: number
  headers: Record<string, string | string[] | undefined>
  body: string
}

function get(path: string, headers: Record<string, string> = {}): Promise<Res> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: server.port, path, headers: { host: `127.0.0.1:${server.port}`, ...headers } }, (res) => {
      let body = ''
      res.on('data', (c) => (body += c))
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }))
    })
    req.on('error', reject)
    req.end()
  })
}

const cookie = () => `sdnwb_${server.port}=${server.token}`

function openWs(headers: Record<string, string>, path = '/ws'): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${server.port}${path}`, { headers })
    ws.once('open', () => resolve(ws))
    ws.once('unexpected-response', (_req, res) => reject(new Error(`refused ${res.statusCode}`)))
    ws.once('error', reject)
  })
}

function nextFrame(ws: WebSocket): Promise<Record<string, unknown>> {
  return new Promise((resolve) => ws.once('message', (d) => resolve(JSON.parse(String(d)))))
}

beforeAll(async () => {
  t = tempDir()
  const renderer = join(t.dir, 'renderer')
  mkdirSync(join(renderer, 'assets'), { recursive: true })
  writeFileSync(join(renderer, 'index.html'), '<!doctype html><title>x</title>')
  writeFileSync(join(renderer, 'assets', 'a.js'), 'console.log(1)')
  writeFileSync(join(t.dir, 'secret.txt'), 'outside the renderer folder')
  backend = new Backend({ version: '1', mode: 'browser', dataDir: join(t.dir, 'data'), casesDir: join(t.dir, 'cases'), log: silentLogger })
  server = await startBrowserServer({
    host: '127.0.0.1',
    port: 0,
    rendererDir: renderer,
    dispatch: backend.dispatch,
    subscribe: (l) => backend.onEvent(l),
    log: silentLogger
  })
})

afterAll(async () => {
  await server.close()
  backend.close()
  t.cleanup()
})

describe('browser mode server: token, loopback, host checks', () => {
  it('prints a loopback URL carrying a long random token', () => {
    expect(server.url).toMatch(new RegExp(`^http://127\\.0\\.0\\.1:${server.port}/\\?token=[A-Za-z0-9_-]{43}$`))
  })

  it('refuses requests without the token or with a wrong one', async () => {
    expect((await get('/')).status).toBe(401)
    expect((await get('/assets/a.js')).status).toBe(401)
    expect((await get('/?token=wrong')).status).toBe(401)
    expect((await get('/', { cookie: `sdnwb_${server.port}=${'x'.repeat(server.token.length)}` })).status).toBe(401)
    const body = (await get('/')).body
    expect(body).toMatch(/Unauthorized/)
    expect(body).not.toContain(server.token)
  })

  it('trades the URL token for an HttpOnly same-site cookie and serves with a strict CSP', async () => {
    const r = await get(`/?token=${server.token}`)
    expect(r.status).toBe(303)
    expect(r.headers.location).toBe('/')
    expect(String(r.headers['set-cookie'])).toMatch(/HttpOnly; SameSite=Strict/)
    const page = await get('/', { cookie: cookie() })
    expect(page.status).toBe(200)
    expect(page.headers['content-security-policy']).toMatch(/default-src 'none'; script-src 'self'/)
    expect(page.headers['x-content-type-options']).toBe('nosniff')
    expect((await get('/assets/a.js', { cookie: cookie() })).status).toBe(200)
  })

  it('refuses a foreign Host header (DNS rebinding)', async () => {
    const r = await get('/', { cookie: cookie(), host: `evil.example:${server.port}` })
    expect(r.status).toBe(403)
    expect((await get('/', { cookie: cookie(), host: `127.0.0.1:1` })).status).toBe(403)
  })

  it('never serves files outside the renderer folder', async () => {
    for (const p of ['/../secret.txt', '/%2e%2e/secret.txt', '/assets/..%2f..%2fsecret.txt', '/%00', '/%E0%A4%A']) {
      const r = await get(p, { cookie: cookie() })
      expect(r.status, p).toBe(404)
      expect(r.body).not.toContain('outside the renderer')
    }
  })

  it('refuses to listen anywhere but loopback', async () => {
    for (const host of ['0.0.0.0', '::', '10.200.0.1', 'example.com']) {
      await expect(
        startBrowserServer({ host, port: 0, rendererDir: t.dir, dispatch: backend.dispatch, subscribe: () => () => {}, log: silentLogger })
      ).rejects.toThrow(/loopback address only/)
    }
  })

  it('classifies addresses', () => {
    expect(isLoopbackAddress('127.0.0.1')).toBe(true)
    expect(isLoopbackAddress('127.8.9.10')).toBe(true)
    expect(isLoopbackAddress('::1')).toBe(true)
    expect(isLoopbackAddress('::ffff:127.0.0.1')).toBe(true)
    expect(isLoopbackAddress('10.0.0.1')).toBe(false)
    expect(isLoopbackAddress('::ffff:192.168.1.2')).toBe(false)
    expect(isLoopbackAddress(undefined)).toBe(false)
    expect(isLoopbackHost('localhost')).toBe(true)
    expect(isAllowedHostHeader('LOCALHOST:80', 80)).toBe(true)
    expect(isAllowedHostHeader('127.0.0.1.nip.io:80', 80)).toBe(false)
  })
})

describe('browser mode server: WebSocket transport', () => {
  const host = () => `127.0.0.1:${server.port}`

  it('refuses a WebSocket without token, with a foreign Origin, or a foreign Host', async () => {
    await expect(openWs({})).rejects.toThrow(/refused 401/)
    await expect(openWs({ cookie: cookie(), origin: 'http://evil.example' })).rejects.toThrow(/refused 403/)
    await expect(openWs({ cookie: cookie(), host: 'evil.example' })).rejects.toThrow(/refused 403/)
    await expect(openWs({ cookie: cookie() }, '/other')).rejects.toThrow(/refused 404/)
  })

  it('answers calls, validates frames and inputs, and pushes events', async () => {
    const ws = await openWs({ cookie: cookie(), origin: `http://${host()}` })
    try {
      ws.send('not json')
      expect(await nextFrame(ws)).toMatchObject({ type: 'result', id: null, ok: false, error: { code: 'bad_frame' } })
      ws.send(JSON.stringify({ type: 'call', id: 1, method: 'app.info', input: {}, extra: true }))
      expect(await nextFrame(ws)).toMatchObject({ type: 'result', id: 1, ok: false, error: { code: 'bad_frame' } })
      ws.send(JSON.stringify({ type: 'call', id: 2, method: 'app.info', input: { sneaky: 1 } }))
      expect(await nextFrame(ws)).toMatchObject({ id: 2, ok: false, error: { code: 'invalid_input' } })
      ws.send(JSON.stringify({ type: 'call', id: 3, method: 'app.info', input: {} }))
      expect(await nextFrame(ws)).toMatchObject({ id: 3, ok: true, value: { mode: 'browser', nativeDialogs: false } })

      const frames: Record<string, unknown>[] = []
      ws.on('message', (d) => frames.push(JSON.parse(String(d))))
      ws.send(JSON.stringify({ type: 'call', id: 4, method: 'case.create', input: { name: 'ws case' } }))
      await new Promise((r) => setTimeout(r, 200))
      expect(frames).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ type: 'event', event: expect.objectContaining({ name: 'case.changed' }) }),
          expect.objectContaining({ type: 'result', id: 4, ok: true })
        ])
      )
    } finally {
      ws.close()
    }
  })
})
