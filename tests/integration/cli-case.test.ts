// `sdnwb import`, `sdnwb check`, `sdnwb findings` run as a user runs them (scripts/sdnwb.mjs), on a real case
// file: a folder imported into a new case, Check SDN's finding stored once however often it is run, listed
// with its evidence, and the case opened by the workbench afterwards shows the same.
import { spawnSync } from 'node:child_process'
import { mkdirSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { CaseFindingView } from '../../src-main/contract'
import { CaseDb } from '../../src-main/node/store/case-db'
import { sample } from '../helpers/samples'
import { tempDir } from '../helpers/tmp'

const cli = resolve(__dirname, '../../scripts/sdnwb.mjs')
let t: ReturnType<typeof tempDir>
beforeAll(() => (t = tempDir('sdnwb-cli-case-')))
afterAll(() => t.cleanup())

function sdnwb(args: string[]) {
  const r = spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', cwd: resolve(__dirname, '../..'), maxBuffer: 1 << 26 })
  return { out: r.stdout, err: r.stderr, code: r.status }
}

describe('the case verbs of sdnwb', () => {
  it('import into a new case, check a node twice, list the one finding with its evidence', () => {
    const folder = join(t.dir, 'from-customer')
    mkdirSync(folder)
    // Table 40's default flow is gone: Check SDN must say so.
    writeFileSync(join(folder, 'node1-dump-flows-of13.txt'), sample('lab/node1-dump-flows-of13.txt').split('\n').filter((l) => !/table=40, .*priority=0 /.test(l)).join('\n'))
    writeFileSync(join(folder, 'node1-ip-addr.txt'), sample('lab/node1-ip-addr.txt'))
    writeFileSync(join(folder, 'holiday.jpg'), 'not an output')
    const casePath = join(t.dir, 'case.sdncase')

    const imp = sdnwb(['import', casePath, folder])
    expect(imp.code, imp.err).toBe(0)
    expect(imp.err).toContain('created the case')
    expect(imp.out).toMatch(/node1-dump-flows-of13\.txt\tnode1 \(guessed\)\tovs-ofctl -O OpenFlow13 dump-flows br0 \(guessed\)\tovs-ofctl\.dump-flows/)
    expect(imp.out).toMatch(/2 imported, 1 other files ignored/)
    const json = sdnwb(['import', casePath, folder, '--json'])
    expect(JSON.parse(json.out)[0]).toMatchObject({ captureIds: [], alreadyImported: 2 })

    const first = sdnwb(['check', casePath, '--host', 'node1'])
    expect(first.code, first.err).toBe(2)
    expect(first.out).toMatch(/ERROR\tTable 40 \(ARP local\) has no default flow/)
    const again = sdnwb(['check', casePath, '--host', 'NODE1.example.com', '--json'])
    expect(again.code).toBe(2)
    expect(JSON.parse(again.out).stored).toEqual([{ findingId: expect.any(Number), seenBefore: true }])

    const list = sdnwb(['findings', casePath])
    expect(list.code).toBe(0)
    expect(list.out).toMatch(/^#\d+\topen\terror\tTable 40 \(ARP local\) has no default flow\t\(node1\)$/m)
    const all = JSON.parse(sdnwb(['findings', casePath, '--json']).out) as CaseFindingView[]
    expect(all).toHaveLength(1)
    expect(all[0]?.sources).toEqual([{ kind: 'check', check: 'bridge.default' }])

    // The workbench reads the same case.
    const db = CaseDb.open(casePath)
    expect(db.findings.list().map((f) => f.title)).toEqual(['Table 40 (ARP local) has no default flow'])
    db.close()
  })

  it('says what failed: a missing case, no node, a case another workbench holds (findings then reads it read-only)', () => {
    expect(sdnwb(['findings', join(t.dir, 'nope.sdncase')])).toMatchObject({ code: 1, err: expect.stringContaining('no such case file') })
    expect(sdnwb(['check', join(t.dir, 'case.sdncase')])).toMatchObject({ code: 1, err: expect.stringContaining('needs --host') })
    expect(sdnwb(['check', join(t.dir, 'case.sdncase'), '--host', 'node9'])).toMatchObject({ code: 1, err: expect.stringMatching(/No usable flow dump of br0 on node9/) })
    const held = CaseDb.open(join(t.dir, 'case.sdncase'))
    try {
      const r = sdnwb(['findings', join(t.dir, 'case.sdncase')])
      expect(r.code, r.err).toBe(0)
      expect(r.err).toMatch(/reading it read-only/)
      expect(r.out).toMatch(/Table 40/)
      // Check SDN stores findings: it refuses a case another workbench holds, naming the holder.
      const c = sdnwb(['check', join(t.dir, 'case.sdncase'), '--host', 'node1'])
      expect(c.code).toBe(1)
      expect(c.err).toMatch(/open in|held|lock/i)
    } finally {
      held.close()
    }
  })
})
