// Terminals against the real lab: a PTY shell over ssh2 through the jump host, recorded into a real case file.
import { createHash } from 'node:crypto'
import { chmodSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { terminalFlow, type BackendEvent, type MethodName, type MethodOutput, type TerminalInfo } from '../../src-main/contract'
import type { Caller } from '../../src-main/node/backend/dispatcher'
import { CaseDb } from '../../src-main/node/store/case-db'
import { labUser, startLab, stopLab, type Lab } from '../lab/lab'
import { SshHarness } from '../helpers/ssh-harness'
import { freeWindowBytes, shellWindowBytes } from '../../src-main/node/ssh/channel-window'
import { tempDir } from '../helpers/tmp'

let t: ReturnType<typeof tempDir>
let lab: Lab
let h: SshHarness
const ids: Record<string, number> = {}

/** A client of the backend as a window is: its own events, acknowledging what it "parsed" at once. */
class Client {
  readonly caller: Caller
  readonly detach: () => void
  readonly output = new Map<string, string>()
  readonly states: TerminalInfo[] = []
  autoAck = true
  constructor() {
    const c = h.backend.attachClient((e: BackendEvent) => this.onEvent(e))
    this.caller = c.caller
    this.detach = c.detach
  }
  private onEvent(e: BackendEvent): void {
    if (e.name === 'terminal.data') {
      const d = e.payload
      this.output.set(d.terminalId, (this.output.get(d.terminalId) ?? '') + Buffer.from(d.data).toString('utf8'))
      if (this.autoAck) void h.backend.dispatch('terminal.ack', { terminalId: d.terminalId, bytes: d.bytes }, this.caller)
    } else if (e.name === 'terminal.state') this.states.push(e.payload)
  }
  async call<M extends MethodName>(method: M, input: unknown): Promise<MethodOutput<M>> {
    const r = await h.backend.dispatch(method, input, this.caller)
    if (!r.ok) throw new Error(`${method}: ${r.error.message}`)
    return r.value as MethodOutput<M>
  }
  async waitFor(terminalId: string, re: RegExp, ms = 10_000): Promise<string> {
    const end = Date.now() + ms
    for (;;) {
      const out = this.output.get(terminalId) ?? ''
      if (re.test(out)) return out
      if (Date.now() > end) throw new Error(`timed out waiting for ${re} in terminal output:\n${out.slice(-2000)}`)
      await new Promise((r) => setTimeout(r, 20))
    }
  }
  async open(hostId: number): Promise<TerminalInfo> {
    const info = await this.call('terminal.open', { hostId, cols: 120, rows: 40 })
    expect(info.state).toBe('open')
    return info
  }
  type(terminalId: string, data: string): Promise<unknown> {
    return this.call('terminal.input', { terminalId, data })
  }
  /** Waits until the prompt hook answered (OSC 133 B seen). */
  async integrated(terminalId: string): Promise<void> {
    const end = Date.now() + 10_000
    while (!this.states.some((s) => s.terminalId === terminalId && s.shellIntegration === 'on')) {
      if (Date.now() > end) throw new Error('shell integration never answered')
      await new Promise((r) => setTimeout(r, 20))
    }
  }
}

beforeAll(async () => {
  t = tempDir('sdnwb-term-')
  chmodSync(t.dir, 0o755)
  lab = await startLab({ dir: join(t.dir, 'lab'), nodes: 2 })
  h = new SshHarness(join(t.dir, 'wb'), { connectTimeoutMs: 3000 })
  await h.call('case.create', { name: 'terminal lab' })
  const [n1, n2] = lab.nodes
  if (!n1 || !n2) throw new Error('lab has no nodes')
  ids.jump = await h.addHost({ name: 'jump', address: '127.0.0.1', port: lab.jump.port, role: 'master', keyPath: lab.keys.ed25519 })
  ids.node1 = await h.addHost({ name: 'node1', address: n1.ip, port: 22, keyPath: lab.keys.ed25519, jumpHostId: ids.jump })
  ids.node2 = await h.addHost({ name: 'node2', address: n2.ip, port: 22, keyPath: lab.keys.ed25519, jumpHostId: ids.jump })
  ids.node1pw = await h.addHost({ name: 'node1-pw', address: n1.ip, port: 22, user: labUser, authMethod: 'password', jumpHostId: ids.jump })
  ids.node2plain = await h.addHost({ name: 'node2-plain', address: n2.ip, port: 22, keyPath: lab.keys.ed25519, jumpHostId: ids.jump, shellIntegration: false })
}, 120_000)

afterAll(async () => {
  h?.close()
  if (lab) await stopLab(lab)
  t?.cleanup()
})

describe('terminals on the lab', () => {
  it('a shell through the jump host: commands delimited by the prompt hook, output saved as a capture the flow parser reads', async () => {
    const a = new Client()
    const term = await a.open(ids.node1 as number)
    await a.integrated(term.terminalId)
    await a.type(term.terminalId, 'ovs-ofctl -O OpenFlow13 dump-flows br0 | head -20\r')
    await a.waitFor(term.terminalId, /goto_table[^]*133;D;0/)
    await a.type(term.terminalId, 'false\r')
    await a.waitFor(term.terminalId, /133;D;1/)
    const view = (await a.call('transcripts.get', { transcriptId: term.transcriptId }))
    const dump = view.commands.find((c) => c.commandLine.startsWith('ovs-ofctl'))
    expect(dump?.exitCode).toBe(0)
    expect(view.commands.find((c) => c.commandLine === 'false')?.exitCode).toBe(1)
    const saved = (await a.call('transcripts.saveCapture', { transcriptId: term.transcriptId, commandId: dump?.id, commandLine: 'ovs-ofctl -O OpenFlow13 dump-flows br0' }))
    expect(saved.parserId).toBe('ovs-ofctl.dump-flows')
    const parsed = (await a.call('captures.parsed', { id: saved.id }))
    expect(parsed.kind).toBe('flows')
    const text = (await a.call('captures.text', { id: saved.id }))
    expect(text.text).toMatch(/^ cookie=0x0, duration=|^OFPST_FLOW reply/m)
    expect(text.text).not.toMatch(/\x1b|\r/)
    // A selection saved under the command that printed it is read by that command's parser.
    const selected = await a.call('transcripts.saveCapture', { transcriptId: term.transcriptId, selection: 'default via 10.200.0.1 dev eth0\r\n10.128.0.0/14 dev tun0 scope link\r\n', commandLine: 'ip route' })
    expect(selected.parserId).toBe('ip.route')
    expect((await a.call('captures.text', { id: selected.id })).text).toBe('default via 10.200.0.1 dev eth0\n10.128.0.0/14 dev tun0 scope link\n')
    await expect(a.call('transcripts.saveCapture', { transcriptId: term.transcriptId, selection: 'x' })).rejects.toThrow(/which command printed/)
    // The transcript is searched through the case, not the xterm buffer.
    const found = (await a.call('transcripts.search', { query: 'goto_table' }))
    expect(found.hits[0]?.transcript.id).toBe(term.transcriptId)
    expect(found.hits[0]?.lines[0]?.text).toContain('goto_table')
    await a.call('terminal.close', { terminalId: term.terminalId })
    const exported = (await a.call('transcripts.export', { transcriptId: term.transcriptId, format: 'asciicast' }))
    const [header, ...events] = exported.text.trim().split('\n')
    expect(JSON.parse(header as string)).toMatchObject({ version: 2, width: 120, height: 40 })
    for (const e of events) expect(JSON.parse(e)).toEqual([expect.any(Number), expect.stringMatching(/^[oirm]$/), expect.any(String)])
    expect(exported.fileName).toMatch(/^node1-terminal-.*\.cast$/)
    // The hook, echoed by readline across the right margin, is recorded as typed input; nothing is hidden.
    expect(exported.text).toContain('"i"," if [ -n \\"$BASH_VERSION\\" ]; then')
    expect(exported.text).not.toContain('not echoed')
    const plain = (await a.call('transcripts.export', { transcriptId: term.transcriptId, format: 'text' }))
    expect(plain.text).toContain('exit 1  line')
    // A command's first line points at its first output line in the plain text.
    const screenLines = plain.text.split('\n----\n')[1]?.split('\n') ?? []
    const firstLine = view.commands.find((c) => c.commandLine.startsWith('ovs-ofctl'))?.firstLine ?? 0
    expect(screenLines[firstLine - 1]).toMatch(/^( cookie=|OFPST_FLOW reply)/)
    expect(screenLines[firstLine - 2]).toMatch(/^root@node1:~# ovs-ofctl -O OpenFlow13 dump-flows br0 \| head -20$/)
    // The hook's long line, wrapped and redrawn by readline, reads as the one line it is.
    expect(screenLines.some((l) => l.includes(`PS0='$(__sdnwb_c)'; else PS1=`) && l.trimEnd().endsWith('; fi'))).toBe(true)
    a.detach()
  }, 60_000)

  it('input typed while the terminal does not echo (read -s, sudo) is never recorded', async () => {
    const a = new Client()
    const term = await a.open(ids.node1 as number)
    await a.integrated(term.terminalId)
    await a.type(term.terminalId, 'read -s -p "Password: " pw; echo; echo "got ${#pw}"\r')
    await a.waitFor(term.terminalId, /Password: /)
    for (const ch of 'hunter2-secret') await a.type(term.terminalId, ch)
    await a.type(term.terminalId, '\r')
    await a.waitFor(term.terminalId, /got 14/)
    await a.type(term.terminalId, 'echo visible-marker\r')
    await a.waitFor(term.terminalId, /visible-marker\r\n/)
    await a.call('terminal.close', { terminalId: term.terminalId })
    const cast = ((await a.call('transcripts.export', { transcriptId: term.transcriptId, format: 'asciicast' }))).text
    expect(cast).not.toContain('hunter2')
    expect(cast).not.toMatch(/"i","h"|"i","u"|"i","n"|"i","t"/)
    expect(cast).toContain('14 typed characters not echoed')
    // What was echoed is recorded as input.
    expect(cast).toContain('"i","echo visible-marker"')
    const times = cast.trim().split('\n').slice(1).map((l) => (JSON.parse(l) as [number])[0])
    expect(times).toEqual([...times].sort((x, y) => x - y))
    a.detach()
  }, 60_000)

  it('bytes go to the client that opened the terminal only; broadcast types into every chosen terminal', async () => {
    const a = new Client()
    const b = new Client()
    const t1 = await a.open(ids.node1 as number)
    const t2 = await a.open(ids.node2 as number)
    await a.integrated(t1.terminalId)
    await a.integrated(t2.terminalId)
    await expect(b.call('terminal.input', { terminalId: t1.terminalId, data: 'id\r' })).rejects.toThrow(/not open in this window/)
    await a.call('terminal.setBroadcast', { terminalId: t1.terminalId, on: true })
    await a.call('terminal.setBroadcast', { terminalId: t2.terminalId, on: true })
    await a.type(t1.terminalId, 'hostname; echo bc-$((6*7))\r')
    await a.waitFor(t1.terminalId, /bc-42/)
    await a.waitFor(t2.terminalId, /bc-42/)
    expect(b.output.size).toBe(0)
    await a.call('terminal.close', { terminalId: t1.terminalId })
    await a.call('terminal.close', { terminalId: t2.terminalId })
    a.detach()
    b.detach()
  }, 60_000)

  it('a host opted out of shell integration gets no hook; a detached client ends its terminals, recordings kept', async () => {
    const a = new Client()
    const term = await a.open(ids.node2plain as number)
    expect(term.shellIntegration).toBe('off')
    await a.type(term.terminalId, 'echo plain-$((2+3))\r')
    const out = await a.waitFor(term.terminalId, /plain-5/)
    expect(out).not.toContain('133;')
    a.detach()
    const list = (await h.call('transcripts.list')) as { id: number; endedAt: string | null; endReason: string | null }[]
    const rec = list.find((r) => r.id === term.transcriptId)
    expect(rec?.endedAt).not.toBeNull()
    expect(rec?.endReason).toBe('the workbench window closed')
  }, 60_000)

  it('a paused shell channel: sshd stops within the SSH window — ssh2\'s 2 MiB while output flowed freely, 256 KiB once the terminal holds it back — and goes on when read again', async () => {
    let delivered = 0
    let ended = false
    const shell = await h.backend.ssh.shell(ids.node1 as number, { cols: 80, rows: 24 }, { data: (d) => void (delivered += d.length), end: () => void (ended = true) })
    expect(shell.windowState.takenOver).toBe(true)
    shell.write('yes sdnwb-window-test\r')
    const until = async (pred: () => boolean, ms: number) => {
      const end = Date.now() + ms
      while (!pred()) {
        if (Date.now() > end) throw new Error('timed out')
        await new Promise((r) => setTimeout(r, 5))
      }
    }
    /** Pauses, and returns what ssh2 received after the pause (counted by ssh2, CHANNEL_DATA by CHANNEL_DATA) once sshd stopped. */
    const pauseAndSettle = async () => {
      shell.pause()
      const atPause = shell.windowState.received
      await new Promise((r) => setTimeout(r, 700))
      const held = shell.windowState
      await new Promise((r) => setTimeout(r, 300))
      // sshd has stopped: nothing more arrives.
      expect(shell.windowState.received).toBe(held.received)
      return { after: held.received - atPause, mayStillSend: held.mayStillSend }
    }
    await until(() => delivered > 4 * 1024 * 1024, 30_000)
    // Flowing freely until now: the window was ssh2's.
    const first = await pauseAndSettle()
    expect(first.after).toBeLessThanOrEqual(freeWindowBytes)
    // Read again, and soon held back again (as a terminal the page cannot keep up with is): the small window.
    const before = delivered
    shell.resume()
    await until(() => delivered > before + freeWindowBytes + 2 * shellWindowBytes, 30_000)
    const second = await pauseAndSettle()
    expect(second.after).toBeGreaterThan(0)
    expect(second.after).toBeLessThanOrEqual(shellWindowBytes)
    expect(second.mayStillSend).toBeLessThanOrEqual(shellWindowBytes)
    // A terminal whose page parses fast holds back a bigger window (its low mark): after a pause, at most that.
    shell.holdWindow(1024 * 1024)
    shell.resume()
    const third = delivered
    await until(() => delivered > third + 4 * 1024 * 1024, 30_000)
    const big = await pauseAndSettle()
    expect(big.after).toBeGreaterThan(shellWindowBytes)
    expect(big.after).toBeLessThanOrEqual(1024 * 1024)
    shell.resume()
    const again = delivered
    await until(() => delivered > again + 2 * shellWindowBytes, 30_000)
    expect(delivered).toBeLessThanOrEqual(shell.windowState.received)
    shell.write('\x03')
    shell.close()
    await until(() => ended, 10_000)
  }, 60_000)

  it('flow control: a client that stops acknowledging pauses the channel, and the output is recorded byte for byte', async () => {
    const a = new Client()
    a.autoAck = false
    const term = await a.open(ids.node1 as number)
    await a.integrated(term.terminalId)
    // 8 MB of text (well over the high mark), with the PTY's LF to CRLF turned off so the recorded bytes are the file's.
    await a.type(term.terminalId, 'head -c 6000000 /dev/urandom | base64 > /tmp/sdnwb-big.txt; sha256sum /tmp/sdnwb-big.txt; stty -onlcr\r')
    const sums = await a.waitFor(term.terminalId, /([0-9a-f]{64})  \/tmp\/sdnwb-big.txt/, 30_000)
    const want = /([0-9a-f]{64})  \/tmp\/sdnwb-big.txt/.exec(sums)?.[1]
    await a.type(term.terminalId, 'cat /tmp/sdnwb-big.txt; stty onlcr\r')
    await new Promise((r) => setTimeout(r, 1500))
    const held = (a.output.get(term.terminalId) ?? '').length
    // Without acknowledgements only about the high mark (plus a frame) was sent.
    await new Promise((r) => setTimeout(r, 500))
    expect((a.output.get(term.terminalId) ?? '').length).toBe(held)
    expect(held - sums.length).toBeLessThanOrEqual(terminalFlow.highWaterBytes + terminalFlow.maxFrameBytes)
    // Acknowledge everything: the rest flows.
    a.autoAck = true
    await a.call('terminal.ack', { terminalId: term.terminalId, bytes: 1 << 30 })
    await a.waitFor(term.terminalId, /133;D;0[^]*$/, 60_000)
    await a.waitFor(term.terminalId, /133;C;cat[^]*133;D;0/, 60_000)
    const view = (await a.call('transcripts.get', { transcriptId: term.transcriptId }))
    const cat = view.commands.find((c) => c.commandLine.startsWith('cat '))
    expect(cat).toBeDefined()
    await a.call('terminal.close', { terminalId: term.terminalId })
    const path = (await h.call('app.info')).openCase?.path as string
    const db = CaseDb.open(path, { readOnly: true })
    const bytes = db.transcripts.output(term.transcriptId as number, cat?.outputStart ?? 0, cat?.outputEnd ?? 0)
    db.close()
    expect(createHash('sha256').update(bytes).digest('hex')).toBe(want)
    a.detach()
  }, 120_000)
})
