import { randomBytes, timingSafeEqual } from 'node:crypto'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { resolve } from 'node:path'
import type { Duplex } from 'node:stream'
import { WebSocketServer, type WebSocket } from 'ws'
import { CallFrame, maxFrameBytes, terminalBinaryFrame, wsPath, type BackendEvent, type ServerFrame } from '../../contract'
import type { Caller, Dispatch } from '../backend/dispatcher'
import type { Logger } from '../log'
import { isAllowedHostHeader, isLoopbackAddress, isLoopbackHost } from './loopback'
import { loadStatic } from './static-files'

/**
 * The renderer's CSP in browser mode. 'self' covers the same-origin WebSocket (CSP level 3).
 * Inline styles are allowed for Svelte's style directives and xterm.js; inline scripts are not.
 */
export const contentSecurityPolicy = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'"
].join('; ')

export interface BrowserServerOptions {
  host: string
  /** 0 picks a free port. */
  port: number
  rendererDir: string
  dispatch: Dispatch
  /** Each WebSocket is a client: it gets broadcast events and those addressed to it, and calls as itself. */
  attach: (send: (e: BackendEvent) => void) => { caller: Caller; detach(): void }
  log: Logger
  /** Fixed token for tests; a random 256-bit one otherwise. */
  token?: string
}

export interface BrowserServer {
  url: string
  port: number
  token: string
  close(): Promise<void>
}

function tokenFromRequest(req: IncomingMessage, cookieName: string): string | null {
  const url = new URL(req.url ?? '/', 'http://x')
  const q = url.searchParams.get('token')
  if (q) return q
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const [k, ...v] = part.trim().split('=')
    if (k === cookieName) return v.join('=')
  }
  return null
}

function sameToken(given: string | null, token: string): boolean {
  if (!given) return false
  const a = Buffer.from(given)
  const b = Buffer.from(token)
  return a.length === b.length && timingSafeEqual(a, b)
}

/** A path on this origin: leading slashes and backslashes folded to one, so it can never name another host. */
export function sameOriginPath(pathname: string): string {
  return '/' + pathname.replace(/^[/\\]+/, '')
}

function deny(res: ServerResponse, status: number, message: string): void {
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' })
  res.end(message + '\n')
}

function denyUpgrade(socket: Duplex, status: number, message: string): void {
  socket.end(`HTTP/1.1 ${status} ${message}\r\nconnection: close\r\ncontent-type: text/plain\r\n\r\n${message}\n`)
}

export async function startBrowserServer(opts: BrowserServerOptions): Promise<BrowserServer> {
  if (!isLoopbackHost(opts.host)) {
    throw new Error(`Refusing to listen on ${opts.host}: browser mode serves on a loopback address only (127.0.0.1 or ::1).`)
  }
  const listenHost = opts.host === 'localhost' ? '127.0.0.1' : opts.host
  const token = opts.token ?? randomBytes(32).toString('base64url')
  const root = resolve(opts.rendererDir)
  let port = 0
  const cookieName = () => `sdnwb_${port}`

  /** Every request must come from loopback, name this server in Host, and carry the token. */
  const check = (req: IncomingMessage): { status: number; message: string } | null => {
    if (!isLoopbackAddress(req.socket.remoteAddress)) return { status: 403, message: 'Forbidden: only loopback clients are served.' }
    if (!isAllowedHostHeader(req.headers.host, port)) return { status: 403, message: 'Forbidden: unexpected Host header.' }
    if (!sameToken(tokenFromRequest(req, cookieName()), token)) {
      return { status: 401, message: 'Unauthorized: open the URL with the token that `npm run serve` printed.' }
    }
    return null
  }

  const server: Server = createServer((req, res) => {
    const bad = check(req)
    if (bad) return deny(res, bad.status, bad.message)
    if (req.method !== 'GET' && req.method !== 'HEAD') return deny(res, 405, 'Method not allowed.')
    const url = new URL(req.url ?? '/', 'http://x')
    if (url.searchParams.has('token')) {
      // Trade the token in the URL for a same-site cookie, and drop it from the address bar. The target is
      // made same-origin whatever the path: "//evil.example/" (or "/\\evil") would be another host.
      res.writeHead(303, {
        location: sameOriginPath(url.pathname),
        'set-cookie': `${cookieName()}=${token}; HttpOnly; SameSite=Strict; Path=/`,
        'cache-control': 'no-store'
      })
      return res.end()
    }
    void loadStatic(root, url.pathname).then((file) => {
      if (!file) return deny(res, 404, 'Not found.')
      res.writeHead(200, {
        'content-type': file.type,
        'content-security-policy': contentSecurityPolicy,
        'x-content-type-options': 'nosniff',
        'referrer-policy': 'no-referrer',
        'cross-origin-opener-policy': 'same-origin',
        'cache-control': 'no-store'
      })
      res.end(req.method === 'HEAD' ? undefined : file.body)
    })
  })

  const wss = new WebSocketServer({ noServer: true, maxPayload: maxFrameBytes })
  wss.on('error', (err) => opts.log.error('WebSocket server error', err))
  server.on('upgrade', (req, socket, head) => {
    // A client that resets during the handshake must not become an unhandled 'error' either.
    socket.on('error', () => socket.destroy())
    const bad = check(req)
    if (bad) return denyUpgrade(socket, bad.status, bad.message)
    const origin = req.headers.origin
    if (origin !== undefined && origin !== `http://${req.headers.host}`) return denyUpgrade(socket, 403, 'Forbidden: cross-origin WebSocket.')
    if (new URL(req.url ?? '/', 'http://x').pathname !== wsPath) return denyUpgrade(socket, 404, 'Not found.')
    wss.handleUpgrade(req, socket, head, (ws) => serveSocket(ws))
  })

  const serveSocket = (ws: WebSocket) => {
    const send = (frame: ServerFrame) => {
      if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(frame))
    }
    const client = opts.attach((event) => {
      if (event.name === 'terminal.data') {
        if (ws.readyState === ws.OPEN) ws.send(terminalBinaryFrame.encode(event.payload.terminalId, event.payload.data), { binary: true })
        return
      }
      send({ type: 'event', event })
    })
    ws.on('close', () => client.detach())
    // A protocol error of one client (frame too big, unmasked, invalid UTF-8, reserved opcode or bits): ws has
    // already closed that socket with the matching code (1009, 1002, 1007); without this listener the
    // 'error' event would be unhandled and end the whole backend.
    ws.on('error', (err) => opts.log.warn(`WebSocket client closed for a protocol error: ${err.message}`))
    ws.on('message', (data, isBinary) => {
      if (isBinary) return send({ type: 'result', id: null, ok: false, error: { code: 'bad_frame', message: 'Binary frames are not accepted.' } })
      let raw: unknown
      try {
        raw = JSON.parse(data.toString())
      } catch {
        return send({ type: 'result', id: null, ok: false, error: { code: 'bad_frame', message: 'The frame is not JSON.' } })
      }
      const frame = CallFrame.safeParse(raw)
      if (!frame.success) {
        const id = typeof raw === 'object' && raw !== null && typeof (raw as { id?: unknown }).id === 'number' ? (raw as { id: number }).id : null
        return send({ type: 'result', id, ok: false, error: { code: 'bad_frame', message: 'The frame is not a call: expected {type:"call", id, method, input}.' } })
      }
      const { id, method, input } = frame.data
      void opts.dispatch(method, input, client.caller).then((reply) => send(reply.ok ? { type: 'result', id, ok: true, value: reply.value } : { type: 'result', id, ok: false, error: reply.error }))
    })
  }

  await new Promise<void>((resolveListen, reject) => {
    server.once('error', reject)
    server.listen(opts.port, listenHost, () => resolveListen())
  })
  port = (server.address() as AddressInfo).port
  const hostForUrl = listenHost.includes(':') ? `[${listenHost}]` : listenHost
  opts.log.info(`browser mode listening on ${hostForUrl}:${port}`)

  return {
    port,
    token,
    url: `http://${hostForUrl}:${port}/?token=${token}`,
    close: () =>
      new Promise<void>((done) => {
        for (const c of wss.clients) c.terminate()
        wss.close()
        server.closeAllConnections()
        server.close(() => done())
      })
  }
}
