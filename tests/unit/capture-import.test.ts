import { execFileSync } from 'node:child_process'
import { createWriteStream, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { pipeline } from 'node:stream/promises'
import { createGzip } from 'node:zlib'
import tar from 'tar-stream'
import { describe, expect, it } from 'vitest'
import { collectorScript } from '../../src-main/core/capture/collector-script'
import { readOnlyProblem } from '../../src-main/core/shell/read-only'
import { shellQuote } from '../../src-main/core/shell/quote'
import { detectLayout, inferFromFileName, mapSosreport, parseCollectorManifest, sosHostName } from '../../src-main/core/capture/import-map'
import { parseCaptureSetYaml } from '../../src-main/node/capture/capture-sets'
import { importCaptures, previewImport } from '../../src-main/node/capture/import/importer'
import { sample } from '../helpers/samples'
import { useTempCase } from '../helpers/temp-case'

const c = useTempCase()

const flows = sample('lab/node1-dump-flows-of13.txt')
const ipAddr = sample('lab/node1-ip-addr.txt')

/** A tar(.gz) built entry by entry, so hostile archives can be made on purpose. */
async function makeTar(path: string, entries: { name: string; body?: string; type?: 'file' | 'symlink' | 'directory'; linkname?: string }[], gzip = true): Promise<void> {
  const pack = tar.pack()
  for (const e of entries) {
    if (e.type === 'symlink') pack.entry({ name: e.name, type: 'symlink', linkname: e.linkname ?? '/etc/passwd' })
    else if (e.type === 'directory') pack.entry({ name: e.name, type: 'directory' })
    else pack.entry({ name: e.name }, e.body ?? '')
  }
  pack.finalize()
  if (gzip) await pipeline(pack, createGzip(), createWriteStream(path))
  else await pipeline(pack, createWriteStream(path))
}

function sosTree(dir: string): void {
  const root = join(dir, 'sosreport-node1-2026-11-25-abcdef')
  mkdirSync(join(root, 'sos_commands/openvswitch'), { recursive: true })
  mkdirSync(join(root, 'sos_commands/networking'), { recursive: true })
  mkdirSync(join(root, 'sos_commands/yum'), { recursive: true })
  mkdirSync(join(root, 'var/log/openvswitch'), { recursive: true })
  writeFileSync(join(root, 'hostname'), 'node1.example.com\n')
  writeFileSync(join(root, 'sos_commands/openvswitch/ovs-ofctl_-O_OpenFlow13_dump-flows_br0'), flows)
  writeFileSync(join(root, 'sos_commands/networking/ip_-d_address'), ipAddr)
  writeFileSync(join(root, 'sos_commands/yum/yum_list_installed'), 'bash.x86_64\n')
  writeFileSync(join(root, 'var/log/openvswitch/ovs-vswitchd.log'), '2026-11-25T10:00:00Z|00001|vlog|INFO|opened log file\n')
  symlinkSync('/etc/shadow', join(root, 'sos_commands/networking/evil-link'))
}

describe('import mapping', () => {
  it('recognises layouts and sos command names', () => {
    expect(detectLayout([{ path: 'sosreport-x/sos_commands/networking/ip_route', size: 1, kind: 'file' }])).toEqual({ layout: 'sosreport', root: 'sosreport-x' })
    expect(detectLayout([{ path: 'sdnwb-n1-1/manifest.tsv', size: 1, kind: 'file' }])).toEqual({ layout: 'collector', root: 'sdnwb-n1-1' })
    expect(detectLayout([{ path: 'a/b.txt', size: 1, kind: 'file' }]).layout).toBe('files')
    expect(mapSosreport('sos_commands/openvswitch/ovs-ofctl_-O_OpenFlow13_dump-flows_br0')).toEqual({ command: 'ovs-ofctl -O OpenFlow13 dump-flows br0', commandId: null, unmapped: false })
    // sos turns " " and "_" alike into "_": only a command the plugin runs maps the name back.
    expect(mapSosreport('sos_commands/openvswitch/ovs-vsctl_list_Open_vSwitch')).toMatchObject({ command: 'ovs-vsctl list Open_vSwitch', unmapped: false })
    expect(mapSosreport('sos_commands/openvswitch/ovs-vsctl_-t_5_get_Open_vSwitch_._other_config')).toMatchObject({ command: 'ovs-vsctl -t 5 get Open_vSwitch . other_config' })
    expect(mapSosreport('sos_commands/networking/ethtool_-S_eth0')).toMatchObject({ command: 'ethtool -S eth0' })
    expect(mapSosreport('sos_commands/networking/ip_netns_exec_qrouter-1_ip_route_show_table_all')).toMatchObject({ command: 'ip netns exec qrouter-1 ip route show table all' })
    expect(mapSosreport('sos_commands/origin/oc_--config_.etc.origin.master.admin.kubeconfig_get_-o_json_hostsubnet')).toMatchObject({ command: 'oc --config=/etc/origin/master/admin.kubeconfig get -o json hostsubnet' })
    expect(mapSosreport('sos_commands/openvswitch/ovs-appctl_fdb.show_br0')).toMatchObject({ command: 'ovs-appctl fdb/show br0' })
    expect(mapSosreport('sos_commands/networking/some_new_command_x')).toEqual({ command: 'some_new_command_x', commandId: null, unmapped: true })
    expect(mapSosreport('sos_commands/yum/yum_list')).toEqual({ skip: 'sos plugin "yum" is not about the network' })
    expect(sosHostName(null, 'sosreport-node7.example.com-2026-11-25-abc')).toBe('node7.example.com')
    expect(sosHostName('node1\n', 'x')).toBe('node1')
    expect(inferFromFileName('node1-dump-flows-of13.txt')).toEqual({ hostName: 'node1', command: 'ovs-ofctl -O OpenFlow13 dump-flows br0' })
    expect(inferFromFileName('infra-2_ip-route.txt')).toEqual({ hostName: 'infra-2', command: 'ip route' })
    expect(inferFromFileName('ovs-vsctl_-t_5_show')).toEqual({ hostName: null, command: 'ovs-vsctl -t 5 show' })
    expect(inferFromFileName('holiday.jpg')).toEqual({ hostName: null, command: null })
  })

  it('reads a collector manifest and says what is wrong with a bad one', () => {
    const m = parseCollectorManifest('# sdn-workbench-collector 1\n# host: node1\n# set: openshift-sdn\nip-addr\t0\t1000000000\t1050000000\tip addr show\nbroken line\n')
    expect(m.meta).toMatchObject({ host: 'node1', set: 'openshift-sdn' })
    expect(m.records).toEqual([{ id: 'ip-addr', file: 'ip-addr', host: null, exitCode: 0, startedNs: 1e9, finishedNs: 1.05e9, command: 'ip addr show' }])
    expect(m.problems).toEqual([{ line: 5, message: expect.stringMatching(/tab-separated/) }])
    expect(parseCollectorManifest('hello').problems[0]!.message).toMatch(/not a collector manifest/)
    // Format 2: a host column (whose state a -p run collected), and numbered files per node.
    const m2 = parseCollectorManifest('# sdn-workbench-collector 2\n# host: master1\nip-addr\t0\t1\t2\tmaster1\tip addr show\novs-dump-flows.2\t0\t3\t4\tnode2.example.com\toc -n openshift-sdn exec ovs-abc -- ovs-ofctl dump-flows br0\nx\t0\t1\t2\t\tno host\n')
    expect(m2.records.map((r) => [r.id, r.file, r.host, r.command])).toEqual([
      ['ip-addr', 'ip-addr', 'master1', 'ip addr show'],
      ['ovs-dump-flows', 'ovs-dump-flows.2', 'node2.example.com', 'oc -n openshift-sdn exec ovs-abc -- ovs-ofctl dump-flows br0']
    ])
    expect(m2.problems).toEqual([{ line: 5, message: expect.stringMatching(/host, command/) }])
  })
})

describe('collector script', () => {
  const set = (() => {
    const r = parseCaptureSetYaml(readFileSync(resolve(__dirname, '../../resources/capture-sets/openshift-sdn.yaml'), 'utf8'))
    if ('problems' in r) throw new Error(r.problems.join())
    return r.set
  })()

  it('holds only read-only commands and is valid POSIX sh', () => {
    const s = collectorScript(set, { generatedAt: 'now', version: 'test' })
    const f = join(c.dir, 'c.sh')
    writeFileSync(f, s.script)
    execFileSync('sh', ['-n', f])
    expect(s.script).toContain("run ovs-dump-flows 120 1 'ovs-ofctl -O OpenFlow13 dump-flows br0' ovs-ofctl -O OpenFlow13 dump-flows br0")
    expect(s.leftOut).toEqual([])
    // -p: the OVS commands through each node's ovs pod, the SDN log from its sdn pod.
    expect(s.script).toContain('podrun ovs-dump-flows 120 OVSPOD oc -n openshift-sdn exec "$OVSPOD" -- ovs-ofctl -O OpenFlow13 dump-flows br0')
    expect(s.script).toContain('podrun sdn-pod-log 120 SDNPOD oc -n openshift-sdn logs "$SDNPOD" --since=2h')
    for (const bad of [['ovs-ofctl', 'del-flows', 'br0'], ['ovs-vsctl', 'del-br', 'br0'], ['ip', 'route', 'del', 'default'], ['sysctl', '-w', 'net.ipv4.ip_forward=0'], ['oc', 'delete', 'pod', 'x'], ['rm', '-rf', '/']]) {
      expect(readOnlyProblem(bad), bad.join(' ')).not.toBeNull()
    }
    const hostile = { ...set, commands: [...set.commands, { id: 'evil', title: 'x', on: 'node' as const, argv: ['ovs-ofctl', 'del-flows', 'br0'], sudo: true, ovs: true, timeoutSeconds: 5 }] }
    const s2 = collectorScript(hostile, { generatedAt: 'now', version: 'test' })
    expect(s2.script).not.toContain('del-flows br0')
    expect(s2.leftOut.join()).toMatch(/evil: ovs-ofctl: del-flows is not one of its read-only subcommands/)
  })

  it('quotes every argument: a hostile value stays one literal argument', () => {
    const evil = { ...set, commands: [{ id: 'x', title: 'x', on: 'node' as const, argv: ['printf', '%s', "/tmp/a'; touch /tmp/pwned; echo '$(id)`id`"], sudo: false, ovs: false, timeoutSeconds: 5 }] }
    const s = collectorScript(evil, { generatedAt: 'now', version: 'test' })
    const out = join(c.dir, 'out')
    mkdirSync(out)
    execFileSync('sh', ['-c', s.script, 'collect', '-o', out], { stdio: 'pipe' })
    const archive = readdirSync(out).find((f) => f.endsWith('.tar.gz'))!
    const listing = execFileSync('tar', ['-xzOf', join(out, archive), '--wildcards', '*/x.out'], { encoding: 'utf8' })
    expect(listing).toBe("/tmp/a'; touch /tmp/pwned; echo '$(id)`id`")
    expect(() => execFileSync('test', ['-e', '/tmp/pwned'])).toThrow()
  })
})

describe('collector pod mode (-p) with hostile names from the cluster', () => {
  it('pod and node names reach the commands as single arguments and never run', () => {
    const s = collectorScript(
      { id: 'p', title: 'p', version: 1, description: '', commands: [{ id: 'ovs-show', title: 'x', on: 'node' as const, argv: ['ovs-vsctl', 'show'], sudo: true, ovs: true, timeoutSeconds: 5 }] },
      { generatedAt: 'now', version: 'test' }
    )
    // A stand-in oc: the pod list holds names crafted to break out of quoting, sed and awk; exec prints its arguments.
    const bin = join(c.dir, 'hostile-bin')
    mkdirSync(bin)
    const pwned = join(c.dir, 'pwned')
    // No spaces (a pod list is split on them), but everything a shell, sed or awk would act on.
    const evilPod = "ovs-a';touch${IFS}" + pwned + ";'|e&\\1`id`"
    const evilNode = 'n1$(touch${IFS}' + pwned + ')'
    writeFileSync(
      join(bin, 'oc'),
      `#!/bin/sh\ncase " $* " in *" get pods "*) printf 'NAME READY STATUS RESTARTS AGE IP NODE NOMINATED NODE\\n%s 1/1 Running 0 1d 10.0.0.1 %s <none>\\n' ${shellQuote(evilPod)} ${shellQuote(evilNode)} ;; *" exec "*) for a in "$@"; do printf '[%s]' "$a"; done ;; esac\n`,
      { mode: 0o755 }
    )
    const out = join(c.dir, 'pods-out')
    mkdirSync(out)
    execFileSync('sh', ['-c', s.script, 'collect', '-p', '-o', out], { stdio: 'pipe', env: { ...process.env, PATH: `${bin}:${process.env.PATH}` } })
    expect(() => execFileSync('test', ['-e', pwned])).toThrow()
    const archive = readdirSync(out).find((f) => f.endsWith('.tar.gz'))!
    const got = execFileSync('tar', ['-xzOf', join(out, archive), '--wildcards', '*/ovs-show.1.out'], { encoding: 'utf8' })
    expect(got).toBe(`[-n][openshift-sdn][exec][${evilPod}][--][ovs-vsctl][show]`)
    const manifest = parseCollectorManifest(execFileSync('tar', ['-xzOf', join(out, archive), '--wildcards', '*/manifest.tsv'], { encoding: 'utf8' }))
    const rec = manifest.records.find((r) => r.file === 'ovs-show.1')!
    expect(rec.host).toBe(evilNode)
    expect(rec.command).toBe(`oc -n openshift-sdn exec ${shellQuote(evilPod)} -- ovs-vsctl show`)
  })
})

describe('importing bundles', () => {
  it('imports an unpacked sosreport: host from its hostname file, network outputs only, links not followed', async () => {
    sosTree(c.dir)
    const path = join(c.dir, 'sosreport-node1-2026-11-25-abcdef')
    const p = await previewImport(path)
    expect(p).toMatchObject({ layout: 'sosreport', hostName: 'node1.example.com', bundleKind: 'folder' })
    expect(p.items.filter((i) => i.take).map((i) => i.command).sort()).toEqual(['cat /var/log/openvswitch/ovs-vswitchd.log', 'ip -d address', 'ovs-ofctl -O OpenFlow13 dump-flows br0'])
    expect(p.refused).toEqual([{ path: 'sos_commands/networking/evil-link', reason: 'a symbolic link, not followed' }])
    expect(p.ignoredFiles).toBeGreaterThanOrEqual(2)
    const r = await importCaptures(c.db.captures, () => null, path)
    expect(r.captureIds).toHaveLength(3)
    const fl = c.db.captures.list().find((c) => c.command.includes('dump-flows'))!
    expect(fl).toMatchObject({ source: 'imported', hostName: 'node1.example.com', parserId: 'ovs-ofctl.dump-flows', diagnosticCount: 0, origin: 'sosreport-node1-2026-11-25-abcdef:sos_commands/openvswitch/ovs-ofctl_-O_OpenFlow13_dump-flows_br0' })
    expect(c.db.captures.text(fl.id)).toBe(flows)
    // The same bundle again: nothing twice.
    const again = await importCaptures(c.db.captures, () => null, path)
    expect(again).toMatchObject({ captureIds: [], alreadyImported: 3 })
  })

  it('reads how sos 4 ran each command from sos_reports/manifest.json: exact command, exit code, timing', async () => {
    sosTree(c.dir)
    const root = join(c.dir, 'sosreport-node1-2026-11-25-abcdef')
    writeFileSync(join(root, 'sos_commands/openvswitch/ovs-vsctl_-t_5_show'), '')
    writeFileSync(join(root, 'sos_commands/networking/ip_route_show_table_all'), 'default via 10.0.0.1 dev eth0\n')
    mkdirSync(join(root, 'sos_reports'))
    const cmd = (exec: string, filepath: string, rc: number) => ({ command: exec.split(' ')[0], parameters: exec.split(' ').slice(1), exec, filepath, truncated: false, return_code: rc, priority: 10, start_time: 1764064800.25, end_time: 1764064800.75, run_time: 0.5, tags: [] })
    writeFileSync(
      join(root, 'sos_reports/manifest.json'),
      JSON.stringify({
        version: '4.5.0',
        components: {
          report: {
            plugins: {
              openvswitch: { commands: [cmd('ovs-ofctl -O OpenFlow13 dump-flows br0', 'sos_commands/openvswitch/ovs-ofctl_-O_OpenFlow13_dump-flows_br0', 0), cmd('ovs-vsctl -t 5 show', 'sos_commands/openvswitch/ovs-vsctl_-t_5_show', 1)] },
              networking: { commands: [cmd('ip route show table all', 'sos_commands/networking/ip_route_show_table_all', 124), { exec: 'broken' }, 'junk'] }
            }
          }
        }
      })
    )
    const r = await importCaptures(c.db.captures, () => null, root)
    expect(r.failed).toEqual([])
    const byCmd = new Map(c.db.captures.list().map((x) => [x.command, x]))
    expect(byCmd.get('ovs-ofctl -O OpenFlow13 dump-flows br0')).toMatchObject({ status: 'ok', exitCode: 0, durationMs: 500, startedAt: '2025-11-25T10:00:00.250Z' })
    // An empty output of a failed command is kept: it is the evidence that the command failed.
    expect(byCmd.get('ovs-vsctl -t 5 show')).toMatchObject({ status: 'failed', exitCode: 1 })
    expect(byCmd.get('ip route show table all')).toMatchObject({ status: 'error', error: 'timed out in sos (timeout exit 124)' })
    // Without a manifest (sos 3, RHEL 7) nothing changes: imported as ok without an exit code.
    expect(byCmd.get('ip -d address')).toMatchObject({ status: 'ok', exitCode: null })
  })

  it('imports the same tree as .tar.xz and .tar.gz, read in memory (nothing extracted)', async () => {
    sosTree(c.dir)
    for (const [flag, ext] of [['-cJf', 'tar.xz'], ['-czf', 'tar.gz']] as const) {
      const archive = join(c.dir, `sos.${ext}`)
      execFileSync('tar', ['-C', c.dir, flag, archive, 'sosreport-node1-2026-11-25-abcdef'])
      const p = await previewImport(archive)
      expect(p, ext).toMatchObject({ layout: 'sosreport', bundleKind: 'tar', hostName: 'node1.example.com', damage: null })
      expect(p.items.filter((i) => i.take)).toHaveLength(3)
      expect(p.refused.map((r) => r.reason)).toEqual(['a link to /etc/shadow, not followed'])
    }
  })

  it('refuses entries that lead outside, reports links and huge files, and writes nothing outside the case', async () => {
    const archive = join(c.dir, 'evil.tar.gz')
    await makeTar(archive, [
      { name: 'x/sos_commands/networking/ip_route', body: 'default via 10.0.0.1 dev eth0\n' },
      { name: '../../etc/cron.d/evil', body: '* * * * * root rm -rf /\n' },
      { name: '/etc/evil-abs', body: 'x' },
      { name: 'x/sos_commands/networking/link', type: 'symlink', linkname: '../../../../etc/passwd' },
      { name: 'x/sos_commands/networking/ip_-s_link', body: 'y'.repeat(5000) }
    ])
    const before = readdirSync(c.dir).sort()
    const r = await importCaptures(c.db.captures, () => null, archive, { hostName: 'node9', maxFileBytes: 1000 })
    expect(r.preview.refused.map((x) => x.path).sort()).toEqual(['../../etc/cron.d/evil', '/etc/evil-abs', 'x/sos_commands/networking/ip_-s_link', 'x/sos_commands/networking/link'].sort())
    expect(r.captureIds).toHaveLength(1)
    expect(r.preview.items.find((i) => i.path.endsWith('ip_-s_link'))).toMatchObject({ take: false, reason: expect.stringMatching(/over the 1000-byte limit/) })
    expect(readdirSync(c.dir).sort()).toEqual(before)
  })

  it('a damaged archive: a clear error when nothing is readable, a partial import that says so otherwise', async () => {
    const junk = join(c.dir, 'junk.tar.gz')
    writeFileSync(junk, Buffer.from([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3, 1, 2, 3, 4, 5, 6, 7]))
    await expect(previewImport(junk)).rejects.toThrow(/junk\.tar\.gz is damaged/)
    const zip = join(c.dir, 'sos.zip')
    writeFileSync(zip, Buffer.concat([Buffer.from([0x50, 0x4b, 0x03, 0x04]), Buffer.alloc(100)]))
    await expect(previewImport(zip)).rejects.toThrow(/sos\.zip is a zip archive, which the workbench does not read\. Unpack it/)
    const bin = join(c.dir, 'node1-dump-flows.txt')
    writeFileSync(bin, Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 0, 0, 1, 2, 3]))
    const r = await importCaptures(c.db.captures, () => null, bin)
    expect(r).toMatchObject({ captureIds: [], failed: [{ path: 'node1-dump-flows.txt', reason: 'a binary file (a NUL byte in its first 8 KB), not command output' }] })
    const good = join(c.dir, 'good.tar')
    await makeTar(good, [{ name: 's/sos_commands/networking/ip_route', body: 'default via 10.0.0.1 dev eth0\n' }, { name: 's/sos_commands/networking/ip_-d_address', body: ipAddr.repeat(20) }], false)
    const cut = join(c.dir, 'cut.tar')
    const full = execFileSync('cat', [good])
    writeFileSync(cut, full.subarray(0, 1536))
    const p = await previewImport(cut)
    expect(p.damage).toMatch(/damaged after 1 entries/)
    expect(p.items.map((i) => i.path)).toEqual(['s/sos_commands/networking/ip_route'])
  })

  it('imports a must-gather folder: openshift-sdn pod logs by the node their pod ran on, the SDN objects', async () => {
    const mg = join(c.dir, 'must-gather.local.123', 'quay-io-openshift-must-gather-sha256-abc')
    const pod = join(mg, 'namespaces/openshift-sdn/pods/sdn-x7k2p')
    mkdirSync(join(pod, 'sdn/sdn/logs'), { recursive: true })
    writeFileSync(join(pod, 'sdn-x7k2p.yaml'), 'apiVersion: v1\nkind: Pod\nspec:\n  nodeName: node2.example.com\n  containers: []\n')
    writeFileSync(join(pod, 'sdn/sdn/logs/current.log'), 'I1125 10:00:00.000000 1 node.go:123] Starting openshift-sdn network plugin\n')
    writeFileSync(join(pod, 'sdn/sdn/logs/previous.log'), 'E1125 09:00:00.000000 1 vnids.go:77] could not find VNID\n')
    mkdirSync(join(mg, 'cluster-scoped-resources/network.openshift.io/hostsubnets'), { recursive: true })
    writeFileSync(join(mg, 'cluster-scoped-resources/network.openshift.io/hostsubnets/node2.example.com.yaml'), 'host: node2.example.com\nhostIP: 10.0.0.2\nsubnet: 10.129.0.0/23\n')
    mkdirSync(join(mg, 'namespaces/openshift-monitoring/pods/prom-0'), { recursive: true })
    writeFileSync(join(mg, 'namespaces/openshift-monitoring/pods/prom-0/prom-0.yaml'), 'x: 1\n')
    writeFileSync(join(mg, 'timestamp'), 'x\n')
    const p = await previewImport(join(c.dir, 'must-gather.local.123'))
    expect(p.layout).toBe('must-gather')
    expect(p.items.filter((i) => i.take).map((i) => `${i.hostName} | ${i.command}`).sort()).toEqual([
      'cluster | oc get hostsubnets node2.example.com -o yaml',
      'node2.example.com | oc -n openshift-sdn logs sdn-x7k2p -c sdn',
      'node2.example.com | oc -n openshift-sdn logs sdn-x7k2p -c sdn --previous'
    ])
    const r = await importCaptures(c.db.captures, () => null, join(c.dir, 'must-gather.local.123'))
    expect(r.captureIds).toHaveLength(3)
    expect(c.db.captures.search('VNID').hits[0]!.capture.command).toBe('oc -n openshift-sdn logs sdn-x7k2p -c sdn --previous')
  })

  it('a single file: the engineer says host and command, or the name does; gz is unpacked', async () => {
    const f = join(c.dir, 'node3-dump-flows-of13.txt')
    writeFileSync(f, flows)
    expect((await previewImport(f)).items[0]).toMatchObject({ hostName: 'node3', command: 'ovs-ofctl -O OpenFlow13 dump-flows br0', take: true })
    const odd = join(c.dir, 'capture.log')
    writeFileSync(odd, ipAddr)
    expect((await previewImport(odd)).items[0]).toMatchObject({ take: false, reason: 'say which command wrote it' })
    execFileSync('gzip', ['-k', odd])
    const r = await importCaptures(c.db.captures, () => null, odd + '.gz', { hostName: 'node4', command: 'ip addr' })
    const cap = c.db.captures.get(r.captureIds[0]!)
    expect(cap).toMatchObject({ hostName: 'node4', command: 'ip addr', parserId: 'ip.addr', diagnosticCount: 0 })
    expect(c.db.captures.text(cap.id)).toBe(ipAddr)
  })
})
