// Which file of an offline bundle is which command's output on which host: sosreport, must-gather,
// the workbench's own collector archive, or plain files named by the engineer.
import { sosCommandOf } from './sos-commands'

export type ImportLayout = 'sosreport' | 'collector' | 'must-gather' | 'files'

export interface ImportEntry {
  /** Relative POSIX path inside the folder or archive. */
  path: string
  size: number
  kind: 'file' | 'dir' | 'symlink' | 'other'
  /** When the file was written, where the bundle says (tar header, file system). */
  mtimeMs?: number | null
}

export interface MappedFile {
  path: string
  hostName: string | null
  command: string
  commandId: string | null
}

/** Paths split into parts, a leading "./" dropped. */
function parts(p: string): string[] {
  return p.split('/').filter((x) => x !== '' && x !== '.')
}

/** The layout of a bundle and the folder inside it that holds the layout (archives often wrap everything in one folder). */
export function detectLayout(entries: readonly ImportEntry[]): { layout: ImportLayout; root: string } {
  const files = entries.filter((e) => e.kind === 'file').map((e) => parts(e.path))
  const rootOf = (i: number, f: string[]) => f.slice(0, i).join('/')
  for (const f of files) {
    const last = f[f.length - 1]
    if (last === 'manifest.tsv' && f.length <= 2) return { layout: 'collector', root: rootOf(f.length - 1, f) }
  }
  for (const f of files) {
    const i = f.indexOf('sos_commands')
    if (i >= 0 && i <= 1) return { layout: 'sosreport', root: rootOf(i, f) }
  }
  for (const f of files) {
    const i = f.findIndex((x) => x === 'cluster-scoped-resources' || x === 'namespaces')
    if (i >= 0 && i <= 2 && files.some((g) => g.includes('namespaces'))) return { layout: 'must-gather', root: rootOf(i, f) }
  }
  return { layout: 'files', root: '' }
}

export function under(root: string, path: string): string | null {
  const p = parts(path).join('/')
  if (root === '') return p
  return p.startsWith(root + '/') ? p.slice(root.length + 1) : null
}

// ---- sosreport ----

/** sos plugins whose outputs matter for the pod network. */
const sosPlugins = /^(openvswitch|networking|networkmanager|openshift.*|origin|atomicopenshift|kubernetes|ovn_.*|firewalld|iptables|ebpf|process)$/
/** From other plugins, only these. */
const sosAlso: Record<string, RegExp> = { kernel: /^sysctl_-a$/, host: /^hostname$/, systemd: /^systemctl_status_--all$/ }

/** sos names a command's output by the command line with spaces as "_" (and "/" as "."). */
export function sosCommand(fileName: string): string {
  return fileName.replace(/_/g, ' ').trim()
}

/** Files of an unpacked sosreport the network checks read, outside sos_commands. */
const sosFiles: Record<string, string> = {
  'var/log/openvswitch/ovs-vswitchd.log': 'cat /var/log/openvswitch/ovs-vswitchd.log',
  'var/log/openvswitch/ovsdb-server.log': 'cat /var/log/openvswitch/ovsdb-server.log',
  'proc/sys/net/ipv4/ip_forward': 'cat /proc/sys/net/ipv4/ip_forward',
  'proc/net/dev': 'cat /proc/net/dev',
  'etc/sysconfig/iptables': 'cat /etc/sysconfig/iptables'
}

/**
 * A sosreport file as a capture: its command read back through the commands the sos plugin runs
 * (sos-commands.ts). A name no known command gives keeps its file name and is marked `unmapped`: no command is
 * invented from it (sos turned " " and "_" alike into "_").
 */
export function mapSosreport(rel: string): { command: string; commandId: string | null; unmapped: boolean } | { skip: string } {
  const p = parts(rel)
  if (p[0] === 'sos_commands' && p.length === 3) {
    const plugin = p[1] as string
    const name = p[2] as string
    if (!(sosPlugins.test(plugin) || sosAlso[plugin]?.test(name))) return { skip: `sos plugin "${plugin}" is not about the network` }
    const command = sosCommandOf(plugin, name)
    return command === null ? { command: name, commandId: null, unmapped: true } : { command, commandId: null, unmapped: false }
  }
  const direct = sosFiles[p.join('/')]
  if (direct) return { command: direct, commandId: null, unmapped: false }
  return { skip: 'not a command output the workbench reads' }
}

/** The host of a sosreport: its hostname file, else the name in "sosreport-<host>-…". */
export function sosHostName(hostnameFile: string | null, bundleName: string): string | null {
  const fromFile = hostnameFile?.trim().split(/\s+/)[0]
  if (fromFile) return fromFile
  const m = /^sosreport-(.+?)-(?:\d{4}-\d{2}-\d{2}|\d{8}|\d{6,})/.exec(bundleName)
  return m?.[1] ?? null
}

// ---- must-gather ----

/**
 * must-gather: openshift-sdn pod logs (the node from the pod's nodeName) and the SDN objects.
 * namespaces/openshift-sdn/pods/<pod>/<container>/<container>/logs/current.log
 */
export function mapMustGather(rel: string, nodeOfPod: (pod: string) => string | null): { hostName: string | null; command: string } | { skip: string } {
  const p = parts(rel)
  if (p[0] === 'namespaces' && p[1] === 'openshift-sdn' && p[2] === 'pods' && p.length >= 6 && p[p.length - 2] === 'logs') {
    const pod = p[3] as string
    const container = p[4] as string
    const which = p[p.length - 1] === 'previous.log' ? ' --previous' : ''
    return { hostName: nodeOfPod(pod), command: `oc -n openshift-sdn logs ${pod} -c ${container}${which}` }
  }
  const res = /^cluster-scoped-resources\/network\.openshift\.io\/(hostsubnets|netnamespaces|clusternetworks)\/([^/]+)\.yaml$/.exec(p.join('/'))
  // Cluster objects belong to no node: the case keeps them under "cluster".
  if (res) return { hostName: 'cluster', command: `oc get ${res[1]} ${res[2]} -o yaml` }
  const nodes = /^cluster-scoped-resources\/core\/nodes\/([^/]+)\.yaml$/.exec(p.join('/'))
  if (nodes) return { hostName: nodes[1] as string, command: `oc get node ${nodes[1]} -o yaml` }
  // network_logs/ (gather_network_logs, openshift-sdn clusters): <node>_<what> from the node's sdn pod,
  // <pod>_<what> logs of a pod (its node from the pod's YAML).
  if (p[0] === 'network_logs' && p.length === 2) {
    const file = p[1] as string
    for (const [suffix, command] of networkLogsByNode) {
      if (file.endsWith(suffix) && file.length > suffix.length) return { hostName: file.slice(0, -suffix.length), command }
    }
    for (const [suffix, command] of networkLogsByPod) {
      if (!file.endsWith(suffix) || file.length <= suffix.length) continue
      const pod = file.slice(0, -suffix.length)
      return { hostName: nodeOfPod(pod), command: command(pod) }
    }
    return { skip: 'a network_logs file of another network plugin' }
  }
  return { skip: 'not an openshift-sdn log or SDN object' }
}

/** must-gather's network_logs files named by node, and the command its script ran in the node's sdn pod. */
const networkLogsByNode: readonly [string, string][] = [
  ['_iptables', 'iptables-save -c'],
  ['_ovs_dump', 'ovs-vsctl show'],
  ['_ethtool_driver', "ethtool -i $(ip route show default | cut -d ' ' -f5)"],
  ['_ethtool_offload', "ethtool -k $(ip route show default | cut -d ' ' -f5)"]
]
/** ... and named by pod. */
const networkLogsByPod: readonly [string, (pod: string) => string][] = [
  ['_sdn_log', (pod) => `oc -n openshift-sdn logs ${pod}`],
  ['_controller_logs', (pod) => `oc -n openshift-sdn logs ${pod}`],
  ['_vswitchd_log', () => 'cat /var/log/openvswitch/ovs-vswitchd.log'],
  ['_ovsdb_log', () => 'cat /var/log/openvswitch/ovsdb-server.log']
]

/** The pod yaml of a must-gather pod folder: nodeName decides the host. */
export function nodeNameFromPodYaml(yaml: string): string | null {
  return /^\s*nodeName:\s*"?([^"\s]+)"?\s*$/m.exec(yaml)?.[1] ?? null
}

// ---- plain files ----

const byKeyword: [RegExp, (name: string) => string][] = [
  [/diff-flows/, () => 'ovs-ofctl diff-flows'],
  [/dump-flows/, (n) => (/of10/.test(n) ? 'ovs-ofctl dump-flows br0' : 'ovs-ofctl -O OpenFlow13 dump-flows br0')],
  [/dump-ports-desc|ofctl-show/, () => 'ovs-ofctl -O OpenFlow13 dump-ports-desc br0'],
  [/dump-ports/, () => 'ovs-ofctl -O OpenFlow13 dump-ports br0'],
  [/vsctl-show/, () => 'ovs-vsctl show'],
  [/list-(interface|port|bridge|open_vswitch)/i, (n) => `ovs-vsctl ${/\.json$/.test(n) ? '--format=json ' : ''}list ${/list-(\w+)/i.exec(n)?.[1] ?? 'Interface'}`],
  [/trace/, () => 'ovs-appctl ofproto/trace br0'],
  [/ip-j-addr|ip-addr|ip-a\b|ip-address/, (n) => (/-j-|\.json$/.test(n) ? 'ip -j addr' : 'ip addr')],
  [/ip-j-route|ip-route|ip-r\b/, (n) => (/-j-|\.json$/.test(n) ? 'ip -j route' : 'ip route')],
  [/iptables/, (n) => (/counters/.test(n) ? 'iptables-save -c' : 'iptables-save')],
  [/brctl/, () => 'brctl show'],
  [/sysctl|ip_forward/, () => 'sysctl -a'],
  [/hostsubnet/, () => 'oc get hostsubnets'],
  [/netnamespace/, () => 'oc get netnamespaces'],
  [/clusternetwork/, () => 'oc get clusternetwork'],
  [/manage-node.*list-pods|list-pods/, () => 'oc adm manage-node --list-pods'],
  [/(oc-get-)?nodes/, (n) => (/\.json$/.test(n) ? 'oc get nodes -o json' : 'oc get nodes -o wide')],
  [/(oc-get-)?pods/, (n) => (/\.json$/.test(n) ? 'oc get pods --all-namespaces -o json' : 'oc get pods --all-namespaces -o wide')],
  [/(oc-get-)?(svc|services)/, () => 'oc get svc --all-namespaces'],
  [/(oc-get-)?(ep|endpoints)\b/, () => 'oc get ep --all-namespaces']
]

const tools = /^(ovs-ofctl|ovs-vsctl|ovs-appctl|ovs-dpctl|ip|iptables-save|ip6tables-save|brctl|sysctl|oc|kubectl|ethtool|nft|bridge|ss|netstat)_/

/**
 * The command and host a file name suggests: "node1-dump-flows-of13.txt" -> node1, dump-flows;
 * "ovs-ofctl_-O_OpenFlow13_dump-flows_br0" (sos style) -> that command line.
 */
export function inferFromFileName(fileName: string): { hostName: string | null; command: string | null } {
  const name = fileName.split('/').pop() ?? fileName
  if (tools.test(name)) return { hostName: null, command: sosCommand(name) }
  const lower = name.toLowerCase()
  for (const [re, cmd] of byKeyword) {
    const m = re.exec(lower)
    if (!m) continue
    const host = lower.slice(0, m.index).replace(/(^|[-_.])(oc-get|ovs-ofctl|ovs-vsctl|ovs-appctl)?[-_.]*$/, '').replace(/[-_.]+$/, '')
    return { hostName: host && /^[a-z0-9][a-z0-9._-]*$/.test(host) ? name.slice(0, host.length) : null, command: cmd(lower) }
  }
  return { hostName: null, command: null }
}

// ---- sos 4's manifest (sos_reports/manifest.json): how each command ran ----

export interface SosCommandRecord {
  /** The command exactly as sos ran it. */
  exec: string
  exitCode: number | null
  /** Epoch milliseconds. */
  startedMs: number | null
  durationMs: number | null
  truncated: boolean
}

/**
 * The commands of a sos 4 manifest by output file ("sos_commands/openvswitch/ovs-vsctl_-t_5_show"):
 * components.report.plugins.<plugin>.commands[] with exec, filepath, return_code, start_time, run_time.
 * sos 3 (RHEL 7) writes no manifest; anything unreadable gives an empty map and a reason.
 */
export function parseSosManifest(text: string): { byFile: Map<string, SosCommandRecord>; problem: string | null } {
  const byFile = new Map<string, SosCommandRecord>()
  let doc: unknown
  try {
    doc = JSON.parse(text)
  } catch (err) {
    return { byFile, problem: `sos_reports/manifest.json is not valid JSON (${(err as Error).message})` }
  }
  const o = (v: unknown): Record<string, unknown> => (v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {})
  const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null)
  const plugins = o(o(o(o(doc).components).report).plugins)
  for (const plugin of Object.values(plugins)) {
    const commands = o(plugin).commands
    if (!Array.isArray(commands)) continue
    for (const c of commands.map(o)) {
      if (typeof c.filepath !== 'string' || c.filepath === '' || typeof c.exec !== 'string') continue
      const start = num(c.start_time)
      const run = num(c.run_time)
      byFile.set(parts(c.filepath).join('/'), {
        exec: c.exec,
        exitCode: num(c.return_code),
        startedMs: start === null ? null : Math.round(start * 1000),
        durationMs: run === null ? null : Math.round(run * 1000),
        truncated: c.truncated === true
      })
    }
  }
  return { byFile, problem: Object.keys(plugins).length === 0 ? 'sos_reports/manifest.json lists no plugins' : null }
}

// ---- the collector's manifest ----

export const collectorFormat = 'sdn-workbench-collector 2'

export interface CollectorRecord {
  /** The command's id in the set. */
  id: string
  /** The output's file name without .out/.err: the id, or "<id>.<k>" for the k-th node of a -p run. */
  file: string
  /** Whose state the output is (format 2); null in format 1, where it is the manifest's host. */
  host: string | null
  exitCode: number | null
  startedNs: number | null
  finishedNs: number | null
  command: string
}

export interface CollectorManifest {
  meta: Record<string, string>
  records: CollectorRecord[]
  problems: { line: number; message: string }[]
}

/**
 * manifest.tsv: "# sdn-workbench-collector 2" (or 1), then "# key: value" lines (host, set, started…), then
 * one tab-separated line per command: file, exit code, start and end (ns since the epoch), host (format 2
 * only: the node a -p run collected it for), command line.
 */
export function parseCollectorManifest(text: string): CollectorManifest {
  const meta: Record<string, string> = {}
  const records: CollectorRecord[] = []
  const problems: CollectorManifest['problems'] = []
  const lines = text.split('\n')
  const first = (lines[0] ?? '').trim()
  const version = first === '# sdn-workbench-collector 1' ? 1 : first === '# sdn-workbench-collector 2' ? 2 : 0
  if (version === 0) problems.push({ line: 1, message: `not a collector manifest (first line should be "# ${collectorFormat}")` })
  const num = (s: string | undefined) => (s !== undefined && /^-?\d+$/.test(s) ? Number(s) : null)
  const fields = version === 1 ? 5 : 6
  lines.forEach((raw, i) => {
    const l = raw.replace(/\r$/, '')
    if (i === 0 || l.trim() === '') return
    const m = /^# ([\w-]+): (.*)$/.exec(l)
    if (m) return void (meta[m[1] as string] = m[2] as string)
    if (l.startsWith('#')) return
    const f = l.split('\t')
    const file = f[0] as string
    if (f.length < fields || !/^[a-z0-9][a-z0-9-]*(\.\d+)?$/.test(file) || (fields === 6 && (f[4] ?? '') === '')) {
      return void problems.push({ line: i + 1, message: `expected: file, exit code, start, end, ${fields === 6 ? 'host, ' : ''}command (tab-separated)` })
    }
    records.push({
      id: file.split('.')[0] as string,
      file,
      host: fields === 6 ? (f[4] as string) : null,
      exitCode: num(f[1]),
      startedNs: num(f[2]),
      finishedNs: num(f[3]),
      command: f.slice(fields - 1).join('\t')
    })
  })
  return { meta, records, problems }
}
