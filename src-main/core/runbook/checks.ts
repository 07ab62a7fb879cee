import { parsedAs, type ParsedOutput } from '../parse/registry'
import type { CheckParam, CheckSpec } from './model'
import { sameHostName } from '../hosts/identity'

/** What a step produced: its exit code, raw text, and the parse of it. */
export interface StepEvidence {
  exitCode: number | null
  text: string
  parsed: ParsedOutput | null
  /** The capture that holds it (live or offline). */
  captureId: number | null
}

export interface CheckResult {
  expect: string
  pass: boolean
  /** Which data decided, in words. */
  reason: string
  /** Lines of the output that support the result; of another capture than the step's when `captureId` says so. */
  evidence: { line: number; text: string; captureId?: number }[]
  /** Values learned (a pod's node and IP, a HostSubnet's HostIP…), for later steps. */
  facts: Record<string, string>
}

const str = (p: CheckParam | undefined): string => (p === undefined ? '' : String(p))


const fail = (expect: string, reason: string, evidence: CheckResult['evidence'] = []): CheckResult => ({ expect, pass: false, reason, evidence, facts: {} })
const pass = (expect: string, reason: string, evidence: CheckResult['evidence'] = [], facts: Record<string, string> = {}): CheckResult => ({ expect, pass: true, reason, evidence, facts })

/** Items of a match written "ip,nw_dst=10.128.2.0/23" compared as a set against a flow's match items. */
function matchItems(text: string): string[] {
  return text.split(',').map((x) => x.trim()).filter(Boolean)
}

function noParse(expect: string, what: string): CheckResult {
  return fail(expect, `the output could not be read as ${what}`)
}

/** Evaluates one check whose params have their placeholders already filled in. Never throws. */
export function evaluateCheck(c: CheckSpec, params: Record<string, CheckParam>, ev: StepEvidence): CheckResult {
  const e = c.expect
  switch (c.type) {
    case 'exit': {
      const want = Number(params.equals ?? 0)
      return ev.exitCode === want ? pass(e, `exit code ${want}`) : fail(e, ev.exitCode === null ? 'the command did not complete' : `exit code ${ev.exitCode}, expected ${want}`)
    }
    case 'contains':
    case 'notContains': {
      const text = str(params.text)
      const lines = ev.text.split('\n')
      const hits = lines.map((l, i) => ({ line: i + 1, text: l })).filter((l) => l.text.includes(text))
      const found = hits.length > 0
      const ok = c.type === 'contains' ? found : !found
      return { expect: e, pass: ok, reason: found ? `"${text}" is in the output (line ${hits[0]?.line})` : `"${text}" is not in the output`, evidence: hits.slice(0, 5), facts: {} }
    }
    case 'matches': {
      // A regular expression written in the runbook (never from an input), tried on each line.
      let re: RegExp
      try {
        re = new RegExp(str(params.regex))
      } catch {
        return fail(e, `the runbook's pattern ${str(params.regex)} is not a valid regular expression`)
      }
      const lines = ev.text.split('\n')
      const i = lines.findIndex((l) => re.test(l))
      if (i < 0) return fail(e, `no line matches ${str(params.regex)}`)
      const m = re.exec(lines[i] as string)
      const facts = params.as && m?.[1] !== undefined ? { [str(params.as)]: m[1] } : {}
      return pass(e, `line ${i + 1}: ${(lines[i] as string).trim().slice(0, 200)}`, [{ line: i + 1, text: lines[i] as string }], facts)
    }
    case 'sysctl': {
      const values = parsedAs(ev.parsed, 'sysctl')?.values
      if (!values) return noParse(e, 'sysctl output')
      const key = str(params.key)
      const got = values[key]
      if (got === undefined) return fail(e, `${key} is not in the output`)
      return got === str(params.equals) ? pass(e, `${key} = ${got}`) : fail(e, `${key} = ${got}, expected ${str(params.equals)}`)
    }
    case 'pod': {
      const pods = parsedAs(ev.parsed, 'oc.get.pods')?.records
      if (!pods) return noParse(e, 'a pod list')
      const name = str(params.name)
      const ns = str(params.namespace)
      const hit = pods.find((p) => p.name === name && (!ns || !p.namespace || p.namespace === ns))
      if (!hit) return fail(e, `no pod ${name}${ns ? ` in namespace ${ns}` : ''} in the list`)
      const as = str(params.as)
      const ev1 = [{ line: hit.line, text: `${hit.namespace ?? ''} ${hit.name} ${hit.status ?? ''} ${hit.ip ?? ''} ${hit.node ?? ''}`.trim() }]
      if (hit.status && hit.status !== 'Running') return fail(e, `pod ${name} is ${hit.status}, not Running`, ev1)
      if (!hit.ip || !hit.node) return fail(e, `pod ${name} has no IP or node yet`, ev1)
      return pass(e, `pod ${name} runs on ${hit.node} with IP ${hit.ip}`, ev1, { [`${as}Node`]: hit.node, [`${as}IP`]: hit.ip, [`${as}Namespace`]: hit.namespace ?? ns })
    }
    case 'podOnNode': {
      // The daemonset pod of a node (sdn-…, ovs-…): by the NODE column, full or short host name.
      const pods = parsedAs(ev.parsed, 'oc.get.pods')?.records
      if (!pods) return noParse(e, 'a pod list')
      const hit = pods.find((p) => p.name.startsWith(str(params.prefix)) && p.node !== null && sameHostName(p.node, str(params.node)))
      if (!hit) return fail(e, `no ${str(params.prefix)}* pod runs on ${str(params.node)}`)
      return pass(e, `${hit.name} runs on ${hit.node}`, [{ line: hit.line, text: `${hit.name} ${hit.status ?? ''} ${hit.node}` }], { [str(params.as)]: hit.name })
    }
    case 'hostsubnet': {
      const subnets = parsedAs(ev.parsed, 'oc.get.hostsubnets')?.records
      if (!subnets) return noParse(e, 'a HostSubnet list')
      const node = str(params.node)
      const hit = subnets.find((s) => s.name === node || s.host === node)
      if (!hit) return fail(e, `no HostSubnet for node ${node}`)
      const as = str(params.as)
      return pass(e, `${node} has subnet ${hit.subnet} on HostIP ${hit.hostIP}`, [{ line: hit.line, text: `${hit.name} ${hit.host} ${hit.hostIP} ${hit.subnet}` }], {
        [`${as}Subnet`]: hit.subnet,
        [`${as}HostIP`]: hit.hostIP
      })
    }
    case 'flow': {
      const flows = parsedAs(ev.parsed, 'ovs-ofctl.dump-flows')?.flows
      if (!flows) return noParse(e, 'a flow dump')
      const table = Number(params.table)
      const want = matchItems(str(params.match))
      const actions = str(params.actions)
      const hits = flows.filter((f) => {
        if (f.table !== table) return false
        const items = matchItems(f.matchText)
        return want.every((w) => items.includes(w)) && (!actions || f.actionsText.includes(actions))
      })
      const present = params.expect !== 'absent'
      const evid = hits.slice(0, 5).map((f) => ({ line: f.line, text: f.text.trim() }))
      const what = `table ${table} flow${want.length ? ` matching ${want.join(',')}` : ''}${actions ? ` with actions containing ${actions}` : ''}`
      const facts: Record<string, string> = {}
      if (hits[0] && params.factField && params.as) {
        const item = matchItems(hits[0].matchText).find((x) => x.startsWith(`${str(params.factField)}=`))
        if (item) facts[str(params.as)] = item.slice(item.indexOf('=') + 1)
      }
      if (hits.length > 0) return { expect: e, pass: present, reason: `${hits.length} ${what}`, evidence: evid, facts }
      const near = flows.filter((f) => f.table === table).slice(0, 3).map((f) => ({ line: f.line, text: f.text.trim() }))
      return { expect: e, pass: !present, reason: `no ${what} (table ${table} has ${flows.filter((f) => f.table === table).length} flows)`, evidence: near, facts: {} }
    }
    case 'port': {
      const ports = parsedAs(ev.parsed, 'ovs-ofctl.dump-ports-desc')?.records
      if (!ports) return noParse(e, 'a port list')
      const name = str(params.name)
      const ofport = params.ofport === undefined ? null : Number(params.ofport)
      const hit = ports.find((p) => (!name || p.name === name) && (ofport === null || p.ofport === ofport))
      if (!hit) return fail(e, `no port${name ? ` named ${name}` : ''}${ofport !== null ? ` with number ${ofport}` : ''} on the bridge (${ports.length} ports)`)
      return pass(e, `port ${hit.ofport}(${hit.name})`, [{ line: hit.line, text: `${hit.ofport}(${hit.name})` }], params.as ? { [str(params.as)]: String(hit.ofport) } : {})
    }
    case 'route': {
      const routes = parsedAs(ev.parsed, 'ip.route')?.routes
      if (!routes) return noParse(e, 'a route table')
      const dst = str(params.destination)
      const dev = str(params.dev)
      const hit = routes.find((r) => r.destination === dst && (!dev || r.dev === dev))
      return hit ? pass(e, `route ${dst}${hit.dev ? ` dev ${hit.dev}` : ''}`, [{ line: hit.line, text: `${hit.destination} dev ${hit.dev ?? ''}` }]) : fail(e, `no route to ${dst}${dev ? ` on ${dev}` : ''} (${routes.length} routes)`)
    }
    case 'link': {
      const links = parsedAs(ev.parsed, 'ip.addr')?.links
      if (!Array.isArray(links)) return noParse(e, 'an interface list')
      const name = str(params.name)
      const hit = links.find((l) => l.name === name)
      if (!hit) return fail(e, `no interface ${name}`)
      const evid = [{ line: hit.line, text: `${hit.index}: ${hit.name} mtu ${hit.mtu ?? '?'} state ${hit.state ?? '?'}` }]
      if (params.up === true && !(hit.flags.includes('UP') || hit.state === 'UP' || hit.state === 'UNKNOWN')) return fail(e, `${name} is down`, evid)
      if (params.mtuAtMost !== undefined && (hit.mtu ?? Infinity) > Number(params.mtuAtMost)) return fail(e, `${name} has MTU ${hit.mtu}, more than ${params.mtuAtMost}`, evid)
      const addr = hit.addresses.find((a) => a.family === 'inet')
      return pass(e, `${name} mtu ${hit.mtu ?? '?'}${addr ? `, ${addr.address}/${addr.prefixLength}` : ''}`, evid, params.as && addr ? { [str(params.as)]: addr.address } : {})
    }
    case 'mtu': {
      // The tunnel's MTU must leave room for the VXLAN overhead on the interface that holds the node's HostIP.
      const links = parsedAs(ev.parsed, 'ip.addr')?.links
      if (!Array.isArray(links)) return noParse(e, 'an interface list')
      const hostIP = str(params.hostIP)
      const primary = links.find((l) => l.addresses.some((a) => a.address === hostIP))
      const tunnel = links.find((l) => l.name === str(params.tunnel))
      if (!primary) return fail(e, `no interface holds the HostIP ${hostIP}`)
      if (!tunnel) return fail(e, `no interface ${str(params.tunnel)}`)
      const overhead = Number(params.overhead ?? 50)
      const facts = { primaryIf: primary.name, primaryMtu: String(primary.mtu ?? ''), tunnelMtu: String(tunnel.mtu ?? '') }
      const evid = [primary, tunnel].map((l) => ({ line: l.line, text: `${l.index}: ${l.name} mtu ${l.mtu ?? '?'}` }))
      if (primary.mtu === null || tunnel.mtu === null) return { expect: e, pass: false, reason: 'an MTU is not shown', evidence: evid, facts }
      const ok = tunnel.mtu + overhead <= primary.mtu
      return { expect: e, pass: ok, reason: `${tunnel.name} mtu ${tunnel.mtu}, ${primary.name} (HostIP) mtu ${primary.mtu}: ${ok ? `${primary.mtu - tunnel.mtu} bytes left for VXLAN` : `only ${primary.mtu - tunnel.mtu} bytes for ${overhead} of VXLAN headers`}`, evidence: evid, facts }
    }
    case 'trace': {
      const t = parsedAs(ev.parsed, 'ovs-appctl.ofproto-trace')
      if (!t?.verdict) return noParse(e, 'an ofproto/trace')
      if (t.error) return fail(e, `the trace failed: ${t.error}`)
      const v = t.verdict
      if (params.reachesTable !== undefined) {
        // The OpenFlow walk, not the datapath: a VXLAN output can fail later for routing reasons outside br0.
        const table = Number(params.reachesTable)
        const want = str(params.actionContains)
        const steps = t.passes.flatMap((p) => p.steps).filter((st) => st.table === table)
        const act = steps.flatMap((st) => st.actions).find((a) => !want || a.text.includes(want))
        const after = v.failures.length ? ` (then: ${v.failures.join('; ')})` : ''
        if (steps.length === 0) return fail(e, `the walk never reaches table ${table}; it ends in table ${v.lastTable ?? '?'}${v.dropped ? ', dropped' : ''}`)
        if (!act) return fail(e, `table ${table} is reached but no action contains ${want}`, steps.map((st) => ({ line: st.line, text: `${st.table}. ${st.match ?? 'No match'}` })))
        return pass(e, `table ${table}: ${act.text}${after}`, [{ line: act.line, text: act.text }])
      }
      const port = params.port === undefined ? null : Number(params.port)
      const where = `table ${v.lastTable ?? '?'}`
      if (params.verdict === 'drop') return v.dropped ? pass(e, `dropped in ${where}`) : fail(e, `not dropped: output to port ${v.outputPorts.join(',') || '?'}`)
      if (v.dropped) return fail(e, `dropped in ${where}${v.failures.length ? ` (${v.failures.join('; ')})` : ''}`)
      if (port !== null && !v.outputPorts.includes(port)) return fail(e, `output to port ${v.outputPorts.join(',') || 'none'}, expected port ${port}`)
      return pass(e, `output to port ${v.outputPorts.join(',')}`)
    }
    case 'records': {
      const n = ev.parsed?.records ?? 0
      const min = params.min === undefined ? 1 : Number(params.min)
      return n >= min ? pass(e, `${n} records`) : fail(e, `${n} records, expected at least ${min}`)
    }
    case 'same': {
      const a = str(params.a)
      const b = str(params.b)
      return a === b ? pass(e, `both are ${a}`) : fail(e, `${a} is not ${b}`)
    }
  }
}
