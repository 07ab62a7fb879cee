// Offline, a step whose command the case has no output of (`oc get pods -o wide`, `oc get hostsubnets`) can still
// be answered when the nodes' saved br0 dumps say what its checks need: where a pod runs and its port (a pod given
// by its IP, as a dumps-only case knows pods), a node's subnet and HostIP (core/sdn/dump-topology.ts). Each answer
// cites the flow it was read from. A check the dumps cannot answer makes the step unanswerable, with the reason;
// the engineer then imports the output or marks the step as not checkable. Pure.
import { sameHostName } from '../hosts/identity'
import { isIPv4 } from '../net/address'
import { nodeOfAddress, type DumpRef, type DumpTopology } from '../sdn/dump-topology'
import type { CheckResult } from './checks'
import { runChecks, type RunState } from './engine'
import type { CheckParam, CheckSpec, Runbook } from './model'

const str = (p: CheckParam | undefined): string => (p === undefined ? '' : String(p))
const cite = (r: DumpRef) => ({ line: r.line, text: `${r.node}: ${r.text}`, captureId: r.captureId })

/** One check answered from the dumps, or why the dumps cannot answer it. */
export function checkFromDumps(c: CheckSpec, params: Record<string, CheckParam>, t: DumpTopology): CheckResult | string {
  const e = c.expect
  const dumps = t.nodes.map((n) => n.name).join(', ') || 'none'
  switch (c.type) {
    case 'pod': {
      const name = str(params.name)
      const as = str(params.as)
      if (!isIPv4(name)) return `the case has no pod list (oc get pods -o wide) to find pod ${name} in; its saved br0 dumps know pods by IP: start the run with the pod's IP in place of its name`
      // The node whose br0 has the pod's own flows (table 20: its port and source address); else one with any of its flows.
      const all = t.pods.filter((p) => p.ip === name)
      const hit = all.find((p) => p.from.some((r) => /\btable=20\b/.test(r.text))) ?? all.find((p) => nodeOfAddress(t, p.ip)?.name === p.node) ?? all[0]
      if (!hit) {
        const owner = nodeOfAddress(t, name)
        return owner
          ? `no flow of ${name} in the saved br0 dump of ${owner.name}, whose subnet ${owner.subnet} holds it: the pod is not set up there, or not running; import oc get pods -o wide to tell`
          : `no saved br0 dump (${dumps}) has flows for ${name} or holds it in its node's subnet: import the dump of the pod's node or oc get pods -o wide`
      }
      const ns = str(params.namespace)
      const port = hit.ofport !== null ? `port ${hit.ofport}` : 'a port'
      return {
        // Not the runbook's "is Running": what the dumps can tell.
        expect: `${name} has flows on a node's br0`,
        pass: true,
        reason: `${name} has ${port} on ${hit.node}'s br0${hit.vnid !== null ? ` (VNID ${hit.vnid}, 0x${hit.vnid.toString(16)} in its flows)` : ''}, by its saved dump; whether the pod is Running is not known without a pod list`,
        evidence: hit.from.slice(0, 3).map(cite),
        facts: { [`${as}Node`]: hit.node, [`${as}IP`]: name, [`${as}Namespace`]: ns }
      }
    }
    case 'hostsubnet': {
      const node = str(params.node)
      const as = str(params.as)
      const n = t.nodes.find((x) => sameHostName(x.name, node))
      if (!n) return `the case has no HostSubnets (oc get hostsubnets) and no saved br0 dump of ${node} (dumps of: ${dumps}) to read its subnet from`
      if (!n.subnet || !n.subnetFrom) return `${node}'s saved br0 dump has no table 30 flow for its own subnet (ip,nw_dst=<subnet> actions=goto_table:70)`
      if (!n.hostIP || !n.hostIPFrom) return `${node}'s HostIP is in no saved dump: no other node's table 90 sends its subnet ${n.subnet} to it, and its own table 100 has no DNS flow; import oc get hostsubnets`
      return {
        expect: e,
        pass: true,
        reason: `${node} has subnet ${n.subnet} (its table 30) on HostIP ${n.hostIP} (${n.hostIPFrom.node === n.name ? 'its own table 100' : `${n.hostIPFrom.node}'s table 90`}), by the saved dumps`,
        evidence: [cite(n.subnetFrom), cite(n.hostIPFrom)],
        facts: { [`${as}Subnet`]: n.subnet, [`${as}HostIP`]: n.hostIP }
      }
    }
    default:
      return `a ${c.type} check is not answered by flow dumps`
  }
}

/**
 * The current step answered from the dumps: the evaluator to apply it with and the dumps it cites, or why it cannot
 * be (the first check the dumps cannot answer). A step without checks, or whose checks read other outputs, is not.
 */
export function stepFromDumps(rb: Runbook, state: RunState, t: DumpTopology): { evaluate: (c: CheckSpec, params: Record<string, CheckParam>) => CheckResult; captureIds: number[] } | { problem: string } {
  const s = state.current === null ? undefined : rb.steps.find((x) => x.id === state.current)
  if (!s || s.checks.length === 0 || !s.checks.every((c) => c.type === 'pod' || c.type === 'hostsubnet')) return { problem: 'its checks read other outputs than flow dumps' }
  if (t.nodes.length === 0) return { problem: 'the case holds no br0 dump either' }
  let problem: string | null = null
  const evaluate = (c: CheckSpec, params: Record<string, CheckParam>): CheckResult => {
    const r = checkFromDumps(c, params, t)
    if (typeof r !== 'string') return r
    problem ??= r
    return { expect: c.expect, pass: false, reason: r, evidence: [], facts: {} }
  }
  const { results } = runChecks(rb, state, evaluate)
  if (problem !== null) return { problem }
  const captureIds = [...new Set(results.flatMap((r) => r.evidence.flatMap((x) => (x.captureId === undefined ? [] : [x.captureId]))))]
  return { evaluate, captureIds }
}
