// The canonical form of actions is what Open vSwitch prints for them after a round trip: generated action
// lists in random spellings are added to a real switch and dumped back; our canonical text of each spelling
// must equal the switch's printed text. The seed is printed on failure.
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { canonicalActions, parseActions } from '../../src-main/core/flows/actions'
import { parseDumpFlows } from '../../src-main/core/parse/ovs-dump-flows'
import { flowActions } from '../../src-main/core/flows/flow'
import { generatedActions } from '../helpers/matchgen'
import { useTestSwitch } from '../lab/ovs-dummy'

const sw = useTestSwitch('sdnwb-actions-')
const seed = Number(process.env.SDNWB_SEED ?? Date.now() % 1_000_000)
const count = 2000

describe('action canonical form: a round trip through the real switch', () => {
  it(`${count} generated action lists in random spellings print as our canonical text (seed ${seed})`, () => {
    const lists = fc.sample(generatedActions, { numRuns: count, seed })
    // Table 0 (goto_table must go forward), one priority each so no flow replaces another.
    for (const [tool, args] of [['ovs-ofctl', ['-O', 'OpenFlow13', 'add-group', 'br0', 'group_id=1,type=all,bucket=output:1']], ['ovs-ofctl', ['-O', 'OpenFlow13', 'add-meter', 'br0', 'meter=1,kbps,band=type=drop,rate=100']]] as const) {
      const r = sw.ovs.run(tool, [...args])
      expect(r.status, r.stderr).toBe(0)
    }
    // A meter comes first (OpenFlow 1.3's meter instruction); the rest as generated.
    const lines = lists.map((a, i) => `cookie=${i + 1},table=0,priority=${i + 1},tcp,actions=${i % 50 === 0 ? `meter:${i % 100 === 0 ? '1' : '0x1'}${a === '' || a === 'drop' ? '' : ','}` : ''}${a}`)
    const file = join(sw.ovs.dir, 'flows.txt')
    writeFileSync(file, lines.join('\n') + '\n')
    const add = sw.ovs.run('ovs-ofctl', ['-O', 'OpenFlow13', 'add-flows', 'br0', file])
    expect(add.status, `seed ${seed}: ovs-ofctl refused the generated flows: ${add.stderr}`).toBe(0)
    const dump = sw.ovs.run('ovs-ofctl', ['-O', 'OpenFlow13', 'dump-flows', 'br0'])
    const parsed = parseDumpFlows(dump.stdout)
    expect(parsed.diagnostics, `seed ${seed}: our reader diagnosed OVS's own output`).toEqual([])
    const byCookie = new Map(parsed.flows.map((f) => [Number(f.cookie), f]))
    const failures: string[] = []
    for (const [i, a] of lists.entries()) {
      const f = byCookie.get(i + 1)
      expect(f, `cookie ${i + 1}`).toBeDefined()
      if (!f) continue
      const printed = f.actionsText
      const readBack = canonicalActions(flowActions(f))
      const sent = i % 50 === 0 ? `meter:${i % 100 === 0 ? '1' : '0x1'}${a === '' || a === 'drop' ? '' : ','}${a}` : a
      const ours = canonicalActions(parseActions(sent).actions)
      if (readBack !== printed) failures.push(`read back: ${printed}\n      ours: ${readBack}`)
      if (ours !== printed) failures.push(`sent ${sent}\n   ovs: ${printed}\n  ours: ${ours}`)
    }
    expect(failures.slice(0, 10), `seed ${seed} (SDNWB_SEED=${seed} reruns it): ${failures.length} of ${lists.length * 2} differ`).toEqual([])
  })
})
