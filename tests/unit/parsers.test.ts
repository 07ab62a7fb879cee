import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { parseOcGet } from '../../src-main/core/parse/oc'
import { parseOfprotoTrace } from '../../src-main/core/parse/ofproto-trace'
import { mapOf, parseOvsdbList, scalar } from '../../src-main/core/parse/ovsdb-list'
import { parsedAs, parseOutput, parserForCommand, parserIds, type ParsedOutput, type ParserId, type ParserOutputs } from '../../src-main/core/parse/registry'
import { shellWords } from '../../src-main/core/parse/shell-words'
import { sample } from '../helpers/samples'

/** Every well-formed sample, the command that produced it, and what must be read from it. */
interface Case {
  file: string
  command: string
  id: ParserId
  /** Checks the data, typed by the parser the case names. */
  run: (p: ParsedOutput) => void
}

function c<K extends ParserId>(file: string, command: string, id: K, check: (d: ParserOutputs[K]) => void): Case {
  return {
    file,
    command,
    id,
    run: (p) => {
      const d = parsedAs(p, id)
      if (!d) throw new Error(`${file}: no ${id} data`)
      check(d)
    }
  }
}

const cases: Case[] = [
  c('lab/node1-dump-ports-desc-of13.txt', 'ovs-ofctl -O OpenFlow13 dump-ports-desc br0', 'ovs-ofctl.dump-ports-desc', (d) => {
    expect(d.records.map((p) => `${p.ofport}:${p.name}`)).toEqual(['1:vxlan0', '2:tun0', '3:vethnode1p1', '4:vethnode1p2', '5:vethnode1p3', 'LOCAL:br0'])
    expect(d.records[5]!.config).toEqual(['PORT_DOWN'])
  }),
  c('lab/hostns-dump-ports-desc-of10.txt', 'ovs-ofctl dump-ports-desc br0', 'ovs-ofctl.dump-ports-desc', (d) => expect(d.records).toHaveLength(6)),
  c('seed/ovs-ofctl-dump-ports-desc-of13.txt', 'ovs-ofctl -O OpenFlow13 dump-ports-desc br0', 'ovs-ofctl.dump-ports-desc', (d) => expect(d.records).toHaveLength(13)),
  c('public/docs-sdn-troubleshooting-dump-ports-desc.txt', 'oc exec -n openshift-sdn ovs-abc -- ovs-ofctl -O OpenFlow13 dump-ports-desc br0', 'ovs-ofctl.dump-ports-desc', (d) => expect(d.records.length).toBeGreaterThanOrEqual(3)),
  c('lab/node1-ofctl-show-of13.txt', 'ovs-ofctl -O OpenFlow13 show br0', 'ovs-ofctl.dump-ports-desc', (d) => {
    expect(d.features).toMatchObject({ dpid: '0000d69f1b2be244', nTables: 254, fragHandling: 'normal' })
    expect(d.records).toHaveLength(6)
  }),
  c('lab/node1-dump-ports-of13.txt', 'ovs-ofctl -O OpenFlow13 dump-ports br0', 'ovs-ofctl.dump-ports', (d) => {
    const p4 = d.records.find((p) => p.port === 4)
    expect(p4).toMatchObject({ rx: { pkts: 18, bytes: 1384 }, tx: { pkts: 19 }, durationSeconds: 52.72 })
    expect(d.records.find((p) => p.port === 1)!.rx.drop).toBeNull()
  }),
  c('lab/node1-ovs-vsctl-show.txt', 'ovs-vsctl show', 'ovs-vsctl.show', (d) => {
    expect(d.bridges[0]).toMatchObject({ name: 'br0', failMode: 'secure', datapathType: 'netdev' })
    const vx = d.bridges[0]!.ports.find((p) => p.name === 'vxlan0')!.interfaces[0]
    expect(vx).toMatchObject({ type: 'vxlan', options: { dst_port: '4789', key: 'flow', remote_ip: 'flow' } })
  }),
  c('seed/ovs-vsctl-show.txt', 'ovs-vsctl show', 'ovs-vsctl.show', (d) => {
    expect(d.ovsVersion).toBe('2.9.0')
    expect(d.bridges[0]!.ports).toHaveLength(13)
  }),
  c('lab/node1-list-interface.json', 'ovs-vsctl --format=json list Interface', 'ovs-vsctl.list', (d) => {
    const v = d.records.find((r) => r.columns.name === 'vethnode1p3')!
    expect(scalar(v.columns.ofport)).toBe(5)
    expect(mapOf(v.columns.external_ids)).toEqual({ ip: '10.129.0.4', sandbox: 'node1-pod3' })
  }),
  c('lab/node1-list-interface-pretty.json', 'ovs-vsctl --format=json --pretty list Interface', 'ovs-vsctl.list', (d) => expect(d.records).toHaveLength(6)),
  c('lab/hostns-list-interface.txt', 'ovs-vsctl list Interface', 'ovs-vsctl.list', (d) => {
    expect(d.format).toBe('text')
    const v = d.records.find((r) => r.columns.name === 'vethpod3')!
    expect(v.columns).toMatchObject({ ofport: 5, mtu: 1500, mac_in_use: '0e:e8:9a:e6:35:56', external_ids: { map: { pod: 'ns3/pod3' } } })
  }),
  c('lab/hostns-list-interface-name-ofport.csv', 'ovs-vsctl --format=csv --data=bare --no-headings --columns=name,ofport list Interface', 'ovs-vsctl.list', (d) => {
    expect(d.records.map((r) => `${r.columns.name}=${r.columns.ofport}`)).toContain('tun0=2')
  }),
  c('lab/node1-ip-addr.txt', 'ip addr', 'ip.addr', (d) => {
    const tun0 = d.links.find((l) => l.name === 'tun0')!
    expect(tun0.addresses[0]).toMatchObject({ family: 'inet', address: '10.129.0.1', prefixLength: 23 })
    expect(tun0.mtu).toBeGreaterThan(0)
  }),
  c('seed/ip-addr-show.txt', 'ip addr show', 'ip.addr', (d) => expect(d.links.find((l) => l.name === 'br0')!.mtu).toBe(1450)),
  c('lab/node1-ip-j-addr.json', 'ip -j addr', 'ip.addr', (d) => expect(d.links.find((l) => l.name === 'tun0')!.addresses[0]!.address).toBe('10.129.0.1')),
  c('lab/node1-ip-route.txt', 'ip route', 'ip.route', (d) => expect(d.routes.find((r) => r.destination === '10.129.0.0/23')).toMatchObject({ dev: 'tun0', protocol: 'kernel', source: '10.129.0.1' })),
  c('lab/node1-ip-j-route.json', 'ip -j route show', 'ip.route', (d) => expect(d.routes.find((r) => r.destination === '172.30.0.0/16')!.dev).toBe('tun0')),
  c('lab/node1-iptables-save-counters.txt', 'iptables-save -c', 'iptables-save', (d) => {
    const filter = d.tables.find((t) => t.name === 'filter')!
    expect(filter.chains.find((c) => c.name === 'FORWARD')).toMatchObject({ policy: 'DROP', packets: 0 })
    expect(filter.rules.find((r) => r.comment === 'VXLAN incoming')).toMatchObject({ chain: 'OPENSHIFT-FIREWALL-ALLOW', target: 'ACCEPT' })
  }),
  c('lab/node1-iptables-save.txt', 'iptables-save', 'iptables-save', (d) => expect(d.tables.map((t) => t.name)).toEqual(expect.arrayContaining(['filter', 'nat']))),
  c('lab/node-iptables.rules', 'iptables-save', 'iptables-save', (d) => expect(d.tables.length).toBeGreaterThan(0)),
  c('seed/brctl-show.txt', 'brctl show', 'brctl.show', (d) => expect(d.bridges[0]).toMatchObject({ name: 'docker0', stp: false, interfaces: [] })),
  c('seed/oc-adm-manage-node-list-pods.txt', 'oc adm manage-node node1.example.com --list-pods', 'oc.get.pods', (d) => {
    expect(d.records.find((p) => p.name === 'sdn-77s8t')).toMatchObject({ namespace: 'openshift-sdn', status: 'Running', restarts: 60 })
  }),
  c('lab/node1-trace-pod3-to-pod1-vnid-drop.txt', 'ovs-appctl ofproto/trace br0 in_port=5,ip,nw_src=10.129.0.4,nw_dst=10.129.0.2', 'ovs-appctl.ofproto-trace', (d) => {
    expect(d.verdict).toMatchObject({ dropped: true, lastTable: 80 })
  }),
  c('lab/hostns-diff-flows-file-vs-file.txt', 'ovs-ofctl diff-flows a b', 'ovs-ofctl.diff-flows', (d) => expect(d.changed).toHaveLength(2))
]

describe('parsers on the real samples', () => {
  it.each(cases.map((k) => [k.file, k] as const))('%s', (file, k) => {
    const match = parserForCommand(k.command)
    expect(match?.id, k.command).toBe(k.id)
    const r = parseOutput(k.id, sample(file), match?.options)
    expect(r.diagnostics).toEqual([])
    expect(r.records).toBeGreaterThan(0)
    k.run(r)
  })

  it('reads a trace step whose flow has a cookie (HostSubnet flows), found on the lab', () => {
    const text = [
      'Flow: ip,in_port=3,nw_src=10.128.0.2,nw_dst=10.128.2.2', '', 'bridge("br0")', '-------------',
      ' 0. ip, priority 100', '    goto_table:20',
      '30. ip,nw_dst=10.128.0.0/14, priority 100', '    goto_table:90',
      '90. ip,nw_dst=10.128.2.0/23, priority 100, cookie 0x1002', '    set_field:10.200.1.2->tun_dst', '    output:1', '     -> output to native tunnel', '     >> native tunnel routing failed',
      '', 'Final flow: unchanged', 'Megaflow: recirc_id=0,ip', 'Datapath actions: drop', ''
    ].join('\n')
    const t = parseOfprotoTrace(text)
    expect(t.diagnostics).toEqual([])
    expect(t.passes[0]!.steps.map((s) => [s.table, s.priority, s.cookie])).toEqual([[0, 100, null], [30, 100, null], [90, 100, '0x1002']])
    expect(t.verdict).toMatchObject({ dropped: true, lastTable: 90, failures: ['native tunnel routing failed'] })
  })

  it('reports what is wrong in malformed output', () => {
    const err = parseOfprotoTrace(sample('lab/hostns-trace-error-bad-ct_state-syntax.txt'))
    expect(err.error).toMatch(/wildcards not allowed here/)
    expect(parseOvsdbList('{"data":[[1,2]],"headings":["a","b","c"]}').diagnostics[0]?.message).toMatch(/row 1 has 2 values for 3 columns/)
    expect(parseOvsdbList('{"data":[[').diagnostics[0]?.message).toMatch(/not valid JSON/)
    const ipt = parseOutput('iptables-save', '*filter\n:INPUT ACCEPT [0:0]\n-A INPUT -j ACCEPT\n')
    expect(ipt.diagnostics[0]).toMatchObject({ line: 1, severity: 'warning', message: 'table filter has no COMMIT (output cut short?)' })
    const wrong = parseOutput('ip.route', sample('lab/node1-ovs-vsctl-show.txt'))
    expect(wrong.diagnostics.length).toBeGreaterThan(5)
    expect(wrong.diagnostics[0]).toMatchObject({ line: 1, message: 'not an ip route line (destination first)' })
  })
})

describe('oc tables and JSON', () => {
  it('reads hostsubnets with the two-word "HOST IP" header, and the same from -o json', () => {
    const table = `NAME                 HOST                 HOST IP        SUBNET          EGRESS CIDRS   EGRESS IPS
node1.example.com    node1.example.com    192.168.56.104 10.130.0.0/23   []             []
master.example.com   master.example.com   192.168.56.102   10.128.0.0/23   []             [192.168.56.200]
`
    const t = parseOcGet('hostsubnets', table)
    expect(t.diagnostics).toEqual([])
    expect(t.records.map((r) => [r.host, r.hostIP, r.subnet])).toEqual([
      ['node1.example.com', '192.168.56.104', '10.130.0.0/23'],
      ['master.example.com', '192.168.56.102', '10.128.0.0/23']
    ])
    expect(t.records[1]?.egressIPs).toEqual(['192.168.56.200'])
    const json = JSON.stringify({ kind: 'List', items: [{ kind: 'HostSubnet', metadata: { name: 'node1.example.com' }, host: 'node1.example.com', hostIP: '192.168.56.104', subnet: '10.130.0.0/23' }] })
    expect(parseOcGet('hostsubnets', json).records[0]).toMatchObject({ hostIP: '192.168.56.104', subnet: '10.130.0.0/23', egressIPs: [] })
  })

  it('reads clusternetwork, netnamespaces and nodes -o wide', () => {
    const cn = parseOcGet('clusternetwork', 'NAME      CLUSTER NETWORKS   SERVICE NETWORK   PLUGIN NAME\ndefault   10.128.0.0/14:9    172.30.0.0/16     redhat/openshift-ovs-multitenant\n')
    expect(cn.records[0]).toMatchObject({ networks: [{ cidr: '10.128.0.0/14', hostSubnetLength: 9 }], serviceNetwork: '172.30.0.0/16', pluginName: 'redhat/openshift-ovs-multitenant' })
    const nn = parseOcGet('netnamespaces', 'NAME      NETID      EGRESS IPS\ndefault   0          []\nmyproj    11259375   []\n')
    expect(nn.records.map((r) => r.netid)).toEqual([0, 11259375])
    const nodes = parseOcGet(
      'nodes',
      'NAME                STATUS    ROLES     AGE       VERSION           INTERNAL-IP      EXTERNAL-IP   OS-IMAGE                                      KERNEL-VERSION               CONTAINER-RUNTIME\nmaster.example.com  Ready     master    164d      v1.11.0+d4cacc0   192.168.56.102   <none>        Red Hat Enterprise Linux Server 7.6 (Maipo)   3.10.0-957.el7.x86_64        docker://1.13.1\nnode1.example.com   NotReady  compute   164d      v1.11.0+d4cacc0   192.168.56.104   <none>        Red Hat Enterprise Linux Server 7.6 (Maipo)   3.10.0-957.el7.x86_64        docker://1.13.1\n'
    )
    expect(nodes.diagnostics).toEqual([])
    expect(nodes.records.map((n) => [n.name, n.ready, n.roles, n.internalIP])).toEqual([
      ['master.example.com', true, ['master'], '192.168.56.102'],
      ['node1.example.com', false, ['compute'], '192.168.56.104']
    ])
  })
})

describe('command registry', () => {
  it.each([
    ['ovs-ofctl -O OpenFlow13 dump-flows br0 table=90', 'ovs-ofctl.dump-flows'],
    ['sudo -n ovs-ofctl --no-stats dump-flows br0', 'ovs-ofctl.dump-flows'],
    ['oc -n openshift-sdn exec ovs-xyz -- ovs-ofctl -O OpenFlow13 dump-flows br0', 'ovs-ofctl.dump-flows'],
    ['ip netns exec node1 ovs-vsctl show', 'ovs-vsctl.show'],
    ['chroot /host ovs-vsctl --format=json list Interface', 'ovs-vsctl.list'],
    ["ovs-appctl ofproto/trace br0 'in_port=3,ip,nw_src=10.129.0.2,nw_dst=10.129.0.3'", 'ovs-appctl.ofproto-trace'],
    ['ip -4 a', 'ip.addr'],
    ['ip -d link show vxlan_sys_4789', 'ip.addr'],
    ['ip -j route show', 'ip.route'],
    ['iptables-save -c', 'iptables-save'],
    ['sysctl net.ipv4.ip_forward', 'sysctl'],
    ['oc get hostsubnets', 'oc.get.hostsubnets'],
    ['oc get -o json netnamespaces', 'oc.get.netnamespaces'],
    ['oc get pods --all-namespaces -o wide', 'oc.get.pods'],
    ['oc -n default get svc', 'oc.get.services'],
    ['oc get ep --all-namespaces', 'oc.get.endpoints'],
    ['oc get clusternetwork default -o json', 'oc.get.clusternetwork'],
    ['oc get nodes -o wide', 'oc.get.nodes'],
    ["sh -c 'ovs-vsctl show'", 'ovs-vsctl.show']
  ])('%s -> %s', (cmd, id) => expect(parserForCommand(cmd)?.id).toBe(id))

  it('knows nothing of other commands', () => {
    for (const cmd of ['ls -l', 'ovs-ofctl add-flows br0 f', 'oc describe pod x', 'ip neigh', '']) expect(parserForCommand(cmd)).toBeNull()
  })

  it('keeps the --columns of ovs-vsctl for csv output', () => {
    expect(parserForCommand('ovs-vsctl --format=csv --data=bare --no-headings --columns=name,ofport list Interface')?.options).toEqual({ columns: ['name', 'ofport'] })
  })

  it('splits shell words like a shell', () => {
    expect(shellWords(`a 'b c' "d \\"e\\"" f\\ g ''`)).toEqual(['a', 'b c', 'd "e"', 'f g', ''])
  })
})

describe('oc get endpoints', () => {
  it('reads the endpoints a table shows, and counts the ones it leaves out', () => {
    const t = `NAMESPACE   NAME      ENDPOINTS                                                   AGE
proj-a      web       10.128.0.5:8080,10.128.2.7:8080,10.129.0.4:8080 + 2 more...   3d
proj-a      db        10.128.0.9:5432                                             3d
proj-a      idle      <none>                                                      3d
`
    const r = parsedAs(parseOutput('oc.get.endpoints', t), 'oc.get.endpoints') ?? { records: [] }
    expect(r.records.map((e) => [e.name, e.endpoints, e.notShown])).toEqual([
      ['web', ['10.128.0.5:8080', '10.128.2.7:8080', '10.129.0.4:8080'], 2],
      ['db', ['10.128.0.9:5432'], 0],
      ['idle', [], 0]
    ])
  })
})

describe('oc JSON with any shape inside the objects', () => {
  it.each(['oc.get.networkpolicies', 'oc.get.namespaces', 'oc.get.pods', 'oc.get.egressnetworkpolicies', 'oc.get.netnamespaces'] as ParserId[])('%s', (id) => {
    fc.assert(
      fc.property(fc.anything(), fc.anything(), (spec, metadata) => {
        const text = JSON.stringify({ kind: 'List', items: [{ kind: 'X', spec, metadata, status: spec }] }) ?? ''
        const r = parseOutput(id, text)
        expect(r.diagnostics.every((d) => !d.message.includes('failed:'))).toBe(true)
      }),
      { numRuns: 300 }
    )
  })
})

describe('every parser survives anything', () => {
  const junk = fc.oneof(
    fc.string({ maxLength: 300 }),
    fc.json(),
    fc.array(fc.constantFrom('{', '}', '[', ']', '"', ':', ',', 'port 1:', ' 1(x): addr:', 'Flow:', '*filter', '-A X', 'NAME  HOST  HOST IP', '\n', ' ', 'inet ', '1: lo: <UP>', 'map', 'set', 'uuid'), { maxLength: 60 }).map((a) => a.join(''))
  )
  it.each(parserIds)('%s', (id: ParserId) => {
    fc.assert(
      fc.property(junk, (text) => {
        const r = parseOutput(id, text, id === 'ovs-vsctl.list' ? { columns: ['name', 'ofport'] } : {})
        expect(r.diagnostics.every((d) => d.message.includes('failed:') === false)).toBe(true)
      }),
      { numRuns: 300 }
    )
  })
})
