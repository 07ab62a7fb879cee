import WebSocket from 'ws'
import type { BackendEvent, MethodName, MethodOutput, ServerFrame } from '../../src-main/contract'

/** A contract client over the browser-mode WebSocket, as the UI uses it, for tests that drive a real `serve`. */
export class WsClient {
  readonly events: BackendEvent[] = []
  private nextId = 1
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>()
  private waiters: { pred: (e: BackendEvent) => boolean; resolve: (e: BackendEvent) => void }[] = []

  private constructor(private readonly ws: WebSocket) {
    ws.on('message', (d) => {
      const f = JSON.parse(String(d)) as ServerFrame
      if (f.type === 'event') {
        this.events.push(f.event)
        this.waiters = this.waiters.filter((w) => {
          if (!w.pred(f.event)) return true
          w.resolve(f.event)
          return false
        })
        return
      }
      if (f.id === null) return
      const p = this.pending.get(f.id)
      if (!p) return
      this.pending.delete(f.id)
      if (f.ok) p.resolve(f.value)
      else p.reject(new Error(`${f.error.code}: ${f.error.message}`))
    })
    ws.on('close', () => {
      for (const p of this.pending.values()) p.reject(new Error('connection closed'))
      this.pending.clear()
    })
  }

  /** Connects with the token of the URL `serve` printed, as the page does (cookie + same Origin). */
  static connect(url: string): Promise<WsClient> {
    const u = new URL(url)
    const token = u.searchParams.get('token') ?? ''
    const ws = new WebSocket(`ws://${u.host}/ws`, { headers: { cookie: `sdnwb_${u.port}=${token}`, origin: u.origin } })
    return new Promise((resolve, reject) => {
      ws.once('open', () => resolve(new WsClient(ws)))
      ws.once('error', reject)
    })
  }

  call<M extends MethodName>(method: M, input: unknown = {}): Promise<MethodOutput<M>> {
    const id = this.nextId++
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject })
      this.ws.send(JSON.stringify({ type: 'call', id, method, input }))
    })
  }

  /** The first event (already received or coming) that satisfies pred. */
  waitFor(pred: (e: BackendEvent) => boolean, timeoutMs = 30_000): Promise<BackendEvent> {
    const seen = this.events.find(pred)
    if (seen) return Promise.resolve(seen)
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no matching event in ${timeoutMs} ms`)), timeoutMs)
      this.waiters.push({
        pred,
        resolve: (e) => {
          clearTimeout(timer)
          resolve(e)
        }
      })
    })
  }

  close(): void {
    this.ws.close()
  }
}
