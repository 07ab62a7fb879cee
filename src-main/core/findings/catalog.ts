// The catalog of finding kinds: for every kind a check can report, its title and explanation as templates over
// typed parameters, what the kind means whatever its subject, and how its subject is named. Check SDN builds its
// findings here (sdnFinding), and a runbook step that finds the same thing names the kind instead of writing its own
// text (FindingSpec.kind), so "IP forwarding is off on node1" reads the same from either source and, having the
// same kind and subject, is one finding with two pieces of evidence. A report renders a finding's kind from here.
import type { EvidenceLine, Finding, Severity } from '../sdn/evidence'

type Param = string | number | boolean | null | undefined | readonly string[] | readonly number[]
type Params = Record<string, Param>

export interface CatalogEntry<P extends Params> {
  /** The group of checks that reports it (Check SDN's "ran" list; the finding source). */
  check: string
  /** The usual severity; a check may raise or lower it for one subject (say why in the check). */
  severity: Severity
  /** What this kind of finding means, whatever its subject: the Findings view's and the report's help text. */
  about: string
  title: (p: P) => string
  /** What is wrong and what it means, and what to do, in plain words. */
  explain: (p: P) => string
  /** The subject part of the finding's id ("node2:50"); none for a finding a node has at most once. */
  subject?: (p: P) => string
  /** The parameters a runbook step gives when it names this kind (all text); absent: runbooks cannot name it. */
  runbookParams?: readonly (keyof P & string)[]
  /** Which runbook parameter is the host the finding is about. */
  host?: keyof P & string
}

const entry = <P extends Params>(e: CatalogEntry<P>): CatalogEntry<P> => e

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`
const rate = (r: number | null) => (r === null ? '' : ` (${r < 1 ? r.toFixed(2) : Math.round(r)}/s)`)
const hex = (v: number | null | undefined) => (v === null || v === undefined ? '?' : `0x${v.toString(16)}`)
const on = (node: string | undefined) => (node ? ` on ${node}` : '')

const remoteWhat: Record<number, string> = {
  10: 'accepts VXLAN packets from that node (tun_src)',
  50: "sends ARP for that node's pod subnet into VXLAN",
  90: "sends IP traffic for that node's pod subnet into VXLAN"
}

export const sdnCatalog = {
  'bridge.partial-dump': entry<{ node: string; flows: number; missing: string }>({
    check: 'bridge.partial',
    severity: 'info',
    about: 'The flow dump lacks what every br0 that openshift-sdn sets up has, so the br0 checks were not run on it.',
    title: (p) => `The flow dump of ${p.node} is partial: the br0 checks were not run`,
    explain: (p) =>
      `It has ${plural(p.flows, 'flow')} and lacks ${p.missing}, which every br0 openshift-sdn sets up has: an excerpt, a dump of one table, or a bridge the SDN never finished. Capture the whole table (ovs-ofctl -O OpenFlow13 dump-flows br0) to check it.`
  }),
  'bridge.version': entry<{ node?: string; count?: number }>({
    check: 'bridge.version',
    severity: 'error',
    about: 'Table 253 holds one note flow with the SDN rule version and plugin; the SDN checks it at start.',
    title: (p) => (p.count === undefined ? `br0${on(p.node)} has no SDN version flow (table 253)` : `Table 253 has ${p.count} flows instead of exactly one version note`),
    explain: () =>
      'openshift-sdn writes one note flow in table 253 when it sets up br0 and checks it at start; without it (or with several) the SDN rebuilds br0 on its next start, and the flows were not all set up by this SDN. Restart the SDN of the node and read its logs if the flows do not come back.',
    runbookParams: ['node'],
    host: 'node'
  }),
  'bridge.layout': entry<{ label: string; ruleVersion: number | null; source: string }>({
    check: 'bridge.version',
    severity: 'info',
    about: 'br0 was programmed by another openshift-sdn release than 3.10/3.11, and is judged by that release\'s tables.',
    title: (p) => `br0 was programmed by ${p.label}: judged by that release's table layout`,
    explain: (p) =>
      `Table 253 says rule version ${p.ruleVersion}. Its tables and their default flows are checked as that release programs them (${p.source}); the pod, node, service and policy checks are written for OpenShift 3.10/3.11 (rule version 7) and were not run.`
  }),
  'bridge.plugin': entry<{ programmed: string; configured: string }>({
    check: 'bridge.version',
    severity: 'error',
    about: 'The table 253 note names another network plugin than the ClusterNetwork.',
    title: (p) => `br0 was set up for the ${p.programmed} plugin, the cluster runs ${p.configured}`,
    explain: () =>
      'The table 253 note says another network plugin programmed br0 (the cluster network plugin changed, or this node missed the change). Restarting the SDN pod rebuilds br0 for the configured plugin.'
  }),
  'bridge.default': entry<{ table: number; name: string; defaultPriority: number; defaultActions: string; purpose: string; actual: string | null }>({
    check: 'bridge.default',
    severity: 'error',
    about: 'Every openshift-sdn table ends with a default flow; without it, or with another one, unmatched packets go the wrong way.',
    title: (p) => (p.actual === null ? `Table ${p.table} (${p.name}) has no default flow` : `Table ${p.table} default flow does "${p.actual}", expected "${p.defaultActions}"`),
    explain: (p) =>
      p.actual === null
        ? `Every openshift-sdn table ends with a priority ${p.defaultPriority} flow (${p.defaultActions}). Without it, packets that match nothing in table ${p.table} are dropped by OVS itself, invisibly in the counters. ${p.purpose}`
        : p.purpose,
    subject: (p) => String(p.table)
  }),
  'bridge.unknown-table': entry<{ table: number; flows: number; label: string }>({
    check: 'bridge.unknown-table',
    severity: 'warning',
    about: 'Flows in a table the node\'s openshift-sdn release does not use.',
    title: (p) => `${p.flows} flow(s) in table ${p.table}, which ${p.label} does not use`,
    explain: () => 'Added by hand or by another controller, or the node runs another openshift-sdn release than its table 253 note says.',
    subject: (p) => String(p.table)
  }),
  'bridge.iface-error': entry<{ name: string; error: string }>({
    check: 'bridge.ports',
    severity: 'error',
    about: 'OVS reports an error on an interface of br0.',
    title: (p) => `OVS reports an error on interface ${p.name}: ${p.error}`,
    explain: () => 'The interface is in the database but not working in the datapath.',
    subject: (p) => p.name
  }),
  'bridge.port': entry<{ name: string; want: number; actual: number | string | null; missing: boolean }>({
    check: 'bridge.ports',
    severity: 'error',
    about: 'vxlan0 must be OpenFlow port 1 and tun0 port 2: the flows hard-code these numbers.',
    title: (p) => (p.missing ? `br0 has no ${p.name} port` : `${p.name} is port ${p.actual}, not ${p.want}`),
    explain: (p) =>
      p.missing
        ? `openshift-sdn creates ${p.name} as OpenFlow port ${p.want}; every flow that sends to port ${p.want} goes nowhere without it.`
        : `The flows send to port ${p.want} for ${p.name}; with another number that traffic goes to the wrong port.`,
    subject: (p) => p.name
  }),
  'bridge.vxlan-port': entry<{ port: string }>({
    check: 'bridge.ports',
    severity: 'warning',
    about: 'vxlan0 uses another UDP port than the VXLAN default 4789.',
    title: (p) => `vxlan0 uses UDP port ${p.port}, not 4789`,
    explain: () => 'Every node must use the same VXLAN port (ClusterNetwork vxlanPort), and the firewall must allow it between nodes.'
  }),
  'host.ip-forward': entry<{ node?: string; value?: string }>({
    check: 'host.ip-forward',
    severity: 'error',
    about: 'Pod traffic is routed by the node through tun0: with net.ipv4.ip_forward at 0 nothing leaves or reaches the pods.',
    title: (p) => `IP forwarding is off${on(p.node)}${p.value !== undefined ? ` (net.ipv4.ip_forward = ${p.value})` : ''}`,
    explain: () =>
      "Pods reach services, other nodes' host networks and the outside through the node's IP stack: with forwarding off that traffic is dropped. Set net.ipv4.ip_forward=1 (sysctl -w, and persistently), and find what turned it off; the node service sets it at start. On a VM, check the hypervisor too.",
    runbookParams: ['node'],
    host: 'node'
  }),
  'host.tun0': entry<{ node?: string }>({
    check: 'host.tun0',
    severity: 'error',
    about: 'tun0 is the OVS internal port that connects pods to the node.',
    title: (p) => `The node${p.node ? ` ${p.node}` : ''} has no tun0 interface`,
    explain: () => 'tun0 is the OVS internal port that connects pods to the node (services, external traffic, the node itself). Without it the SDN is not set up on this node.',
    runbookParams: ['node'],
    host: 'node'
  }),
  'host.tun0-address': entry<{ gateway: string | null; prefix: number; subnet: string }>({
    check: 'host.tun0',
    severity: 'error',
    about: "tun0 must carry the first address of the node's HostSubnet: the pods' default gateway.",
    title: (p) => `tun0 does not hold the node's gateway ${p.gateway ?? ''}/${p.prefix} (subnet ${p.subnet})`,
    explain: () => "tun0 must carry the first address of the node's HostSubnet with its prefix length; otherwise pods have no working default gateway."
  }),
  'host.route': entry<{ net: string; actual: string | null }>({
    check: 'host.routes',
    severity: 'error',
    about: 'The cluster network and the service network are routed into tun0 on every node.',
    title: (p) => `No route to ${p.net} through tun0${p.actual ? ` (it goes to ${p.actual})` : ''}`,
    explain: () =>
      'The node reaches the cluster network and the service network through tun0; without the route, traffic from the node (and from host-network pods) to pods or services leaves the wrong way.',
    subject: (p) => p.net
  }),
  'host.mtu': entry<{ tun0: number; underlay: string; underlayMtu: number; overhead: number }>({
    check: 'host.mtu',
    severity: 'error',
    about: 'tun0 must leave room for the VXLAN header on the interface that carries it.',
    title: (p) => `tun0 MTU ${p.tun0} is too large for ${p.underlay} MTU ${p.underlayMtu} (VXLAN needs ${p.overhead} bytes)`,
    explain: (p) =>
      `Packets between pods on different nodes larger than ${p.underlayMtu - p.overhead} bytes are dropped or fragmented: small requests work, large transfers hang. Set the SDN MTU (node-config mtu) to at most ${p.underlayMtu - p.overhead}.`
  }),
  'host.mtu-veth': entry<{ veths: number; tun0: number }>({
    check: 'host.mtu',
    severity: 'warning',
    about: "Pod veths whose MTU differs from tun0's.",
    title: (p) => `${p.veths} pod veth(s) have an MTU other than tun0's ${p.tun0}`,
    explain: () => 'Pods created before an MTU change keep the old MTU until they are re-created; a pod with a larger MTU than the path sends packets that are dropped.'
  }),
  'node.no-hostsubnet': entry<{ node: string }>({
    check: 'remote.flows',
    severity: 'error',
    about: 'A node without a HostSubnet has no pod network, and no other node sends it pod traffic.',
    title: (p) => `${p.node} has no HostSubnet`,
    explain: () =>
      "Without a HostSubnet the node has no pod network, and the other nodes program no flows towards it. The SDN master allocates one when the node registers: check `oc get nodes` and the master's SDN logs.",
    runbookParams: ['node'],
    host: 'node'
  }),
  'local.flows': entry<{ pod: string; ip: string; missing: readonly string[] }>({
    check: 'local.flows',
    severity: 'error',
    about: 'A local pod needs its table 20 (ARP and IP), 40 and 70 flows; without one its traffic is dropped there.',
    title: (p) => `Pod ${p.pod} (${p.ip}) is missing ${p.missing.length === 4 ? 'all its flows' : p.missing.map((m) => m.split(' (')[0]).join(', ')}`,
    explain: (p) =>
      `Missing: ${p.missing.join('; ')}. ` +
      (p.missing.length === 4
        ? 'OVS knows nothing of this pod: its traffic is dropped. The pod may have been set up while the SDN was down; deleting the pod lets it be re-created with its flows.'
        : 'Traffic from or to the pod is dropped at the missing table. Restarting the SDN pod of this node re-creates pod flows.'),
    subject: (p) => p.ip
  }),
  'local.port': entry<{ pod: string; ip: string; expected: number | string; wrong: readonly string[]; ports: readonly string[] }>({
    check: 'local.port',
    severity: 'error',
    about: "A local pod's flows must all use the OpenFlow port of its veth.",
    title: (p) => `Pod ${p.pod} (${p.ip}): flows use port ${p.ports.join('/')} but its interface is port ${p.expected}`,
    explain: (p) => `${p.wrong.join(', ')}. Flows left from an earlier pod with this IP send its traffic to the wrong veth.`,
    subject: (p) => p.ip
  }),
  'local.noport': entry<{ pod: string; ip: string; port: number | string }>({
    check: 'local.port',
    severity: 'error',
    about: "The pod's flows point at an OpenFlow port br0 does not have.",
    title: (p) => `Pod ${p.pod} (${p.ip}): port ${p.port} is not on br0`,
    explain: () => "The flows point at an OpenFlow port that br0 does not have (dump-ports-desc): the pod's veth was removed or never attached.",
    subject: (p) => p.ip
  }),
  'local.noiface': entry<{ pod: string; ip: string }>({
    check: 'local.port',
    severity: 'warning',
    about: 'openshift-sdn records the pod IP on its veth (external_ids:ip); the SDN cleans up with it.',
    title: (p) => `Pod ${p.pod} (${p.ip}) has flows but no OVS interface with external_ids:ip=${p.ip}`,
    explain: () => "openshift-sdn records the pod IP on its veth (external_ids). Without it, the SDN cannot clean up this pod's flows on teardown.",
    subject: (p) => p.ip
  }),
  'local.vnid': entry<{ pod: string; ip: string; t20: number | null; t70: number | null; netid?: number | null }>({
    check: 'local.vnid',
    severity: 'error',
    about: "Table 20 and table 70 load a pod's VNID; both must be its project's NETID.",
    title: (p) => `Pod ${p.pod} (${p.ip}): VNID mismatch (table 20: ${hex(p.t20)}, table 70: ${hex(p.t70)}${p.netid !== undefined ? `, NetNamespace: ${hex(p.netid)}` : ''})`,
    explain: () =>
      'Isolation in table 80 compares these VNIDs: a mismatch drops traffic between this pod and pods of its own project, or lets other projects in. It follows a project join/isolate that the node did not apply.',
    subject: (p) => p.ip
  }),
  'local.stale': entry<{ table: number; priority: number; match: string; ip: string; node: string }>({
    check: 'local.stale',
    severity: 'warning',
    about: 'A pod flow for an IP that is no running pod on the node.',
    title: (p) => `Table ${p.table} has a flow for ${p.ip}, which is no running pod on ${p.node}`,
    explain: () => 'Left over from a deleted pod. Harmless until the IP is given to a new pod, which then inherits the old port and VNID.',
    subject: (p) => `${p.table}:${p.priority}:${p.match}`
  }),
  'remote.flows': entry<{ node: string; host: string; hostIP: string; subnet: string; table: number; target?: string | null }>({
    check: 'remote.flows',
    severity: 'error',
    about: 'Every other node has a table 10, 50 and 90 flow here, towards its HostIP.',
    title: (p) =>
      p.target === undefined ? `No table ${p.table} flow for node ${p.host} (${p.hostIP}, subnet ${p.subnet})` : `Table ${p.table} sends ${p.subnet} to ${p.target ?? 'nowhere'} instead of ${p.hostIP} (${p.host})`,
    explain: (p) =>
      p.target === undefined
        ? `openshift-sdn must program a table ${p.table} flow that ${remoteWhat[p.table] ?? 'serves this node'}. Without it, ` +
          (p.table === 10 ? `packets from pods on ${p.host} are dropped by table 10's default drop.` : `traffic to pods in ${p.subnet} falls through to table ${p.table}'s default drop.`) +
          ` Restarting the SDN pod of ${p.node} re-creates the flows; if it is missing again, check the SDN logs of ${p.node} for HostSubnet errors.`
        : `The flow for ${p.subnet} must set tun_dst to the HostIP of ${p.host} and output to vxlan0 (port 1). A stale HostIP means the node's IP changed or the HostSubnet was re-created; the SDN pod of ${p.node} re-syncs the flows when restarted.`,
    subject: (p) => `${p.host}:${p.table}${p.target === undefined ? '' : ':target'}`
  }),
  'remote.cookie-uid': entry<{ node: string; host: string; cookies: readonly string[]; want: string }>({
    check: 'remote.cookie',
    severity: 'warning',
    about: "A HostSubnet's flows carry a cookie derived from its UID; another cookie means flows of an earlier HostSubnet.",
    title: (p) => `Flows for ${p.host} carry cookie ${p.cookies.join(', ')}, not ${p.want} (its HostSubnet's UID)`,
    explain: (p) =>
      `The SDN tags the table 10, 50 and 90 flows of a HostSubnet with the first 8 hex digits of the SHA-256 of its UID. Another cookie means the flows were written for an earlier HostSubnet of ${p.host} (the node was deleted and joined again) and were not replaced: they may point at an old address. Restarting the SDN pod of ${p.node} rewrites them.`,
    subject: (p) => p.host
  }),
  'remote.cookie': entry<{ host: string; cookies: readonly string[] }>({
    check: 'remote.cookie',
    severity: 'warning',
    about: 'The flows of one HostSubnet share one cookie.',
    title: (p) => `Flows for ${p.host} carry different cookies (${p.cookies.join(', ')})`,
    explain: () =>
      'The table 10, 50 and 90 flows of one HostSubnet share one cookie (from the HostSubnet UID). Different cookies mean some flows are left over from an earlier HostSubnet of that node.',
    subject: (p) => p.host
  }),
  'remote.multicast-fanout': entry<{ node: string; missing: readonly string[]; extra: readonly string[] }>({
    check: 'remote.flows',
    severity: 'warning',
    about: 'Table 111 sends multicast to every other node, and only to them.',
    title: (p) =>
      `Table 111 sends multicast to ${p.missing.length ? `none of ${p.missing.join(', ')}` : ''}${p.missing.length && p.extra.length ? '; and ' : ''}${p.extra.length ? `${p.extra.join(', ')}, which no HostSubnet holds` : ''}`,
    explain: (p) =>
      `The SDN keeps one table 111 flow with a set_field:<HostIP>->tun_dst,output:1 for every other node (rewritten on each HostSubnet change, multicast used or not). ${p.missing.length ? 'Multicast from pods here does not reach pods on the missing nodes. ' : ''}${p.extra.length ? 'Multicast is sent to addresses of nodes that are gone. ' : ''}Restarting the SDN pod of ${p.node} rewrites the flow.`
  }),
  'remote.self': entry<{ table: number; priority: number; match: string; subnet: string }>({
    check: 'remote.self',
    severity: 'error',
    about: 'A node never has remote flows for its own subnet.',
    title: (p) => `Table ${p.table} sends this node's own subnet ${p.subnet} into VXLAN`,
    explain: () => "A node never has remote flows for its own subnet: two HostSubnets share this subnet, or this node was given another node's subnet.",
    subject: (p) => `${p.table}:${p.priority}:${p.match}`
  }),
  'remote.stale': entry<{ table: number; priority: number; match: string; doing: string }>({
    check: 'remote.stale',
    severity: 'warning',
    about: 'A remote-node flow that no current HostSubnet explains.',
    title: (p) => `Table ${p.table} flow ${p.doing}, but no HostSubnet matches`,
    explain: () =>
      'A flow for a node that is no longer in the cluster, or whose IP or subnet changed. It is harmless if the node is gone; if the subnet was reassigned it misroutes traffic. Restarting the SDN pod of this node removes stale flows.',
    subject: (p) => `${p.table}:${p.priority}:${p.match}`
  }),
  'service.flows': entry<{ node: string; namespace: string | null; name: string; clusterIP: string; missing: readonly string[] }>({
    check: 'service.flows',
    severity: 'error',
    about: 'Table 60 tags traffic to each service IP and port with the service\'s VNID and sends it to tun0.',
    title: (p) => `No table 60 flow for service ${p.namespace ? `${p.namespace}/` : ''}${p.name} (${p.missing.join('; ')})`,
    explain: (p) =>
      `Pods on ${p.node} reach a service through table 60, which tags the traffic with the service's VNID and sends it to tun0 for kube-proxy. Without these flows the traffic to ${p.clusterIP} is dropped by table 60's default. Restarting the SDN pod of ${p.node} reprograms the service flows.`,
    subject: (p) => `${p.namespace ?? ''}/${p.name}`
  }),
  'service.vnid': entry<{ namespace: string | null; name: string; clusterIP: string; vnid: number }>({
    check: 'service.flows',
    severity: 'error',
    about: "A service's table 60 flows load its project's VNID into reg1 and tun0 (2) into reg2.",
    title: (p) => `Table 60 tags service ${p.name} with the wrong VNID or port`,
    explain: (p) =>
      `The flows for ${p.clusterIP} must load VNID ${p.vnid} (project ${p.namespace}) into reg1 and 2 (tun0) into reg2; these do not, so table 80 isolates the traffic wrongly.`,
    subject: (p) => `${p.namespace ?? ''}/${p.name}`
  }),
  'service.stale': entry<{ ip: string }>({
    check: 'service.flows',
    severity: 'warning',
    about: 'Table 60 flows for an IP that is no service.',
    title: (p) => `Table 60 still has flows for ${p.ip}, which is no service`,
    explain: () =>
      'Flows for a deleted service were not removed. They do no harm until the IP is given to a new service in another project, whose traffic would then get the old VNID.',
    subject: (p) => p.ip
  }),
  'vnid.global': entry<{ reg: 'reg0' | 'reg1' }>({
    check: 'vnid.rules',
    severity: 'error',
    about: 'With ovs-multitenant, table 80 lets traffic from and to VNID 0 (the global projects) through.',
    title: (p) => `Table 80 lacks the ${p.reg}=0 rule (global projects)`,
    explain: (p) =>
      `With ovs-multitenant, table 80 lets traffic ${p.reg === 'reg0' ? 'from' : 'to'} VNID 0 (default and global projects) through. Without this rule such traffic is isolated like any other project's.`,
    subject: (p) => p.reg
  }),
  'vnid.rule': entry<{ node: string; vnid: number }>({
    check: 'vnid.rules',
    severity: 'error',
    about: 'With ovs-multitenant, every VNID in use on the node has a table 80 rule letting it talk to itself.',
    title: (p) => `Table 80 has no rule for VNID ${hex(p.vnid)}`,
    explain: (p) =>
      `Pods of VNID ${hex(p.vnid)} on ${p.node} cannot reach each other (or their services): table 80 needs priority=100,reg0=${hex(p.vnid)},reg1=${hex(p.vnid)} actions=output:NXM_NX_REG2[]. The SDN adds it when a pod of that project starts on the node.`,
    subject: (p) => hex(p.vnid)
  }),
  'egress.flow': entry<{ project: string; vnid: number; ip: string; expected: 'mark' | 'vxlan' | 'drop'; holder: string | null }>({
    check: 'egress.ip',
    severity: 'error',
    about: 'A project with an egress IP has a table 100 flow that marks, tunnels or drops its outgoing traffic.',
    title: (p) => `No table 100 flow for the egress IP of project ${p.project} (${p.ip})`,
    explain: (p) =>
      `Traffic of project ${p.project} (VNID ${hex(p.vnid)}) leaving the cluster must be steered by a table 100 reg0=${hex(p.vnid)} flow (${p.expected === 'mark' ? `marked for SNAT to ${p.ip} on this node` : p.expected === 'vxlan' ? `sent to ${p.holder}, which holds ${p.ip}` : `dropped while no node holds ${p.ip}`}). Without it the traffic leaves with the node's own IP.`,
    subject: (p) => p.project
  }),
  'egress.target': entry<{ project: string; ip: string; expected: 'mark' | 'vxlan' | 'drop'; holder: string | null; holderIP: string | null; self: boolean }>({
    check: 'egress.ip',
    severity: 'error',
    about: "A project's table 100 egress flow follows the node that holds its egress IP.",
    title: (p) => `The table 100 flow of project ${p.project} does not match who holds ${p.ip}`,
    explain: (p) =>
      `${p.holder ? `${p.ip} is held by ${p.holder}${p.self ? ' (this node)' : ` (${p.holderIP})`}` : `No node holds ${p.ip}`}, so the flow should ${p.expected === 'mark' ? 'mark the traffic for SNAT here' : p.expected === 'vxlan' ? `send it to ${p.holderIP}` : 'drop it'}; it does not. The egress IP moved and this node did not follow.`,
    subject: (p) => p.project
  }),
  'egress.liveness': entry<{ ip: string; packets: number; known: boolean }>({
    check: 'egress.liveness',
    severity: 'warning',
    about: 'Egress traffic sent to the node that holds an egress IP, while nothing came back from that node.',
    title: (p) => `Egress traffic goes to ${p.ip}, and nothing came back from it between the two dumps`,
    explain: (p) =>
      `Table 100 sent ${p.packets} packet(s) of an egress-IP project by VXLAN to ${p.ip}, the node that holds the egress IP, while ${p.known ? `table 10 counted no packet from it (tun_src=${p.ip})` : 'table 10 has no flow for it at all'}. That node may be down or unreachable on the VXLAN port (UDP 4789); the SDN's vxlan monitor would mark it offline. Check the node and the path to it (Node to node runbook).`,
    subject: (p) => p.ip
  }),
  'multicast.flows': entry<{ project: string; node: string; vnid: number; pods: number; ports: readonly number[]; missingTable: 110 | 120 }>({
    check: 'multicast',
    severity: 'error',
    about: 'A multicast-enabled project with pods on the node has table 110 and 120 flows for its VNID.',
    title: (p) => `Multicast of project ${p.project} is not programmed on ${p.node}`,
    explain: (p) =>
      `The project is multicast-enabled and has ${p.pods} pod(s) here, so table 110 needs reg0=${hex(p.vnid)} actions=goto_table:111 and table 120 reg0=${hex(p.vnid)} with an output to each of its local ports (${p.ports.join(', ')}). ${p.missingTable === 110 ? 'Table 110 has no such flow: multicast from its pods is dropped.' : 'Table 120 has no such flow: multicast to its pods here is dropped.'}`,
    subject: (p) => p.project
  }),
  'multicast.ports': entry<{ project: string; outPorts: readonly number[]; ports: readonly number[] }>({
    check: 'multicast',
    severity: 'error',
    about: "Table 120 delivers a project's multicast to exactly its local pods' ports.",
    title: (p) => `Multicast of project ${p.project} goes to ports ${p.outPorts.join(', ') || 'none'}, not to its pods' ports ${p.ports.join(', ')}`,
    explain: () => "Table 120 must list exactly the local ports of the project's pods: a missing port misses multicast, an extra one leaks it to another pod.",
    subject: (p) => p.project
  }),
  'egress.policy': entry<{ project: string; node: string; vnid: number; missing: readonly string[]; policies?: number; flows?: number }>({
    check: 'egress.policy',
    severity: 'error',
    about: "Each rule of a project's EgressNetworkPolicy is a table 101 flow with its priority, CIDR and action; a project with more than one policy gets a single drop.",
    title: (p) =>
      p.policies !== undefined
        ? `Project ${p.project} has ${p.policies} EgressNetworkPolicies but table 101 does not drop its traffic`
        : `Table 101 does not enforce the egress policy of project ${p.project} (${p.missing.join('; ')})`,
    explain: (p) =>
      p.policies !== undefined
        ? `More than one EgressNetworkPolicy in a project is not allowed; the SDN then drops all its external traffic with a single table 101 flow reg0=${hex(p.vnid)}, priority 1, drop. Table 101 holds ${p.flows ?? 0} flow(s) for the project instead, so its traffic is not handled as the SDN intends.`
        : `Each rule of the project's EgressNetworkPolicy needs a table 101 flow reg0=${hex(p.vnid)} with its priority, CIDR and action. Without them external traffic of the project is not filtered as the policy says. Restarting the SDN pod of ${p.node} reprograms the rules; the SDN log says why a policy was refused.`,
    subject: (p) => (p.policies !== undefined ? `${p.project}:many` : p.project)
  }),
  'egress.dns': entry<{ project: string; node: string; vnid: number; unresolved: readonly string[] }>({
    check: 'egress.policy',
    severity: 'warning',
    about: 'A dnsName egress rule becomes one table 101 flow per address the node resolved.',
    title: (p) => `Table 101 has no flow for the DNS rule(s) of project ${p.project} (${p.unresolved.join('; ')})`,
    explain: (p) =>
      `A dnsName rule becomes one table 101 flow reg0=${hex(p.vnid)} per address the node resolved for the name, at the rule's priority. There is none: the name does not resolve from ${p.node} (check its /etc/resolv.conf and the SDN log for "Could not resolve"), or the flows were removed. Traffic to that name then falls to the next rules of the policy.`,
    subject: (p) => p.project
  }),
  'networkpolicy.missing': entry<{ project: string; node: string; vnid: number; shown: readonly string[]; count: number; notes: readonly string[] }>({
    check: 'networkpolicy',
    severity: 'error',
    about: "With ovs-networkpolicy, table 80 holds the rules the project's NetworkPolicies give.",
    title: (p) => `Table 80 lacks ${p.count} rule(s) the NetworkPolicies of project ${p.project} need`,
    explain: (p) =>
      `For VNID ${hex(p.vnid)} the SDN must write: ${p.shown.join('; ')}${p.count > p.shown.length ? `; and ${p.count - p.shown.length} more` : ''}. Traffic these rules allow is dropped on ${p.node} (a missing drop lets traffic through that a policy forbids).${p.notes.length ? ` ${p.notes.join('; ')}.` : ''} The SDN rewrites a project's rules when a policy, a pod or a namespace changes; its log says why it could not.`,
    subject: (p) => p.project
  }),
  'networkpolicy.extra': entry<{ project: string; vnid: number; count: number; opens: boolean; noPolicy: boolean; notes: readonly string[] }>({
    check: 'networkpolicy',
    severity: 'warning',
    about: 'Table 80 rules for a project that none of its NetworkPolicies gives.',
    title: (p) => `Table 80 has ${p.count} rule(s) for project ${p.project} that no NetworkPolicy gives`,
    explain: (p) =>
      `${p.opens ? 'They let traffic reach pods that the policies do not allow' : 'They drop traffic the policies allow'} (VNID ${hex(p.vnid)}). Left over from a deleted policy, pod or label change that the SDN has not applied yet${p.noPolicy ? `; project ${p.project} has no policy at all, so only priority=50,reg1=${hex(p.vnid)} should be there` : ''}.${p.notes.length ? ` ${p.notes.join('; ')}.` : ''}`,
    subject: (p) => p.project
  }),
  'drops.rising': entry<{ table: number; packets: number; rate: number | null; meaning: string; seconds: number | null; reset: boolean }>({
    check: 'drops.rising',
    severity: 'warning',
    about: "A table's default drop counted packets between two dumps of the node.",
    title: (p) => `Table ${p.table} dropped ${plural(p.packets, 'packet')} between the two dumps${rate(p.rate)}`,
    explain: (p) =>
      `The default drop of table ${p.table} counts ${p.meaning}. ${p.seconds !== null ? `In ${Math.round(p.seconds)} s` : 'Between the dumps'} it rose by ${p.packets}${p.reset ? ' (the flow was re-added in between: counted from zero)' : ''}. An ofproto/trace of the failing packet shows which flow it lacks.`,
    subject: (p) => String(p.table)
  })
} as const

export type SdnKind = keyof typeof sdnCatalog
type EntryOf<K extends SdnKind> = (typeof sdnCatalog)[K]
export type SdnParams<K extends SdnKind> = EntryOf<K> extends CatalogEntry<infer P> ? P : never

/** A Check SDN finding of a kind: id, check, title and explanation from the catalog. */
export function sdnFinding<K extends SdnKind>(kind: K, params: SdnParams<K>, evidence: EvidenceLine[], severity?: Severity): Finding {
  // TypeScript cannot tie sdnCatalog[kind] to SdnParams<K> for a generic K (a correlated union); the signature does.
  const e = sdnCatalog[kind] as unknown as CatalogEntry<SdnParams<K>>
  const subject = e.subject?.(params)
  return { id: subject === undefined ? kind : `${kind}:${subject}`, check: e.check, severity: severity ?? e.severity, title: e.title(params), detail: e.explain(params), evidence }
}

export const isSdnKind = (k: string): k is SdnKind => Object.hasOwn(sdnCatalog, k)

/** A catalog kind a runbook step may name, and the text parameters it must give. */
export function runbookKind(k: string): { kind: SdnKind; params: readonly string[]; host: string | undefined } | null {
  if (!isSdnKind(k)) return null
  // Read as untyped parameters: only runbookParams (all text, checked when runbooks load) are ever passed this way.
  const e: CatalogEntry<Params> = sdnCatalog[k] as unknown as CatalogEntry<Params>
  return e.runbookParams ? { kind: k, params: e.runbookParams, host: e.host } : null
}

/** A runbook's finding of a catalog kind, its text parameters filled from the run. */
export function renderRunbookKind(k: SdnKind, params: Record<string, string>): { title: string; explain: string; severity: Severity; subject: string | undefined } {
  const e: CatalogEntry<Params> = sdnCatalog[k] as unknown as CatalogEntry<Params>
  return { title: e.title(params), explain: e.explain(params), severity: e.severity, subject: e.subject?.(params) }
}

/** What a stored finding's kind means, for the Findings view and the report ("sdn.host.mtu"). */
export function aboutKind(kind: string): string | null {
  const bare = kind.startsWith('sdn.') ? kind.slice(4) : kind
  return isSdnKind(bare) ? sdnCatalog[bare].about : null
}
