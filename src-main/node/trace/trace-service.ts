// The offline tracer on the case's saved dumps: packets built from what the case knows (a pod's port and MAC from
// the node's own table 20, another node's HostIP and a project's VNID for VXLAN, a service's port), traced, the walk
// given its meaning (core/flows/explain.ts), a packet sent over VXLAN traced on on the destination node's newest
// dump when the case has one, and a reachability matrix of a node's pods.
import type { CaptureSummary, ReachabilityView, TraceEndpoint, TracePassView, TraceRunView, TraceStepView } from '../../contract'
import { explainFlow, type FlowKnowledge } from '../../core/flows/explain'
import type { Flow } from '../../core/flows/flow'
import { sameHostName } from '../../core/hosts/identity'
import { cidrContains, ipv4ToNumber, numberToIPv4, parseIPv4Cidr } from '../../core/net/address'
import { dumpForTrace, groupsOf } from './case-dumps'
import { parsedAs } from '../../core/parse/registry'
import { parseCapture } from '../../core/capture/parsed-view'
import { sdnTableById } from '../../core/sdn/tables'
import { printTrace } from '../../core/trace/print'
import { FlowTables, packetFromFlow, trace, type TraceNode } from '../../core/trace/tracer'
import { outputWords, traceVerdict } from '../../core/trace/verdict'
import { caseTopology, flowKnowledgeOf, withHostPortNumbers } from '../capture/flow-knowledge'
import { newestData } from '../capture/newest'
import { AppError } from '../store/app-error'
import type { CaseDb } from '../store/case-db'

interface Loaded {
  capture: CaptureSummary
  flows: readonly Flow[]
  tables: FlowTables
  knowledge: FlowKnowledge
}


const macOf = (ip: string) => ip.split('.').map((o) => Number(o).toString(16).padStart(2, '0')).join(':')
const field = (f: Flow, name: string) => new RegExp(`(?:^|,)${name}=([^,]+)`).exec(f.matchCanon)?.[1] ?? null

/** "443/TCP,8443/TCP" (oc get svc's PORT(S), node ports after a colon) as ports. */
function servicePorts(text: string | null): TraceEndpoint['ports'] {
  return (text ?? '')
    .split(',')
    .map((p) => /^(\d+)(?::\d+)?\/(TCP|UDP|SCTP)$/i.exec(p.trim()))
    .flatMap((m) => (m ? [{ port: Number(m[1]), protocol: (m[2] as string).toLowerCase() as 'tcp' | 'udp' | 'sctp' }] : []))
}

export class TraceService {
  private readonly cache = new Map<number, Loaded>()

  constructor(private readonly requireCase: () => CaseDb) {}

  caseClosing(): void {
    this.cache.clear()
  }

  private load(db: CaseDb, captureId: number): Loaded {
    const hit = this.cache.get(captureId)
    if (hit) return hit
    const capture = db.captures.get(captureId)
    if (capture.parserId !== 'ovs-ofctl.dump-flows') throw new AppError('invalid_input', `Capture #${captureId} (${capture.hostName}: ${capture.command}) is not a flow dump; the tracer reads an ovs-ofctl dump-flows of br0.`)
    const parsed = parsedAs(parseCapture(capture.command, db.captures.text(captureId), capture.parserId), 'ovs-ofctl.dump-flows')
    const flows = withHostPortNumbers(db, capture.hostName, parsed?.flows ?? [])
    if (flows.length === 0) throw new AppError('invalid_input', `Capture #${captureId} holds no flows to trace through.`)
    const loaded = { capture, flows, tables: new FlowTables(flows), knowledge: flowKnowledgeOf(db, capture) }
    if (this.cache.size >= 4) this.cache.delete(this.cache.keys().next().value as number)
    this.cache.set(captureId, loaded)
    return loaded
  }

  /** The pods with a port on this br0 (its table 20), by IP: the port. */
  private localPorts(l: Loaded): Map<string, number> {
    const out = new Map<string, number>()
    for (const f of l.flows) {
      if (f.table !== 20 || f.protocol !== 'ip') continue
      const ip = field(f, 'nw_src')
      const port = Number(field(f, 'in_port'))
      if (ip && Number.isInteger(port)) out.set(ip, port)
    }
    return out
  }

  endpoints(captureId: number): { node: string; endpoints: TraceEndpoint[] } {
    const db = this.requireCase()
    const l = this.load(db, captureId)
    const local = this.localPorts(l)
    const k = l.knowledge
    const services = newestData(db, 'oc.get.services')?.records ?? []
    const out: TraceEndpoint[] = []
    const seen = new Set<string>()
    for (const p of k.pods) {
      if (!p.ip || p.ip === 'None' || seen.has(p.ip)) continue
      seen.add(p.ip)
      const ns = p.namespace ? `${p.namespace}/` : ''
      out.push({ id: `pod:${ns}${p.name}`, kind: 'pod', label: `${ns}${p.name} (${p.ip}${p.node ? ` on ${p.node}` : ''})`, ip: p.ip, node: p.node, local: local.has(p.ip), ports: [] })
    }
    // Pods the flows know but no pod list names: this node's, then those of the other nodes' saved dumps.
    for (const [ip, port] of local) if (!seen.has(ip)) {
      seen.add(ip)
      out.push({ id: `pod:${ip}`, kind: 'pod', label: `${ip} (port ${port} on ${l.capture.hostName})`, ip, node: l.capture.hostName, local: true, ports: [] })
    }
    for (const p of caseTopology(db).pods) if (!seen.has(p.ip) && !sameHostName(p.node, l.capture.hostName)) {
      seen.add(p.ip)
      out.push({ id: `pod:${p.ip}`, kind: 'pod', label: `${p.ip} (${p.ofport !== null ? `port ${p.ofport} ` : ''}on ${p.node})`, ip: p.ip, node: p.node, local: false, ports: [] })
    }
    for (const s of services) {
      if (!s.clusterIP || !/^\d+\.\d+\.\d+\.\d+$/.test(s.clusterIP)) continue
      const ns = s.namespace ? `${s.namespace}/` : ''
      out.push({ id: `svc:${ns}${s.name}`, kind: 'service', label: `service ${ns}${s.name} (${s.clusterIP})`, ip: s.clusterIP, node: null, local: false, ports: servicePorts(s.ports) })
    }
    for (const n of k.nodes) if (n.hostIP) out.push({ id: `node:${n.name}`, kind: 'node', label: `node ${n.name} (${n.hostIP})`, ip: n.hostIP, node: n.name, local: sameHostName(n.name, l.capture.hostName), ports: [] })
    return { node: l.capture.hostName, endpoints: out }
  }

  private endpoint(all: readonly TraceEndpoint[], id: string): TraceEndpoint {
    const e = all.find((x) => x.id === id)
    if (e) return e
    const ip = /^ip:(\d{1,3}(?:\.\d{1,3}){3})$/.exec(id)?.[1]
    if (ip) return { id, kind: 'ip', label: ip, ip, node: null, local: false, ports: [] }
    throw new AppError('not_found', `The case knows no ${id}: pick a pod, service or node from the list, or give an address as ip:A.B.C.D.`)
  }

  /** The packet from `from` to `to` in ofproto/trace's flow syntax, filled in from what the dump and the case say. */
  private packetFlow(l: Loaded, all: readonly TraceEndpoint[], fromId: string, toId: string, protocol?: string, port?: number): string {
    const from = this.endpoint(all, fromId)
    const to = this.endpoint(all, toId)
    const k = l.knowledge
    const local = this.localPorts(l)
    const svc = to.kind === 'service' ? (to.ports.find((p) => port === undefined || p.port === port) ?? to.ports[0]) : undefined
    const proto = protocol ?? svc?.protocol ?? 'tcp'
    // As ofproto/trace reads a packet: tp_src is TCP's; UDP and SCTP ports have their own names.
    const l4name = proto === 'tcp' ? 'tp' : proto
    const l4 = proto === 'tcp' || proto === 'udp' || proto === 'sctp' ? `,${l4name}_src=40000,${l4name}_dst=${port ?? svc?.port ?? 80}` : ''
    const own = k.nodes.find((n) => sameHostName(n.name, l.capture.hostName))
    const gatewayOf = (subnet: string | null) => {
      const c = subnet ? parseIPv4Cidr(subnet) : null
      return c ? numberToIPv4(c.network + 1) : null
    }
    let src: string
    if (from.kind === 'pod' && local.has(from.ip)) src = `in_port=${local.get(from.ip)},dl_src=0a:58:${macOf(from.ip)}`
    else if (from.kind === 'pod' || (from.kind === 'node' && !from.local)) {
      // From another node: over VXLAN, from that node's HostIP, with the source project's VNID.
      const node = k.nodes.find((n) => from.node !== null && sameHostName(n.name, from.node))
      if (!node?.hostIP) throw new AppError('not_found', `${from.label} is on ${from.node ?? 'an unknown node'}, whose HostSubnet the case does not hold: the VXLAN source is not known. Import oc get hostsubnets.`)
      // The source project's VNID: its NetNamespace, else what the source node's dump loads for the pod.
      const ns = from.id.startsWith('pod:') && from.id.includes('/') ? from.id.slice(4).split('/')[0] : undefined
      const fromDump = () => caseTopology(this.requireCase()).pods.find((p) => p.ip === from.ip && from.node !== null && sameHostName(p.node, from.node))?.vnid
      const vnid = from.kind === 'pod' ? (k.projects.find((p) => p.name === ns)?.netid ?? fromDump() ?? 0) : 0
      src = `in_port=1,tun_src=${node.hostIP},tun_dst=0.0.0.0,tun_id=0x${vnid.toString(16)}`
    } else src = 'in_port=2'
    const srcIp = from.kind === 'node' ? (gatewayOf((from.local ? own : k.nodes.find((n) => from.node !== null && sameHostName(n.name, from.node)))?.subnet ?? null) ?? from.ip) : from.ip
    const protoWord = proto === 'ip' ? 'ip' : proto
    return `${src.replace(',tun_dst=0.0.0.0', '')},${protoWord},nw_src=${srcIp},nw_dst=${to.ip}${proto === 'ip' || proto === 'icmp' ? '' : l4}`
  }

  run(input: { captureId: number; from?: string | undefined; to?: string | undefined; protocol?: string | undefined; port?: number | undefined; flow?: string | undefined; ctNext?: string[] | undefined; connection?: 'new' | 'reply' | undefined }): TraceRunView {
    const started = performance.now()
    const db = this.requireCase()
    const l = this.load(db, input.captureId)
    const flow = input.flow ?? this.packetFlow(l, this.endpoints(input.captureId).endpoints, input.from as string, input.to as string, input.protocol, input.port)
    const ctNext = input.ctNext?.length ? input.ctNext : input.connection === 'reply' ? Array.from({ length: 16 }, () => 'trk,est,rpl') : []
    const view = this.traceOn(db, l, flow, ctNext, 0)
    view.tookMs = Math.round(performance.now() - started)
    return view
  }

  private traceOn(db: CaseDb, l: Loaded, flow: string, ctNext: string[], hop: number): TraceRunView {
    const ports = new Map(l.knowledge.ports.map((p) => [p.name, p.ofport]))
    const { packet, problems } = packetFromFlow(flow, ports)
    if (problems.length) throw new AppError('invalid_input', `The packet cannot be traced: ${problems.join('; ')}.`)
    // Groups are read each time (a dump-groups capture may have come after the dump was loaded).
    const r = trace(l.tables, packet, { ctNext, groups: groupsOf(db, l.capture.hostName) })
    const names = this.names(l)
    const v = traceVerdict(r, names)
    const passes: TracePassView[] = r.passes.map((p, i) => ({
      recircId: p.recircId,
      ctState: p.ctState,
      steps: this.steps(l, p.nodes),
      branches: p.branches.map((b) => ({
        group: b.group,
        bucket: b.bucket,
        actions: b.nodes.filter((n) => n.type === 'action').map((n) => n.text),
        result: b.outputs.length ? b.outputs.map((o) => outputWords(o, names)).join('; ') : 'dropped',
        steps: this.steps(l, b.nodes)
      })),
      verdict: v.passes[i]?.text ?? '',
      kind: v.passes[i]?.kind ?? 'error'
    }))
    let continued: TraceRunView | null = null
    const out = r.passes.flatMap((p) => p.outputs).find((o) => o.tunnel)
    if (out && hop === 0) continued = this.continueOver(db, l, out.packet, ctNext)
    return {
      captureId: l.capture.id,
      node: l.capture.hostName,
      flow,
      ctNext,
      verdict: continued ? `${v.summary}; on ${continued.node}: ${continued.verdict.charAt(0).toLowerCase()}${continued.verdict.slice(1)}` : v.summary,
      passes,
      text: printTrace(r),
      continued,
      unmodelled: r.unmodelled.map((u) => `${u.action} (table ${u.table})`),
      ties: r.ties.map((t) => `table ${t.table}, priority ${t.priority}: ${t.flows.map((f) => `line ${f.line}`).join(', ')}`),
      tookMs: 0
    }
  }

  /** A packet sent over VXLAN, as it arrives on the node whose HostIP is its tun_dst, traced on that node's newest br0 dump. */
  private continueOver(db: CaseDb, l: Loaded, p: Map<string, bigint>, ctNext: string[]): TraceRunView | null {
    const ip = (n: bigint | undefined) => numberToIPv4(Number(n ?? 0n))
    const dst = ip(p.get('tun_dst'))
    const node = l.knowledge.nodes.find((n) => n.hostIP === dst)
    if (!node) return null
    const dump = dumpForTrace(db, node.name, 'br0')
    if (!dump) return null
    const own = l.knowledge.nodes.find((n) => sameHostName(n.name, l.capture.hostName))
    const proto = Number(p.get('nw_proto') ?? 0n)
    const l4name = proto === 6 ? 'tp' : proto === 17 ? 'udp' : 'sctp'
    const l4 = proto === 6 || proto === 17 || proto === 132 ? `,${l4name}_src=${p.get('tp_src') ?? 0n},${l4name}_dst=${p.get('tp_dst') ?? 0n}` : ''
    const word = (p.get('dl_type') ?? 0n) === 0x806n ? 'arp' : proto === 6 ? 'tcp' : proto === 17 ? 'udp' : proto === 132 ? 'sctp' : proto === 1 ? 'icmp' : 'ip'
    const flow = `in_port=1,tun_src=${own?.hostIP ?? '0.0.0.0'},tun_id=0x${(p.get('tun_id') ?? 0n).toString(16)},${word},nw_src=${ip(p.get('nw_src'))},nw_dst=${ip(p.get('nw_dst'))}${l4}`
    return this.traceOn(db, this.load(db, dump.id), flow, ctNext, 1)
  }

  private names(l: Loaded) {
    const k = l.knowledge
    return {
      port: (port: number) => {
        const p = k.ports.find((x) => x.ofport === port)
        const ip = p?.podIP ?? [...this.localPorts(l)].find(([, n]) => n === port)?.[0] ?? null
        const pod = ip ? k.pods.find((x) => x.ip === ip) : undefined
        return `port ${port}${p ? ` (${p.name})` : ''}${pod ? `, pod ${pod.namespace ? `${pod.namespace}/` : ''}${pod.name}` : ip ? `, ${ip}` : ''}`
      },
      address: (ip: string) => {
        const n = k.nodes.find((x) => x.hostIP === ip)
        return n ? `node ${n.name} (${ip})` : null
      },
      hostSubnet: (ip: string) => {
        const n = ipv4ToNumber(ip)
        const h = n === null ? undefined : k.nodes.find((x) => {
          const c = x.subnet ? parseIPv4Cidr(x.subnet) : null
          return c !== null && cidrContains(c, n)
        })
        return h ? `${h.name}'s HostSubnet ${h.subnet}${h.hostIP ? ` (HostIP ${h.hostIP})` : ''}` : null
      }
    }
  }

  /** The walk as rows: each table looked up, with its flow's meaning and each action's effects. */
  private steps(l: Loaded, nodes: readonly TraceNode[], depth = 0, out: TraceStepView[] = []): TraceStepView[] {
    nodes.forEach((n, i) => {
      if (n.type !== 'table' || n.table === undefined) return
      const f = n.flow ?? null
      const ex = f ? explainFlow(f, l.knowledge) : null
      const actions: TraceStepView['actions'] = []
      let ai = 0
      for (const s of n.subs) {
        if (s.type === 'action') {
          actions.push({ text: s.text, meaning: ex?.actions[ai]?.meaning ?? '', effects: [] })
          ai++
        } else if (s.type === 'detail' || s.type === 'warn' || s.type === 'error') actions.at(-1)?.effects.push(s.text)
        else if (s.type === 'bucket') {
          // A group's bucket: its actions under the group action, as effects.
          actions.at(-1)?.effects.push(`${s.text}: ${s.subs.filter((x) => x.type === 'action').map((x) => x.text).join(', ')}`)
        }
      }
      out.push({
        table: n.table,
        tableName: sdnTableById.get(n.table)?.name ?? null,
        depth,
        flowLine: f?.line ?? null,
        match: f ? f.matchCanon : null,
        priority: f?.priority ?? null,
        actions,
        matchMeaning: ex ? ex.match.filter((m) => m.meaning).map((m) => `${m.part}: ${m.meaning}`) : []
      })
      // A table in tail position (goto_table, a last resubmit) continues the walk; one in the middle is nested.
      this.steps(l, n.subs, i === nodes.length - 1 ? depth : depth + 1, out)
      for (const b of n.subs) if (b.type === 'bucket') this.steps(l, b.subs, depth + 1, out)
    })
    return out
  }

  /** A trace as a report embeds it: the text, the verdict, the dump lines of the flows it matched. */
  forReport(captureId: number, flow: string, ctNext: string[]): { node: string; verdict: string; text: string; lines: number[]; continued: { node: string; verdict: string; text: string } | null } {
    const v = this.run({ captureId, flow, ctNext })
    const lines = [...new Set(v.passes.flatMap((p) => p.steps.map((s) => s.flowLine)).filter((x): x is number => x !== null))].sort((a, b) => a - b)
    return { node: v.node, verdict: v.verdict, text: v.text, lines, continued: v.continued ? { node: v.continued.node, verdict: v.continued.verdict, text: v.continued.text } : null }
  }

  /** Every local pod of the dump's node to every pod and service the case knows (at most 60 x 300). */
  matrix(captureId: number): ReachabilityView {
    const started = performance.now()
    const db = this.requireCase()
    const l = this.load(db, captureId)
    const all = this.endpoints(captureId).endpoints
    const rows = all.filter((e) => e.kind === 'pod' && e.local).slice(0, 60)
    const columns = all.filter((e) => e.kind === 'pod' || e.kind === 'service').slice(0, 300)
    let failing = 0
    const out = rows.map((from) => ({
      from,
      cells: columns.map((to) => {
        if (to.id === from.id) return { to: to.id, kind: 'delivered' as const, verdict: 'itself' }
        try {
          const v = this.traceOn(db, l, this.packetFlow(l, all, from.id, to.id), [], 0)
          const end = v.continued ?? v
          const kind = end.passes.at(-1)?.kind ?? 'error'
          const ok = kind === 'delivered' || kind === 'tun0' || (kind === 'vxlan' && v.continued === null)
          if (!ok) failing++
          return { to: to.id, kind, verdict: v.verdict }
        } catch (err) {
          failing++
          return { to: to.id, kind: 'error' as const, verdict: err instanceof Error ? err.message : String(err) }
        }
      })
    }))
    return { captureId, node: l.capture.hostName, rows: out, columns, failing, tookMs: Math.round(performance.now() - started) }
  }
}
