// The canonical form of actions is what Open vSwitch prints for them after a round trip: generated flows,
// each action list in random spellings in a flow whose match meets what its actions need, are added to a
// real switch and dumped back; our canonical text of each spelling must equal the switch's printed text.
// Every action of the table (action-vocabulary.ts) is generated; the seed is printed on failure.
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { actionContextOf, canonicalActions, parseActions } from '../../src-main/core/flows/actions'
import { actionDef, actionDefs } from '../../src-main/core/flows/action-vocabulary'
import { canonicalFlowActions } from '../../src-main/core/flows/flow'
import { canonicalMatch } from '../../src-main/core/flows/match'
import { parseDumpFlows } from '../../src-main/core/parse/ovs-dump-flows'
import { actionNamesIn, generatedFlowActions } from '../helpers/actiongen'
import { matchItems } from '../helpers/matchgen'
import { useTestSwitch } from '../lab/ovs-dummy'

const sw = useTestSwitch('sdnwb-actions-')
const seed = Number(process.env.SDNWB_SEED ?? Date.now() % 1_000_000)
const count = 3000

describe('action canonical form: a round trip through the real switch', () => {
  const flows = fc.sample(generatedFlowActions, { numRuns: count, seed })
  // A meter comes first (OpenFlow 1.3's meter instruction) in some flows; conjunction stands alone.
  const sent = flows.map((f, i) => {
    const meter = i % 50 === 0 && !f.actions.startsWith('conjunction') ? `meter:${i % 100 === 0 ? '1' : '0x1'}` : ''
    return meter === '' ? f.actions : f.actions === '' || f.actions.toLowerCase() === 'drop' ? meter : `${meter},${f.actions}`
  })

  it(`the generator covers every action of the table (seed ${seed})`, () => {
    const seen = new Set(sent.flatMap((a) => actionNamesIn(a)).map((n) => actionDef(n)?.name ?? `unknown:${n}`))
    expect([...seen].filter((n) => n.startsWith('unknown:')), `seed ${seed}: names the table does not know`).toEqual([])
    const missing = actionDefs.filter((d) => !d.undumpable && !seen.has(d.name)).map((d) => d.name)
    expect(missing, `seed ${seed}: table rows never generated`).toEqual([])
  })

  it(`${count} generated action lists in random spellings print as our canonical text (seed ${seed})`, () => {
    // A group and a meter for group:1 and meter:1 (the switch maps tun_metadata0 and 1: useTestSwitch).
    for (const args of [
      ['-O', 'OpenFlow13', 'add-group', 'br0', 'group_id=1,type=all,bucket=output:1'],
      ['-O', 'OpenFlow13', 'add-meter', 'br0', 'meter=1,kbps,band=type=drop,rate=100']
    ]) {
      const r = sw.ovs.run('ovs-ofctl', args)
      expect(r.status, r.stderr).toBe(0)
    }
    // Table 0 (goto_table must go forward), one priority each so no flow replaces another.
    const lines = flows.map((f, i) => `cookie=${i + 1},table=0,priority=${i + 1},${f.match},actions=${sent[i]}`)
    const file = join(sw.ovs.dir, 'flows.txt')
    writeFileSync(file, lines.join('\n') + '\n')
    const add = sw.ovs.run('ovs-ofctl', ['-O', 'OpenFlow13', 'add-flows', 'br0', file])
    if (add.status !== 0) {
      // Which lines the switch refuses, each with its error (add-flows stops at the first).
      const refused: string[] = []
      for (const line of lines) {
        if (refused.length >= 10) break
        writeFileSync(file, line + '\n')
        const one = sw.ovs.run('ovs-ofctl', ['-O', 'OpenFlow13', 'add-flows', 'br0', file])
        if (one.status !== 0) refused.push(`${line}\n    ${one.stderr.split('\n').filter((l) => !/^[0-9a-f]{8} /.test(l)).join(' | ').slice(0, 300)}`)
      }
      expect(refused, `seed ${seed}: ovs-ofctl refused generated flows`).toEqual([])
    }
    const dump = sw.ovs.run('ovs-ofctl', ['-O', 'OpenFlow13', 'dump-flows', 'br0'])
    const parsed = parseDumpFlows(dump.stdout)
    expect(parsed.diagnostics, `seed ${seed}: our reader diagnosed OVS's own output`).toEqual([])
    const byCookie = new Map(parsed.flows.map((f) => [Number(f.cookie), f]))
    const failures: string[] = []
    for (const [i, f] of flows.entries()) {
      const back = byCookie.get(i + 1)
      expect(back, `cookie ${i + 1}`).toBeDefined()
      if (!back) continue
      const printed = back.actionsText
      const readBack = canonicalFlowActions(back)
      const context = actionContextOf(canonicalMatch(matchItems(f.match)).canon)
      const parsedSent = parseActions(sent[i] as string)
      const ours = canonicalActions(parsedSent.actions, { context })
      if (readBack !== printed) failures.push(`read back: ${printed}\n      ours: ${readBack}`)
      if (ours !== printed) failures.push(`sent ${f.match} actions=${sent[i]}\n   ovs: ${printed}\n  ours: ${ours}`)
      if (parsedSent.problems.length && (sent[i] as string).trim() !== '') failures.push(`sent ${sent[i]}: diagnosed ${parsedSent.problems.join('; ')}`)
    }
    if (process.env.SDNWB_FAILURES) writeFileSync(process.env.SDNWB_FAILURES, failures.join('\n'))
    expect(failures.slice(0, 12), `seed ${seed} (SDNWB_SEED=${seed} reruns it): ${failures.length} of ${flows.length * 2} differ`).toEqual([])
  })
})
