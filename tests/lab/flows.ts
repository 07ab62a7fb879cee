// openshift-sdn style flows (3.11, networkpolicy note 02.07) for lab node i of n: every node's remote
// flows point at the other nodes' lab IPs. Table 80 is what the networkpolicy plugin writes for the
// lab's policies (tests/lab/oc-standin.ts): each project allows traffic from its own pods only.
import { createHash } from 'node:crypto'

export interface LabNodePlan {
  index: number
  name: string
  /** Underlay address inside the node namespace (10.200.(i-1).2). */
  ip: string
  hostSideIp: string
  subnet: string
  gateway: string
  pods: { name: string; ip: string; mac: string; ofport: number; vnid: number }[]
}

const cc = '10.128.0.0/14'
const svc = '172.30.0.0/16'

export function labPlan(n: number, podsPerNode = 3): LabNodePlan[] {
  return Array.from({ length: n }, (_, k) => {
    const i = k + 1
    const third = 2 * k
    return {
      index: i,
      name: `node${i}`,
      ip: `10.200.${k}.2`,
      hostSideIp: `10.200.${k}.1`,
      subnet: `10.128.${third}.0/23`,
      gateway: `10.128.${third}.1`,
      pods: Array.from({ length: podsPerNode }, (_, p) => {
        const ip = `10.128.${third}.${p + 2}`
        const hex = ip.split('.').map((x) => Number(x).toString(16).padStart(2, '0')).join(':')
        // The last pod of a node is in another project: pod-to-pod to it is dropped by table 80.
        return { name: `node${i}-pod${p + 1}`, ip, mac: `0a:58:${hex}`, ofport: p + 3, vnid: p === podsPerNode - 1 ? 0x123456 : 0xabcdef }
      })
    }
  })
}

/** The HostSubnet UID the lab's oc serves for node i, and the cookie the SDN derives from it (SHA-256, 8 hex digits). */
export const labHostSubnetUid = (i: number) => `5f1c0a2e-lab0-4e11-9d00-00000000000${i}`
const cookie = (i: number) => `0x${createHash('sha256').update(labHostSubnetUid(i)).digest('hex').slice(0, 8).replace(/^0+(?=.)/, '')}`

export function labFlows(node: LabNodePlan, all: LabNodePlan[]): string {
  const L = node.subnet
  const G = node.gateway
  const remotes = all.filter((r) => r.index !== node.index)
  const vnids = [...new Set(node.pods.map((p) => p.vnid))]
  const f: string[] = []
  const add = (s: string) => f.push(s)
  add(`table=0, priority=250, ip, in_port=2, nw_dst=224.0.0.0/4, actions=drop`)
  add(`table=0, priority=200, arp, in_port=1, arp_spa=${cc}, arp_tpa=${L}, actions=move:NXM_NX_TUN_ID[0..31]->NXM_NX_REG0[],goto_table:10`)
  add(`table=0, priority=200, ip, in_port=1, nw_src=${cc}, actions=move:NXM_NX_TUN_ID[0..31]->NXM_NX_REG0[],goto_table:10`)
  add(`table=0, priority=200, ip, in_port=1, nw_dst=${cc}, actions=move:NXM_NX_TUN_ID[0..31]->NXM_NX_REG0[],goto_table:10`)
  add(`table=0, priority=200, arp, in_port=2, arp_spa=${G}, arp_tpa=${cc}, actions=goto_table:30`)
  add(`table=0, priority=200, ip, in_port=2, actions=goto_table:30`)
  add(`table=0, priority=150, in_port=1, actions=drop`)
  add(`table=0, priority=150, in_port=2, actions=drop`)
  add(`table=0, priority=100, arp, actions=goto_table:20`)
  add(`table=0, priority=100, ip, actions=goto_table:20`)
  add(`table=0, priority=0, actions=drop`)
  for (const r of remotes) add(`table=10, priority=100, cookie=${cookie(r.index)}, tun_src=${r.ip}, actions=goto_table:30`)
  add(`table=10, priority=0, actions=drop`)
  for (const p of node.pods) {
    const v = `0x${p.vnid.toString(16)}`
    const sha = `00:00:${p.mac.slice(6)}/00:00:ff:ff:ff:ff`
    add(`table=20, priority=100, arp, in_port=${p.ofport}, arp_spa=${p.ip}, arp_sha=${sha}, actions=load:${v}->NXM_NX_REG0[],goto_table:21`)
    add(`table=20, priority=100, ip, in_port=${p.ofport}, nw_src=${p.ip}, actions=load:${v}->NXM_NX_REG0[],goto_table:21`)
  }
  add(`table=20, priority=0, actions=drop`)
  add(`table=21, priority=0, actions=goto_table:30`)
  add(`table=25, priority=0, actions=drop`)
  add(`table=30, priority=300, arp, arp_tpa=${G}, actions=output:2`)
  add(`table=30, priority=300, ip, nw_dst=${G}, actions=output:2`)
  add(`table=30, priority=300, ct_state=+rpl, ip, nw_dst=${L}, actions=ct(nat,table=70)`)
  add(`table=30, priority=200, arp, arp_tpa=${L}, actions=goto_table:40`)
  add(`table=30, priority=200, ip, nw_dst=${L}, actions=goto_table:70`)
  add(`table=30, priority=100, arp, arp_tpa=${cc}, actions=goto_table:50`)
  add(`table=30, priority=100, ip, nw_dst=${cc}, actions=goto_table:90`)
  add(`table=30, priority=100, ip, nw_dst=${svc}, actions=goto_table:60`)
  add(`table=30, priority=50, ip, in_port=1, nw_dst=224.0.0.0/4, actions=goto_table:120`)
  add(`table=30, priority=25, ip, nw_dst=224.0.0.0/4, actions=goto_table:110`)
  add(`table=30, priority=0, ip, actions=goto_table:100`)
  add(`table=30, priority=0, arp, actions=drop`)
  for (const p of node.pods) add(`table=40, priority=100, arp, arp_tpa=${p.ip}, actions=output:${p.ofport}`)
  add(`table=40, priority=0, actions=drop`)
  for (const r of remotes) add(`table=50, priority=100, cookie=${cookie(r.index)}, arp, arp_tpa=${r.subnet}, actions=move:NXM_NX_REG0[]->NXM_NX_TUN_ID[0..31],set_field:${r.ip}->tun_dst,output:1`)
  add(`table=50, priority=0, actions=drop`)
  add(`table=60, priority=200, actions=output:2`)
  add(`table=60, priority=0, actions=drop`)
  for (const p of node.pods) add(`table=70, priority=100, ip, nw_dst=${p.ip}, actions=load:0x${p.vnid.toString(16)}->NXM_NX_REG1[],load:0x${p.ofport.toString(16)}->NXM_NX_REG2[],goto_table:80`)
  add(`table=70, priority=0, actions=drop`)
  add(`table=80, priority=300, ip, nw_src=${G}, actions=output:NXM_NX_REG2[]`)
  add(`table=80, priority=200, ip, ct_state=+rpl, actions=output:NXM_NX_REG2[]`)
  for (const v of vnids) add(`table=80, priority=150, reg1=${v}, reg0=${v}, actions=output:NXM_NX_REG2[]`)
  add(`table=80, priority=0, actions=drop`)
  for (const r of remotes) add(`table=90, priority=100, cookie=${cookie(r.index)}, ip, nw_dst=${r.subnet}, actions=move:NXM_NX_REG0[]->NXM_NX_TUN_ID[0..31],set_field:${r.ip}->tun_dst,output:1`)
  add(`table=90, priority=0, actions=drop`)
  add(`table=100, priority=300, udp, udp_dst=4789, actions=drop`)
  add(`table=100, priority=200, tcp, nw_dst=${node.ip}, tp_dst=53, actions=output:2`)
  add(`table=100, priority=200, udp, nw_dst=${node.ip}, tp_dst=53, actions=output:2`)
  add(`table=100, priority=0, actions=goto_table:101`)
  add(`table=101, priority=0, actions=output:2`)
  add(`table=110, priority=0, actions=drop`)
  const fan = remotes.map((r) => `set_field:${r.ip}->tun_dst,output:1`).join(',')
  add(`table=111, priority=100, actions=${fan ? `move:NXM_NX_REG0[]->NXM_NX_TUN_ID[0..31],${fan},` : ''}goto_table:120`)
  add(`table=120, priority=0, actions=drop`)
  add(`table=253, actions=note:02.07.00.00.00.00`)
  return f.join('\n') + '\n'
}

/** What `oc get hostsubnets` and `oc get pods --all-namespaces -o wide` would print for this lab. */
export function labInventory(all: LabNodePlan[]): { hostSubnets: string; pods: string } {
  const hs = ['NAME    HOST    HOST IP      SUBNET          EGRESS CIDRS   EGRESS IPS']
  const pods = ['NAMESPACE   NAME          READY   STATUS    RESTARTS   AGE   IP            NODE']
  for (const n of all) {
    hs.push(`${n.name}   ${n.name}   ${n.ip}   ${n.subnet}   []             []`)
    for (const p of n.pods) pods.push(`${p.vnid === 0xabcdef ? 'proj-a' : 'proj-b'}      ${p.name}   1/1     Running   0          1m    ${p.ip}   ${n.name}`)
  }
  return { hostSubnets: hs.join('\n') + '\n', pods: pods.join('\n') + '\n' }
}
