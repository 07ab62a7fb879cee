import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { EchoGate, type GateEvent } from '../../src-main/core/terminal/echo-gate'

// The echo gate decides from the output alone what typed input is recorded. These properties cut the output into
// chunks anywhere (SSH hands it over as the remote side wrote it, or cut by packets and reads), type the keys at any
// point, and check that an echoed command line is recorded exactly once, whole, and that a secret typed at a silent
// prompt never is. fast-check prints the seed and the shrunk case of a failure.

const prompt = '\x1b]133;D;0\x07\x1b]133;A\x07\x1b[?2004hroot@node1:~# \x1b]133;B\x07\x1b[K'
/** What a person types on a command line: printable ASCII, no control character. */
const typedText = fc.string({ unit: fc.constantFrom(...' abcdefgEhijklmnopqrstuvwxyz0123456789-_./|$"\'=;:'.split('')), minLength: 1, maxLength: 90 })

/** Where to cut the output: at fractions of its length, or (null) after every character. */
const cuts = fc.oneof(fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { maxLength: 8 }), fc.constant(null))

/** Cuts a string at the given fractions of its length (sorted, deduplicated), or into single characters. */
function cut(s: string, at: number[] | null): string[] {
  if (at === null) return [...s]
  const points = [...new Set(at.map((f) => Math.floor(f * s.length)))].filter((p) => p > 0 && p < s.length).sort((a, b) => a - b)
  return [0, ...points].map((p, i, all) => s.slice(p, all[i + 1] ?? s.length))
}

/** readline's echo of `text` with a wrap at each of `wraps` (the character there, CR, the character again). */
function readlineEcho(text: string, wraps: number[]): string {
  const at = new Set(wraps.map((f) => Math.floor(f * text.length)).filter((p) => p > 0 && p < text.length))
  return [...text].map((ch, i) => (at.has(i) ? `${ch}\r${ch}` : ch)).join('')
}

/** How the keys arrive: runs of the given lengths (one key at a time, or pasted), the rest in one run. */
const runs = fc.array(fc.nat({ max: 20 }), { maxLength: 6 })
function typeInRuns(text: string, lengths: number[]): string[] {
  const out: string[] = []
  let from = 0
  for (const n of [...lengths, text.length]) {
    const to = Math.min(text.length, from + n + 1)
    if (to > from) out.push(text.slice(from, to))
    from = to
  }
  return out
}

const inputs = (events: GateEvent[]): string[] => events.flatMap((e) => (e.kind === 'input' ? [e.text] : []))

describe('the echo gate, whatever the chunks', () => {
  it('records a command line typed ahead of its prompt, or at it, once and whole', () => {
    fc.assert(
      fc.property(typedText, fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { maxLength: 3 }), cuts, fc.nat({ max: 8 }), runs, (text, wraps, at, typedAfter, keySplits) => {
        const g = new EchoGate()
        const output = `${prompt}${readlineEcho(text, wraps)}`
        const pieces = cut(output, at)
        // The chunks that come before the keys are typed: some of the prompt (typing ahead), or all of it; never the echo.
        let promptPieces = 0
        for (let end = 0; promptPieces < pieces.length; promptPieces++) {
          end += (pieces[promptPieces] as string).length
          if (end > prompt.length) break
        }
        const before = Math.min(typedAfter, promptPieces)
        const events: GateEvent[] = []
        for (const p of pieces.slice(0, before)) events.push(...g.output(p, 1))
        const typed = typeInRuns(text, keySplits)
        for (const run of typed) events.push(...g.input(run, 2))
        events.push(...g.input('\r', 3))
        for (const p of pieces.slice(before)) events.push(...g.output(p, 4))
        events.push(...g.output('\r\n', 5))
        // Each run typed is one event, whole, however its echo was cut.
        expect(inputs(events)).toEqual([...typed, '\r'])
        expect(events.some((e) => e.kind === 'hidden')).toBe(false)
      }),
      { numRuns: 3000 }
    )
  })

  it('never records a secret typed at a silent prompt, however the output after it is cut', () => {
    fc.assert(
      fc.property(typedText, cuts, runs, fc.boolean(), (secret, at, keySplits, outputComes) => {
        const g = new EchoGate(1000)
        const events: GateEvent[] = [...g.output('Password: ', 0)]
        for (const run of typeInRuns(secret, keySplits)) events.push(...g.input(run, 1))
        events.push(...g.input('\r', 2))
        if (outputComes) for (const p of cut(`\r\ngot ${secret.length}\r\n${prompt}`, at)) events.push(...g.output(p, 3))
        else events.push(...g.tick(1002))
        events.push(...g.flush(4))
        expect(inputs(events)).toEqual(['\r'])
        expect(events.filter((e) => e.kind === 'hidden').reduce((n, e) => n + (e.kind === 'hidden' ? e.chars : 0), 0)).toBe(secret.length)
      }),
      { numRuns: 3000 }
    )
  })
})
