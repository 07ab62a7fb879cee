// A flow read with what the case knows: each match item and action of a br0 flow with its meaning in openshift-sdn
// terms — the VNID and its project, the pod or service behind an IP, the node behind a tun_dst or a subnet, the
// port name behind a number (and the number behind a name in a --names dump), the HostSubnet behind a cookie.
// Pure: the backend gathers the knowledge from the case's captures (node/capture/flow-knowledge.ts).
import { cidrContains, ipv4ToNumber, parseIPv4Cidr, type Ipv4Cidr } from '../net/address'
import { sdnTableById } from '../sdn/tables'
import { flowActions, matchFields, type Flow } from './flow'
import type { FlowAction } from './actions'

export interface FlowKnowledge {
  /** The node the dump is from. */
  node: string | null
  nodes: readonly { name: string; hostIP: string | null; subnet: string | null; cookie: string | null }[]
  pods: readonly { namespace: string | null; name: string; ip: string | null; node: string | null }[]
  services: readonly { namespace: string | null; name: string; clusterIP: string | null }[]
  projects: readonly { name: string; netid: number | null }[]
  /** This node's br0 ports: OpenFlow number and name, and the pod IP OVSDB records on the interface. */
  ports: readonly { ofport: number; name: string; podIP: string | null }[]
  clusterNetworks: readonly string[]
  serviceNetwork: string | null
}

export const emptyKnowledge: FlowKnowledge = { node: null, nodes: [], pods: [], services: [], projects: [], ports: [], clusterNetworks: [], serviceNetwork: null }

export interface FlowNote {
  /** The match item or action as written. */
  part: string
  /** What it means here; '' when nothing is known beyond the text. */
  meaning: string
  /** A table it continues in (goto_table, resubmit). */
  table?: number
}

export interface FlowExplanation {
  table: { id: number; name: string | null; purpose: string | null }
  cookie: string | null
  match: FlowNote[]
  actions: FlowNote[]
}

const fixedPorts: Record<number, string> = { 1: 'vxlan0', 2: 'tun0' }
const hex = (n: number) => `0x${n.toString(16)}`

/** Which register holds what in openshift-sdn's tables. */
const registerMeaning: Record<string, string> = { reg0: 'source VNID', reg1: 'destination VNID', reg2: 'output port' }

function ipv4FromNumber(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.')
}

export function explainFlow(f: Flow, k: FlowKnowledge): FlowExplanation {
  const t = sdnTableById.get(f.table)
  const networks = k.clusterNetworks.map((c) => parseIPv4Cidr(c)).filter((c): c is Ipv4Cidr => c !== null)
  const serviceNet = k.serviceNetwork ? parseIPv4Cidr(k.serviceNetwork) : null

  const project = (v: number): string => {
    if (v === 0) return 'VNID 0: the global projects (default and those made global)'
    const p = k.projects.filter((x) => x.netid === v).map((x) => x.name)
    return `VNID ${hex(v)}${p.length ? `: project ${p.join(', ')}` : ''}`
  }
  const portName = (n: number | string): string => {
    if (typeof n === 'string') {
      const byName = k.ports.find((p) => p.name === n)
      return byName ? `port ${byName.ofport}` : ''
    }
    const p = k.ports.find((x) => x.ofport === n)
    const name = p?.name ?? fixedPorts[n]
    const pod = p?.podIP ? k.pods.find((x) => x.ip === p.podIP) : undefined
    return [name ? `${name}` : null, pod ? `pod ${pod.namespace ? `${pod.namespace}/` : ''}${pod.name}` : p?.podIP ? `pod IP ${p.podIP}` : null].filter(Boolean).join(', ')
  }
  const nodeByIP = (ip: string) => k.nodes.find((n) => n.hostIP === ip)
  /** What an address or CIDR is in this cluster. */
  const address = (text: string): string => {
    const c = parseIPv4Cidr(text.includes('/') ? text : `${text}/32`)
    if (!c) return ''
    if (c.prefix === 32) {
      const ip = text.split('/')[0] as string
      const pod = k.pods.find((p) => p.ip === ip)
      if (pod) return `pod ${pod.namespace ? `${pod.namespace}/` : ''}${pod.name}${pod.node ? ` on ${pod.node}` : ''}`
      const svc = k.services.find((s) => s.clusterIP === ip)
      if (svc) return `service ${svc.namespace ? `${svc.namespace}/` : ''}${svc.name}`
      const node = nodeByIP(ip)
      if (node) return `node ${node.name} (its HostIP)`
      const sub = k.nodes.find((n) => n.subnet && inCidr(parseIPv4Cidr(n.subnet), ip))
      if (sub) return `in the subnet of ${sub.name}${ip === gatewayOf(sub.subnet) ? ' (its tun0 gateway)' : ''}`
      if (serviceNet && inCidr(serviceNet, ip)) return 'in the service network'
      if (networks.some((n) => inCidr(n, ip))) return 'in the cluster network'
      return ''
    }
    const sub = k.nodes.find((n) => n.subnet === c.text)
    if (sub) return `the pod subnet of ${sub.name}${sub.name === k.node ? ' (this node)' : ''}`
    if (k.serviceNetwork === c.text) return 'the service network'
    if (k.clusterNetworks.includes(c.text)) return 'the cluster network'
    return ''
  }

  const match: FlowNote[] = matchFields(f).map((m) => {
    const note = (meaning: string): FlowNote => ({ part: m.raw, meaning })
    switch (m.kind) {
      case 'ipv4': {
        if (m.name === 'tun_src' || m.name === 'tun_dst') {
          const n = nodeByIP(m.ipv4.text)
          return note(n ? `VXLAN ${m.name === 'tun_src' ? 'from' : 'to'} node ${n.name}` : `VXLAN ${m.name === 'tun_src' ? 'from' : 'to'} ${m.ipv4.text}, which is no node's HostIP`)
        }
        return note(address(m.ipv4.text))
      }
      case 'port':
        return note(m.name === 'in_port' ? portName(m.port) : '')
      case 'int': {
        const reg = registerMeaning[m.name]
        const v = Number(m.value)
        if (reg && Number.isFinite(v)) return note(m.name === 'reg2' ? `${reg} ${v}${portName(v) ? ` (${portName(v)})` : ''}` : `${reg}: ${project(v)}`)
        if ((m.name === 'tun_id' || m.name === 'tunnel_id') && Number.isFinite(v)) return note(`VXLAN VNID: ${project(v)}`)
        return note('')
      }
      default:
        return note('')
    }
  })

  const action = (a: FlowAction): FlowNote => {
    const note = (meaning: string, table?: number): FlowNote => ({ part: a.text, meaning, ...(table !== undefined ? { table } : {}) })
    switch (a.type) {
      case 'drop':
        return note('the packet is dropped here')
      case 'goto_table': {
        const to = sdnTableById.get(a.table)
        return note(`continue in table ${a.table}${to ? ` (${to.name})` : ''}`, a.table)
      }
      case 'resubmit':
        return a.table !== null ? note(`look the packet up in table ${a.table}${sdnTableById.get(a.table) ? ` (${sdnTableById.get(a.table)?.name})` : ''} and come back`, a.table) : note('')
      case 'output': {
        if (a.field) return note(/REG2|reg2/i.test(a.field) ? 'out to the port in reg2 (set by an earlier table)' : `out to the port in ${a.field}`)
        const name = portName(a.port)
        return note(`out to ${typeof a.port === 'number' ? `port ${a.port}` : a.port}${name ? ` (${name})` : ''}`)
      }
      case 'load':
      case 'set_field': {
        const dst = a.type === 'load' ? a.dst : a.field
        const value = a.value
        const n = Number(value)
        const reg = /^(?:NXM_NX_)?(REG[0-2]|reg[0-2])(?:\[\])?$/.exec(dst)?.[1]?.toLowerCase()
        if (reg && Number.isFinite(n)) {
          if (reg === 'reg2') return note(`output port := ${n}${portName(n) ? ` (${portName(n)})` : ''}`)
          return note(`${registerMeaning[reg]} := ${project(n)}`)
        }
        if (/^(tun_dst|NXM_NX_TUN_IPV4_DST)(\[\])?$/.test(dst)) {
          const ip = /^\d+\.\d+\.\d+\.\d+$/.test(value) ? value : Number.isFinite(n) ? ipv4FromNumber(n) : value
          const node = nodeByIP(ip)
          return note(node ? `send by VXLAN to node ${node.name}` : `send by VXLAN to ${ip}, which is no node's HostIP`)
        }
        if (/^(tun_id|NXM_NX_TUN_ID)(\[[^\]]*\])?$/.test(dst) && Number.isFinite(n)) return note(`VXLAN VNID := ${project(n)}`)
        if (/^(pkt_mark|NXM_NX_PKT_MARK)/.test(dst) && Number.isFinite(n)) return note(`mark for the egress IP SNAT rule (iptables sees mark ${hex(n)})`)
        return note('')
      }
      case 'move':
        if (/TUN_ID/.test(a.src) && /REG0/.test(a.dst)) return note('source VNID := the VXLAN VNID of the packet')
        if (/REG0/.test(a.src) && /TUN_ID/.test(a.dst)) return note('VXLAN VNID := the source VNID')
        return note('')
      case 'ct':
        return note(`conntrack${a.commit ? ' (commit)' : ''}${a.table !== null ? `, then table ${a.table}` : ''}${a.nat ? ', with NAT' : ''}`, a.table ?? undefined)
      case 'note':
        return note(f.table === 253 ? 'the SDN rule version and plugin note' : '')
      default:
        return note('')
    }
  }

  const owner = f.cookie !== '0x0' ? k.nodes.find((n) => n.cookie === f.cookie) : undefined
  return {
    table: { id: f.table, name: t?.name ?? null, purpose: t?.purpose ?? null },
    cookie: f.cookie === '0x0' ? null : owner ? `the HostSubnet of ${owner.name} (the first 8 hex digits of the SHA-256 of its UID)` : 'no HostSubnet this case knows',
    match,
    actions: flowActions(f).map(action)
  }
}

function inCidr(c: Ipv4Cidr | null, ip: string): boolean {
  const n = ipv4ToNumber(ip)
  return c !== null && n !== null && cidrContains(c, n)
}

/** The first address of a subnet: the node's tun0 gateway. */
function gatewayOf(subnet: string | null): string | null {
  const c = subnet ? parseIPv4Cidr(subnet) : null
  return c ? ipv4FromNumber((c.network + 1) >>> 0) : null
}
