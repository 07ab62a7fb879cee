// The ip parsers on fresh output of the real `ip`, in every form a bundle holds, from a namespace made here
// (veths, a Linux bridge, routes of every type, a second table, a multipath route, IPv6 with an MTU).
import { execFileSync } from 'node:child_process'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { parseIpAddr, parseIpRoute } from '../../src-main/core/parse/ip'

const ns = `sdnwb-ipt-${process.pid}`
const ip = (...args: string[]) => execFileSync('ip', ['-n', ns, ...args], { encoding: 'utf8' })

beforeAll(() => {
  execFileSync('ip', ['netns', 'add', ns])
  const setup = [
    'link set lo up',
    'link add d0 type veth peer name d1',
    'link add br9 type bridge',
    'link set d1 master br9',
    'link set d0 up',
    'link set d1 up',
    'link set br9 up',
    'addr add 10.77.0.1/24 dev d0',
    '-6 addr add fd77::1/64 dev d0 nodad',
    'route add unreachable 10.78.0.0/16',
    'route add blackhole 10.79.0.0/16',
    'route add prohibit 10.80.0.0/16',
    'route add throw 10.81.0.0/16',
    'route add 10.82.0.0/16 via 10.77.0.2 table 100',
    'route add anycast 10.77.0.0 dev d0 table local',
    'route add 10.83.0.0/16 nexthop via 10.77.0.2 weight 1 nexthop via 10.77.0.3 weight 2',
    '-6 route add fd78::/64 via fd77::2 mtu 1400',
    '-6 route add unreachable fd99::/64'
  ]
  for (const line of setup) ip(...line.split(' '))
})

afterAll(() => {
  execFileSync('ip', ['netns', 'del', ns])
})

describe('ip output of the real tool', () => {
  it('reads every form of ip addr / ip link without a diagnostic', () => {
    for (const args of [['addr'], ['-o', 'addr'], ['-o', 'link'], ['-s', 'link'], ['-s', '-s', 'link'], ['-d', 'addr'], ['-d', 'link'], ['-d', '-s', 'addr'], ['-j', 'addr'], ['-j', '-d', 'link']]) {
      const r = parseIpAddr(ip(...args))
      expect(r.diagnostics, args.join(' ')).toEqual([])
      expect(r.links.map((l) => l.name).sort(), args.join(' ')).toEqual(['br9', 'd0', 'd1', 'lo'].filter((n) => !args.includes('-o') || args.includes('link') || n !== 'br9'))
    }
    const oneLine = parseIpAddr(ip('-o', 'addr'))
    expect(oneLine.links.find((l) => l.name === 'd0')?.addresses.map((a) => `${a.address}/${a.prefixLength}`)).toEqual(expect.arrayContaining(['10.77.0.1/24', 'fd77::1/64']))
    expect(parseIpAddr(ip('-o', 'link')).links.find((l) => l.name === 'd0')).toMatchObject({ peer: 'd1', mtu: 1500, linkType: 'ether' })
    const stats = parseIpAddr(ip('-s', '-s', 'link')).links.find((l) => l.name === 'lo')?.stats
    expect(stats?.rx).toMatchObject({ bytes: expect.any(Number), packets: expect.any(Number), errors: 0, dropped: 0, 'errors.crc': 0 })
    expect(Object.keys(stats?.tx ?? {})).toEqual(expect.arrayContaining(['bytes', 'packets', 'carrier', 'errors.aborted']))
    const details = parseIpAddr(ip('-d', 'link')).links
    expect(details.find((l) => l.name === 'd1')).toMatchObject({ kind: 'veth', slaveOf: 'bridge', master: 'br9' })
    expect(details.find((l) => l.name === 'br9')).toMatchObject({ kind: 'bridge' })
    expect(parseIpAddr(ip('-j', '-d', 'link')).links.find((l) => l.name === 'd1')).toMatchObject({ kind: 'veth', slaveOf: 'bridge' })
  })

  it('reads route types, tables, errors, next hops and cache lines without a diagnostic', () => {
    const all = parseIpRoute(ip('route', 'show', 'table', 'all'))
    expect(all.diagnostics).toEqual([])
    const by = (d: string) => all.routes.find((r) => r.destination === d)
    expect(['unreachable', 'blackhole', 'prohibit', 'throw'].map((t) => all.routes.find((r) => r.type === t)?.destination)).toEqual(['10.78.0.0/16', '10.79.0.0/16', '10.80.0.0/16', '10.81.0.0/16'])
    expect(by('10.82.0.0/16')).toMatchObject({ via: '10.77.0.2', table: '100' })
    expect(all.routes.find((r) => r.type === 'anycast')).toMatchObject({ destination: '10.77.0.0', table: 'local' })
    expect(all.routes.find((r) => r.type === 'broadcast' && r.dev === 'd0')).toMatchObject({ destination: '10.77.0.255', table: 'local' })
    expect(by('10.83.0.0/16')?.nexthops).toEqual([
      { via: '10.77.0.2', dev: 'd0', weight: 1 },
      { via: '10.77.0.3', dev: 'd0', weight: 2 }
    ])
    const v6 = parseIpRoute(ip('-6', 'route', 'show', 'table', 'all'))
    expect(v6.diagnostics).toEqual([])
    expect(v6.routes.find((r) => r.destination === 'fd78::/64')).toMatchObject({ via: 'fd77::2', mtu: 1400, metric: 1024 })
    expect(v6.routes.find((r) => r.type === 'multicast')).toMatchObject({ destination: 'ff00::/8', table: 'local' })
    expect(v6.routes.find((r) => r.destination === 'fd99::/64')).toMatchObject({ type: 'unreachable' })
    const get = parseIpRoute(ip('route', 'get', '10.77.0.5'))
    expect(get.diagnostics).toEqual([])
    expect(get.routes).toEqual([expect.objectContaining({ destination: '10.77.0.5', dev: 'd0', source: '10.77.0.1', cache: [] })])
    const j = parseIpRoute(ip('-j', 'route', 'show', 'table', 'all'))
    expect(j.diagnostics).toEqual([])
    expect(j.routes.find((r) => r.destination === '10.83.0.0/16')?.nexthops).toHaveLength(2)
  })

  it('reads the forms real bundles hold that this kernel does not print', () => {
    // RHEL 7's iproute2 (3.10): the error of an unreachable IPv6 route, the cache line of ip route get.
    const old = parseIpRoute('unreachable fd99::/64 dev lo  metric 1024  error -113\n10.1.2.3 via 10.0.0.1 dev eth0  src 10.0.0.5 \n    cache  expires 540sec mtu 1450\n')
    expect(old.diagnostics).toEqual([])
    expect(old.routes[0]).toMatchObject({ type: 'unreachable', error: -113, metric: 1024 })
    expect(old.routes[1]?.cache).toEqual(['expires', '540sec', 'mtu', '1450'])
    const oldStats = parseIpAddr('2: eth0: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1450 qdisc mq state UP mode DEFAULT qlen 1000\n    link/ether 52:54:00:12:34:56 brd ff:ff:ff:ff:ff:ff\n    RX: bytes  packets  errors  dropped overrun mcast   \n    123456     789      0       1       0       0      \n    TX: bytes  packets  errors  dropped carrier collsns \n    654321     987      0       0       0       0      \n    openvswitch_slave \n')
    expect(oldStats.diagnostics).toEqual([])
    expect(oldStats.links[0]).toMatchObject({ stats: { rx: { bytes: 123456, packets: 789, dropped: 1 }, tx: { bytes: 654321 } }, slaveOf: 'openvswitch' })
  })
})
