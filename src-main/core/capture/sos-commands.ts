// The commands sos runs for the plugins the pod network needs, and the file names it gives their outputs, so
// a sosreport's file is read back as the command that wrote it. sos 3.x (what OpenShift 3.11 nodes run)
// writes no manifest: its file name is the command mangled (sos/plugins/__init__.py _mangle_command), which
// loses "_" against " " ("ovs-vsctl list Open_vSwitch" -> "ovs-vsctl_list_Open_vSwitch"), so a name is mapped
// only through the commands the plugins are known to run; a name no command gives is marked, never invented.
// Sources: sosreport/sos 3.9 (and the ip commands of 3.2-3.8), sos/plugins/{openvswitch,networking,origin,kernel,host,process}.py.

/** sos's _mangle_command: path prefix dropped, runs of other characters than [\w.-/] as "_", "/" as ".". */
export function sosMangle(command: string, nameMax = 255): string {
  const m = command
    .replace(/^\/(usr\/|)(bin|sbin)\//, '')
    .replace(/[^\w\-./]+/g, '_')
    .replace(/\//g, '.')
    .replace(/^[ ._-]+|[ ._-]+$/g, '')
  return m.slice(0, nameMax)
}

const protocols = ['OpenFlow10', 'OpenFlow11', 'OpenFlow12', 'OpenFlow13', 'OpenFlow14', 'OpenFlow15']

/**
 * The commands per plugin. `{bridge}`, `{iface}`, `{table}`, `{ns}`, `{pod}` stand for the names sos filled in;
 * `{of}` is an OpenFlow version of the bridge's protocols.
 */
const templates: Record<string, readonly string[]> = {
  openvswitch: [
    'ovs-dpctl -s show',
    'ovs-dpctl dump-flows -m',
    'ovs-dpctl dump-flows type=offloaded -m',
    'ovs-vsctl -t 5 show',
    'ovs-vsctl show',
    'ovsdb-client -f list dump',
    'ls -laZ /run/openvswitch',
    'ovs-appctl bond/list',
    'ovs-appctl bond/show',
    'ovs-appctl lacp/show',
    'ovs-appctl coverage/show',
    'ovs-appctl ovs/route/show',
    'ovs-appctl tnl/arp/show',
    'ovs-appctl tnl/ports/show -v',
    'ovs-appctl upcall/show',
    'ovs-vsctl -t 5 get Open_vSwitch . other_config',
    'ovs-vsctl list Open_vSwitch',
    'ovs-vsctl list interface',
    'ovs-vsctl list bridge',
    'ovs-vsctl list port',
    'ovs-appctl dpctl/show -s',
    'ovs-appctl dpctl/dump-flows',
    'ovs-vsctl list-br',
    'ovs-vsctl -t 5 list-br',
    'ovs-appctl fdb/show {bridge}',
    'ovs-ofctl dump-flows {bridge}',
    'ovs-ofctl dump-ports-desc {bridge}',
    'ovs-ofctl dump-ports {bridge}',
    'ovs-ofctl queue-get-config {bridge}',
    'ovs-ofctl queue-stats {bridge}',
    'ovs-ofctl show {bridge}',
    'ovs-appctl fdb/stats-show {bridge}',
    'ovs-vsctl list bridge {bridge}',
    'ovs-ofctl -O {of} show {bridge}',
    'ovs-ofctl -O {of} dump-groups {bridge}',
    'ovs-ofctl -O {of} dump-group-stats {bridge}',
    'ovs-ofctl -O {of} dump-flows {bridge}',
    'ovs-ofctl -O {of} dump-ports-desc {bridge}',
    'ovs-vsctl -t 5 list-ports {bridge}'
  ],
  networking: [
    'ip -o addr',
    'route -n',
    'plotnetcfg',
    'iptables -t {table} -nvL',
    'ip6tables -t {table} -nvL',
    'nft list ruleset',
    'netstat -W -neopa',
    'netstat -neopa',
    'netstat -s',
    'netstat -W -agn',
    'netstat -agn',
    'ip route show table all',
    'ip -6 route show table all',
    'ip -4 rule',
    'ip -6 rule',
    'ip -s -d link',
    'ip -d address',
    'ip address show',
    // sos 3.2-3.4 (RHEL 7.2-7.4)
    'ip address',
    'ip -o link',
    'ip link',
    'ip -s link',
    'ip neigh show',
    'ifenslave -a',
    'ip mroute show',
    'ip maddr show',
    'ip -s -s neigh show',
    'ip neigh show nud noarp',
    'biosdevname -d',
    'tc -s qdisc show',
    'ip -s macsec show',
    'ss -peaonmi',
    'iptables -vnxL',
    'ip6tables -vnxL',
    'iptables-save',
    'ethtool {iface}',
    'ethtool -d {iface}',
    'ethtool -i {iface}',
    'ethtool -k {iface}',
    'ethtool -S {iface}',
    'ethtool -T {iface}',
    'ethtool -a {iface}',
    'ethtool -c {iface}',
    'ethtool -g {iface}',
    'ethtool -e {iface}',
    'ethtool -P {iface}',
    'ethtool -l {iface}',
    'ethtool --phy-statistics {iface}',
    'ethtool --show-priv-flags {iface}',
    'ethtool --show-eee {iface}',
    'bridge -s -s -d link show',
    'bridge -s -s -d -t fdb show',
    'bridge -s -s -d -t mdb show',
    'bridge -d vlan show',
    'ip netns',
    'ip netns exec {ns} ip address show',
    'ip netns exec {ns} ip route show table all',
    'ip netns exec {ns} iptables-save',
    'ip netns exec {ns} netstat -W -neopa',
    'ip netns exec {ns} netstat -s',
    'ip netns exec {ns} netstat -W -agn',
    'ip netns exec {ns} ss -peaonmi',
    'ip netns exec {ns} ethtool {iface}',
    'ip netns exec {ns} ethtool -i {iface}',
    'ip netns exec {ns} ethtool -k {iface}',
    'ip netns exec {ns} ethtool -S {iface}'
  ],
  origin: [
    'oc --config=/etc/origin/master/admin.kubeconfig get -o json hostsubnet',
    'oc --config=/etc/origin/master/admin.kubeconfig get -o json clusternetwork',
    'oc --config=/etc/origin/master/admin.kubeconfig get -o json netnamespaces',
    'oc --config=/etc/origin/master/admin.kubeconfig describe projects',
    'oc --config=/etc/origin/master/admin.kubeconfig adm top images',
    'oc --config=/etc/origin/master/admin.kubeconfig adm top imagestreams',
    'oc --config=/etc/origin/master/admin.kubeconfig get -o json dc -n {ns}',
    'oc --config=/etc/origin/master/admin.kubeconfig adm diagnostics -l 0',
    'oc --config=/etc/origin/master/admin.kubeconfig logs -n default {pod}',
    'master-logs api api',
    'master-logs controllers controllers',
    'master-logs etcd etcd'
  ],
  kernel: ['sysctl -a'],
  host: ['hostname', 'hostname -f', 'uptime'],
  process: ['ps auxwww', 'ps alxwww', 'pstree', 'lsof -b +M -n -l']
}

/** A plugin of another name that runs the same commands (sos renamed some between releases). */
const sameAs: Record<string, string> = { atomicopenshift: 'origin', openshift: 'origin' }

interface Compiled {
  re: RegExp
  template: string
  holes: string[]
}

function compile(template: string): Compiled {
  const holes: string[] = []
  // A placeholder survives mangling as a word; mangle the whole command, then open the placeholders up.
  const marked = template.replace(/\{(\w+)\}/g, (_m, name: string) => {
    holes.push(name)
    return `SOSHOLE${holes.length - 1}X`
  })
  const mangled = sosMangle(marked).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
  const body = mangled.replace(/SOSHOLE(\d+)X/g, (_m, i: string) => (holes[Number(i)] === 'of' ? `(${protocols.join('|')})` : '([A-Za-z0-9.:@-]+)'))
  return { re: new RegExp(`^${body}$`), template, holes }
}

const compiled: Record<string, Compiled[]> = Object.fromEntries(Object.entries(templates).map(([plugin, list]) => [plugin, list.map(compile)]))

/**
 * The command a sos file name stands for, with the names sos filled in read back; null when no command the
 * plugin is known to run gives that name (the caller marks it: not read as a command).
 */
export function sosCommandOf(plugin: string, fileName: string): string | null {
  const list = compiled[sameAs[plugin] ?? plugin]
  if (!list) return null
  // Exact templates first, then the most specific (a placeholder never spans a "_", so "ethtool_-S_eth0" is
  // ethtool -S eth0, not ethtool of an interface "-S_eth0").
  const ordered = [...list].sort((a, b) => a.holes.length - b.holes.length || b.template.length - a.template.length)
  for (const c of ordered) {
    const m = c.re.exec(fileName)
    if (!m) continue
    let i = 0
    return c.template.replace(/\{(\w+)\}/g, () => m[++i] as string)
  }
  return null
}

/** The plugins whose commands this table knows. */
export function sosKnownPlugin(plugin: string): boolean {
  return (sameAs[plugin] ?? plugin) in templates
}
