import type { ContractError, TerminalData, TerminalInfo, TranscriptSummary } from '../../../src-main/contract'
import { call, onBackendEvent } from './backend'
import { app } from './app-state.svelte'

type DataSink = (d: TerminalData) => void

/**
 * The terminal tabs of this window. Their bytes arrive as events addressed to this client only; each tab's
 * xterm.js instance registers a sink for them and acknowledges what it parsed (the backend's flow control).
 */
class TerminalsState {
  tabs = $state<TerminalInfo[]>([])
  active = $state<string | null>(null)
  transcripts = $state<TranscriptSummary[]>([])
  error = $state<ContractError | null>(null)
  /** Counts the commands that ended in each terminal (the backend's `terminal.command`): what reloads its list. */
  commandsEnded = $state<Record<string, number>>({})
  private readonly sinks = new Map<string, DataSink>()
  /** Bytes that came before the tab's terminal was ready (the shell's first prompt). */
  private readonly early = new Map<string, TerminalData[]>()

  constructor() {
    onBackendEvent((e) => {
      if (e.name === 'terminal.data') {
        const d = e.payload as TerminalData
        const sink = this.sinks.get(d.terminalId)
        if (sink) sink(d)
        else this.early.set(d.terminalId, [...(this.early.get(d.terminalId) ?? []), d])
      } else if (e.name === 'terminal.state') this.update(e.payload as TerminalInfo)
      else if (e.name === 'terminal.command') {
        const id = (e.payload as { terminalId: string }).terminalId
        this.commandsEnded = { ...this.commandsEnded, [id]: (this.commandsEnded[id] ?? 0) + 1 }
      }
      else if (e.name === 'transcripts.changed') void this.loadTranscripts()
      else if (e.name === 'case.changed') {
        this.tabs = []
        this.active = null
        this.sinks.clear()
        this.early.clear()
        void this.loadTranscripts()
      }
    })
  }

  private update(info: TerminalInfo): void {
    if (this.tabs.some((t) => t.terminalId === info.terminalId)) this.tabs = this.tabs.map((t) => (t.terminalId === info.terminalId ? info : t))
    else {
      // Terminal events reach the window that opened the terminal only: a new tab is one just opened here.
      this.tabs = [...this.tabs, info]
      this.active = info.terminalId
    }
  }

  attach(terminalId: string, sink: DataSink): () => void {
    this.sinks.set(terminalId, sink)
    for (const d of this.early.get(terminalId) ?? []) sink(d)
    this.early.delete(terminalId)
    return () => {
      if (this.sinks.get(terminalId) === sink) this.sinks.delete(terminalId)
    }
  }

  async loadTranscripts(): Promise<void> {
    if (!app.openCase) {
      this.transcripts = []
      return
    }
    const r = await call('transcripts.list', {})
    if (r.ok) this.transcripts = r.value
  }

  /** Opens a terminal to a host and shows it (from the hosts view, a capture, a runbook step, a finding). */
  async open(host: { hostId: number } | { hostName: string }, size = { cols: 120, rows: 32 }): Promise<void> {
    this.error = null
    app.view = 'terminals'
    const r = await call('terminal.open', { ...host, ...size })
    if (!r.ok) {
      this.error = r.error
      return
    }
    this.update(r.value)
    this.active = r.value.terminalId
  }

  async reconnect(terminalId: string): Promise<void> {
    const r = await call('terminal.reconnect', { terminalId })
    if (r.ok) this.update(r.value)
    else this.error = r.error
  }

  async close(terminalId: string): Promise<void> {
    await call('terminal.close', { terminalId })
    this.tabs = this.tabs.filter((t) => t.terminalId !== terminalId)
    this.sinks.delete(terminalId)
    if (this.active === terminalId) this.active = this.tabs[this.tabs.length - 1]?.terminalId ?? null
  }

  async setBroadcast(terminalId: string, on: boolean): Promise<void> {
    const r = await call('terminal.setBroadcast', { terminalId, on })
    if (r.ok) for (const t of r.value) this.update(t)
  }

  get broadcasting(): number {
    return this.tabs.filter((t) => t.broadcast && t.state === 'open').length
  }
}

export const terminals = new TerminalsState()
