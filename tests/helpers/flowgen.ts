// Deterministic openshift-sdn-style flow sets for tests and the benchmark: per-pod flows in tables
// 20/40/70, per-remote-node flows in 10/50/90, per-service flows in 60, the static skeleton, and
// mutations for "after" dumps. Flows are written either as dump-flows output or as add-flows files,
// optionally in varied but equivalent spellings (aliases, masks, decimal/hex, field order).

export interface GenFlow {
  table: number
  priority: number
  /** match items in canonical OVS order and spelling */
  match: string[]
  actions: string
  cookie: number
  packets: number
}

export function rng(seed: number): () => number {
  let s = seed >>> 0
  return () => {
    s = (s + 0x6d2b79f5) >>> 0
    let t = s
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

const ip = (n: number) => [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.')
const base = (10 << 24) | (128 << 16)

/** A node's flows: `pods` local pods, `nodes` remote nodes, `services` services. */
export function sdnFlows(opts: { pods: number; nodes: number; services: number; seed?: number; multicastFanOut?: number }): GenFlow[] {
  const r = rng(opts.seed ?? 1)
  const flows: GenFlow[] = []
  const add = (table: number, priority: number, match: string[], actions: string, cookie = 0) =>
    flows.push({ table, priority, match, actions, cookie, packets: Math.floor(r() * 1000) })
  const gw = '10.129.0.1'
  add(0, 250, ['ip', 'in_port=2', 'nw_dst=224.0.0.0/4'], 'drop')
  add(0, 200, ['arp', 'in_port=1', 'arp_spa=10.128.0.0/14', 'arp_tpa=10.129.0.0/23'], 'move:NXM_NX_TUN_ID[0..31]->NXM_NX_REG0[],goto_table:10')
  add(0, 200, ['ip', 'in_port=1', 'nw_src=10.128.0.0/14'], 'move:NXM_NX_TUN_ID[0..31]->NXM_NX_REG0[],goto_table:10')
  add(0, 200, ['ip', 'in_port=2'], 'goto_table:30')
  add(0, 150, ['in_port=1'], 'drop')
  add(0, 100, ['ip'], 'goto_table:20')
  add(0, 0, [], 'drop')
  add(10, 0, [], 'drop')
  add(20, 0, [], 'drop')
  add(21, 0, [], 'goto_table:30')
  add(30, 300, ['ip', `nw_dst=${gw}`], 'output:2')
  add(30, 300, ['ct_state=+rpl', 'ip', 'nw_dst=10.129.0.0/23'], 'ct(table=70,nat)')
  add(30, 200, ['ip', 'nw_dst=10.129.0.0/23'], 'goto_table:70')
  add(30, 100, ['ip', 'nw_dst=10.128.0.0/14'], 'goto_table:90')
  add(30, 100, ['ip', 'nw_dst=172.30.0.0/16'], 'goto_table:60')
  add(30, 0, ['ip'], 'goto_table:100')
  add(40, 0, [], 'drop')
  add(50, 0, [], 'drop')
  add(60, 200, ['reg0=0'], 'output:2')
  add(60, 0, [], 'drop')
  add(70, 0, [], 'drop')
  add(80, 300, ['ip', `nw_src=${gw}`], 'output:NXM_NX_REG2[]')
  add(80, 200, ['reg0=0'], 'output:NXM_NX_REG2[]')
  add(80, 0, [], 'drop')
  add(90, 0, [], 'drop')
  add(100, 300, ['udp', 'tp_dst=4789'], 'drop')
  add(100, 0, [], 'goto_table:101')
  add(101, 0, [], 'output:2')
  add(25, 0, [], 'drop')
  add(110, 0, [], 'drop')
  // Table 111: multicast to every other node, one set_field per HostIP (sorted), as the SDN writes it.
  // OpenFlow caps a flow's actions at 64 KB, about 2,000 of these pairs: a bench at that scale lists fewer.
  const hostIps = Array.from({ length: Math.min(opts.nodes, opts.multicastFanOut ?? opts.nodes) }, (_, n) => ip((10 << 24) | (200 << 16) + (n + 2))).sort()
  add(111, 100, [], `${hostIps.length ? `move:NXM_NX_REG0[]->NXM_NX_TUN_ID[0..31],${hostIps.map((h) => `set_field:${h}->tun_dst,output:1`).join(',')},` : ''}goto_table:120`)
  add(120, 0, [], 'drop')
  add(253, 32768, [], 'note:02.07.00.00.00.00')
  for (let i = 0; i < opts.pods; i++) {
    const a = ip(base + 0x10000 + i + 2)
    const port = 3 + i
    const vnid = '0x' + (0x100000 + (i % 4096)).toString(16)
    const sha = `00:00:${a.split('.').map((x) => Number(x).toString(16).padStart(2, '0')).join(':')}/00:00:ff:ff:ff:ff`
    add(20, 100, ['arp', `in_port=${port}`, `arp_spa=${a}`, `arp_sha=${sha}`], `load:${vnid}->NXM_NX_REG0[],goto_table:21`)
    add(20, 100, ['ip', `in_port=${port}`, `nw_src=${a}`], `load:${vnid}->NXM_NX_REG0[],goto_table:21`)
    add(40, 100, ['arp', `arp_tpa=${a}`], `output:${port}`)
    add(70, 100, ['ip', `nw_dst=${a}`], `load:${vnid}->NXM_NX_REG1[],load:0x${port.toString(16)}->NXM_NX_REG2[],goto_table:80`)
  }
  for (let n = 0; n < opts.nodes; n++) {
    const hostIp = ip((10 << 24) | (200 << 16) + (n + 2))
    const subnet = `${ip(base + 0x20000 + n * 512)}/23`
    const cookie = (0x1000 + n) >>> 0
    add(10, 100, [`tun_src=${hostIp}`], 'goto_table:30', cookie)
    add(50, 100, ['arp', `arp_tpa=${subnet}`], `move:NXM_NX_REG0[]->NXM_NX_TUN_ID[0..31],set_field:${hostIp}->tun_dst,output:1`, cookie)
    add(90, 100, ['ip', `nw_dst=${subnet}`], `move:NXM_NX_REG0[]->NXM_NX_TUN_ID[0..31],set_field:${hostIp}->tun_dst,output:1`, cookie)
  }
  for (let s = 0; s < opts.services; s++) {
    const cip = ip((172 << 24) | (30 << 16) + s + 10)
    const vnid = '0x' + (0x100000 + (s % 4096)).toString(16)
    add(60, 100, ['tcp', `nw_dst=${cip}`, `tp_dst=${8000 + (s % 1000)}`], `load:${vnid}->NXM_NX_REG1[],load:0x2->NXM_NX_REG2[],goto_table:80`)
  }
  return flows
}

/** The "after" side: removes, adds, changes actions and cookies of `count` flows in total. */
export function mutate(flows: readonly GenFlow[], count: number, seed = 7): GenFlow[] {
  const r = rng(seed)
  const out = flows.map((f) => ({ ...f, packets: f.packets + (r() < 0.3 ? Math.floor(r() * 500) : 0) }))
  const removed = new Set<number>()
  for (let i = 0; i < count; i++) {
    const idx = Math.floor(r() * out.length)
    const f = out[idx] as GenFlow
    if (removed.has(idx) || f.table === 253) continue
    const kind = i % 4
    if (kind === 0) removed.add(idx)
    else if (kind === 1) out[idx] = { ...f, actions: f.actions === 'drop' ? 'output:2' : 'drop' }
    else if (kind === 2) out[idx] = { ...f, cookie: f.cookie + 0x42 }
    else out.push({ table: 20, priority: 300, match: ['ip', `in_port=${9000 + i}`, `nw_src=10.131.${i % 250}.${(i * 7) % 250}`], actions: 'drop', cookie: 0, packets: 0 })
  }
  return out.filter((_, i) => !removed.has(i))
}

export function dumpText(flows: readonly GenFlow[], opts: { duration?: number; perPart?: number } = {}): string {
  const per = opts.perPart ?? 545
  const parts: string[] = []
  flows.forEach((f, i) => {
    if (i % per === 0) parts.push(`OFPST_FLOW reply (OF1.3) (xid=0x2):${flows.length - i > per ? ' flags=[more]' : ''}`)
    const d = ((opts.duration ?? 100) - i / 100000).toFixed(3)
    const prio = f.priority === 32768 ? '' : `priority=${f.priority}${f.match.length ? ',' : ' '}`
    const m = f.match.join(',')
    parts.push(` cookie=0x${f.cookie.toString(16)}, duration=${d}s, table=${f.table}, n_packets=${f.packets}, n_bytes=${f.packets * 98}, ${prio}${m}${m ? ' ' : ''}actions=${f.actions}`)
  })
  return parts.join('\n') + '\n'
}

/** Equivalent respellings ovs-ofctl accepts, so file-vs-file diffs test canonicalization. */
function respell(item: string, r: () => number): string {
  const [k, v] = item.split('=') as [string, string | undefined]
  if (v === undefined) return item === 'tcp' && r() < 0.5 ? 'dl_type=0x0800,nw_proto=6' : item
  if (/^(nw_src|nw_dst|arp_tpa|arp_spa)$/.test(k) && v.endsWith('/23') && r() < 0.5) return `${k}=${v.slice(0, -3)}/255.255.254.0`
  if (k === 'tp_dst' && r() < 0.5) return `tcp_dst=${v}`
  if (k === 'reg0' && r() < 0.5) return `reg0=0x0`
  return item
}

function respellActions(actions: string, r: () => number): string {
  return actions
    .replace(/load:(0x[0-9a-f]+)->/g, (m, h: string) => (r() < 0.5 ? `load:${parseInt(h, 16)}->` : m))
    .replace(/ct\(table=70,nat\)/, 'ct(nat,table=70)')
    .replace(/^output:(\d+)$/, (m, p: string) => (r() < 0.5 ? p : m))
}

export function addFlowsText(flows: readonly GenFlow[], opts: { respell?: boolean; seed?: number } = {}): string {
  const r = rng(opts.seed ?? 3)
  return (
    flows
      .map((f) => {
        let match = f.match
        let actions = f.actions
        if (opts.respell) {
          match = match.map((m) => respell(m, r))
          if (match.length > 2 && r() < 0.5) match = [...match].reverse()
          actions = respellActions(actions, r)
        }
        const head = [`table=${f.table}`, ...(f.priority === 32768 ? [] : [`priority=${f.priority}`]), ...(f.cookie ? [`cookie=0x${f.cookie.toString(16)}`] : [])]
        return [...head, ...match, `actions=${actions}`].join(opts.respell && r() < 0.5 ? ', ' : ',')
      })
      .join('\n') + '\n'
  )
}

/** The pods and HostSubnets that sdnFlows() programmed, as `oc get` would list them. */
export function sdnInventory(opts: { pods: number; nodes: number }): { pods: string; hostSubnets: string } {
  const pods = ['NAMESPACE   NAME        READY   STATUS    RESTARTS   AGE   IP            NODE']
  for (let i = 0; i < opts.pods; i++) pods.push(`ns${i % 7}        pod-${i}    1/1     Running   0          1d    ${ip(base + 0x10000 + i + 2)}   node0`)
  const hs = ['NAME    HOST    HOST IP        SUBNET          EGRESS CIDRS   EGRESS IPS', 'node0   node0   10.200.0.1     10.129.0.0/23   []             []']
  for (let n = 0; n < opts.nodes; n++) hs.push(`node${n + 1}   node${n + 1}   ${ip((10 << 24) | (200 << 16) + (n + 2))}   ${ip(base + 0x20000 + n * 512)}/23   []   []`)
  return { pods: pods.join('\n') + '\n', hostSubnets: hs.join('\n') + '\n' }
}
