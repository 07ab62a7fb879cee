import { randomBytes } from 'node:crypto'
import { request } from 'node:http'
import { connect, type Socket } from 'node:net'
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import WebSocket from 'ws'
import { carriedBytes, maxCarriedTextBytes, maxFrameBytes } from '../../src-main/contract'
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
    attach: (send) => backend.attachClient(send),
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
        startBrowserServer({ host, port: 0, rendererDir: t.dir, dispatch: backend.dispatch, attach: () => ({ caller: { clientId: 'x' }, detach: () => {} }), log: silentLogger })
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

describe('browser mode server: hostile clients', () => {
  /** A raw, authenticated WebSocket connection, so frames can be written byte by byte. */
  function rawSocket(): Promise<{ sock: Socket; received: () => Buffer }> {
    return new Promise((resolve, reject) => {
      const sock = connect(server.port, '127.0.0.1')
      let buf = Buffer.alloc(0)
      let upgraded = false
      sock.on('data', (d: Buffer) => {
        buf = Buffer.concat([buf, d])
        if (!upgraded) {
          const end = buf.indexOf('\r\n\r\n')
          if (end < 0) return
          const head = buf.subarray(0, end).toString()
          if (!head.startsWith('HTTP/1.1 101')) return reject(new Error(head))
          upgraded = true
          buf = buf.subarray(end + 4)
          resolve({ sock, received: () => buf })
        }
      })
      sock.on('error', reject)
      sock.write(
        `GET /ws HTTP/1.1\r\nHost: 127.0.0.1:${server.port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
          `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}\r\nSec-WebSocket-Version: 13\r\nCookie: ${cookie()}\r\n\r\n`
      )
    })
  }

  function frame(first: number, payload: Buffer, opts: { masked?: boolean; announce?: number } = {}): Buffer {
    const masked = opts.masked ?? true
    const len = opts.announce ?? payload.length
    const head: number[] = [first]
    if (len < 126) head.push((masked ? 0x80 : 0) | len)
    else {
      head.push((masked ? 0x80 : 0) | 127)
      const b = Buffer.alloc(8)
      b.writeBigUInt64BE(BigInt(len))
      head.push(...b)
    }
    if (!masked) return Buffer.concat([Buffer.from(head), payload])
    const mask = randomBytes(4)
    const body = Buffer.from(payload.map((x, i) => x ^ (mask[i % 4] as number)))
    return Buffer.concat([Buffer.from(head), mask, body])
  }

  /** The close code of the server's close frame, once the server has closed the connection. */
  async function closeCodeAfter(bytes: Buffer): Promise<number> {
    const { sock, received } = await rawSocket()
    const closed = new Promise<void>((r) => sock.on('close', () => r()))
    sock.write(bytes)
    await closed
    const b = received()
    expect(b[0]! & 0x0f, 'a close frame').toBe(0x8)
    return b.readUInt16BE(2)
  }

  const bad: [string, Buffer, number][] = [
    ['a frame over the 16 MB limit', frame(0x81, Buffer.alloc(0), { announce: 17 * 1024 * 1024 }), 1009],
    ['an unmasked frame', frame(0x81, Buffer.from('{}'), { masked: false }), 1002],
    ['invalid UTF-8 in a text frame', frame(0x81, Buffer.from([0xff, 0xfe, 0xfd])), 1007],
    ['a reserved opcode', frame(0x83, Buffer.from('x')), 1002],
    ['RSV bits set', frame(0xc1, Buffer.from('{}')), 1002]
  ]
  for (const [what, bytes, code] of bad) {
    it(`closes only the client that sent ${what} (code ${code}) and serves the others`, async () => {
      const other = await openWs({ cookie: cookie() })
      try {
        expect(await closeCodeAfter(bytes)).toBe(code)
        other.send(JSON.stringify({ type: 'call', id: 7, method: 'app.info', input: {} }))
        expect(await nextFrame(other)).toMatchObject({ id: 7, ok: true })
        const fresh = await openWs({ cookie: cookie() })
        fresh.send(JSON.stringify({ type: 'call', id: 8, method: 'app.info', input: {} }))
        expect(await nextFrame(fresh)).toMatchObject({ id: 8, ok: true })
        fresh.close()
      } finally {
        other.close()
      }
    })
  }

  it('redirects the token URL to the same origin only, whatever the path', async () => {
    for (const [path, location] of [
      ['/.//evil.example/', '/evil.example/'],
      ['//evil.example/', '/'],
      ['/\\evil.example/', '/'],
      ['/assets/a.js', '/assets/a.js']
    ]) {
      const r = await get(`${path}?token=${server.token}`)
      expect(r.status, path).toBe(303)
      expect(r.headers.location, path).toBe(location)
      expect(String(r.headers.location)).not.toMatch(/^[/\\]{2}/)
    }
  })

  it('refuses a pasted output larger than one frame carries, counting escapes, before it is sent', async () => {
    expect(carriedBytes('a"\n\u0001é😀')).toBe(JSON.stringify('a"\n\u0001é😀').length + 1 + 2)
    const big = 'x'.repeat(maxCarriedTextBytes)
    const r = await backend.dispatch('runs.submitOutput', { runId: 1, text: big, exitCode: 0 })
    expect(r).toMatchObject({ ok: false, error: { code: 'invalid_input', message: expect.stringMatching(/larger than the 12 MB one call can carry.*import it/) } })
    // Escapes count: a third of the limit in control characters is over it once carried.
    const escaped = '\u0001'.repeat(Math.ceil(maxCarriedTextBytes / 5))
    expect((await backend.dispatch('runs.submitOutput', { runId: 1, text: escaped, exitCode: 0 })).ok).toBe(false)
    expect(maxCarriedTextBytes).toBeLessThan(maxFrameBytes)
  })
})
