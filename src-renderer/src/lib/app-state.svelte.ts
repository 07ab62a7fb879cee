import type { AppInfo, CaseListEntry, CaseSummary, ContractError, Host, HostKeyPrompt, SecretPrompt, Settings, SshHostState } from '../../../src-main/contract'
import { call, onBackendEvent, onConnectionState, type ConnectionState } from './backend'

/** What the UI shows; every change comes from a backend reply or event. */
type View = 'overview' | 'hosts' | 'capture' | 'captures' | 'runbooks' | 'findings' | 'diff' | 'charts' | 'terminals' | 'report' | 'tracer'
const views: readonly View[] = ['overview', 'hosts', 'capture', 'captures', 'runbooks', 'findings', 'charts', 'terminals', 'report', 'tracer']

function restoredView(): View {
  try {
    const v = sessionStorage.getItem('sdnwb.view')
    return views.find((x) => x === v) ?? 'overview'
  } catch {
    return 'overview'
  }
}

class AppState {
  info = $state<AppInfo | null>(null)
  settings = $state<Settings>({ theme: 'dark' })
  openCase = $state<CaseSummary | null>(null)
  cases = $state<CaseListEntry[]>([])
  hosts = $state<Host[]>([])
  connection = $state<ConnectionState>('connecting')
  /** SSH connection state per host id (absent: never connected). */
  ssh = $state<Record<number, SshHostState>>({})
  /** Questions the backend is waiting on, oldest first: host keys to accept, secrets to type. */
  hostKeyPrompts = $state<HostKeyPrompt[]>([])
  secretPrompts = $state<SecretPrompt[]>([])
  /** The view on screen; kept for this tab across a reload (a new case opens on its overview). */
  view = $state<View>(restoredView())
  /** The last error of an action that has no form to show it in. */
  error = $state<ContractError | null>(null)

  async start(): Promise<void> {
    $effect.root(() => {
      $effect(() => {
        try {
          sessionStorage.setItem('sdnwb.view', this.view)
        } catch {
          // storage off: the view is not kept across a reload
        }
      })
    })
    onConnectionState((s) => {
      const wasClosed = this.connection === 'closed'
      this.connection = s
      if (s === 'open' && wasClosed) void this.refresh()
    })
    onBackendEvent((e) => {
      if (e.name === 'case.changed') {
        const next = e.payload as CaseSummary | null
        // Another case: it opens on its overview.
        if (next && next.id !== this.openCase?.id) this.view = 'overview'
        this.openCase = next
        void this.refreshHosts()
        void this.refreshCases()
      } else if (e.name === 'hosts.changed') {
        void this.refreshHosts()
      } else if (e.name === 'ssh.state') {
        const st = e.payload as SshHostState
        this.ssh = { ...this.ssh, [st.hostId]: st }
      } else if (e.name === 'ssh.hostKeyPrompt') {
        this.hostKeyPrompts = [...this.hostKeyPrompts, e.payload as HostKeyPrompt]
      } else if (e.name === 'ssh.secretPrompt') {
        this.secretPrompts = [...this.secretPrompts, e.payload as SecretPrompt]
      } else if (e.name === 'ssh.promptClosed') {
        const id = (e.payload as { promptId: string }).promptId
        this.hostKeyPrompts = this.hostKeyPrompts.filter((p) => p.promptId !== id)
        this.secretPrompts = this.secretPrompts.filter((p) => p.promptId !== id)
      }
    })
    await this.refresh()
  }

  async refresh(): Promise<void> {
    const [info, settings] = await Promise.all([call('app.info', {}), call('settings.get', {})])
    if (info.ok) {
      this.info = info.value
      this.openCase = info.value.openCase
    } else this.error = info.error
    if (settings.ok) this.applySettings(settings.value)
    await Promise.all([this.refreshCases(), this.refreshHosts()])
  }

  async refreshCases(): Promise<void> {
    const r = await call('case.list', {})
    if (r.ok) this.cases = r.value
  }

  async refreshHosts(): Promise<void> {
    if (!this.openCase) {
      this.hosts = []
      this.ssh = {}
      return
    }
    const [r, states, prompts] = await Promise.all([call('hosts.list', {}), call('ssh.states', {}), call('ssh.pendingPrompts', {})])
    if (r.ok) this.hosts = r.value
    if (states.ok) this.ssh = Object.fromEntries(states.value.map((st) => [st.hostId, st]))
    if (prompts.ok) {
      this.hostKeyPrompts = prompts.value.hostKeys
      this.secretPrompts = prompts.value.secrets
    }
  }

  applySettings(s: Settings): void {
    this.settings = s
    document.documentElement.dataset.theme = s.theme
  }

  async toggleTheme(): Promise<void> {
    const r = await call('settings.update', { theme: this.settings.theme === 'dark' ? 'light' : 'dark' })
    if (r.ok) this.applySettings(r.value)
    else this.error = r.error
  }

  async closeCase(): Promise<void> {
    const r = await call('case.close', {})
    if (!r.ok) this.error = r.error
  }

  /** Opens a case; returns the error for the caller to show next to its control. */
  async openCaseAt(path: string, readOnly = false): Promise<ContractError | null> {
    const r = await call('case.open', readOnly ? { path, readOnly } : { path })
    if (!r.ok) return r.error
    if (r.value.id !== this.openCase?.id) this.view = 'overview'
    this.openCase = r.value
    await this.refreshHosts()
    return null
  }
}

export const app = new AppState()
