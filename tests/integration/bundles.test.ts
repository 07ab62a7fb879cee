// Real bundles read as their tools write them: a node sosreport laid out as sos 3.x writes it (no manifest, its
// mangled file names, the plain dump-flows that failed version negotiation beside the OpenFlow 1.3 one, `ip -o
// addr`, both route tables, a router namespace, another bridge) and a must-gather with its network_logs and the
// SDN objects as YAML. Each imports with the commands the tools ran and the right hosts; Check SDN on the
// sosreport reads the right captures and finds nothing false.
import { execFileSync } from 'node:child_process'
import { mkdirSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { describe, expect, it } from 'vitest'
import '../../src-main/node/yaml'
import { parseCapture } from '../../src-main/core/capture/parsed-view'
import { parsedAs } from '../../src-main/core/parse/registry'
import { checkNodeFromCaptures } from '../../src-main/node/capture/node-check'
import { importCaptures } from '../../src-main/node/capture/import/importer'
import { sample } from '../helpers/samples'
import { useTempCase } from '../helpers/temp-case'

const c = useTempCase()

function put(root: string, rel: string, body: string): void {
  mkdirSync(dirname(join(root, rel)), { recursive: true })
  writeFileSync(join(root, rel), body)
}

/** `ip -o addr` of the lab node, built from its `ip addr` sample: one line per address, as iproute2 prints it. */
function ipOneLine(ipAddr: string): string {
  const out: string[] = []
  let head = ''
  for (const line of ipAddr.split('\n')) {
    const l = /^(\d+): ([^:@]+)[:@]/.exec(line)
    if (l) head = `${l[1]}: ${l[2]}`
    const a = /^\s+(inet6?) (\S+)(.*)$/.exec(line)
    if (a && head) out.push(`${head}    ${a[1]} ${a[2]}${a[3]}\\       valid_lft forever preferred_lft forever`)
  }
  return out.join('\n') + '\n'
}

describe('a node sosreport as sos 3.x writes it', () => {
  it('imports with the commands sos ran, and Check SDN reads the OF1.3 br0 dump, the IPv4 main table and the host addresses', async () => {
    const root = join(c.dir, 'sosreport-node1-2026-11-20-rhel7')
    const refused = sample('lab/node1-dump-flows-default-of10-refused.txt').replace(/\[exit 1\]\n?$/, '')
    const routes = sample('lab/node1-ip-route.txt')
    put(root, 'hostname', 'node1\n')
    put(root, 'sos_commands/openvswitch/ovs-ofctl_dump-flows_br0', refused)
    put(root, 'sos_commands/openvswitch/ovs-ofctl_-O_OpenFlow13_dump-flows_br0', sample('lab/node1-dump-flows-of13.txt'))
    put(root, 'sos_commands/openvswitch/ovs-ofctl_-O_OpenFlow13_dump-ports-desc_br0', sample('lab/node1-dump-ports-desc-of13.txt'))
    put(root, 'sos_commands/openvswitch/ovs-ofctl_-O_OpenFlow13_dump-flows_br-tun', 'OFPST_FLOW reply (OF1.3) (xid=0x2):\n cookie=0x0, duration=5.1s, table=0, n_packets=0, n_bytes=0, priority=0 actions=NORMAL\n')
    put(root, 'sos_commands/openvswitch/ovs-vsctl_-t_5_show', sample('lab/node1-ovs-vsctl-show.txt'))
    put(root, 'sos_commands/openvswitch/ovs-vsctl_list_Open_vSwitch', sample('lab/node1-ovs-vsctl-list-open_vswitch.txt'))
    put(root, 'sos_commands/networking/ip_-o_addr', ipOneLine(sample('lab/node1-ip-addr.txt')))
    put(root, 'sos_commands/networking/ip_route_show_table_all', routes + 'broadcast 10.129.0.0 dev tun0 table local proto kernel scope link src 10.129.0.1\nlocal 10.129.0.1 dev tun0 table local proto kernel scope host src 10.129.0.1\n')
    put(root, 'sos_commands/networking/ip_-6_route_show_table_all', '::1 dev lo proto kernel metric 256 pref medium\nfe80::/64 dev eth0 proto kernel metric 256 pref medium\n')
    // A router namespace on the node: its routes are not the host's.
    put(root, 'sos_commands/networking/ip_netns_exec_qrouter-1_ip_route_show_table_all', 'default via 192.168.1.1 dev qg-1\n192.168.1.0/24 dev qg-1 proto kernel scope link src 192.168.1.5\n')
    put(root, 'sos_commands/networking/ethtool_-S_eth0', 'NIC statistics:\n     rx_packets: 10\n')
    put(root, 'sos_commands/kernel/sysctl_-a', 'net.ipv4.conf.all.forwarding = 1\nnet.ipv4.ip_forward = 1\n')
    put(root, 'sos_commands/yum/yum_list_installed', 'not network\n')
    const archive = join(c.dir, 'sosreport-node1-2026-11-20-rhel7.tar.xz')
    execFileSync('tar', ['-C', c.dir, '-cJf', archive, 'sosreport-node1-2026-11-20-rhel7'])

    const r = await importCaptures(c.db.captures, () => null, archive)
    expect(r.failed).toEqual([])
    const byFile = new Map(r.preview.items.map((i) => [i.path.split('/').pop(), i]))
    expect(r.preview).toMatchObject({ layout: 'sosreport', hostName: 'node1' })
    expect(Object.fromEntries([...byFile].map(([f, i]) => [f, i.command]))).toEqual({
      'ovs-ofctl_dump-flows_br0': 'ovs-ofctl dump-flows br0',
      'ovs-ofctl_-O_OpenFlow13_dump-flows_br0': 'ovs-ofctl -O OpenFlow13 dump-flows br0',
      'ovs-ofctl_-O_OpenFlow13_dump-ports-desc_br0': 'ovs-ofctl -O OpenFlow13 dump-ports-desc br0',
      'ovs-ofctl_-O_OpenFlow13_dump-flows_br-tun': 'ovs-ofctl -O OpenFlow13 dump-flows br-tun',
      'ovs-vsctl_-t_5_show': 'ovs-vsctl -t 5 show',
      'ovs-vsctl_list_Open_vSwitch': 'ovs-vsctl list Open_vSwitch',
      'ip_-o_addr': 'ip -o addr',
      ip_route_show_table_all: 'ip route show table all',
      'ip_-6_route_show_table_all': 'ip -6 route show table all',
      'ip_netns_exec_qrouter-1_ip_route_show_table_all': 'ip netns exec qrouter-1 ip route show table all',
      'ethtool_-S_eth0': 'ethtool -S eth0',
      'sysctl_-a': 'sysctl -a'
    })
    expect([...byFile.values()].every((i) => i.hostName === 'node1' && i.hostFrom === 'bundle' && i.commandFrom === 'bundle')).toBe(true)
    // Outputs no parser reads are kept, set apart by their parser: none.
    expect(byFile.get('ethtool_-S_eth0')?.parserId).toBeNull()
    expect(byFile.get('ip_-o_addr')?.parserId).toBe('ip.addr')

    const view = checkNodeFromCaptures(c.db.captures, 'node1')
    const used = Object.fromEntries(view.used.map((u) => [u.role, u.command]))
    expect(used).toMatchObject({ flows: 'ovs-ofctl -O OpenFlow13 dump-flows br0', links: 'ip -o addr', routes: 'ip route show table all' })
    expect(view.facts).toMatchObject({ plugin: 'networkpolicy', ruleVersion: 7 })
    expect(view.findings.filter((f) => f.severity !== 'info').map((f) => `${f.id}: ${f.title}`)).toEqual([])
  })

  it('a node whose sosreport has no br0 dump is told so, not judged by another bridge', async () => {
    const root = join(c.dir, 'sosreport-net1-2026-11-20-x')
    put(root, 'hostname', 'net1\n')
    put(root, 'sos_commands/openvswitch/ovs-ofctl_-O_OpenFlow13_dump-flows_br-tun', 'OFPST_FLOW reply (OF1.3) (xid=0x2):\n cookie=0x0, duration=5.1s, table=0, n_packets=0, n_bytes=0, priority=0 actions=NORMAL\n')
    await importCaptures(c.db.captures, () => null, root)
    expect(() => checkNodeFromCaptures(c.db.captures, 'net1')).toThrow(/No usable flow dump of br0 on net1.*dumps of br-tun only.*not judged/)
  })

  it('an excerpt of a dump gives one partial note, and a complete dump beside it is preferred', async () => {
    const root = join(c.dir, 'node1-files')
    const full = sample('lab/node1-dump-flows-of13.txt')
    put(root, 'node1-dump-flows-of13.txt', full)
    await importCaptures(c.db.captures, () => null, join(root, 'node1-dump-flows-of13.txt'), { hostName: 'node1' })
    const excerpt = full.split('\n').slice(0, 7).join('\n') + '\n'
    put(root, 'excerpt.txt', excerpt)
    await importCaptures(c.db.captures, () => null, join(root, 'excerpt.txt'), { hostName: 'node1', command: 'ovs-ofctl -O OpenFlow13 dump-flows br0' })
    // The excerpt is newer, the complete dump is chosen; the engineer can still pick the excerpt.
    const view = checkNodeFromCaptures(c.db.captures, 'node1')
    const flows = view.candidates.find((x) => x.role === 'flows')
    expect(flows?.captures).toHaveLength(2)
    expect(view.findings.map((f) => f.id)).not.toContain('bridge.partial-dump')
    const excerptId = flows?.captures.find((x) => x.id !== flows.chosen)?.id as number
    const picked = checkNodeFromCaptures(c.db.captures, 'node1', { flows: excerptId })
    expect(picked.findings.map((f) => f.id)).toEqual(['bridge.partial-dump'])
  })
})

describe('a must-gather with network_logs and the SDN objects as YAML', () => {
  it('imports each file as the command must-gather ran, on the node it ran on; the YAML objects parse', async () => {
    const root = join(c.dir, 'must-gather.local.123', 'quay-io-openshift-must-gather-sha256-abc')
    put(root, 'namespaces/openshift-sdn/pods/sdn-abcde/sdn-abcde.yaml', 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: sdn-abcde\nspec:\n  nodeName: node1.example.com\n')
    put(root, 'namespaces/openshift-sdn/pods/sdn-abcde/sdn/sdn/logs/current.log', 'I1120 10:00:00 node.go:1] Starting openshift-sdn network plugin\n')
    put(root, 'network_logs/node1.example.com_iptables', sample('lab/node1-iptables-save-counters.txt'))
    put(root, 'network_logs/node1.example.com_ovs_dump', sample('lab/node1-ovs-vsctl-show.txt'))
    put(root, 'network_logs/sdn-abcde_sdn_log', 'I1120 10:00:00 node.go:1] Starting\n')
    put(root, 'network_logs/ovs-xyz_vswitchd_log', '2026-11-20T10:00:00Z|00001|vlog|INFO|opened log file\n')
    put(
      root,
      'cluster-scoped-resources/network.openshift.io/hostsubnets/node1.example.com.yaml',
      'apiVersion: network.openshift.io/v1\nhost: node1.example.com\nhostIP: 10.200.0.1\nkind: HostSubnet\nmetadata:\n  name: node1.example.com\n  uid: 4f0c6c2e-1111-2222-3333-444455556666\nsubnet: 10.129.0.0/23\n'
    )
    put(
      root,
      'cluster-scoped-resources/network.openshift.io/clusternetworks/default.yaml',
      'apiVersion: network.openshift.io/v1\nclusterNetworks:\n- CIDR: 10.128.0.0/14\n  hostSubnetLength: 9\nhostsubnetlength: 9\nkind: ClusterNetwork\nmetadata:\n  name: default\nnetwork: 10.128.0.0/14\npluginName: redhat/openshift-ovs-networkpolicy\nserviceNetwork: 172.30.0.0/16\nvxlanPort: 4789\n'
    )
    put(root, 'cluster-scoped-resources/network.openshift.io/netnamespaces/proj-a.yaml', 'apiVersion: network.openshift.io/v1\nkind: NetNamespace\nmetadata:\n  name: proj-a\nnetid: 11259375\nnetname: proj-a\n')
    const r = await importCaptures(c.db.captures, () => null, join(c.dir, 'must-gather.local.123'))
    expect(r.preview.layout).toBe('must-gather')
    const got = Object.fromEntries(r.preview.items.map((i) => [i.path.split('/').slice(-2).join('/'), [i.hostName, i.command]]))
    expect(got).toMatchObject({
      'network_logs/node1.example.com_iptables': ['node1.example.com', 'iptables-save -c'],
      'network_logs/node1.example.com_ovs_dump': ['node1.example.com', 'ovs-vsctl show'],
      'network_logs/sdn-abcde_sdn_log': ['node1.example.com', 'oc -n openshift-sdn logs sdn-abcde'],
      'hostsubnets/node1.example.com.yaml': ['cluster', 'oc get hostsubnets node1.example.com -o yaml'],
      'clusternetworks/default.yaml': ['cluster', 'oc get clusternetworks default -o yaml'],
      'netnamespaces/proj-a.yaml': ['cluster', 'oc get netnamespaces proj-a -o yaml']
    })
    // The pod of the vswitchd log has no YAML here: no host is invented for it.
    expect(got['network_logs/ovs-xyz_vswitchd_log']).toEqual([null, 'cat /var/log/openvswitch/ovs-vswitchd.log'])
    const caps = c.db.captures.list()
    const parsed = (cmd: RegExp) => {
      const cap = caps.find((x) => cmd.test(x.command))
      if (!cap) throw new Error(`no capture of ${cmd}`)
      expect(cap.diagnosticCount, cap.command).toBe(0)
      return parseCapture(cap.command, c.db.captures.text(cap.id), cap.parserId)
    }
    expect(parsedAs(parsed(/hostsubnets/), 'oc.get.hostsubnets')?.records).toMatchObject([{ host: 'node1.example.com', hostIP: '10.200.0.1', subnet: '10.129.0.0/23', uid: '4f0c6c2e-1111-2222-3333-444455556666' }])
    expect(parsedAs(parsed(/clusternetworks/), 'oc.get.clusternetwork')?.records[0]).toMatchObject({ pluginName: 'redhat/openshift-ovs-networkpolicy', serviceNetwork: '172.30.0.0/16' })
    expect(parsedAs(parsed(/netnamespaces/), 'oc.get.netnamespaces')?.records).toMatchObject([{ name: 'proj-a', netid: 11259375 }])
    expect(parsedAs(parsed(/iptables-save -c/), 'iptables-save')).not.toBeNull()
  })
})
