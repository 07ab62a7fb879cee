// A node's br0 as each of openshift-sdn's three plugins programs it (3.11, guide/sdn-flows.md section 2), generated
// for the tracer's agreement tests: the static skeleton of the plugin, local pods in several projects, remote nodes,
// services with ports, and what projects configure — NetworkPolicies (networkpolicy), multicast, egress IPs (local,
// remote and unassigned) and EgressNetworkPolicies (multitenant and networkpolicy). Written as add-flows lines.
import { rng } from './flowgen'

export type SdnPlugin = 'subnet' | 'multitenant' | 'networkpolicy'

const note: Record<SdnPlugin, string> = { subnet: '00.07', multitenant: '01.07', networkpolicy: '02.07' }
const ip = (n: number) => [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.')
const hex = (n: number) => `0x${n.toString(16)}`

export interface PluginNode {
  flows: string
  pods: { ip: string; ofport: number; vnid: number }[]
}

export function pluginFlows(plugin: SdnPlugin, opts: { pods: number; nodes: number; services: number; seed: number }): PluginNode {
  const r = rng(opts.seed)
  const cc = '10.128.0.0/14'
  const ls = '10.129.0.0/23'
  const gw = '10.129.0.1'
  const svc = '172.30.0.0/16'
  const nodeIP = '10.200.0.1'
  const f: string[] = []
  const add = (s: string) => f.push(s)
  // Projects: VNID 0 (default, global) and five others; the subnet plugin has only 0.
  const vnids = plugin === 'subnet' ? [0] : [0, 0x1a2b3c, 0x2b3c4d, 0x3c4d5e, 0x4d5e6f, 0x5e6f70]
  const pods = Array.from({ length: opts.pods }, (_, i) => ({ ip: ip((10 << 24) | (129 << 16) | (i + 2)), ofport: i + 3, vnid: vnids[i % vnids.length] as number }))
  const remotes = Array.from({ length: opts.nodes }, (_, n) => ({ hostIP: ip((10 << 24) | (200 << 16) | (n + 2)), subnet: `${ip((10 << 24) | (128 << 16) | ((n * 2 + 2) << 8))}/23`, cookie: hex(0x5000 + n) }))
  const np = plugin === 'networkpolicy'

  if (np) {
    add('table=0, priority=300, ip, ct_state=-trk, actions=ct(table=0)')
    add(`table=0, priority=400, ip, in_port=2, nw_src=${gw}, actions=goto_table:30`)
    add(`table=0, priority=300, ip, in_port=2, nw_src=${ls}, nw_dst=${cc}, actions=goto_table:25`)
  }
  add('table=0, priority=250, ip, in_port=2, nw_dst=224.0.0.0/4, actions=drop')
  add(`table=0, priority=200, arp, in_port=1, arp_spa=${cc}, arp_tpa=${ls}, actions=move:NXM_NX_TUN_ID[0..31]->NXM_NX_REG0[],goto_table:10`)
  add(`table=0, priority=200, ip, in_port=1, nw_src=${cc}, actions=move:NXM_NX_TUN_ID[0..31]->NXM_NX_REG0[],goto_table:10`)
  add(`table=0, priority=200, ip, in_port=1, nw_dst=${cc}, actions=move:NXM_NX_TUN_ID[0..31]->NXM_NX_REG0[],goto_table:10`)
  add(`table=0, priority=200, arp, in_port=2, arp_spa=${gw}, arp_tpa=${cc}, actions=goto_table:30`)
  add('table=0, priority=200, ip, in_port=2, actions=goto_table:30')
  add('table=0, priority=150, in_port=1, actions=drop')
  add('table=0, priority=150, in_port=2, actions=drop')
  add('table=0, priority=100, arp, actions=goto_table:20')
  add('table=0, priority=100, ip, actions=goto_table:20')
  add('table=0, priority=0, actions=drop')
  for (const n of remotes) add(`table=10, priority=100, cookie=${n.cookie}, tun_src=${n.hostIP}, actions=goto_table:30`)
  add('table=10, priority=0, actions=drop')
  for (const p of pods) {
    const sha = `00:00:${p.ip.split('.').map((x) => Number(x).toString(16).padStart(2, '0')).join(':')}/00:00:ff:ff:ff:ff`
    add(`table=20, priority=100, arp, in_port=${p.ofport}, arp_spa=${p.ip}, arp_sha=${sha}, actions=load:${hex(p.vnid)}->NXM_NX_REG0[],goto_table:21`)
    add(`table=20, priority=100, ip, in_port=${p.ofport}, nw_src=${p.ip}, actions=load:${hex(p.vnid)}->NXM_NX_REG0[],goto_table:21`)
    if (np) add(`table=25, priority=100, ip, nw_src=${p.ip}, actions=load:${hex(p.vnid)}->NXM_NX_REG0[],goto_table:30`)
    add(`table=40, priority=100, arp, arp_tpa=${p.ip}, actions=output:${p.ofport}`)
    add(`table=70, priority=100, ip, nw_dst=${p.ip}, actions=load:${hex(p.vnid)}->NXM_NX_REG1[],load:${hex(p.ofport)}->NXM_NX_REG2[],goto_table:80`)
  }
  add('table=20, priority=0, actions=drop')
  if (np) add(`table=21, priority=200, ip, nw_dst=${cc}, actions=ct(commit,table=30)`)
  add('table=21, priority=0, actions=goto_table:30')
  add('table=25, priority=0, actions=drop')
  add(`table=30, priority=300, arp, arp_tpa=${gw}, actions=output:2`)
  add(`table=30, priority=300, ip, nw_dst=${gw}, actions=output:2`)
  if (np) add(`table=30, priority=300, ct_state=+rpl, ip, nw_dst=${ls}, actions=ct(nat,table=70)`)
  add(`table=30, priority=200, arp, arp_tpa=${ls}, actions=goto_table:40`)
  add(`table=30, priority=200, ip, nw_dst=${ls}, actions=goto_table:70`)
  add(`table=30, priority=100, arp, arp_tpa=${cc}, actions=goto_table:50`)
  add(`table=30, priority=100, ip, nw_dst=${cc}, actions=goto_table:90`)
  add(`table=30, priority=100, ip, nw_dst=${svc}, actions=goto_table:60`)
  add('table=30, priority=50, ip, in_port=1, nw_dst=224.0.0.0/4, actions=goto_table:120')
  add('table=30, priority=25, ip, nw_dst=224.0.0.0/4, actions=goto_table:110')
  add('table=30, priority=0, ip, actions=goto_table:100')
  add('table=30, priority=0, arp, actions=drop')
  add('table=40, priority=0, actions=drop')
  for (const n of remotes) add(`table=50, priority=100, cookie=${n.cookie}, arp, arp_tpa=${n.subnet}, actions=move:NXM_NX_REG0[]->NXM_NX_TUN_ID[0..31],set_field:${n.hostIP}->tun_dst,output:1`)
  add('table=50, priority=0, actions=drop')
  // Services: the networkpolicy plugin sends every service packet to tun0 (iptables, then conntrack); the others
  // check the service's project and port here.
  if (np) add('table=60, priority=200, actions=output:2')
  else {
    add('table=60, priority=200, reg0=0, actions=output:2')
    for (let s = 0; s < opts.services; s++) {
      const cip = ip((172 << 24) | (30 << 16) | (s + 10))
      const v = hex(vnids[s % vnids.length] as number)
      const port = 8000 + s
      add(`table=60, priority=100, ${s % 2 ? 'udp' : 'tcp'}, nw_dst=${cip}, tp_dst=${port}, actions=load:${v}->NXM_NX_REG1[],load:0x2->NXM_NX_REG2[],goto_table:80`)
    }
  }
  add('table=60, priority=0, actions=drop')
  add('table=70, priority=0, actions=drop')
  add(`table=80, priority=300, ip, nw_src=${gw}, actions=output:NXM_NX_REG2[]`)
  if (plugin === 'subnet') add('table=80, priority=200, actions=output:NXM_NX_REG2[]')
  if (plugin === 'multitenant') {
    add('table=80, priority=200, reg0=0, actions=output:NXM_NX_REG2[]')
    add('table=80, priority=200, reg1=0, actions=output:NXM_NX_REG2[]')
    for (const v of vnids.slice(1)) add(`table=80, priority=100, reg0=${v}, reg1=${v}, actions=output:NXM_NX_REG2[]`)
  }
  if (np) {
    add('table=80, priority=200, ip, ct_state=+rpl, actions=output:NXM_NX_REG2[]')
    // Per project: one allows its own pods, one allows TCP 80 from anywhere and isolates a chosen pod, one allows
    // the default project's pods to one pod, the rest have no policy (everything allowed).
    vnids.slice(1).forEach((v, k) => {
      const own = pods.filter((p) => p.vnid === v)
      if (k === 0) add(`table=80, priority=150, reg1=${v}, reg0=${v}, actions=output:NXM_NX_REG2[]`)
      else if (k === 1) {
        add(`table=80, priority=150, reg1=${v}, tcp, tp_dst=80, actions=output:NXM_NX_REG2[]`)
        if (own[0]) add(`table=80, priority=100, reg1=${v}, ip, nw_dst=${own[0].ip}, actions=drop`)
        add(`table=80, priority=50, reg1=${v}, actions=output:NXM_NX_REG2[]`)
      } else if (k === 2 && own[0]) add(`table=80, priority=150, reg1=${v}, ip, nw_dst=${own[0].ip}, reg0=0, actions=output:NXM_NX_REG2[]`)
      else add(`table=80, priority=50, reg1=${v}, actions=output:NXM_NX_REG2[]`)
    })
  }
  add('table=80, priority=0, actions=drop')
  for (const n of remotes) add(`table=90, priority=100, cookie=${n.cookie}, ip, nw_dst=${n.subnet}, actions=move:NXM_NX_REG0[]->NXM_NX_TUN_ID[0..31],set_field:${n.hostIP}->tun_dst,output:1`)
  add('table=90, priority=0, actions=drop')
  add('table=100, priority=300, udp, udp_dst=4789, actions=drop')
  add(`table=100, priority=200, tcp, nw_dst=${nodeIP}, tp_dst=53, actions=output:2`)
  add(`table=100, priority=200, udp, nw_dst=${nodeIP}, tp_dst=53, actions=output:2`)
  if (plugin !== 'subnet') {
    const [a, b, c, d] = vnids.slice(1)
    // Egress IPs: on this node (tun0 with the project's mark), on another node (VXLAN there), wanted but unassigned (drop).
    add(`table=100, priority=100, reg0=${a}, ip, actions=set_field:6a:5e:9f:00:00:01->eth_dst,set_field:${hex(a as number)}->pkt_mark,goto_table:101`)
    add(`table=100, priority=100, reg0=${b}, ip, actions=move:NXM_NX_REG0[]->NXM_NX_TUN_ID[0..31],set_field:${remotes[0]?.hostIP ?? '10.200.0.9'}->tun_dst,output:1`)
    add(`table=100, priority=100, reg0=${c}, actions=drop`)
    // EgressNetworkPolicies: priority = rules left; allow a network, deny a host in it, deny everything else.
    add(`table=101, priority=3, reg0=${d}, ip, nw_dst=203.0.113.0/24, actions=output:2`)
    add(`table=101, priority=2, reg0=${d}, ip, nw_dst=203.0.113.10, actions=drop`)
    add(`table=101, priority=1, reg0=${d}, ip, actions=drop`)
    add(`table=101, priority=2, reg0=${a}, ip, nw_dst=198.51.100.0/24, actions=drop`)
  }
  add('table=100, priority=0, actions=goto_table:101')
  add('table=101, priority=0, actions=output:2')
  // Multicast: enabled for two projects (and the default one on the subnet plugin).
  const mcast = plugin === 'subnet' ? [0] : vnids.slice(1, 3)
  for (const v of mcast) add(`table=110, reg0=${v}, actions=goto_table:111`)
  add('table=110, priority=0, actions=drop')
  const fan = remotes.map((n) => n.hostIP).sort().map((h) => `set_field:${h}->tun_dst,output:1`).join(',')
  add(`table=111, priority=100, actions=${fan ? `move:NXM_NX_REG0[]->NXM_NX_TUN_ID[0..31],${fan},` : ''}goto_table:120`)
  for (const v of mcast) {
    const ports = pods.filter((p) => p.vnid === v).map((p) => `output:${p.ofport}`)
    if (ports.length) add(`table=120, priority=100, reg0=${v}, actions=${ports.join(',')}`)
  }
  add('table=120, priority=0, actions=drop')
  add(`table=253, actions=note:${note[plugin]}.00.00.00.00`)
  // Shuffled: the order flows are added in never matters to OVS, nor to the tracer.
  for (let i = f.length - 1; i > 0; i--) {
    const j = Math.floor(r() * (i + 1))
    ;[f[i], f[j]] = [f[j] as string, f[i] as string]
  }
  return { flows: f.join('\n') + '\n', pods }
}
