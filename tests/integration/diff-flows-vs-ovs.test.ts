import { execFileSync, spawnSync } from 'node:child_process'
import { readFileSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { diffFlows } from '../../src-main/core/flows/diff'
import { parseDiffFlows } from '../../src-main/core/parse/ovs-diff-flows'
import { parseDumpFlows } from '../../src-main/core/parse/ovs-dump-flows'
import fc from 'fast-check'
import { canonicalMatch } from '../../src-main/core/flows/match'
import { addFlowsText, dumpText, mutate, sdnFlows } from '../helpers/flowgen'
import { generatedMatch, matchItems } from '../helpers/matchgen'
import { tempDir } from '../helpers/tmp'

// Our diff must agree with the real `ovs-ofctl diff-flows` on which flows are added, removed and changed.
const samples = resolve(__dirname, '../../../shared/samples/lab')
let t: ReturnType<typeof tempDir>
beforeAll(() => {
  t = tempDir('sdnwb-diff-')
  execFileSync('ovs-ofctl', ['--version'])
})
afterAll(() => t.cleanup())

/** ovs-ofctl takes add-flows syntax: dump-flows output works once its reply headers are removed. */
function forOvs(text: string): string {
  return text
    .split('\n')
    .filter((l) => !/^(OFPST_FLOW|NXST_FLOW) reply/.test(l))
    .join('\n')
}

function ovsDiff(a: string, b: string): ReturnType<typeof parseDiffFlows> {
  const fa = join(t.dir, 'a.flows')
  const fb = join(t.dir, 'b.flows')
  writeFileSync(fa, forOvs(a))
  writeFileSync(fb, forOvs(b))
  const r = spawnSync('ovs-ofctl', ['diff-flows', fa, fb], { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 })
  if (r.status !== 0 && r.status !== 2) throw new Error(`ovs-ofctl diff-flows failed (${r.status}): ${r.stderr}`)
  const parsed = parseDiffFlows(r.stdout)
  expect(parsed.diagnostics).toEqual([])
  expect(r.status).toBe(parsed.lines.length === 0 ? 0 : 2)
  return parsed
}

function expectAgreement(a: string, b: string, opts = {}) {
  const da = parseDumpFlows(a)
  const db = parseDumpFlows(b)
  expect(da.diagnostics).toEqual([])
  expect(db.diagnostics).toEqual([])
  const ours = diffFlows(da.flows, db.flows, opts)
  const theirs = ovsDiff(a, b)
  const keys = (kind: 'added' | 'removed' | 'changed') => ours.tables.flatMap((tb) => tb[kind].map((e) => e.key)).sort()
  expect(keys('added')).toEqual([...theirs.added].sort())
  expect(keys('removed')).toEqual([...theirs.removed].sort())
  expect(keys('changed')).toEqual([...theirs.changed].sort())
  return { ours, theirs }
}

describe('diff agrees with ovs-ofctl diff-flows', () => {
  it('on the lab samples: file vs modified file, and a real dump vs the modified file', () => {
    const flows = readFileSync(join(samples, 'sdn-flows.txt'), 'utf8')
    const modified = readFileSync(join(samples, 'sdn-flows-modified.txt'), 'utf8')
    const dump = readFileSync(join(samples, 'hostns-dump-flows-of13.txt'), 'utf8')
    const r1 = expectAgreement(flows, modified)
    expect(r1.ours.totals).toMatchObject({ added: 1, removed: 1, changed: 2 })
    expectAgreement(dump, modified)
    const same = expectAgreement(dump, flows)
    expect(same.theirs.lines).toEqual([])
  })

  it('on generated openshift-sdn tables written in different but equivalent spellings', () => {
    const before = sdnFlows({ pods: 400, nodes: 60, services: 150, seed: 11 })
    const after = mutate(before, 240, 5)
    const { ours } = expectAgreement(addFlowsText(before, { respell: true, seed: 1 }), addFlowsText(after, { respell: true, seed: 2 }))
    expect(ours.totals.added + ours.totals.removed + ours.totals.changed).toBeGreaterThan(150)
  })

  it('on multipart OF1.3 dumps with counters (counters never count as a change)', () => {
    const before = sdnFlows({ pods: 700, nodes: 20, services: 50, seed: 3 })
    const after = mutate(before, 100, 9)
    const { ours } = expectAgreement(dumpText(before, { duration: 100 }), dumpText(after, { duration: 160 }))
    expect(ours.totals.moved).toBeGreaterThan(0)
  })

  it('with the OF1.0 option, an OF1.0 dump (resubmit, load) equals its OF1.3 file (goto_table, set_field) (ovs-ofctl sees every flow changed)', () => {
    const of10 = readFileSync(join(samples, 'hostns-dump-flows-of10.txt'), 'utf8')
    const flows = readFileSync(join(samples, 'sdn-flows.txt'), 'utf8')
    const strict = diffFlows(parseDumpFlows(of10).flows, parseDumpFlows(flows).flows)
    const theirs = ovsDiff(of10, flows)
    expect(strict.totals.changed).toBe(theirs.changed.length)
    expect(strict.totals.changed).toBeGreaterThan(20)
    const lenient = diffFlows(parseDumpFlows(of10).flows, parseDumpFlows(flows).flows, { acrossOfVersions: true })
    expect(lenient.totals).toMatchObject({ added: 0, removed: 0, changed: 0 })
  })

  it('on generated matches in random spellings against their canonical text, with flags (ignored) and importance (compared)', () => {
    const seed = Number(process.env.SDNWB_SEED ?? Date.now() % 1_000_000)
    // OVS is inconsistent here: the switch normalizes some matches when a flow is added (ND fields of another ICMPv6
    // type, NSH context headers without MD type 1, Ethernet fields of a non-Ethernet packet type, zero GTP-U fields,
    // a priority without a tag, a Geneve option's mask of all ones over its own length), but diff-flows of two files
    // compares them as parsed. Our canonical form follows the
    // switch (the round-trip test proves it), so these are left out of the file-to-file comparison.
    const switchOnly = /\b(nd_|nsh_c|nshc|packet_type|gtpu|vlan_tci=0(x0+)?(\/|\s|,|$)|tun_metadata\d+=[^,\s]*\/)/
    const matches = fc.sample(generatedMatch, { numRuns: 1500, seed }).filter((m) => !switchOnly.test(m))
    // Distinct priorities: no two generated flows can be the same entry.
    const a = matches.map((m, i) => `table=${i % 5},priority=${i + 1},${m},actions=drop`)
    const b = matches.map((m, i) => {
      // OVS prints gtpu_flags/gtpu_msgtype but reads only tun_gtpu_*: the file it reads gets the names it reads.
      const canon = canonicalMatch(matchItems(m)).canon.replace(/(^|,)(gtpu_(flags|msgtype))=/g, '$1tun_$2=')
      const flags = i % 7 === 0 ? 'send_flow_rem,check_overlap,' : ''
      const importance = i % 11 === 0 ? `importance=${i % 3},` : ''
      return `table=${i % 5},${flags}${importance}priority=${i + 1}${canon === '' ? '' : ','}${canon},actions=drop`
    })
    try {
      const { ours, theirs } = expectAgreement(a.join('\n') + '\n', b.join('\n') + '\n')
      // Only importance differs (i % 11 === 0 with a non-zero importance): flags and spellings never do.
      expect(theirs.changed.length).toBe(matches.filter((_, i) => i % 11 === 0 && i % 3 !== 0).length)
      expect(ours.tables.flatMap((tb) => tb.changed).every((e) => e.changes.join() === 'importance')).toBe(true)
    } catch (err) {
      throw new Error(`seed ${seed} (SDNWB_SEED=${seed} reruns it): ${(err as Error).message}`)
    }
  })
})
