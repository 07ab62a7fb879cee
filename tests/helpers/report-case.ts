// A small real case for the report tests: a node's OF1.3 br0 dump, its addresses and routes, the master's
// HostSubnets, ClusterNetwork and nodes, a confirmed finding on the dump; the redaction key fixed (printed by the
// tests) so the pseudonyms are the same on every run.
import { HostInput, ReportSpec } from '../../src-main/contract'
import { parseCapture } from '../../src-main/core/capture/parsed-view'
import { defaultReportSpec } from '../../src-main/node/report/build'
import type { CaseDb } from '../../src-main/node/store/case-db'
import Database from '../../src-main/node/store/sqlite'
import { newCapture } from './captures'
import { hostInput } from './hosts'
import { sample } from './samples'

export const key = Buffer.from('5dnw0rkbench-report-test-key-0001', 'utf8')
export const noDiff = () => {
  throw new Error('no diff in this test')
}

const hostSubnets = 'NAME    HOST    HOST IP      SUBNET          EGRESS CIDRS   EGRESS IPS\nnode1.lab.example.com   node1.lab.example.com   10.200.0.1   10.129.0.0/23   []             []\nnode2.lab.example.com   node2.lab.example.com   10.200.0.2   10.128.0.0/23   []             []\n'
const clusterNetwork = 'NAME      CLUSTER NETWORKS   SERVICE NETWORK   PLUGIN NAME\ndefault   10.128.0.0/14:9    172.30.0.0/16     redhat/openshift-ovs-networkpolicy\n'
const nodes = 'NAME                    STATUS    ROLES     AGE       VERSION           INTERNAL-IP   EXTERNAL-IP   OS-IMAGE   KERNEL-VERSION   CONTAINER-RUNTIME\nnode1.lab.example.com   Ready     compute   10d       v1.11.0+d4cacc0   10.200.0.1    <none>        RHEL       3.10.0           docker://1.13.1\nnode2.lab.example.com   Ready     compute   10d       v1.11.0+d4cacc0   10.200.0.2    <none>        RHEL       3.10.0           docker://1.13.1\n'

export function fill(db: CaseDb): { dumpId: number; findingId: number } {
  // The key fixed before anything asks for it: the pseudonyms (and so this test) are the same on every run.
  const raw = new Database(db.path)
  raw.prepare("INSERT INTO case_secrets (name, value) VALUES ('redaction-key', ?)").run(key)
  raw.close()
  db.createHost(HostInput.parse(hostInput({ name: 'node1.lab.example.com', address: '10.200.0.1', user: 'alice' })))
  const save = (hostName: string, command: string, stdout: string) => {
    const p = parseCapture(command, stdout)
    return db.captures.save(newCapture({ hostName, command, stdout, parse: p ? { parserId: p.parser, records: p.records, diagnostics: p.diagnostics } : null }))!
  }
  const dump = save('node1.lab.example.com', 'ovs-ofctl -O OpenFlow13 dump-flows br0', sample('lab/node1-dump-flows-of13.txt'))
  save('node1.lab.example.com', 'ip addr show', sample('lab/node1-ip-addr.txt'))
  save('node1.lab.example.com', 'ip route show', sample('lab/node1-ip-route.txt'))
  save('master1.lab.example.com', 'oc get hostsubnets', hostSubnets)
  save('master1.lab.example.com', 'oc get clusternetwork', clusterNetwork)
  save('master1.lab.example.com', 'oc get nodes -o wide', nodes)
  const [findingId] = db.findings.record([
    {
      kind: 'sdn.remote.flows',
      subject: { host: 'node1.lab.example.com', hostSubnet: 'node2.lab.example.com', table: 90 },
      severity: 'error',
      title: 'No table 90 flow for node node2.lab.example.com (10.200.0.2, subnet 10.128.0.0/23)',
      explain: 'Traffic to pods in 10.128.0.0/23 falls through to table 90 default drop.',
      source: { kind: 'check', check: 'remote.flows' },
      evidence: [{ captureId: dump.id, lines: [3, 4], excerpt: '', label: 'table 90 of node1' }]
    }
  ])
  db.findings.update(findingId!, { status: 'confirmed', note: 'alice saw it on node1 from 10.200.0.1' })
  return { dumpId: dump.id, findingId: findingId! }
}

export function spec(db: CaseDb, dumpId: number): ReportSpec {
  return ReportSpec.parse({
    ...defaultReportSpec(db),
    summary: 'Pods on **node1.lab.example.com** cannot reach pods on node2 (10.128.0.0/23).',
    rootCause: 'The table 90 flow for 10.128.0.0/23 (tun_dst 10.200.0.2) was deleted.',
    resolution: '1. Restart the SDN pod on node1.\n2. Check `ovs-ofctl -O OpenFlow13 dump-flows br0 table=90` again.',
    captures: [{ captureId: dumpId, from: 1, to: 30 }]
  })
}

