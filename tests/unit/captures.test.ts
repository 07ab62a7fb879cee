import Database from '../../src-main/node/store/sqlite'
import fc from 'fast-check'
import { readdirSync, readFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { describe, expect, it } from 'vitest'
import { HostInput } from '../../src-main/contract'
import { planCapture, podOfNode, renderArgv, type PlanHost } from '../../src-main/core/capture/capture-set'
import { lineCount, splitChunks } from '../../src-main/core/capture/chunks'
import { flowRates, flowWindow, parseCapture } from '../../src-main/core/capture/parsed-view'
import { parsedAs } from '../../src-main/core/parse/registry'
import { lineMatches, matchRanges, parseSearchQuery, tokens } from '../../src-main/core/search/fts-text'
import { parseCaptureSetYaml } from '../../src-main/node/capture/capture-sets'
import { CaseDb } from '../../src-main/node/store/case-db'
import { newCapture } from '../helpers/captures'
import { caseApplicationId, caseMigrations } from '../../src-main/node/store/case-schema'
import { latestVersion } from '../../src-main/node/store/migrate'
import { hostInput } from '../helpers/hosts'
import { sample } from '../helpers/samples'
import { useTempCase } from '../helpers/temp-case'

const setsDir = resolve(__dirname, '../../resources/capture-sets')

describe('chunks', () => {
  it('cut at line ends and give the text back exactly', () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom('a', 'b', '\n', '\r', 'é', '😀'), maxLength: 3000 }), fc.integer({ min: 1, max: 200 }), (text, max) => {
        const chunks = splitChunks(text, max)
        expect(chunks.map((c) => c.text).join('')).toBe(text)
        let line = 1
        for (const c of chunks) {
          expect(c.firstLine).toBe(line)
          line += (c.text.match(/\n/g) ?? []).length
          if (c !== chunks[chunks.length - 1]) expect(c.text.endsWith('\n')).toBe(true)
        }
      })
    )
    // A line over 64 KB is cut into pieces near maxChars, at a blank or comma when one is close.
    const longLine = Array.from({ length: 20_000 }, (_, i) => `10.128.${i >> 8}.${i & 255}`).join(',')
    const text = `first\n${longLine}\nlast\n`
    const chunks = splitChunks(text)
    expect(chunks.map((c) => c.text).join('')).toBe(text)
    expect(Math.max(...chunks.map((c) => c.text.length))).toBeLessThanOrEqual(16_384 + 8)
    expect(chunks.filter((c) => c.firstLine === 2).length).toBeGreaterThan(10)
    for (const c of chunks.slice(0, -2)) expect(c.text.endsWith(',') || c.text.endsWith('\n'), JSON.stringify(c.text.slice(-20))).toBe(true)
    expect(chunks[chunks.length - 1]!.firstLine).toBe(2) // the last piece of line 2 ends with its newline; "last" follows
    expect(lineCount('a\nb')).toBe(2)
    expect(lineCount('a\nb\n')).toBe(2)
    expect(lineCount('')).toBe(0)
  })
})

describe('search text', () => {
  it('keeps addresses whole, in the index and in the query', () => {
    expect(tokens('nw_dst=10.128.0.5,actions=output:2')).toEqual(['nw', 'dst', '10p128p0p5', 'actions', 'output', '2'])
    expect(tokens('dl_src=0A:58:0a:81:00:05')).toEqual(['dl', 'src', '0aq58q0aq81q00q05'])
    expect(tokens('ended at 10.0.0.1.')).toEqual(['ended', 'at', '10p0p0p1'])
    expect(parseSearchQuery('10.128.0.5 "table=90"')?.fts).toBe('"10p128p0p5" AND "table 90"')
    expect(parseSearchQuery('10.128.')?.fts).toBe('"10p128p" *')
    expect(parseSearchQuery('vxlan*')?.fts).toBe('"vxlan" *')
    expect(parseSearchQuery('= ; "')).toBeNull()
  })

  it('gives the ranges that match, addresses and phrases whole', () => {
    const q = parseSearchQuery('10.128.0.5 "goto_table:90"')!
    const line = 'ip,nw_dst=10.128.0.5 actions=goto_table:90 (10.128.0.50)'
    expect(matchRanges(line, q.terms).map((r) => line.slice(r.start, r.end))).toEqual(['10.128.0.5', 'goto_table:90'])
  })

  it('matches lines the way the index does', () => {
    const both = parseSearchQuery('table=90 10.128.0.5')!
    expect(lineMatches('table=90, nw_dst=10.128.0.5', both.terms)).toBe(true)
    expect(lineMatches('table=90, nw_dst=10.128.0.6', both.terms)).toBe(false)
    const q = parseSearchQuery('10.128.0.5')!
    expect(lineMatches('nw_dst=10.128.0.5 actions', q.terms)).toBe(true)
    expect(lineMatches('nw_dst=10.128.0.50 actions', q.terms)).toBe(false)
    const p = parseSearchQuery('10.128.0.*')!
    expect(lineMatches('nw_dst=10.128.0.50', p.terms)).toBe(true)
    expect(lineMatches('nw_dst=10.129.0.50', p.terms)).toBe(false)
  })
})

describe('capture sets', () => {
  it('every shipped set validates', () => {
    const files = readdirSync(setsDir).filter((f) => f.endsWith('.yaml'))
    expect(files.length).toBeGreaterThan(0)
    for (const f of files) {
      const r = parseCaptureSetYaml(readFileSync(join(setsDir, f), 'utf8'))
      expect('problems' in r ? r.problems : [], f).toEqual([])
    }
  })

  it('reports YAML and schema problems with where they are', () => {
    const bad = parseCaptureSetYaml('id: x\ntitle: t\nversion: 1\ncommands:\n  - id: a\n    title: A\n    on: node\n    argv: [ovs-ofctl, "{pod}"]\n  - id: a\n    title: B\n    on: everywhere\n    argv: [x]\n')
    expect('problems' in bad && bad.problems.join('\n')).toMatch(/commands\[1\]\.on/)
    const dup = parseCaptureSetYaml('id: x\ntitle: t\nversion: 1\ncommands:\n  - {id: a, title: A, on: node, argv: [echo, "{pod}"]}\n  - {id: a, title: B, on: master, argv: [echo, "{node}"]}\n')
    const text = 'problems' in dup ? dup.problems.join('\n') : ''
    expect(text).toMatch(/used twice/)
    expect(text).toMatch(/unknown placeholder \{pod\}/)
    expect(text).toMatch(/\{node\} means nothing/)
    const yamlErr = parseCaptureSetYaml('id: x\n  title: [unclosed\n')
    expect('problems' in yamlErr && yamlErr.problems[0]).toMatch(/^line \d+/)
  })

  it('placeholders become whole values, never shell text', () => {
    expect(renderArgv(['oc', 'logs', '{sdnPod}', 'x{node}y'], { sdnPod: 'sdn-a; rm -rf /', node: '$(id)' }).argv).toEqual(['oc', 'logs', 'sdn-a; rm -rf /', 'x$(id)y'])
    expect(renderArgv(['{ovsPod}'], {}).missing).toEqual(['ovsPod'])
  })

  const hosts: PlanHost[] = [
    { id: 1, name: 'master1', address: '10.0.0.1', role: 'master', user: 'root' },
    { id: 2, name: 'node1', address: '10.0.0.2', role: 'compute', user: 'cloud' },
    { id: 3, name: 'node2', address: '10.0.0.3', role: 'compute', user: 'cloud' }
  ]
  const set = (() => {
    const r = parseCaptureSetYaml(readFileSync(join(setsDir, 'openshift-sdn.yaml'), 'utf8'))
    if ('problems' in r) throw new Error(r.problems.join('\n'))
    return r.set
  })()

  it('plans node commands per node, master commands per master, OVS through the pod when asked', () => {
    const nodesOnly = planCapture(set, hosts.slice(1), hosts, { ovsVia: 'host' })
    const nodeCmds = set.commands.filter((c) => c.on === 'node').length
    expect(nodesOnly.items.filter((i) => i.runOnHostId === i.hostId)).toHaveLength(2 * nodeCmds)
    // The SDN pod log of each node is read through the case's master, after listing the pods there.
    expect(nodesOnly.items.filter((i) => i.commandId === 'sdn-pod-log').map((i) => i.runOnHostName)).toEqual(['master1', 'master1'])
    expect(nodesOnly.podLookup?.hostName).toBe('master1')

    const viaPod = planCapture(set, hosts, hosts, { ovsVia: 'ovs-pod' })
    const flows = viaPod.items.find((i) => i.key === '2/ovs-dump-flows')!
    expect(flows.argv).toEqual(['oc', '-n', 'openshift-sdn', 'exec', '{ovsPod}', '--', 'ovs-ofctl', '-O', 'OpenFlow13', 'dump-flows', 'br0'])
    expect(flows).toMatchObject({ runOnHostName: 'master1', sudo: false, needsPods: true })
    expect(viaPod.items.filter((i) => i.commandId === 'oc-nodes').map((i) => i.hostName)).toEqual(['master1'])

    const noMaster = planCapture(set, hosts.slice(1), hosts.slice(1), { ovsVia: 'ovs-pod' })
    expect(noMaster.items.some((i) => i.commandId === 'ovs-dump-flows')).toBe(false)
    expect(noMaster.skipped.join('\n')).toMatch(/no master/)
  })

  it('finds a node\'s pods by the NODE column', () => {
    const pods = [
      { name: 'ovs-abcde', node: 'node1.example.com' },
      { name: 'sdn-xyz12', node: 'node1.example.com' },
      { name: 'ovs-fghij', node: '10.0.0.3' }
    ]
    expect(podOfNode(pods, 'ovs', { name: 'node1', address: '10.0.0.2' })).toBe('ovs-abcde')
    expect(podOfNode(pods, 'sdn', { name: 'node1', address: '10.0.0.2' })).toBe('sdn-xyz12')
    expect(podOfNode(pods, 'ovs', { name: 'node2', address: '10.0.0.3' })).toBe('ovs-fghij')
    expect(podOfNode(pods, 'sdn', { name: 'node2', address: '10.0.0.3' })).toBeNull()
  })
})

describe('parsed views', () => {
  it('rates each flow against an earlier dump of the bridge: by key, over its own life when re-added or new, and sorts by rate', () => {
    const dump = (lines: string[]) => parsedAs(parseCapture('ovs-ofctl -O OpenFlow13 dump-flows br0', lines.join('\n')), 'ovs-ofctl.dump-flows')!.flows
    const before = dump([
      ' cookie=0x0, duration=100.0s, table=0, n_packets=1000, n_bytes=1, priority=200,ip actions=goto_table:10',
      ' cookie=0x0, duration=100.0s, table=80, n_packets=50, n_bytes=1, priority=0 actions=drop',
      ' cookie=0x0, duration=100.0s, table=70, n_packets=900, n_bytes=1, priority=100,ip,nw_dst=10.128.0.5 actions=output:3'
    ])
    const after = dump([
      ' cookie=0x0, duration=160.0s, table=0, n_packets=4000, n_bytes=1, priority=200,ip actions=goto_table:10',
      ' cookie=0x0, duration=160.0s, table=80, n_packets=50, n_bytes=1, priority=0 actions=drop',
      // Re-added 20 s ago: 100 packets over its own 20 s, not "less than before".
      ' cookie=0x0, duration=20.0s, table=70, n_packets=100, n_bytes=1, priority=100,ip,nw_dst=10.128.0.5 actions=output:3',
      // New since the earlier dump.
      ' cookie=0x0, duration=10.0s, table=70, n_packets=30, n_bytes=1, priority=100,ip,nw_dst=10.128.0.6 actions=output:4'
    ])
    const r = flowRates(after, before, 60, { captureId: 7, startedAt: '2026-12-01T10:00:00Z' })
    expect(r.rates).toEqual([50, 0, 5, 3])
    expect(r.max).toBe(50)
    const w = flowWindow(after, { sort: 'rate', descending: true, offset: 0, limit: 10 }, undefined, r)
    expect(w.rows.map((x) => [x.line, x.rate])).toEqual([[1, 50], [3, 5], [4, 3], [2, 0]])
    expect(w.rates).toEqual({ captureId: 7, startedAt: '2026-12-01T10:00:00Z', seconds: 60, max: 50 })
    expect(flowWindow(after, { offset: 0, limit: 1 }).rates).toBeNull()
  })

  it('pages, filters and sorts a flow table', () => {
    const text = sample('seed/ovs-ofctl-dump-flows-of13.txt')
    const p = parseCapture('ovs-ofctl -O OpenFlow13 dump-flows br0', text)!
    const flows = parsedAs(p, 'ovs-ofctl.dump-flows')?.flows ?? []
    const all = flowWindow(flows, { offset: 0, limit: 10 })
    expect(all.total).toBe(flows.length)
    expect(all.rows).toHaveLength(Math.min(10, flows.length))
    const t90 = flowWindow(flows, { table: 90, offset: 0, limit: 1000 })
    expect(t90.rows.every((r) => r.table === 90)).toBe(true)
    expect(t90.total).toBe(flows.filter((f) => f.table === 90).length)
    const byPackets = flowWindow(flows, { sort: 'packets', descending: true, offset: 0, limit: 5 })
    const packets = byPackets.rows.map((r) => r.packets ?? -1)
    expect([...packets].sort((a, b) => b - a)).toEqual(packets)
    const words = flowWindow(flows, { text: 'ARP goto_table:50', offset: 0, limit: 1000 })
    expect(words.rows.every((r) => /arp/i.test(r.match + r.actions) && r.actions.includes('goto_table:50'))).toBe(true)
  })
})

describe('capture store', () => {
  const c = useTempCase()

  it('saves, lists, returns the exact text and searches with matching lines', () => {
    const flows = sample('seed/ovs-ofctl-dump-flows-of13.txt')
    const big = Array.from({ length: 3000 }, (_, i) => `line ${i} nothing to see`).join('\n') + '\nthe needle 10.131.4.7 is here\n'
    const a = c.db.captures.save(newCapture({ hostName: 'node1', commandId: 'flows', command: 'ovs-ofctl -O OpenFlow13 dump-flows br0', stdout: flows }))
    const b = c.db.captures.save(newCapture({ hostName: 'node2', commandId: 'log', command: 'cat log', stdout: big, status: 'failed', exitCode: 1, stderr: 'oops' }))
    expect(c.db.captures.text(a.id)).toBe(flows)
    expect(c.db.captures.text(b.id)).toBe(big)
    expect(b).toMatchObject({ stdoutLines: 3001, status: 'failed', exitCode: 1, stderrBytes: 4 })
    expect(c.db.captures.list({ hostName: 'NODE2' }).map((c) => c.id)).toEqual([b.id])
    expect(c.db.summary().captureCount).toBe(2)

    const r = c.db.captures.search('10.131.4.7')
    expect(r.hits.map((h) => h.capture.id)).toEqual([b.id])
    expect(r.hits[0]!.lines).toEqual([{ line: 3001, text: 'the needle 10.131.4.7 is here', from: 0, matches: [{ start: 11, end: 21 }] }])
    const long = c.db.captures.save(newCapture({ stdout: 'x'.repeat(5000) + ' 10.9.9.9 ' + 'y'.repeat(3000) + '\n' }))
    const cut = c.db.captures.search('10.9.9.9').hits.find((h) => h.capture.id === long.id)!.lines[0]!
    expect(cut.from).toBe(5001 - 16)
    expect(cut.text.length).toBe(1000)
    expect(cut.text.slice(cut.matches[0]!.start, cut.matches[0]!.end)).toBe('10.9.9.9')
    expect(c.db.captures.search('10.131.4.70').hits).toEqual([])
    expect(c.db.captures.search('needle nothing').hits).toEqual([])
    expect(c.db.captures.search('"nothing to see"').hits[0]!.moreLines).toBe(true)
    // stderr is searched too, and its lines say so; the output itself never includes it.
    const err = c.db.captures.save(newCapture({ hostName: 'node3', stdout: 'fine 10.1.1.1\n', stderr: 'warning: x\novs-ofctl: br9 is not a bridge or a socket\n', status: 'failed', exitCode: 1 }))
    expect(c.db.captures.search('"not a bridge"').hits.map((h) => [h.capture.id, h.lines])).toEqual([
      [err.id, [{ line: 2, text: 'ovs-ofctl: br9 is not a bridge or a socket', from: 0, matches: [{ start: 18, end: 30 }], stream: 'stderr' }]]
    ])
    expect(c.db.captures.text(err.id)).toBe('fine 10.1.1.1\n')
    expect(c.db.captures.search('10.1.1.1').hits.find((h) => h.capture.id === err.id)!.lines[0]).not.toHaveProperty('stream')

    c.db.captures.delete(b.id)
    expect(c.db.captures.search('needle').hits).toEqual([])
    expect(() => c.db.captures.text(b.id)).toThrow(/does not exist/)
  })

  it('searches a case holding 50 MB single-line captures in under a second', () => {
    const words = ['alpha', 'bravo', 'charlie', 'delta', 'echo']
    const line = (n: number) => {
      const parts: string[] = []
      let size = 0
      for (let i = 0; size < n; i++) {
        const p = i % 997 === 0 ? `10.${i % 250}.${(i >> 8) % 250}.${i % 199}` : words[i % words.length]!
        parts.push(p)
        size += p.length + 1
      }
      return parts.join(' ')
    }
    const one = line(50 * 1024 * 1024)
    const a = c.db.captures.save(newCapture({ hostName: 'big1', stdout: one }))
    c.db.captures.save(newCapture({ hostName: 'big2', stdout: one + ' needle-word\n' }))
    for (const q of ['charlie', 'needle', '"bravo charlie"', '10.3.*', 'nomatch']) {
      const t0 = performance.now()
      const r = c.db.captures.search(q)
      const took = performance.now() - t0
      expect(took, q).toBeLessThan(1000)
      if (q !== 'nomatch') expect(r.hits.length, q).toBeGreaterThan(0)
    }
    const hit = c.db.captures.search('needle').hits[0]!
    expect(hit.lines[0]).toMatchObject({ line: 1 })
    expect(hit.lines[0]!.text).toContain('needle')
    expect(c.db.captures.text(a.id)).toBe(one)
  }, 60_000)

  it('marks runs a dead process left running as interrupted, keeping their captures', () => {
    const run = c.db.captures.createRun({ setId: 's', setTitle: 'S', setVersion: 1, ovsVia: 'host', planned: 3 })
    c.db.captures.save(newCapture({ runId: run.id, stdout: 'x\n' }))
    const path = c.db.path
    c.db.close()
    c.db = CaseDb.open(path)
    expect(c.db.captures.getRun(run.id)).toMatchObject({ status: 'interrupted', saved: 1, planned: 3 })
  })

  it('a case file from before captures (schema 1) gains them when opened, keeping its hosts', () => {
    const old = join(c.dir, 'old.sdncase')
    const raw = new Database(old)
    raw.exec(caseMigrations.find((m) => m.version === 1)!.sql)
    raw.pragma(`application_id = ${caseApplicationId}`)
    raw.pragma('user_version = 1')
    raw.prepare("INSERT INTO case_info VALUES (1, 'id-1', 'old', '2026-01-01T00:00:00Z', 'me')").run()
    raw.close()
    const opened = CaseDb.open(old)
    try {
      opened.createHost(HostInput.parse(hostInput({ name: 'n1' })))
      expect(opened.summary()).toMatchObject({ schemaVersion: latestVersion(caseMigrations), hostCount: 1, captureCount: 0 })
      const c = opened.captures.save(newCapture({ stdout: 'hello 10.1.2.3\n' }))
      expect(opened.captures.search('10.1.2.3').hits[0]!.capture.id).toBe(c.id)
    } finally {
      opened.close()
    }
  })
})
