// Generated flows' actions in the spellings ovs-ofctl accepts, for the round trip against the real switch.
// Every action of the table (action-vocabulary.ts) is generated, each in a flow whose match meets what it
// needs (an L4 protocol for mod_tp_src, a VLAN tag for strip_vlan, MPLS for set_mpls_label, NSH for
// dec_nsh_ttl, conjunction alone). The test checks the coverage: a table row never generated fails it.
import fc from 'fast-check'
import { ipv4, mac, macByte, u16, u32 } from './matchgen'

const port = fc.integer({ min: 1, max: 3 })
const reg = fc.integer({ min: 0, max: 15 })
/** A register reference spelled as NXM or short name, whole or as a bit range. */
const regRef = fc.tuple(reg, fc.constantFrom('NXM_NX_REG', 'reg'), fc.integer({ min: 0, max: 31 }), fc.integer({ min: 0, max: 31 }), fc.constantFrom('whole', 'empty', 'range', 'bit', 'full')).map(([n, style, a, b, form]) => {
  const lo = Math.min(a, b)
  const hi = Math.max(a, b)
  const r = form === 'whole' || form === 'empty' ? '[]' : form === 'bit' ? `[${lo}]` : form === 'full' ? '[0..31]' : `[${lo}..${hi}]`
  return { text: `${style}${n}${r}`, width: form === 'bit' ? 1 : form === 'range' ? hi - lo + 1 : 32 }
})
/** A value that fits in `width` bits, in decimal or hex. */
const fitting = (width: number) => fc.bigInt({ min: 0n, max: (1n << BigInt(width)) - 1n }).chain((v) => fc.constantFrom(String(v), `0x${v.toString(16)}`, `0x${v.toString(16).toUpperCase()}`))
const noteBytes = fc.array(macByte, { minLength: 1, maxLength: 12 }).chain((b) => fc.constantFrom(b.join('.'), b.join('')))
const spelled = (n: number) => fc.constantFrom(String(n), `0x${n.toString(16)}`)

/** Actions that need nothing of the packet but an Ethernet header. */
const anyAction: fc.Arbitrary<string> = fc.oneof(
  port.chain((p) => fc.constantFrom(`output:${p}`, String(p), `output(port=${p},max_len=100)`, `output(max_len=0x40,port=${p})`)),
  fc.constantFrom('in_port', 'IN_PORT', 'normal', 'NORMAL', 'flood', 'all', 'local', 'LOCAL', 'output(port=LOCAL,max_len=64)'),
  fc.constantFrom('controller', 'CONTROLLER:65535', 'controller:100', 'controller(max_len=100)', 'controller(id=0)', 'controller(reason=no_match)', 'controller(meter_id=2,pause,userdata=01.02,id=3,max_len=100,reason=no_match)', 'controller(reason=invalid_ttl,max_len=0x10)', 'controller(userdata=0102)'),
  reg.map((n) => `output:NXM_NX_REG${n}[]`),
  fc.integer({ min: 1, max: 250 }).chain((t) => fc.constantFrom(`resubmit(,${t})`, `resubmit:${(t % 3) + 1}`, `resubmit(${(t % 3) + 1},${t})`, `resubmit(in_port,${t})`, `resubmit(LOCAL,${t})`, `resubmit(${(t % 3) + 1})`, 'resubmit:LOCAL')),
  regRef.chain((r) => fitting(r.width).map((v) => `load:${v}->${r.text}`)),
  fc.tuple(regRef, regRef).filter(([a, b]) => a.width === b.width).map(([a, b]) => `move:${a.text}->${b.text}`),
  fc.tuple(reg, u32).chain(([n, v]) => fc.constantFrom(`set_field:${v}->reg${n}`, `set_field:0x${v.toString(16)}->reg${n}`)),
  fc.tuple(reg, u32, fc.integer({ min: 1, max: 0xffffffff })).map(([n, v, m]) => `set_field:0x${v.toString(16)}/0x${m.toString(16)}->reg${n}`),
  fc.tuple(fc.integer({ min: 0, max: 7 }), u32).chain(([n, v]) => fc.constantFrom(`set_field:${v}->xreg${n}`, `load:${v}->xreg${n}[]`, `move:xreg${n}[]->xreg${(n + 1) % 8}[]`, `push:xreg${n}[0..31]`, `move:xxreg${n % 4}[0..63]->xreg${n}[]`)),
  fc.tuple(fc.integer({ min: 0, max: 1 }), u16).chain(([n, v]) =>
    fc.constantFrom(`set_field:${v}->tun_metadata${n}`, `set_field:0x${(v & 0xff).toString(16)}/0xff->tun_metadata${n}`, `load:${v & 0xff}->tun_metadata${n}[0..7]`, `load:${v}->NXM_NX_TUN_METADATA${n}[]`, `move:tun_metadata${n}[0..31]->reg${n}[]`, `delete_field:tun_metadata${n}`, `delete_field:NXM_NX_TUN_METADATA${n}`, `push:tun_metadata${n}[0..7]`)
  ),
  mac.chain((m) => fc.constantFrom(`set_field:${m}->eth_dst`, `set_field:${m.toUpperCase()}->dl_dst`, `mod_dl_src:${m}`, `mod_dl_dst:${m}`)),
  u32.chain((v) => fc.constantFrom(`set_field:${v}->tun_id`, `set_tunnel:${v}`, `set_tunnel64:0x${v.toString(16)}`, `set_field:0x${v.toString(16)}->pkt_mark`, `set_field:${v}->metadata`)),
  noteBytes.map((b) => `note:${b}`),
  fc.tuple(reg, reg).map(([a, b]) => `push:NXM_NX_REG${a}[],pop:reg${b}[0..15]`),
  fc.tuple(reg, reg).map(([a, b]) => `push:reg${a},pop:NXM_NX_REG${b}[0..31]`),
  fc.integer({ min: 0, max: 4095 }).chain((v) => fc.constantFrom(`mod_vlan_vid:${v}`, `mod_vlan_vid:${v},mod_vlan_pcp:${v % 8}`, `push_vlan:0x8100,mod_vlan_vid:${v}`)),
  fc.integer({ min: 0, max: 7 }).map((v) => `mod_vlan_pcp:${v}`),
  fc.constantFrom('clone(output:2)', 'clone(set_field:1->reg0,output:2)', 'clone(clone(output:2),ct_clear)', 'clone()', 'set_queue:3', 'pop_queue', 'enqueue:1:2', 'set_queue:5,pop_queue', 'ct_clear', 'exit'),
  fc.constantFrom(
    'sample(probability=100,collector_set_id=1)',
    'sample(probability=0x64,collector_set_id=1,obs_domain_id=2,obs_point_id=3)',
    'sample(collector_set_id=1,probability=100)',
    'sample(probability=10,collector_set_id=1,sampling_port=1,egress)',
    'sample(probability=10,ingress,collector_set_id=1)',
    'multipath(eth_src,50,modulo_n,1,0,reg0[])',
    'multipath(symmetric_l4,1024,hrw,2,0,NXM_NX_REG1[0..3])',
    'bundle(eth_src,0,hrw,ofport,members:1,2)',
    'bundle(symmetric_l4,60,hrw,ofport,members:2,3)',
    'bundle_load(eth_src,0,hrw,ofport,NXM_NX_REG0[],members:1,2)',
    'check_pkt_larger(1500)->reg0[0]',
    'check_pkt_larger(9000)->NXM_NX_REG3[5]',
    'push_vlan:0x8100',
    'push_vlan:33024',
    'set_queue:0x3',
    // The round trip's switch has group 1 (and meter 1, which the test puts first in some flows).
    'group:1',
    'group:0x1'
  ),
  fc.constantFrom(
    'learn(table=10,NXM_OF_ETH_DST[]=NXM_OF_ETH_SRC[],output:NXM_OF_IN_PORT[])',
    'learn(table=10,eth_dst=eth_src,output:in_port)',
    'learn(table=10,dl_dst=dl_src,output:in_port)',
    'learn(table=10,priority=5,hard_timeout=30,idle_timeout=10,NXM_OF_VLAN_TCI[0..11],load:NXM_NX_REG0[]->NXM_NX_REG1[])',
    'learn(table=10,reg1=0x5,load:0x1->reg2[])',
    'learn(hard_timeout=30,table=10,cookie=5,fin_idle_timeout=2,NXM_OF_ETH_SRC[],output:NXM_NX_REG0[0..15])',
    'learn(table=12,delete_learned,reg3[0..15]=reg4[16..31],load:reg5[]->reg6[])',
    'learn(NXM_OF_ETH_DST[])',
    'learn(table=1,idle_timeout=010,NXM_OF_ETH_DST[])',
    'learn(table=1,cookie=0x10,priority=0x10,hard_timeout=0x10)',
    'learn(table=1,eth_type=0x0800,ip_dst=10.0.0.1)',
    'learn(table=1,eth_src=00:11:22:33:44:55,reg0=5,NXM_OF_VLAN_TCI[0..11]=NXM_NX_REG1[0..11])',
    'learn(table=1,in_port=5,eth_src=00:11:22:33:44:55)',
    'learn(table=1,vlan_tci=0x1005)',
    'learn(table=1,NXM_OF_ETH_DST[]=NXM_OF_ETH_SRC[0..47])',
    'learn(table=1,reg0[0..15]=0x5)',
    'learn(table=1,load:10->NXM_OF_ETH_DST[])',
    'learn(table=1,in_port=1,load:NXM_OF_IN_PORT[]->NXM_NX_REG0[0..15])',
    'learn(table=1,priority=10,idle_timeout=5,hard_timeout=6,fin_idle_timeout=7,fin_hard_timeout=8,cookie=9,limit=3,delete_learned,send_flow_rem)'
  )
)

/** Actions that need an IP packet. */
const ipAction: fc.Arbitrary<string> = fc.oneof(
  ipv4.chain((a) => fc.constantFrom(`set_field:${a}->ip_dst`, `set_field:${a}->nw_dst`, `set_field:${a}->ip_src`, `mod_nw_dst:${a}`, `mod_nw_src:${a}`, `set_field:${a}->tun_dst`)),
  fc.integer({ min: 0, max: 63 }).map((d) => `mod_nw_tos:${d * 4}`),
  fc.integer({ min: 0, max: 3 }).map((d) => `mod_nw_ecn:${d}`),
  fc.integer({ min: 1, max: 255 }).chain((t) => fc.constantFrom(`mod_nw_ttl:${t}`, `mod_nw_ttl:0x${t.toString(16)}`, `set_field:${t}->nw_ttl`)),
  fc.constantFrom('dec_ttl', 'dec_ttl(1,2,3)', 'dec_ttl()', 'dec_ttl(5)', 'dec_ttl(0x5,0)'),
  fc.constantFrom('ct', 'ct()', 'ct(commit)', 'ct(commit,zone=5)', 'ct(commit,zone=0x6cda)', 'ct(table=7,zone=1)', 'ct(commit,zone=1,table=3)', 'ct(commit,zone=NXM_NX_REG0[0..15])', 'ct(commit,exec(set_field:0x1->ct_mark))', 'ct(commit,exec(load:0x1->NXM_NX_CT_MARK[]))', 'ct(nat)', 'ct(commit,nat(src=10.0.0.1))', 'ct(table=9,nat)'),
  fc.constantFrom(
    'ct(commit,force,zone=1)',
    'ct(commit,exec(set_field:1->ct_mark,set_field:2->ct_label))',
    'ct(commit,exec(set_field:0x1/0x1->ct_mark))',
    'ct(commit,exec(set_field:0x1/0xff->ct_label))',
    'ct(commit,exec(load:1->NXM_NX_CT_LABEL[0..63]))',
    'ct(commit,nat(src=10.0.0.1-10.0.0.5:1000-2000,random))',
    'ct(commit,nat(src=10.0.0.1-10.0.0.2:100-200,random,persistent))',
    'ct(commit,nat(dst=10.0.0.1,hash))',
    'ct(commit,nat(dst=10.0.0.1:80))',
    'ct(commit,nat(src=10.0.0.1-10.0.0.1))',
    'ct(commit,nat(src=10.0.0.1:80-80))',
    'ct(commit,exec(set_field:1->ct_mark),nat(src=10.0.0.1))',
    'ct(commit,nat(src=10.0.0.1),exec(set_field:1->ct_mark))',
    'ct(commit,exec(set_field:1->ct_mark),nat)',
    'ct(table=3,zone=NXM_NX_REG0[0..15],nat,commit)',
    'clone(ct(commit),output:1)',
    // A learned flow matching the packet's IP destination: the source field needs IP.
    'learn(table=1,dl_type=0x800,NXM_OF_IP_DST[],fin_idle_timeout=5,fin_hard_timeout=10,output:NXM_OF_IN_PORT[])',
    'learn(table=1,dl_type=0x800,limit=10,result_dst=reg0[0],NXM_OF_IP_DST[])'
  )
)

/** Actions that need TCP (fin_timeout, the FTP helper) or any L4 protocol (mod_tp_*: tcp_src or udp_src by the match). */
const tcpAction = fc.constantFrom('fin_timeout(idle_timeout=10,hard_timeout=20)', 'fin_timeout(hard_timeout=0x14)', 'ct(commit,alg=ftp)')
const l4Action = u16.chain((v) => fc.constantFrom(`mod_tp_src:${v}`, `mod_tp_dst:0x${v.toString(16)}`, `set_field:${v}->tcp_dst`))
const udpAction = fc.oneof(u16.chain((v) => fc.constantFrom(`mod_tp_src:${v}`, `mod_tp_dst:${v}`)), fc.constant('ct(commit,alg=tftp)'))
/** Actions that need a VLAN tag in the match. */
const vlanAction = fc.integer({ min: 0, max: 4095 }).chain((v) => fc.constantFrom(`set_vlan_vid:${v}`, `set_vlan_pcp:${v % 8}`, `mod_vlan_vid:${v}`, `set_vlan_vid:${v},set_vlan_pcp:2`))
const vlanTail = fc.constantFrom('strip_vlan', 'pop_vlan', 'pop_vlan,mod_vlan_vid:4')
/** Actions that need MPLS. */
const mplsAction = fc.integer({ min: 0, max: 0xfffff }).chain((l) => fc.constantFrom(`set_mpls_label:${l}`, `set_mpls_label:0x${l.toString(16)}`, `set_mpls_tc:${l % 8}`, `set_mpls_ttl:${l % 256}`, `set_mpls_ttl:0x40`, 'dec_mpls_ttl'))
const mplsTail = fc.constantFrom('pop_mpls:0x0800', 'pop_mpls:2048', 'pop_mpls:0x86dd')
/** Last in an IP flow: actions that change the packet's type (after them, IP actions are refused). */
const ipTail = fc.oneof(
  fc.constantFrom('push_mpls:0x8847', 'push_mpls:0x8848', 'push_mpls:0x8847,mod_vlan_vid:3'),
  fc.integer({ min: 0, max: 0xfffff }).chain((l) => fc.constantFrom(`push_mpls:34887,set_mpls_label:${l}`, `push_mpls:0x8847,set_mpls_ttl:${l % 256}`)),
  fc.constantFrom('encap(ethernet)', 'encap(nsh(md_type=1))', 'encap(nsh(md_type=2,tlv(0x1000,10,0x12345678)))', 'encap(nsh)', 'encap(mpls)', 'encap(mpls_mc)', 'decap', 'decap()', 'decap(packet_type(ns=0,type=0))', 'decap(packet_type(ns=1,type=0x800))', 'decap(packet_type(ns=1,type=2048))')
)
/** Actions valid on an NSH packet (no Ethernet header). */
const nshAction = fc.oneof(fc.constant('dec_nsh_ttl'), port.map((p) => `output:${p}`), noteBytes.map((b) => `note:${b}`), regRef.chain((r) => fitting(r.width).map((v) => `load:${v}->${r.text}`)))

interface Context {
  /** The packet has a VLAN tag (the switch allows two tags at most). */
  tagged?: boolean
  /** Match items. */
  match: fc.Arbitrary<string>
  body: fc.Arbitrary<string>
  tail?: fc.Arbitrary<string>
  /** Only conjunction (and note) actions, no instructions. */
  alone?: boolean
  /** The whole action text (drop, nothing). */
  whole?: fc.Arbitrary<string>
}

const contexts: Context[] = [
  { match: fc.constantFrom('tcp', 'ip,nw_proto=6'), body: fc.oneof({ weight: 6, arbitrary: anyAction }, { weight: 3, arbitrary: ipAction }, { weight: 1, arbitrary: tcpAction }, { weight: 1, arbitrary: l4Action }), tail: ipTail },
  { match: fc.constantFrom('udp', 'ip,nw_proto=17'), body: fc.oneof({ weight: 4, arbitrary: anyAction }, { weight: 2, arbitrary: ipAction }, { weight: 1, arbitrary: udpAction }), tail: ipTail },
  { match: fc.constantFrom('ip', 'dl_type=0x0800'), body: fc.oneof({ weight: 4, arbitrary: anyAction }, { weight: 2, arbitrary: ipAction }), tail: ipTail },
  { tagged: true, match: fc.constantFrom('dl_vlan=5', 'ip,dl_vlan=7', 'vlan_tci=0x1000/0x1000'), body: fc.oneof({ weight: 3, arbitrary: anyAction }, { weight: 2, arbitrary: vlanAction }), tail: vlanTail },
  { match: fc.constantFrom('mpls', 'dl_type=0x8847', 'mpls,mpls_label=5'), body: fc.oneof({ weight: 2, arbitrary: anyAction.filter((a) => !a.startsWith('learn(') && !a.includes('mod_vlan') && !a.startsWith('multipath') && !a.startsWith('bundle')) }, { weight: 3, arbitrary: mplsAction }), tail: mplsTail },
  { match: fc.constant('packet_type=(1,0x894f)'), body: nshAction },
  {
    match: fc.constantFrom('ip', 'tcp'),
    body: fc.tuple(fc.integer({ min: 1, max: 0xffff }), fc.integer({ min: 2, max: 4 })).chain(([id, n]) => fc.integer({ min: 1, max: n }).chain((k) => fc.constantFrom(`conjunction(${id},${k}/${n})`, `conjunction(0x${id.toString(16)},${k}/${n})`, `conjunction(${id}, ${k}/${n})`))),
    alone: true
  },
  { match: fc.constantFrom('ip', 'arp', 'in_port=1'), body: fc.constant(''), whole: fc.constantFrom('drop', '', 'DROP') }
]

export interface GeneratedFlowActions {
  match: string
  actions: string
}

/**
 * A match and an action list for it in random spellings, then OpenFlow 1.3's instructions in the order it
 * requires (clear_actions, write_actions, write_metadata, goto_table), each there or not.
 */
export const generatedFlowActions: fc.Arbitrary<GeneratedFlowActions> = fc.constantFrom(...contexts).chain((c) =>
  c.whole ? fc.tuple(c.match, c.whole).map(([match, actions]) => ({ match, actions })) : fc
    .tuple(
      c.match,
      fc.array(c.body, { minLength: c.alone ? 1 : 0, maxLength: c.alone ? 2 : 5 }),
      c.tail ? fc.option(c.tail, { freq: 4, nil: undefined }) : fc.constant(undefined),
      fc.boolean(),
      fc.option(fc.constantFrom('write_actions(output:2,set_field:1->reg0)', 'write_actions(output:3)', 'write_actions()'), { nil: undefined }),
      fc.option(fc.constantFrom('write_metadata:5', 'write_metadata:0x5/0xff', 'write_metadata:0'), { nil: undefined }),
      fc.option(fc.integer({ min: 1, max: 250 }), { nil: undefined }),
      fc.boolean(),
      fc.option(noteBytes.map((b) => `note:${b}`), { freq: 3, nil: undefined })
    )
    .map(([match, list, tail, clear, write, metadata, goto, dropIfEmpty, note]) => {
      if (c.alone) return { match, actions: [...list, ...(note ? [note] : [])].join(',') }
      const all = [...list, ...(tail ? [tail] : []), ...(clear ? ['clear_actions'] : []), ...(write ? [write] : []), ...(metadata ? [metadata] : []), ...(goto === undefined ? [] : [`goto_table:${goto}`])]
      return { match, actions: all.length === 0 ? (dropIfEmpty ? 'drop' : '') : all.join(',') }
    })
    // At most two VLAN tags: one pushed by push_vlan, one by a mod_vlan_* on an untagged packet.
    .filter((f) => (f.actions.match(/push_vlan/g)?.length ?? 0) + (c.tagged ? 1 : 0) <= 1)
)

/** The vocabulary names of an action text's actions (output for "2", controller for CONTROLLER:65535). */
export function actionNamesIn(text: string): string[] {
  const names: string[] = []
  let depth = 0
  let start = 0
  const take = (s: string) => {
    const t = s.trim()
    if (t === '') return
    const m = /^[A-Za-z_0-9]+/.exec(t)
    const name = m ? m[0].toLowerCase() : t
    names.push(/^\d+$/.test(name) ? 'output' : name)
    // Nested lists count too (clone, write_actions, ct's exec).
    const open = t.indexOf('(')
    if (open > 0 && (name === 'clone' || name === 'write_actions')) names.push(...actionNamesIn(t.slice(open + 1, -1)))
  }
  for (let i = 0; i < text.length; i++) {
    const c = text[i]
    if (c === '(' || c === '[') depth++
    else if (c === ')' || c === ']') depth--
    else if (c === ',' && depth === 0) {
      take(text.slice(start, i))
      start = i + 1
    }
  }
  take(text.slice(start))
  return names
}
