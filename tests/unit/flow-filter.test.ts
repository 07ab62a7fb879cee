// The flow filter language on real and generated dumps: fields, match fields by any name, prefixes, SDN terms,
// words, errors with their place; and its speed on 100k flows (printed, not asserted: the bench's job).
import { describe, expect, it } from 'vitest'
import { flowWindow } from '../../src-main/core/capture/parsed-view'
import { compileFilter, type FilterContext } from '../../src-main/core/flows/filter'
import { parseDumpFlows } from '../../src-main/core/parse/ovs-dump-flows'
import { dumpText, sdnFlows } from '../helpers/flowgen'
import { sample } from '../helpers/samples'

const flows = parseDumpFlows(sample('lab/node1-dump-flows-of13.txt')).flows
const ctx: FilterContext = {
  nodes: [{ name: 'node2', hostIP: '10.200.0.2', subnet: '10.128.0.0/23' }],
  pods: [{ namespace: 'proj-a', name: 'web-1', ip: '10.128.0.2' }]
}
const pick = (text: string) => {
  const c = compileFilter(text, ctx)
  if ('message' in c) throw new Error(`${text}: ${c.message} at ${c.at}`)
  return flows.filter(c.test)
}

describe('the flow filter', () => {
  it('reads flow properties, match fields by any of their names, and prefixes', () => {
    expect(pick('table=90').every((f) => f.table === 90)).toBe(true)
    expect(pick('table=90 && priority=0').map((f) => f.priority)).toEqual([0])
    expect(pick('table=90 || table=50').every((f) => f.table === 90 || f.table === 50)).toBe(true)
    expect(pick('!(table>0)').every((f) => f.table === 0)).toBe(true)
    expect(pick('n_packets>0').every((f) => (f.packets ?? 0) > 0)).toBe(true)
    // ip_dst is nw_dst; a prefix takes the flows inside it.
    expect(pick('ip_dst=10.128.0.0/23').map((f) => f.table)).toEqual(pick('nw_dst=10.128.0.0/23').map((f) => f.table))
    expect(pick('nw_dst=10.128.0.0/23').length).toBeGreaterThan(0)
    expect(pick('nw_dst=10.128.0.0/14').length).toBeGreaterThan(pick('nw_dst=10.128.0.0/23').length)
    expect(pick('actions~tun_dst').every((f) => f.actionsText.includes('tun_dst'))).toBe(true)
    expect(pick('actions~tun_dst').length).toBeGreaterThan(0)
  })

  it('reads the openshift-sdn terms: a VNID, a node, a pod', () => {
    const vnid = pick('vnid=0xabcdef')
    expect(vnid.length).toBeGreaterThan(0)
    expect(vnid.every((f) => /0xabcdef/.test(`${f.matchCanon} ${f.actionsText}`))).toBe(true)
    const node = pick('node=node2')
    expect(node.some((f) => f.table === 90)).toBe(true)
    expect(node.every((f) => /10\.200\.0\.2|10\.128\.0\.0\/23/.test(f.text))).toBe(true)
    const pod = parseDumpFlows(sample('lab/node1-dump-flows-of13.txt')).flows.find((f) => f.table === 70 && f.priority === 100)
    const ip = /nw_dst=([0-9.]+)/.exec(pod?.matchCanon ?? '')?.[1] as string
    const c2 = compileFilter('pod=proj-a/web-1', { ...ctx, pods: [{ namespace: 'proj-a', name: 'web-1', ip }] })
    if ('message' in c2) throw new Error(c2.message)
    const byPod = flows.filter(c2.test)
    expect(byPod.length).toBeGreaterThan(0)
    expect(byPod.every((f) => f.text.includes(ip))).toBe(true)
  })

  it('keeps plain words as before, and says where a filter cannot be read', () => {
    expect(compileFilter('tun0 drop')).toMatchObject({ words: true })
    expect(compileFilter('table=x')).toEqual({ at: 0, message: 'table compares with a number, not "x"' })
    expect(compileFilter('table=90 && (priority=0')).toMatchObject({ message: 'a "(" is not closed' })
    expect(compileFilter('frobs=3')).toMatchObject({ at: 0, message: expect.stringContaining('not a flow property') })
    expect(compileFilter('node=node9', ctx)).toMatchObject({ message: 'no node "node9" in the case\'s HostSubnets' })
    expect(flowWindow(flows, { text: 'table=', offset: 0, limit: 10 }).filterError).not.toBeNull()
  })

  it('narrows 100k flows (timing printed)', () => {
    // The bench's table: about 100,000 flows.
    const big = parseDumpFlows(dumpText(sdnFlows({ pods: 23_000, nodes: 2_000, services: 1_971, seed: 1, multicastFanOut: 1_000 }), { duration: 100 })).flows
    expect(big.length).toBeGreaterThan(90_000)
    const times: number[] = []
    let total = 0
    for (const text of ['table=90 && n_packets>0', 'nw_dst=10.128.2.0/23', 'actions~tun_dst', 'vnid=0x3', 'table=70 && !(priority=0)', 'tun0 drop']) {
      const t0 = performance.now()
      total += flowWindow(big, { text, offset: 0, limit: 200 }).total
      times.push(performance.now() - t0)
    }
    times.sort((a, b) => a - b)
    console.log(`filter on ${big.length} flows: ${times.map((t) => t.toFixed(0)).join(', ')} ms (sorted), ${total} flows kept in all`)
    expect(total).toBeGreaterThan(0)
  })
})
