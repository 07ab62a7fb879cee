// A recording's chunks are ranges of its output bytes, their text read again from those bytes (schema 9): for any
// output — escapes cut by packet boundaries, CR and BS overwrites, tabs, UTF-8 split across packets, invalid bytes,
// LFs inside OSC payloads, resizes in the middle of a line — the chunks tile the recording's lines, and each chunk's
// text is exactly the lines the recorder read while it recorded (property test; fast-check prints the seed).
import { StringDecoder } from 'node:string_decoder'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { PlainTextStream } from '../../src-main/core/terminal/plain-text'
import { CaseDb } from '../../src-main/node/store/case-db'
import { TerminalRecorder } from '../../src-main/node/terminal/recorder'
import { tempDir } from '../helpers/tmp'

let t: ReturnType<typeof tempDir>
let db: CaseDb
let raw: Database.Database

beforeAll(() => {
  t = tempDir('sdnwb-transcript-chunks-')
  db = CaseDb.create(join(t.dir, 'chunks.sdncase'), 'chunks', 'test')
  raw = new Database(join(t.dir, 'chunks.sdncase'), { readonly: true })
})

afterAll(() => {
  raw.close()
  db.close()
  t.cleanup()
})

type StoredChunk = Parameters<CaseDb['transcripts']['chunkText']>[0] & { first_line: number }
type Op = { kind: 'out'; bytes: Uint8Array } | { kind: 'resize'; cols: number } | { kind: 'flush' }

const pieces = [
  'word ', 'ABCDEFGHIJ', '0123456789abcdef', '\r\n', '\n', '\r', '\b', '\t', '\x1b[K', '\x1b[2K', '\x1b[3C', '\x1b[2D', '\x1b[5G', '\x1b[1A',
  '\x1b[31m', '\x1b]133;A\x07', '\x1b]0;title\nwith LF\x1b\\', '\x1b(B', 'é', '日本', '🙂', '\u00a0'
].map((p) => Buffer.from(p, 'utf8'))
const text = fc
  .array(fc.oneof({ weight: 6, arbitrary: fc.constantFrom(...pieces) }, { weight: 1, arbitrary: fc.uint8Array({ minLength: 1, maxLength: 3 }) }), { minLength: 1, maxLength: 400 })
  .map((ps) => Buffer.concat(ps))
// The output cut at random places into packets (inside escapes and UTF-8 characters too), resizes and flushes between.
const session = fc.tuple(text, fc.array(fc.integer({ min: 1, max: 64 }), { minLength: 1, maxLength: 60 }), fc.array(fc.oneof(fc.integer({ min: 2, max: 30 }), fc.constant(0), fc.constant(-1), fc.constant(-2)), { maxLength: 60 })).map(([out, cuts, between]) => {
  const ops: Op[] = []
  let at = 0
  let k = 0
  while (at < out.length) {
    const n = cuts[k % cuts.length] as number
    ops.push({ kind: 'out', bytes: out.subarray(at, at + n) })
    at += n
    const b = between[k] ?? 0
    if (b > 0) ops.push({ kind: 'resize', cols: b })
    else if (b === -1) ops.push({ kind: 'flush' })
    // A resize in the middle of a line, then a flush: the next chunk begins before the resize, at its old width.
    else if (b === -2) ops.push({ kind: 'resize', cols: 2 + ((k * 7) % 20) }, { kind: 'flush' })
    k++
  }
  return ops
})

describe('recorded chunks read again from the output bytes', () => {
  it('and chunks recorded before schema 9, which hold their text, are still indexed, searched and shown', () => {
    const id = db.transcripts.create({ hostId: null, hostName: 'node1', title: 'old', term: 'xterm-256color', cols: 80, rows: 24, shellIntegration: false, startedAt: new Date().toISOString() })
    const w = new Database(join(t.dir, 'chunks.sdncase'))
    w.prepare('INSERT INTO terminal_chunks (session_id, first_line, text) VALUES (?, 1, ?)').run(id, 'ovs-ofctl dump-flows br0\n table=0 oldchunkneedle')
    w.close()
    const [row] = raw.prepare('SELECT session_id, first_line, text, out_start, out_end, cols FROM terminal_chunks WHERE session_id = ?').all(id) as StoredChunk[]
    expect(row?.out_start).toBeNull()
    expect(db.transcripts.chunkText(row!)).toBe('ovs-ofctl dump-flows br0\n table=0 oldchunkneedle')
    const found = db.transcripts.search('oldchunkneedle').hits
    expect(found.map((h) => [h.transcript.title, h.lines.map((l) => l.line)])).toEqual([['old', [2]]])
  })


  it('begin at the width the line had where they begin, not at the width of the flush that closed the one before', () => {
    const id = db.transcripts.create({ hostId: null, hostName: 'node1', title: 'resize', term: 'xterm-256color', cols: 4, rows: 24, shellIntegration: false, startedAt: new Date().toISOString() })
    const rec = new TerminalRecorder(db.transcripts, id, 0, (err) => {
      throw err
    }, 4, 1_000_000)
    // At 4 columns the carriage return goes back to the third row of the line (column 8), not to its start.
    rec.output(Buffer.from('one\r\nABCDEFGHIJ'), 1)
    rec.resize(30, 24, 2)
    rec.flush()
    rec.output(Buffer.from('\rx\r\n'), 3)
    rec.close('end', 4)
    const rows = raw.prepare('SELECT session_id, first_line, text, out_start, out_end, cols FROM terminal_chunks WHERE session_id = ? ORDER BY first_line').all(id) as StoredChunk[]
    expect(rows.map((r) => db.transcripts.chunkText(r))).toEqual(['one', 'ABCDEFGHxJ'])
  })

  it('tile the lines, and each chunk reads as the recorder read it', () => {
    let n = 0
    fc.assert(
      fc.property(session, fc.integer({ min: 2, max: 40 }), (ops, cols0) => {
        const id = db.transcripts.create({ hostId: null, hostName: 'node1', title: `p${n++}`, term: 'xterm-256color', cols: cols0, rows: 24, shellIntegration: false, startedAt: new Date().toISOString() })
        // A small chunk size is what the test needs: many chunks per session. The recorder's is 16 KB of text, so
        // its flushes (and the close) cut the chunks here.
        const rec = new TerminalRecorder(db.transcripts, id, 0, (err) => {
          throw err
        }, cols0, 1_000_000)
        const ref = new PlainTextStream(cols0)
        const decoder = new StringDecoder('utf8')
        const lines: string[] = []
        let now = 0
        for (const op of ops) {
          now += 5
          if (op.kind === 'out') {
            rec.output(Buffer.from(op.bytes), now)
            lines.push(...ref.push(decoder.write(Buffer.from(op.bytes))))
          } else if (op.kind === 'resize') {
            rec.resize(op.cols, 24, now)
            ref.setCols(op.cols)
          } else rec.flush()
        }
        rec.close('end', now + 5)
        const tail = ref.flush()
        if (tail !== null) lines.push(tail)
        expect(db.transcripts.get(id).lines).toBe(lines.length)
        const chunks = raw.prepare('SELECT id, session_id, first_line, text, out_start, out_end, cols FROM terminal_chunks WHERE session_id = ? ORDER BY first_line').all(id) as StoredChunk[]
        let next = 1
        for (const c of chunks) {
          expect(c.first_line).toBe(next)
          expect(c.text).toBe('')
          const got = db.transcripts.chunkText(c).split('\n')
          expect(got).toEqual(lines.slice(c.first_line - 1, c.first_line - 1 + got.length))
          next = c.first_line + got.length
        }
        expect(next - 1).toBe(lines.length)
      }),
      { numRuns: 400 }
    )
  })
})
