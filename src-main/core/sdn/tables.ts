// What openshift-sdn (3.10/3.11, rule version 7) programs in each table of br0, as data.

export interface SdnTable {
  table: number
  name: string
  purpose: string
  /** The priority=0 (or for 111 priority=100) default action, as ovs-ofctl prints it; null when none is required. */
  defaultActions: string | null
  defaultPriority: number
  /** Only with the networkpolicy plugin. */
  networkPolicyOnly?: boolean
}

export const sdnTables: readonly SdnTable[] = [
  { table: 0, name: 'classify', purpose: 'Classify by in_port: VXLAN (1), tun0 (2), local pods (others); drop the rest.', defaultActions: 'drop', defaultPriority: 0 },
  { table: 10, name: 'VXLAN in', purpose: 'Accept VXLAN only from known nodes (tun_src = a HostSubnet HostIP).', defaultActions: 'drop', defaultPriority: 0 },
  { table: 20, name: 'from pods', purpose: 'Anti-spoofing per pod (port + IP + MAC) and load the source VNID into reg0.', defaultActions: 'drop', defaultPriority: 0 },
  { table: 21, name: 'pod egress hook', purpose: 'NetworkPolicy conntrack commit; otherwise on to routing.', defaultActions: 'goto_table:30', defaultPriority: 0 },
  { table: 25, name: 'service return', purpose: 'Pod-to-service traffic back from iptables: reload the source VNID (networkpolicy).', defaultActions: 'drop', defaultPriority: 0, networkPolicyOnly: true },
  { table: 30, name: 'routing', purpose: 'Route by destination: gateway, local subnet, cluster network, services, multicast, external.', defaultActions: null, defaultPriority: 0 },
  { table: 40, name: 'ARP local', purpose: 'ARP to a local pod: output to its port.', defaultActions: 'drop', defaultPriority: 0 },
  { table: 50, name: 'ARP remote', purpose: 'ARP to a remote node subnet: into VXLAN towards that node.', defaultActions: 'drop', defaultPriority: 0 },
  { table: 60, name: 'services', purpose: 'IP to the service network: to tun0 (iptables does the rest).', defaultActions: 'drop', defaultPriority: 0 },
  { table: 70, name: 'IP local', purpose: 'IP to a local pod: load destination VNID (reg1) and port (reg2).', defaultActions: 'drop', defaultPriority: 0 },
  { table: 80, name: 'isolation', purpose: 'VNID isolation / NetworkPolicy decision; output to reg2.', defaultActions: 'drop', defaultPriority: 0 },
  { table: 90, name: 'IP remote', purpose: 'IP to a remote node subnet: into VXLAN towards that node.', defaultActions: 'drop', defaultPriority: 0 },
  { table: 100, name: 'egress', purpose: 'External traffic: VXLAN port guard, node DNS, egress IPs.', defaultActions: 'goto_table:101', defaultPriority: 0 },
  { table: 101, name: 'egress firewall', purpose: 'EgressNetworkPolicy rules; default out through tun0.', defaultActions: 'output:2', defaultPriority: 0 },
  { table: 110, name: 'multicast out', purpose: 'Multicast from local pods: is the VNID multicast-enabled?', defaultActions: 'drop', defaultPriority: 0 },
  { table: 111, name: 'multicast fan-out', purpose: 'Multicast to every other node over VXLAN.', defaultActions: null, defaultPriority: 100 },
  { table: 120, name: 'multicast in', purpose: 'Multicast delivery to local pods of the VNID.', defaultActions: 'drop', defaultPriority: 0 },
  { table: 253, name: 'version', purpose: 'Version marker: note PP.VV = plugin id and rule version.', defaultActions: null, defaultPriority: 32768 }
]

export const sdnTableById = new Map(sdnTables.map((t) => [t.table, t]))

export const plugins: Record<string, { id: number; name: string }> = {
  'redhat/openshift-ovs-subnet': { id: 0, name: 'ovs-subnet' },
  'redhat/openshift-ovs-multitenant': { id: 1, name: 'ovs-multitenant' },
  'redhat/openshift-ovs-networkpolicy': { id: 2, name: 'ovs-networkpolicy' }
}

/** The plugin a table 253 note's id names, as the engineer knows it; never a bare number. */
export function pluginName(id: number | null): string {
  if (id === null) return 'unknown plugin'
  return ['subnet', 'multitenant', 'networkpolicy'][id] ?? `an unknown plugin (id ${id})`
}

/** Rule version of 3.10/3.11 (and 4.1-4.5). */
export const ruleVersion311 = 7

/** VXLAN encapsulation overhead on IPv4 (outer IP 20 + UDP 8 + VXLAN 8 + inner Ethernet 14). */
export const vxlanOverhead = 50
