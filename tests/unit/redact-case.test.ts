// A redacted copy of a real case file (node/redact/case-redaction.ts, `sdnwb redact`): every capture redacted with
// the case's key, nothing of the lab left (addresses in any form, host and domain names, the SSH user), the copy
// without the key, parsed and checked alike, and the same pseudonyms in every export.
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { HostInput } from '../../src-main/contract'
import { parseCapture } from '../../src-main/core/capture/parsed-view'
import { runCli } from '../../src-main/node/cli/sdnwb'
import { checkNodeFromCaptures } from '../../src-main/node/capture/node-check'
import { caseRedaction, exportRedactedCase } from '../../src-main/node/redact/case-redaction'
import { CaseDb } from '../../src-main/node/store/case-db'
import Database from '../../src-main/node/store/sqlite'
import { newCapture } from '../helpers/captures'
import { hostInput } from '../helpers/hosts'
import { sample } from '../helpers/samples'
import { useTempCase } from '../helpers/temp-case'

const c = useTempCase()

const hostSubnets = 'NAME    HOST    HOST IP      SUBNET          EGRESS CIDRS   EGRESS IPS\nnode1.lab.example.com   node1.lab.example.com   10.200.0.1   10.129.0.0/23   []             []\nnode2.lab.example.com   node2.lab.example.com   10.200.0.2   10.128.0.0/23   []             []\n'
const clusterNetwork = 'NAME      CLUSTER NETWORKS   SERVICE NETWORK   PLUGIN NAME\ndefault   10.128.0.0/14:9    172.30.0.0/16     redhat/openshift-ovs-networkpolicy\n'

function fill(db: CaseDb) {
  db.createHost(HostInput.parse(hostInput({ name: 'node1.lab.example.com', address: '10.200.0.1', user: 'alice' })))
  const save = (hostName: string, command: string, stdout: string) => {
    const p = parseCapture(command, stdout)
    db.captures.save(newCapture({ hostName, command, stdout, parse: p ? { parserId: p.parser, records: p.records, diagnostics: p.diagnostics } : null }))
  }
  save('node1.lab.example.com', 'ovs-ofctl -O OpenFlow13 dump-flows br0', sample('lab/node1-dump-flows-of13.txt'))
  save('node1.lab.example.com', 'ip addr show', sample('lab/node1-ip-addr.txt'))
  save('node1.lab.example.com', 'ip route show', sample('lab/node1-ip-route.txt'))
  save('master1.lab.example.com', 'oc get hostsubnets', hostSubnets)
  save('master1.lab.example.com', 'oc get clusternetwork', clusterNetwork)
  // A finding the engineer confirmed, its evidence a line of the dump.
  const dump = db.captures.list().find((x) => x.command.includes('dump-flows'))!
  const [id] = db.findings.record([
    {
      kind: 'sdn.remote.flows',
      subject: { host: 'node1.lab.example.com', hostSubnet: 'node2.lab.example.com', table: 90 },
      severity: 'error',
      title: 'No table 90 flow for node node2.lab.example.com (10.200.0.2, subnet 10.128.0.0/23)',
      explain: 'Traffic to pods in 10.128.0.0/23 falls through to table 90 default drop.',
      source: { kind: 'check', check: 'remote.flows' },
      evidence: [{ captureId: dump.id, lines: [2], excerpt: 'table=0, priority=200,arp,in_port=1,arp_spa=10.128.0.0/14,arp_tpa=10.129.0.0/23', label: 'seen' }]
    }
  ])
  db.findings.update(id!, { status: 'confirmed', note: 'alice saw it on node1 from 10.200.0.1' })
}

describe('a redacted copy of the case', () => {
  it('holds every capture redacted: no lab address, host, domain or user left; no key; parsed and checked alike', () => {
    fill(c.db)
    const out = join(c.dir, 'vendor.sdncase')
    expect(exportRedactedCase(c.db, out)).toEqual({ path: out, captures: 5, runs: 0, findings: 1 })
    const copy = CaseDb.open(out, { readOnly: true })
    try {
      // Host addresses (never their own pseudonym); the /14 cluster network has only 6 pseudonymous bits and a key
      // maps it to itself once in 64, so it is left out of the scan.
      const originals = ['10.200.0.1', '10.200.0.2', '10.129.0.1', '10.129.0.2', 'node1', 'node2', 'master1', 'lab.example.com', 'alice']
      const caps = copy.captures.list()
      expect(caps).toHaveLength(5)
      // The finding: redacted, its evidence on the copied dump, the engineer's status and note kept (redacted).
      const [f] = copy.findings.list()
      expect(f).toMatchObject({ kind: 'sdn.remote.flows', status: 'confirmed', severity: 'error' })
      const copiedDump = caps.find((x) => x.command.includes('dump-flows'))!
      expect(f!.evidence.map((e) => e.captureId)).toEqual([copiedDump.id])
      const said = [f!.title, f!.explain, f!.note, JSON.stringify(f!.subject), ...f!.evidence.map((e) => e.excerpt)].join('\n')
      for (const o of originals) expect(said.includes(o), `${o} in the finding`).toBe(false)
      // master1, node1, node2 in name order: node1 is node-02.
      expect(f!.note).toMatch(/^user-01 saw it on node-02 from 10\./)
      for (const cap of caps) {
        const all = [cap.hostName, cap.command, copy.captures.text(cap.id)].join('\n')
        for (const o of originals) expect(all.includes(o), `${o} in ${cap.hostName} ${cap.command}`).toBe(false)
      }
      expect(new Set(caps.map((x) => x.hostName))).toEqual(new Set(['node-01.domain-01.example', 'node-02.domain-01.example']))
      // The same parser reads the same records.
      const orig = c.db.captures.list()
      // (Listed newest first; the captures share their time, so compared in one order.)
      const read = (l: typeof caps) => l.map((x) => [x.parserId ?? '', x.records ?? 0] as const).sort((a, b) => a[0].localeCompare(b[0]))
      expect(read(caps)).toEqual(read(orig))
      expect(read(caps).map(([p]) => p)).toEqual(['ip.addr', 'ip.route', 'oc.get.clusternetwork', 'oc.get.hostsubnets', 'ovs-ofctl.dump-flows'])
      // Check SDN on the copy: the same verdict (nothing wrong on the healthy lab node), having read the same inputs.
      const a = checkNodeFromCaptures(c.db.captures, 'node1.lab.example.com')
      const b = checkNodeFromCaptures(copy.captures, caps.find((x) => x.command.includes('dump-flows'))!.hostName)
      expect(b.findings.map((f) => f.id.split(':')[0])).toEqual(a.findings.map((f) => f.id.split(':')[0]))
      expect(b.used.map((u) => u.role).sort()).toEqual(a.used.map((u) => u.role).sort())
    } finally {
      copy.close()
    }
    const raw = new Database(out, { readonly: true })
    expect(raw.prepare('SELECT count(*) AS n FROM case_secrets').get()).toEqual({ n: 0 })
    raw.close()
  })

  it('keeps its pseudonyms from one export to the next (the key stays in the case), and sdnwb redact writes the same', async () => {
    fill(c.db)
    const first = caseRedaction(c.db).redactor.redact('10.129.0.2 node1.lab.example.com')
    expect(caseRedaction(c.db).redactor.redact('10.129.0.2 node1.lab.example.com')).toBe(first)
    c.db.close()
    const out = join(c.dir, 'cli.sdncase')
    const io = { text: '', err: '' }
    const code = await runCli(['redact', join(c.dir, 'c.sdncase'), '-o', out, '--json'], { out: (s) => (io.text += s), err: (s) => (io.err += s) })
    expect([code, io.err]).toEqual([0, ''])
    expect(JSON.parse(io.text)).toEqual({ path: out, captures: 5, runs: 0, findings: 1 })
    const copy = CaseDb.open(out, { readOnly: true })
    const ip = copy.captures.list().find((x) => x.command === 'ip addr show')!
    expect(copy.captures.text(ip.id)).toContain(first.split(' ')[0]!.split('.').slice(0, 3).join('.'))
    copy.close()
    c.db = CaseDb.open(join(c.dir, 'c.sdncase'))
    expect(await runCli(['redact', join(c.dir, 'c.sdncase'), '-o', out], { out: () => {}, err: (s) => (io.err += s) })).toBe(1)
    expect(io.err).toMatch(/exists; the redacted copy is written to a new file/)
    expect(existsSync(out)).toBe(true)
  })
})
