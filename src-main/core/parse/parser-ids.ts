// The parser ids alone (no parser code), so the UI can offer the choice without bundling the parsers.
/** Stable ids: captures store them, so they never change meaning. */
export const parserIds = [
  'ovs-ofctl.dump-flows',
  'ovs-ofctl.diff-flows',
  'ovs-ofctl.dump-ports-desc',
  'ovs-ofctl.dump-ports',
  'ovs-ofctl.dump-groups',
  'ovs-vsctl.show',
  'ovs-vsctl.list',
  'ovs-appctl.ofproto-trace',
  'ip.addr',
  'ip.route',
  'iptables-save',
  'brctl.show',
  'sysctl',
  'oc.get.hostsubnets',
  'oc.get.netnamespaces',
  'oc.get.clusternetwork',
  'oc.get.nodes',
  'oc.get.pods',
  'oc.get.services',
  'oc.get.endpoints',
  'oc.get.egressnetworkpolicies',
  'oc.get.networkpolicies',
  'oc.get.namespaces'
] as const
export type ParserId = (typeof parserIds)[number]
