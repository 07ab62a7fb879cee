import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { canonicalMatch, parseMatch } from '../../src-main/core/flows/match'
import { parseDumpFlows } from '../../src-main/core/parse/ovs-dump-flows'
import { dumpText, sdnFlows } from '../helpers/flowgen'
import { sample, sampleFiles } from '../helpers/samples'

// The parser keys flows with a fast canonicalizer; the typed parser defines the canonical form.
// They must agree on every match, or the diff would disagree with itself.
describe('fast canonical match agrees with the typed parser', () => {
  it('on every flow of every flow sample and a generated table', () => {
    const texts = [
      ...sampleFiles('lab', /flows.*\.txt$/).map(sample),
      ...sampleFiles('public', /flows|getpoddetails|dumpflows/).map(sample),
      dumpText(sdnFlows({ pods: 50, nodes: 10, services: 10 }))
    ]
    let n = 0
    for (const t of texts) {
      for (const f of parseDumpFlows(t).flows) {
        const items = f.matchText === '' ? [] : f.matchText.split(',')
        expect(canonicalMatch(items).canon, f.text).toBe(parseMatch(items).canon)
        n++
      }
    }
    expect(n).toBeGreaterThan(700)
  })

  it('on generated items in many spellings', () => {
    const octet = fc.integer({ min: 0, max: 255 })
    const ipv4 = fc.tuple(octet, octet, octet, octet).map((o) => o.join('.'))
    const value = fc.oneof(
      ipv4,
      fc.tuple(ipv4, fc.integer({ min: 0, max: 33 })).map(([a, p]) => `${a}/${p}`),
      fc.tuple(ipv4, ipv4).map(([a, m]) => `${a}/${m}`),
      fc.nat(70000).map(String),
      fc.nat(70000).map((n) => '0x' + n.toString(16)),
      fc.nat(70000).map((n) => '0x' + n.toString(16).toUpperCase().padStart(6, '0')),
      fc.constantFrom('00:00:0a:81:00:02', '0A:58:0A:81:00:02', '00:00:0a:81:00:02/00:00:ff:ff:ff:ff', 'tun0', '+trk+est', '007', '', 'x')
    )
    const name = fc.constantFrom('nw_src', 'nw_dst', 'arp_spa', 'arp_tpa', 'tun_src', 'in_port', 'reg0', 'reg3', 'tp_dst', 'tun_id', 'eth_dst', 'arp_sha', 'pkt_mark', 'ct_state', 'ip_frag', 'foo')
    const proto = fc.constantFrom([], ['ip'], ['arp'], ['tcp'], ['udp'])
    fc.assert(
      fc.property(proto, fc.array(fc.tuple(name, value), { maxLength: 5 }), (p, kv) => {
        const items = [...p, ...kv.map(([k, v]) => `${k}=${v}`)]
        expect(canonicalMatch(items).canon).toBe(parseMatch(items).canon)
      }),
      { numRuns: 3000 }
    )
  })
})
