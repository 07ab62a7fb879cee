// Redacting a case's text (core/redact/redact-text.ts): every address and name in every encoding is replaced in one
// pass, the forms are kept so parsers read the result as they read the original, and the flow diff of redacted dumps
// is the diff of the originals.
import { describe, expect, it } from 'vitest'
import { parseCapture } from '../../src-main/core/capture/parsed-view'
import { diffFlows } from '../../src-main/core/flows/diff'
import { parseOutput, parsedAs, type ParserId, type ParserOutputs } from '../../src-main/core/parse/registry'
import { checkNode } from '../../src-main/core/sdn/checks'
import { Pseudonyms } from '../../src-main/core/redact/pseudonyms'
import { namePseudonyms, Redactor } from '../../src-main/core/redact/redact-text'
import { hmacPrf } from '../../src-main/node/redact/prf'
import { sample } from '../helpers/samples'

const p = new Pseudonyms(hmacPrf(new Uint8Array(32).fill(3)), { hostBits: 9 })
const names = namePseudonyms([
  { kind: 'host', name: 'node1' },
  { kind: 'host', name: 'node2' },
  { kind: 'domain', name: 'example.com' }
])
const r = new Redactor(p, names)
const flows = (cmd: string, text: string) => parsedAs(parseCapture(cmd, text), 'ovs-ofctl.dump-flows')!
// Not the case's: loopback, link-local, the unspecified and broadcast addresses, the multicast range itself.
const kept = /^(127\.|0\.0\.0\.0$|255\.255\.255\.255$|169\.254\.|224\.0\.0\.0$)/

/** Every IPv4 of a text that redaction must hide, in the forms it can take. */
function leaks(original: string, redacted: string): string[] {
  const ips = new Set([...original.matchAll(/(?<![\d.])\d{1,3}(?:\.\d{1,3}){3}(?![\d]|\.\d)/g)].map((m) => m[0]).filter((ip) => !kept.test(ip)))
  const out: string[] = []
  for (const ip of ips) {
    const o = ip.split('.').map(Number)
    const forms = [ip, `ip-${o.join('-')}`, `0x${(((o[0]! << 24) | (o[1]! << 16) | (o[2]! << 8) | o[3]!) >>> 0).toString(16)}`, o.map((b) => b.toString(16).padStart(2, '0')).join(':')]
    for (const f of forms) if (new RegExp(`(?<![\\w.:-])${f.replace(/\./g, '\\.')}(?![\\w:]|\\.\\d)`).test(redacted)) out.push(`${ip} as ${f}`)
  }
  return out
}

describe('redacting text', () => {
  it('a flow dump: no address left in any form, the same flows parsed, the diff of two redacted dumps is the original diff', () => {
    const a = sample('lab/node1-dump-flows-of13.txt')
    const b = sample('lab/sdn-flows-modified.txt')
    const ra = r.redact(a)
    expect(ra).not.toBe(a)
    expect(leaks(a, ra)).toEqual([])
    const fa = flows('ovs-ofctl -O OpenFlow13 dump-flows br0', a)
    const fra = flows('ovs-ofctl -O OpenFlow13 dump-flows br0', ra)
    expect(fra.diagnostics).toEqual(fa.diagnostics)
    expect(fra.flows.map((f) => [f.table, f.priority])).toEqual(fa.flows.map((f) => [f.table, f.priority]))
    const ob = sample('lab/sdn-flows.txt')
    const d = diffFlows(flows('ovs-ofctl dump-flows br0', ob).flows, flows('ovs-ofctl dump-flows br0', b).flows)
    const rd = diffFlows(flows('ovs-ofctl dump-flows br0', r.redact(ob)).flows, flows('ovs-ofctl dump-flows br0', r.redact(b)).flows)
    expect(rd.totals).toEqual(d.totals)
  })

  it('ip addr, iptables and ovs-vsctl show: nothing left, parsed alike', () => {
    for (const [cmd, file] of [
      // OpenFlow 1.0: tunnel destinations in hex (load:0xac80002->NXM_NX_TUN_IPV4_DST[]).
      ['ovs-ofctl dump-flows br0', 'lab/hostns-dump-flows-of10.txt'],
      ['ip addr show', 'lab/node1-ip-addr.txt'],
      ['ip route', 'lab/node1-ip-route.txt'],
      ['iptables-save -c', 'lab/node1-iptables-save-counters.txt'],
      ['ovs-vsctl show', 'lab/node1-ovs-vsctl-show.txt'],
      ['ovs-vsctl --format=json list Interface', 'lab/node1-list-interface.json']
    ] as const) {
      const text = sample(file)
      const red = r.redact(text)
      expect(leaks(text, red), file).toEqual([])
      const a = parseCapture(cmd, text)!
      const b = parseCapture(cmd, red)!
      expect([b.records, b.diagnostics.length], file).toEqual([a.records, a.diagnostics.length])
    }
  })

  it('each encoding follows the same map: CIDR, interface address, pod MAC, masked arp_sha, hex, marks, dashed and PTR names, IPv6, names', () => {
    const pod = p.ipv4('10.128.2.5')!
    const hex = `0x${(pod.split('.').reduce((n, o) => n * 256 + Number(o), 0)).toString(16)}`
    const macTail = pod.split('.').map((o) => Number(o).toString(16).padStart(2, '0')).join(':')
    const out = r.redact(
      [
        'nw_dst=10.128.2.0/23 inet 10.128.2.1/23 brd 10.128.3.255',
        'dl_dst=0a:58:0a:80:02:05 arp_sha=00:00:0a:80:02:05/00:00:ff:ff:ff:ff',
        'load:0xa800205->NXM_NX_TUN_IPV4_DST[] set_field:0xa800205->tun_dst pkt_mark=0xa800205 -m mark --mark 0xa800205',
        'ip-10-128-2-5.ec2.internal 5.2.128.10.in-addr.arpa',
        'node1.example.com node10 NODE2 fe80::1 fd01::5/64 127.0.0.1 reg0=0xabcdef version 3.11.0.1.2',
        // Looks like IPv6 at first, is not: the IPv4 in it is still replaced.
        'ab:cd:10.128.2.5'
      ].join('\n')
    )
    const lines = out.split('\n')
    expect(lines[0]).toBe(`nw_dst=${p.cidr4('10.128.2.0/23')} inet ${p.ipv4('10.128.2.1')}/23 brd ${p.ipv4('10.128.3.255')}`)
    expect(lines[0]).toMatch(/inet (\d+\.\d+\.\d+)\.1\/23/)
    expect(lines[1]).toBe(`dl_dst=0a:58:${macTail} arp_sha=00:00:${macTail}/00:00:ff:ff:ff:ff`)
    expect(lines[2]).toBe(`load:${hex}->NXM_NX_TUN_IPV4_DST[] set_field:${hex}->tun_dst pkt_mark=${hex} -m mark --mark ${hex}`)
    expect(lines[3]).toBe(`ip-${pod.replace(/\./g, '-')}.ec2.internal ${pod.split('.').reverse().join('.')}.in-addr.arpa`)
    expect(lines[5]).toBe(`ab:cd:${pod}`)
    expect(lines[4]).toBe(`node-01.domain-01.example node10 node-02 fe80::1 ${p.ipv6('fd01::5')}/64 127.0.0.1 reg0=0xabcdef version 3.11.0.1.2`)
  })

  it('names get stable readable pseudonyms, whatever the order they are given in', () => {
    const a = namePseudonyms([{ kind: 'host', name: 'b.x' }, { kind: 'host', name: 'a.x' }, { kind: 'user', name: 'alice' }])
    const b = namePseudonyms([{ kind: 'user', name: 'Alice' }, { kind: 'host', name: 'a.x' }, { kind: 'host', name: 'B.x.' }])
    expect([...a]).toEqual([...b].sort((x, y) => [...a.keys()].indexOf(x[0]) - [...a.keys()].indexOf(y[0])))
    expect(a.get('a.x')).toBe('node-01')
    expect(a.get('alice')).toBe('user-01')
  })
})

/** The lab's node1 captures, each text through `t` (the original, or redacted), one line of the dump dropped. */
function node1(t: (s: string) => string, drop: RegExp | null) {
  const parse = <K extends ParserId>(id: K, text: string): ParserOutputs[K] => parsedAs(parseOutput(id, t(text)), id)!
  const dump = sample('lab/node1-dump-flows-of13.txt').split('\n').filter((l) => !drop || !drop.test(l)).join('\n')
  const subnets = 'NAME    HOST    HOST IP      SUBNET          EGRESS CIDRS   EGRESS IPS\nnode1   node1   10.200.0.1   10.129.0.0/23   []             []\nnode2   node2   10.200.0.2   10.128.0.0/23   []             []\n'
  return checkNode({
    node: t('node1'),
    nodeIP: t('10.200.0.1'),
    flows: { source: 'flows', data: parse('ovs-ofctl.dump-flows', dump).flows },
    ports: { source: 'ports', data: parse('ovs-ofctl.dump-ports-desc', sample('lab/node1-dump-ports-desc-of13.txt')).records },
    interfaces: { source: 'ifaces', data: parse('ovs-vsctl.list', sample('lab/node1-list-interface.json')).records },
    links: { source: 'ip addr', data: parse('ip.addr', sample('lab/node1-ip-addr.txt')).links },
    routes: { source: 'ip route', data: parse('ip.route', sample('lab/node1-ip-route.txt')).routes },
    hostSubnets: { source: 'hostsubnets', data: parse('oc.get.hostsubnets', subnets).records }
  })
}

describe('Check SDN on redacted captures', () => {
  it('gives the same verdict as on the originals, finding for finding, with the subjects pseudonymous', () => {
    const same = (s: string) => s
    const red = (s: string) => r.redact(s)
    for (const drop of [null, /table=90, .*priority=100,ip,nw_dst=10\.128\.0\.0\/23/, /table=70, .*nw_dst=10\.129\.0\.3 /, /table=20, .*arp,in_port=3/, /table=0, .*priority=0 actions=drop/]) {
      const a = node1(same, drop)
      const b = node1(red, drop)
      if (drop) expect(a.findings.length, String(drop)).toBeGreaterThan(0)
      expect(b.findings.map((f) => f.id.split(':')[0]), String(drop)).toEqual(a.findings.map((f) => f.id.split(':')[0]))
      expect(b.ran).toEqual(a.ran)
      // The subject is the pseudonym of the original's (an address, or a node name).
      expect(b.findings.map((f) => f.id), String(drop)).toEqual(a.findings.map((f) => r.redact(f.id)))
      expect(leaks(a.findings.map((f) => f.title).join('\n'), b.findings.map((f) => f.title).join('\n'))).toEqual([])
    }
    expect(node1(same, null).findings).toEqual([])
  })
})
