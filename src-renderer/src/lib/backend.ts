import type {
  BackendEvent,
  ContractError,
  MethodInput,
  MethodName,
  MethodOutput,
  PreloadBridge,
  Reply,
  ServerFrame
} from '../../../src-main/contract'
import { terminalBinaryFrame } from '../../../src-main/contract/terminal-frame'

export type ConnectionState = 'connecting' | 'open' | 'closed'

interface Transport {
  kind: 'electron' | 'websocket'
  call(method: string, input: unknown): Promise<Reply<unknown>>
  onEvent(listener: (e: BackendEvent) => void): () => void
  onState(listener: (s: ConnectionState) => void): () => void
}

declare global {
  interface Window {
    sdnBackend?: PreloadBridge
  }
}

function electronTransport(bridge: PreloadBridge): Transport {
  return {
    kind: 'electron',
    call: (m, i) => bridge.call(m, i),
    onEvent: (l) => bridge.onEvent(l),
    onState: (l) => {
      l('open')
      return () => {}
    }
  }
}

const lostConnection: ContractError = {
  code: 'unavailable',
  message: 'The connection to the backend was lost. Check that `npm run serve` is still running; the page reconnects by itself.'
}

/** Browser mode: one WebSocket to the loopback backend, reconnecting with backoff. */
function websocketTransport(): Transport {
  const url = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws`
  const pending = new Map<number, (r: Reply<unknown>) => void>()
  const eventListeners = new Set<(e: BackendEvent) => void>()
  const stateListeners = new Set<(s: ConnectionState) => void>()
  let nextId = 1
  let socket: WebSocket | null = null
  let ready: Promise<WebSocket> | null = null
  let delay = 250

  const setState = (s: ConnectionState) => stateListeners.forEach((l) => l(s))

  const connect = (): Promise<WebSocket> => {
    if (ready) return ready
    setState('connecting')
    ready = new Promise((resolve, reject) => {
      const ws = new WebSocket(url)
      ws.binaryType = 'arraybuffer'
      ws.onopen = () => {
        socket = ws
        delay = 250
        setState('open')
        resolve(ws)
      }
      ws.onmessage = (msg) => {
        // A terminal's output comes as a binary frame: its bytes go to xterm.js as they are.
        if (msg.data instanceof ArrayBuffer) {
          const d = terminalBinaryFrame.decode(new Uint8Array(msg.data))
          if (d) eventListeners.forEach((l) => l({ name: 'terminal.data', payload: d }))
          return
        }
        const frame = JSON.parse(String(msg.data)) as ServerFrame
        if (frame.type === 'event') eventListeners.forEach((l) => l(frame.event))
        else if (frame.id !== null) {
          const done = pending.get(frame.id)
          pending.delete(frame.id)
          done?.(frame.ok ? { ok: true, value: frame.value } : { ok: false, error: frame.error })
        }
      }
      ws.onclose = () => {
        socket = null
        ready = null
        setState('closed')
        for (const done of pending.values()) done({ ok: false, error: lostConnection })
        pending.clear()
        reject(new Error('closed'))
        setTimeout(() => void connect().catch(() => {}), delay)
        delay = Math.min(delay * 2, 5000)
      }
    })
    return ready
  }
  void connect().catch(() => {})

  return {
    kind: 'websocket',
    async call(method, input) {
      let ws: WebSocket
      try {
        ws = socket ?? (await connect())
      } catch {
        return { ok: false, error: lostConnection }
      }
      const id = nextId++
      return new Promise((resolve) => {
        pending.set(id, resolve)
        ws.send(JSON.stringify({ type: 'call', id, method, input }))
      })
    },
    onEvent(l) {
      eventListeners.add(l)
      return () => eventListeners.delete(l)
    },
    onState(l) {
      stateListeners.add(l)
      l(socket ? 'open' : 'connecting')
      return () => stateListeners.delete(l)
    }
  }
}

const transport: Transport = window.sdnBackend ? electronTransport(window.sdnBackend) : websocketTransport()

/** The only way the UI reaches the backend: a typed call that never throws. */
export function call<M extends MethodName>(method: M, input: MethodInput<M>): Promise<Reply<MethodOutput<M>>> {
  return transport.call(method, input) as Promise<Reply<MethodOutput<M>>>
}

export const onBackendEvent = (l: (e: BackendEvent) => void) => transport.onEvent(l)
export const onConnectionState = (l: (s: ConnectionState) => void) => transport.onState(l)
export const transportKind = transport.kind
