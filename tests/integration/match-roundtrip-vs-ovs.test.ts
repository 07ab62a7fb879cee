// The canonical form of a match is what Open vSwitch prints for it after a round trip: generated matches in
// random spellings are added to a real switch (dummy datapath), dumped back, and our canonical text of
// each spelling must equal the switch's printed text, for every flow. The seed is printed on failure.
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { canonicalMatch } from '../../src-main/core/flows/match'
import { parseDumpFlows } from '../../src-main/core/parse/ovs-dump-flows'
import { generatedMatch, matchItems } from '../helpers/matchgen'
import { useTestSwitch } from '../lab/ovs-dummy'

const sw = useTestSwitch('sdnwb-roundtrip-')
const seed = Number(process.env.SDNWB_SEED ?? Date.now() % 1_000_000)
const count = 3000

/** The match text of a dumped line, exactly as printed (between "priority=N," and " actions="). */
function printedMatch(line: string): string {
  const m = /priority=\d+,?(.*?) actions=/.exec(line)
  return m ? (m[1] as string) : ''
}

describe('match canonical form: a round trip through the real switch', () => {
  it(`${count} generated matches in random spellings print as our canonical text (seed ${seed})`, () => {
    const matches = fc.sample(generatedMatch, { numRuns: count, seed })
    // Each flow carries its own cookie, so it is found again whatever the switch did to its match.
    const lines = matches.map((m, i) => `cookie=${i + 1},table=${i % 7},priority=${(i * 7919) % 60000},${m},actions=drop`)
    const file = join(sw.ovs.dir, 'flows.txt')
    writeFileSync(file, lines.join('\n') + '\n')
    const add = sw.ovs.run('ovs-ofctl', ['-O', 'OpenFlow13', 'add-flows', 'br0', file])
    expect(add.status, `seed ${seed}: ovs-ofctl refused the generated flows: ${add.stderr}`).toBe(0)
    const failures: string[] = []
    let compared = 0
    for (const version of ['OpenFlow10', 'OpenFlow13']) {
      const dump = sw.ovs.run('ovs-ofctl', ['-O', version, 'dump-flows', 'br0'])
      expect(dump.status).toBe(0)
      const parsed = parseDumpFlows(dump.stdout)
      expect(parsed.diagnostics, `seed ${seed}: our reader diagnosed OVS's own output`).toEqual([])
      const byCookie = new Map(parsed.flows.map((f) => [Number(f.cookie), f]))
      for (const [i, m] of matches.entries()) {
        const f = byCookie.get(i + 1)
        if (!f) continue // a later generated flow had the same table, priority and match, and replaced it
        const ovsText = printedMatch(f.text)
        compared++
        // What the switch printed reads back as itself, and our canonical form of the spelling we sent equals it.
        if (f.matchCanon !== ovsText) failures.push(`read back: ${ovsText} -> ${f.matchCanon}`)
        const ours = canonicalMatch(matchItems(m)).canon
        if (ours !== ovsText) failures.push(`sent ${m}\n   ovs: ${ovsText}\n  ours: ${ours}`)
      }
    }
    expect(compared).toBeGreaterThan(count * 2 * 0.9)
    expect(failures.slice(0, 10), `seed ${seed} (SDNWB_SEED=${seed} reruns it): ${failures.length} of ${compared} differ`).toEqual([])
  })
})
