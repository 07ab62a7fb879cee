import { StringDecoder } from 'node:string_decoder'
import { PlainTextStream } from '../../core/terminal/plain-text'
import type { TranscriptStore } from '../store/transcript-store'

/** Event data as text: output decoded as one UTF-8 stream (a character may span two events), the rest as is. */
export function decodeEvents(rows: { kind: string; data: Buffer }[], decoder = new StringDecoder('utf8')): string[] {
  return rows.map((r) => (r.kind === 'o' ? decoder.write(r.data) : r.data.toString('utf8')))
}

function* allEvents(store: TranscriptStore, id: number): Generator<{ t: number; kind: string; text: string }> {
  const decoder = new StringDecoder('utf8')
  let after = 0
  for (;;) {
    const rows = store.events(id, after, 2000)
    const texts = decodeEvents(rows, decoder)
    for (let i = 0; i < rows.length; i++) {
      const r = rows[i] as (typeof rows)[number]
      yield { t: r.t, kind: r.kind, text: texts[i] ?? '' }
    }
    const last = rows[rows.length - 1]
    if (!last || rows.length < 2000) return
    after = last.id
  }
}

/**
 * The recording as asciicast v2 (newline-delimited JSON: a header, then [time, code, data]), which asciinema
 * and its players read. Input appears only as the echo gate let it through; marks are "m" events.
 */
export function asciicast(store: TranscriptStore, id: number): string {
  const s = store.get(id)
  const header = {
    version: 2,
    width: s.cols,
    height: s.rows,
    timestamp: Math.floor(Date.parse(s.startedAt) / 1000),
    title: `${s.title} (${s.startedAt})`,
    env: { TERM: s.term }
  }
  const out = [JSON.stringify(header)]
  for (const e of allEvents(store, id)) out.push(JSON.stringify([e.t, e.kind, e.text]))
  return out.join('\n') + '\n'
}

/** The session as the plain text a customer's record takes: what the screen showed, with its commands and times. */
export function plainTranscript(store: TranscriptStore, id: number): string {
  const s = store.get(id)
  const commands = store.commands(id)
  const head = [
    `Terminal session on ${s.hostName}`,
    `Started ${s.startedAt}${s.endedAt ? `, ended ${s.endedAt}` : ' (still recording)'}${s.endReason ? ` (${s.endReason})` : ''}`,
    `Recorded by SDN Workbench. Input typed while the terminal did not echo it (passwords) was not recorded.`
  ]
  if (commands.length > 0) {
    head.push('', 'Commands:')
    for (const c of commands) head.push(`  ${c.startedAt}  exit ${c.exitCode ?? '?'}  line ${c.firstLine}  ${c.commandLine}`)
  }
  const text = new PlainTextStream(s.cols)
  const lines: string[] = []
  for (const e of allEvents(store, id)) {
    if (e.kind === 'o') lines.push(...text.push(e.text))
    else if (e.kind === 'r') text.setCols(Number(e.text.split('x')[0]) || s.cols)
  }
  const last = text.flush()
  if (last !== null) lines.push(last)
  return [...head, '', '----', ...lines, ''].join('\n')
}
