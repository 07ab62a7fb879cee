import { readFileSync, readdirSync } from 'node:fs'
import { join, resolve } from 'node:path'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { collectorScript } from '../../src-main/core/capture/collector-script'
import type { CaptureCommand, CaptureSet } from '../../src-main/core/capture/capture-set'
import { classifyCommand, readOnlyProblem } from '../../src-main/core/shell/read-only'
import { parseCaptureSetYaml } from '../../src-main/node/capture/capture-sets'

const words = (line: string) => line.split(' ')

/** Every form that once got into a generated collector script and ran. */
const reported = [
  'ovs-vsctl show -- del-br br0',
  'ovs-ofctl -p dump-flows del-flows br0',
  'oc -n get delete pod router-1',
  'date -s 2020-01-01',
  'date --set=2020-01-01',
  'date 010100002030',
  'hostname x',
  'journalctl --vacuum-size=1K',
  'sysctl --load /tmp/evil.conf',
  'sysctl -f',
  'sysctl -p',
  'ethtool -X eth0 equal 1',
  '/tmp/x/cat /etc/passwd'
]

/** What each tool can be made to do that changes state. */
const mutations: Record<string, string[]> = {
  'ovs-ofctl': ['add-flow br0 actions=drop', 'del-flows br0', 'mod-flows br0 actions=drop', 'replace-flows br0 f', 'add-flows br0 f', 'add-group br0 group_id=1,type=all', 'del-groups br0', 'mod-port br0 1 down', 'mod-table br0 0 evict', 'packet-out br0 1 drop 00', 'ct-flush-zone br0 1', 'add-meter br0 meter=1', 'del-meters br0', 'bundle br0 f', 'dump-flows br0 table=0 extra'],
  'ovs-vsctl': ['del-br br0', 'add-br br1', 'set Interface vxlan0 type=internal', 'add-port br0 x', 'del-port br0 vxlan0', 'set-controller br0 tcp:1.2.3.4', 'del-controller br0', 'set-fail-mode br0 standalone', 'emer-reset', 'init', 'clear Bridge br0 flow_tables', 'destroy QoS q', 'create Port name=x', 'remove Bridge br0 ports x', 'add Bridge br0 ports x', '--id=@p create Port name=p', 'get Interface vxlan0 mtu=1', '--if-exists del-br br0'],
  'ovs-appctl': ['vlog/set dbg', 'fdb/flush', 'ofproto/trace br0 in_port=1 -generate', 'dpctl/del-flows', 'dpctl/flush-conntrack', 'bond/set-active-slave b0 eth1', 'exit', 'vlog/reopen', 'revalidator/purge', 'netdev-dummy/set-admin-state up'],
  'ovs-dpctl': ['del-flows', 'add-dp d', 'del-dp d', 'add-if d x', 'flush-conntrack'],
  ip: ['addr add 10.0.0.1/24 dev eth0', 'address del 10.0.0.1/24 dev eth0', 'addr flush dev eth0', 'route add default via 10.0.0.1', 'route del default', 'route replace default via 10.0.0.1', 'route flush cache', 'link set eth0 down', 'link add x type dummy', 'link del tun0', 'neigh add 10.0.0.1 lladdr 0:0:0:0:0:1 dev eth0', 'neigh flush all', 'netns add x', 'netns delete x', 'rule add from all table 5', '-batch /tmp/f', 'netns exec x ip link set lo down', 'tuntap add tun9 mode tun', 'xfrm state flush'],
  sysctl: ['-w net.ipv4.ip_forward=0', 'net.ipv4.ip_forward=0', '-p', '--load=/tmp/x', '-f /tmp/x', '--system', '-q -w x=1'],
  oc: ['delete pod x', 'apply -f x.yaml', 'edit svc x', 'patch svc x -p {}', 'create -f x', 'replace -f x', 'scale dc/x --replicas=0', 'label node x a=b', 'annotate pod x a=b', 'rollout restart dc/x', 'adm drain node1', 'adm cordon node1', 'adm uncordon node1', 'adm manage-node node1 --schedulable=false', 'adm manage-node node1 --list-pods --evacuate', 'adm diagnostics NetworkCheck', 'exec router-1 -- rm -rf /', 'exec router-1 -- sh -c id', 'rsh router-1', 'debug node/x', 'set env dc/x A=1', 'expose svc x', 'tag a b', 'cp x pod:/tmp/x', 'adm policy add-role-to-user admin x'],
  journalctl: ['--vacuum-size=1K', '--vacuum-time=1s', '--vacuum-files=1', '--rotate', '--flush', '--sync', '--setup-keys', '--relinquish-var', '--update-catalog'],
  date: ['-s now', '--set=2020-01-01', '010100002030'],
  hostname: ['x', '-F /tmp/name', '--file /tmp/name', '-b x'],
  ethtool: ['-X eth0 equal 1', '-K eth0 tso off', '-s eth0 speed 10', '-A eth0 rx off', '-G eth0 rx 1', '-L eth0 combined 1', '-E eth0 magic 0 offset 0 value 0', '-C eth0 rx-usecs 1', '-r eth0', '-f eth0 fw.bin', '--reset eth0 all', '-p eth0', '-i eth0 extra'],
  'iptables-save': ['-M /tmp/evil-modprobe', '--modprobe=/tmp/evil'],
  curl: ['-X POST http://x/', '-d a=b http://x/', '--data-binary @/etc/passwd http://x/', '-F f=@x http://x/', '-T /etc/passwd http://x/', '-o /tmp/out http://x/', '-O http://x/f', '-K /tmp/config', '-c /tmp/jar http://x/', 'file:///etc/shadow', '--request DELETE http://x/'],
  tail: ['--pid'],
  cat: ['-z /etc/passwd']
}

/** Read-only forms the same way the generator writes them, so refusing everything cannot pass. */
const reads: Record<string, string[]> = {
  'ovs-ofctl': ['dump-flows br0', '-O OpenFlow13 dump-flows br0', '--names --no-stats dump-flows br0 table=0', 'show br0', 'dump-ports-desc br0', '--sort=priority dump-flows br0'],
  'ovs-vsctl': ['show', '--format=json list Interface', 'list-br', 'get Interface vxlan0 ofport', '--columns=name,ofport list Interface', 'show -- list-br'],
  'ovs-appctl': ['ofproto/trace br0 in_port=1,ip,nw_src=10.128.0.2,nw_dst=10.128.2.3', 'dpif/show', '-t ovs-vswitchd version', 'fdb/show br0'],
  ip: ['addr show', '-d link show vxlan_sys_4789', 'route get 10.0.0.1', '-o addr', 'route', '-j -s link', 'a', 'r show table all', 'netns list', 'neigh show dev eth0'],
  sysctl: ['net.ipv4.ip_forward', '-a', '-n net.ipv4.ip_forward'],
  oc: ['get pods --all-namespaces -o wide', '-n openshift-sdn logs sdn-abc --since=2h', 'get hostsubnets -o json', 'describe node node1', '-n x exec pod-1 -- getent hosts example.com', 'adm manage-node node1 --list-pods'],
  journalctl: ['-u atomic-openshift-node --since -2h --no-pager', '--boot --no-pager', '-b -1 -u x', '_SYSTEMD_UNIT=ovs-vswitchd.service'],
  date: ['', '+%s', '-u', '--iso-8601=seconds'],
  hostname: ['', '-f', '--short'],
  ethtool: ['eth0', '-i eth0', '-S eth0', '-k eth0'],
  'iptables-save': ['', '-t nat', '-c'],
  curl: ['-ksS -o /dev/null --max-time 10 -w %{http_code} http://10.0.0.1:8080/', '-sv --max-time 10 telnet://10.0.0.1:80', '-kv https://example.com/'],
  tail: ['-n 5000 /var/log/openvswitch/ovs-vswitchd.log'],
  cat: ['/proc/sys/net/ipv4/ip_forward', '-A /etc/hosts']
}

/** Ways a command is run by another, each of which must leave the verdict as it was. */
const wrappers = [(c: string[]) => c, (c: string[]) => ['sudo', '-n', '--', ...c], (c: string[]) => ['timeout', '30', ...c], (c: string[]) => ['oc', '-n', 'openshift-sdn', 'exec', 'ovs-x1', '--', ...c], (c: string[]) => ['ip', 'netns', 'exec', 'pod-ns', ...c], (c: string[]) => ['chroot', '/host', ...c], (c: string[]) => [`/usr/bin/${c[0]}`, ...c.slice(1)]]

function argvOf(tool: string, rest: string): string[] {
  return [tool, ...(rest === '' ? [] : words(rest))]
}

function setOf(commands: string[][]): CaptureSet {
  return {
    id: 'generated',
    title: 'generated',
    version: 1,
    description: '',
    commands: commands.map((argv, i): CaptureCommand => ({ id: `c${i}`, title: argv.join(' '), on: 'node', argv, sudo: false, ovs: false, timeoutSeconds: 5 }))
  }
}

describe('read-only classifier', () => {
  it('refuses every form that got into a collector script, and the script leaves each out, listed', () => {
    for (const line of reported) expect(readOnlyProblem(words(line)), line).not.toBeNull()
    const s = collectorScript(setOf(reported.map(words)), { generatedAt: 'now', version: 't' })
    expect(s.leftOut).toHaveLength(reported.length)
    for (const [i, line] of reported.entries()) {
      expect(s.leftOut[i], line).toMatch(new RegExp(`^c${i}: `))
      expect(s.script).not.toContain(`run c${i} `)
    }
    expect(s.leftOut.join('\n')).toMatch(/c0: ovs-vsctl: del-br is not one of its read-only commands/)
    expect(s.leftOut.join('\n')).toMatch(/c1: ovs-ofctl: option -p is not known to be read-only/)
    expect(s.leftOut.join('\n')).toMatch(/c2: oc: delete is not one of its read-only verbs/)
    expect(s.leftOut.join('\n')).toMatch(/c12: \/tmp\/x\/cat: a program outside the system's folders/)
  })

  it('refuses generated mutations in every spelling and wrapper, and accepts the generated reads', () => {
    const seed = Number(process.env.SDNWB_SEED ?? Date.now() % 100_000)
    const tool = fc.constantFrom(...Object.keys(mutations))
    const mutation = tool.chain((t) => fc.tuple(fc.constant(t), fc.constantFrom(...(mutations[t] as string[])), fc.integer({ min: 0, max: wrappers.length - 1 })))
    const read = fc.constantFrom(...Object.keys(reads)).chain((t) => fc.tuple(fc.constant(t), fc.constantFrom(...(reads[t] as string[])), fc.integer({ min: 0, max: wrappers.length - 1 })))
    try {
      fc.assert(
        fc.property(mutation, ([t, m, w]) => {
          const argv = (wrappers[w] as (c: string[]) => string[])(argvOf(t, m))
          expect(classifyCommand(argv).readOnly, argv.join(' ')).toBe(false)
        }),
        { seed, numRuns: 2000 }
      )
      fc.assert(
        fc.property(read, ([t, r, w]) => {
          const argv = (wrappers[w] as (c: string[]) => string[])(argvOf(t, r))
          const v = classifyCommand(argv)
          expect(v, argv.join(' ')).toEqual({ readOnly: true })
        }),
        { seed, numRuns: 1000 }
      )
    } catch (err) {
      throw new Error(`seed ${seed} (SDNWB_SEED=${seed} reruns it): ${(err as Error).message}`)
    }
    // Every mutation, spelled plainly, is left out of a collector script and listed there.
    const all = Object.entries(mutations).flatMap(([t, ms]) => ms.map((m) => argvOf(t, m)))
    const s = collectorScript(setOf(all), { generatedAt: 'now', version: 't' })
    expect(s.leftOut).toHaveLength(all.length)
  })

  it('a value-taking option never hides the real subcommand', () => {
    expect(readOnlyProblem(['ovs-ofctl', '-O', 'del-flows', 'dump-flows', 'br0'])).toBeNull() // -O takes "del-flows": the verb is dump-flows
    expect(readOnlyProblem(['ovs-ofctl', '-O', 'OpenFlow13', 'del-flows', 'br0'])).toMatch(/del-flows is not one of its read-only subcommands/)
    expect(readOnlyProblem(['oc', '-n', 'get', 'delete', 'pod', 'x'])).toMatch(/delete is not one of its read-only verbs/)
    expect(readOnlyProblem(['oc', '--namespace=get', 'delete', 'pod', 'x'])).toMatch(/delete/)
    expect(readOnlyProblem(['journalctl', '-u', '--vacuum-size=1K'])).toBeNull() // a unit named so: only read
    expect(readOnlyProblem(['ovs-vsctl', '--format', 'show', 'del-br', 'br0'])).toMatch(/del-br/)
  })

  it('proves every command of the shipped capture sets read-only', () => {
    const dir = resolve(__dirname, '../../resources/capture-sets')
    for (const f of readdirSync(dir).filter((x) => x.endsWith('.yaml'))) {
      const r = parseCaptureSetYaml(readFileSync(join(dir, f), 'utf8'))
      if ('problems' in r) throw new Error(`${f}: ${r.problems.join('; ')}`)
      for (const c of r.set.commands) expect(readOnlyProblem(c.argv.map((a) => a.replace(/\{\w+\}/g, 'x'))), `${f} ${c.id}`).toBeNull()
    }
  })
})
