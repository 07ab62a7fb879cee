// The tracer target (DESIGN.md section 4: 10,000 traces a second or more, in process): a large node's generated br0
// (250 local pods, 1,000 other nodes, 9,000 services: about 11,000 flows), one pod traced to every pod and service
// of the cluster it knows (10,000 destinations), and every pair of the node's 250 pods (62,500 traces). Medians.
import { parseDumpFlows } from '../../src-main/core/parse/ovs-dump-flows'
import { FlowTables, packetFromFlow, trace } from '../../src-main/core/trace/tracer'
import { dumpText, sdnFlows } from '../helpers/flowgen'

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number

export function benchTracer(runs = 3): void {
  const flows = parseDumpFlows(dumpText(sdnFlows({ pods: 250, nodes: 1000, services: 9000, seed: 3 }), { duration: 10 })).flows
  const built = performance.now()
  const tables = new FlowTables(flows)
  const buildMs = performance.now() - built
  const pods = flows.filter((f) => f.table === 20 && f.protocol === 'ip').map((f) => ({ port: /in_port=(\d+)/.exec(f.matchCanon)?.[1] as string, ip: /nw_src=([\d.]+)/.exec(f.matchCanon)?.[1] as string }))
  const remote = flows.filter((f) => f.table === 90 && f.priority === 100).map((f) => (/nw_dst=([\d.]+)/.exec(f.matchCanon)?.[1] as string).replace(/\.0$/, '.5'))
  const services = flows.filter((f) => f.table === 60 && f.priority === 100).map((f) => ({ ip: /nw_dst=([\d.]+)/.exec(f.matchCanon)?.[1] as string, port: /tp_dst=(\d+)/.exec(f.matchCanon)?.[1] as string }))
  const src = pods[0] as { port: string; ip: string }
  const dests = [...pods.map((p) => `ip,nw_dst=${p.ip}`), ...remote.map((ip) => `ip,nw_dst=${ip}`), ...services.map((s) => `tcp,nw_dst=${s.ip},tp_dst=${s.port}`)].slice(0, 10_000)
  const packets = dests.map((d) => packetFromFlow(`in_port=${src.port},nw_src=${src.ip},${d}`).packet)
  const pairs = pods.flatMap((a) => pods.map((b) => packetFromFlow(`in_port=${a.port},ip,nw_src=${a.ip},nw_dst=${b.ip}`).packet))
  const time = (list: typeof packets) => {
    const t0 = performance.now()
    for (const p of list) trace(tables, p)
    return performance.now() - t0
  }
  time(packets.slice(0, 500))
  const one = median(Array.from({ length: runs }, () => time(packets)))
  const all = median(Array.from({ length: runs }, () => time(pairs)))
  const rate = Math.round((packets.length / one) * 1000)
  console.log(`tracer: ${flows.length} flows indexed in ${buildMs.toFixed(0)} ms; one pod to ${packets.length} destinations ${one.toFixed(0)} ms (${rate.toLocaleString('en')} traces/s); all ${pairs.length} pod pairs ${(all / 1000).toFixed(2)} s (${Math.round((pairs.length / all) * 1000).toLocaleString('en')} traces/s)   (target >= 10,000 traces/s)  ${rate >= 10_000 ? 'MET' : 'MISSED'}`)
}
