// The lab has no OpenShift: this writes a stand-in `oc` for the jump host ("the master") that answers
// `oc get` for nodes, HostSubnets, NetNamespaces, ClusterNetwork, pods (with --show-labels), namespaces,
// NetworkPolicies, EgressNetworkPolicies, services and endpoints from the
// lab's own plan (in the layout OpenShift 3.11 prints), and makes `oc -n openshift-sdn exec <ovs pod> -- …`
// run the command in that node's namespace against its real Open vSwitch, as the 3.11 ovs pod would.
// `oc logs` of an ovs or sdn pod prints the node's real ovs-vswitchd log (there is no SDN process).
// Everything OVS returns is real; only the API objects are written from the plan.
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { labHostSubnetUid, type LabNodePlan } from './flows'

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => (r[c] ?? '').length)))
  return rows.map((r) => r.map((cell, c) => (c === r.length - 1 ? cell : cell.padEnd((widths[c] as number) + 3))).join('').trimEnd()).join('\n') + '\n'
}

/** Pod names as OpenShift makes them: the daemonset name and a random-looking suffix (not the node's name). */
export function sdnPodName(kind: 'ovs' | 'sdn', node: LabNodePlan): string {
  const suffix = ['x7k2p', 'q9m4t', 'b3v8r', 'h5n1w', 'c2j6z', 'f8d4s', 'k1p7y', 'm6g3e'][(node.index - 1) % 8] as string
  return `${kind}-${suffix}${node.index > 8 ? node.index : ''}`
}

export function writeOcStandin(dir: string, plan: readonly LabNodePlan[], nodeDirs: Map<string, { netns: string; ovsDir: string }>): string {
  const data = join(dir, 'oc')
  const bin = join(dir, 'bin')
  mkdirSync(data, { recursive: true })
  mkdirSync(bin, { recursive: true })
  const age = '3d'
  writeFileSync(
    join(data, 'nodes'),
    table([
      ['NAME', 'STATUS', 'ROLES', 'AGE', 'VERSION', 'INTERNAL-IP', 'EXTERNAL-IP', 'OS-IMAGE', 'KERNEL-VERSION', 'CONTAINER-RUNTIME'],
      ...plan.map((n) => [n.name, 'Ready', 'compute', age, 'v1.11.0+d4cacc0', n.ip, '<none>', 'Red Hat Enterprise Linux Server 7.9 (Maipo)', '3.10.0-1160.el7.x86_64', 'docker://1.13.1'])
    ])
  )
  writeFileSync(join(data, 'hostsubnets'), table([['NAME', 'HOST', 'HOST IP', 'SUBNET', 'EGRESS CIDRS', 'EGRESS IPS'], ...plan.map((n) => [n.name, n.name, n.ip, n.subnet, '[]', '[]'])]))
  writeFileSync(
    join(data, 'hostsubnets.json'),
    JSON.stringify({ apiVersion: 'v1', kind: 'List', items: plan.map((n) => ({ apiVersion: 'network.openshift.io/v1', kind: 'HostSubnet', metadata: { name: n.name, uid: labHostSubnetUid(n.index) }, host: n.name, hostIP: n.ip, subnet: n.subnet })) }, null, 4) + '\n'
  )
  const vnids = new Map<string, number>([['default', 0], ['kube-system', 1], ['openshift-sdn', 0]])
  for (const n of plan) for (const p of n.pods) vnids.set(p.vnid === 0xabcdef ? 'proj-a' : 'proj-b', p.vnid)
  writeFileSync(join(data, 'netnamespaces'), table([['NAME', 'NETID', 'EGRESS IPS'], ...[...vnids].map(([name, id]) => [name, String(id), '[]'])]))
  writeFileSync(
    join(data, 'netnamespaces.json'),
    JSON.stringify({ apiVersion: 'v1', kind: 'List', items: [...vnids].map(([name, id]) => ({ apiVersion: 'network.openshift.io/v1', kind: 'NetNamespace', metadata: { name }, netname: name, netid: id })) }, null, 4) + '\n'
  )
  writeFileSync(join(data, 'clusternetwork'), table([['NAME', 'CLUSTER NETWORKS', 'SERVICE NETWORK', 'PLUGIN NAME'], ['default', '10.128.0.0/14:9', '172.30.0.0/16', 'redhat/openshift-ovs-networkpolicy']]))
  const sdnPods = plan.flatMap((n) => (['ovs', 'sdn'] as const).map((k) => ({ ns: 'openshift-sdn', name: sdnPodName(k, n), ip: n.ip, node: n.name })))
  const appPods = plan.flatMap((n) => n.pods.map((p) => ({ ns: p.vnid === 0xabcdef ? 'proj-a' : 'proj-b', name: p.name, ip: p.ip, node: n.name })))
  const wide = (ps: typeof sdnPods, withNs: boolean) =>
    table([
      [...(withNs ? ['NAMESPACE'] : []), 'NAME', 'READY', 'STATUS', 'RESTARTS', 'AGE', 'IP', 'NODE', 'NOMINATED NODE'],
      ...ps.map((p) => [...(withNs ? [p.ns] : []), p.name, '1/1', 'Running', '0', age, p.ip, p.node, '<none>'])
    ])
  writeFileSync(join(data, 'pods-openshift-sdn'), wide(sdnPods, false))
  writeFileSync(join(data, 'pods-all'), wide([...sdnPods, ...appPods], true))
  const labelsOf = (p: (typeof sdnPods)[number]) => (p.ns === 'openshift-sdn' ? `app=${p.name.split('-')[0]}` : `app=web,project=${p.ns}`)
  writeFileSync(
    join(data, 'pods-all-labels'),
    table([
      ['NAMESPACE', 'NAME', 'READY', 'STATUS', 'RESTARTS', 'AGE', 'IP', 'NODE', 'NOMINATED NODE', 'LABELS'],
      ...[...sdnPods, ...appPods].map((p) => [p.ns, p.name, '1/1', 'Running', '0', age, p.ip, p.node, '<none>', labelsOf(p)])
    ])
  )
  // Each project admits traffic from its own pods only (the NetworkPolicy "allow-same-namespace").
  const list = (items: object[]) => JSON.stringify({ apiVersion: 'v1', kind: 'List', items, metadata: { resourceVersion: '', selfLink: '' } }, null, 4) + '\n'
  const projects = [...new Set(appPods.map((p) => p.ns))]
  writeFileSync(
    join(data, 'networkpolicies.json'),
    list(projects.map((ns) => ({ apiVersion: 'extensions/v1beta1', kind: 'NetworkPolicy', metadata: { name: 'allow-same-namespace', namespace: ns }, spec: { podSelector: {}, policyTypes: ['Ingress'], ingress: [{ from: [{ podSelector: {} }] }] } })))
  )
  writeFileSync(join(data, 'namespaces.json'), list([...vnids.keys()].map((name) => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels: { name } }, status: { phase: 'Active' } }))))
  writeFileSync(join(data, 'svc-all'), table([['NAMESPACE', 'NAME', 'TYPE', 'CLUSTER-IP', 'EXTERNAL-IP', 'PORT(S)', 'AGE'], ['default', 'kubernetes', 'ClusterIP', '172.30.0.1', '<none>', '443/TCP,53/UDP,53/TCP', age]]))
  writeFileSync(join(data, 'ep-all'), table([['NAMESPACE', 'NAME', 'ENDPOINTS', 'AGE'], ['default', 'kubernetes', '127.0.0.1:8443', age]]))
  // Which node each ovs/sdn pod runs on, and where that node's OVS lives.
  const podLines = plan.flatMap((n) => {
    const d = nodeDirs.get(n.name)
    if (!d) return []
    return (['ovs', 'sdn'] as const).map((k) => `${sdnPodName(k, n)} ${d.netns} ${d.ovsDir}`)
  })
  writeFileSync(join(data, 'pod-nodes'), podLines.join('\n') + '\n')

  const script = `#!/bin/sh
# Lab stand-in for oc (see tests/lab/oc-standin.ts): API objects from the lab plan, exec/logs on the real nodes.
D=${data}
ns=default
all=0
while [ $# -gt 0 ]; do
  case $1 in
    -n|--namespace) ns=$2; shift 2 ;;
    --namespace=*) ns=\${1#*=}; shift ;;
    --all-namespaces|-A) all=1; shift ;;
    *) break ;;
  esac
done
verb=$1; shift
case $verb in
  get)
    res=
    for a in "$@"; do case $a in --all-namespaces|-A) all=1 ;; -*) ;; *) [ -z "$res" ] && res=$a ;; esac; done
    case $res in
      nodes|node|no) cat "$D/nodes" ;;
      hostsubnets|hostsubnet) case " $* " in *" json "*|*" -ojson "*|*"=json "*) cat "$D/hostsubnets.json" ;; *) cat "$D/hostsubnets" ;; esac ;;
      netnamespaces|netnamespace) case " $* " in *" json "*|*" -ojson "*|*"=json "*) cat "$D/netnamespaces.json" ;; *) cat "$D/netnamespaces" ;; esac ;;
      clusternetwork|clusternetworks) cat "$D/clusternetwork" ;;
      pods|pod|po) if [ "$all" = 1 ]; then case " $* " in *" --show-labels "*) cat "$D/pods-all-labels" ;; *) cat "$D/pods-all" ;; esac; elif [ "$ns" = openshift-sdn ]; then cat "$D/pods-openshift-sdn"; else echo "No resources found."; fi ;;
      networkpolicy|networkpolicies|netpol) cat "$D/networkpolicies.json" ;;
      namespaces|namespace|ns) cat "$D/namespaces.json" ;;
      egressnetworkpolicy|egressnetworkpolicies) echo '{"apiVersion": "v1", "items": [], "kind": "List", "metadata": {"resourceVersion": "", "selfLink": ""}}' ;;
      svc|services|service) if [ "$all" = 1 ]; then cat "$D/svc-all"; else echo "No resources found."; fi ;;
      ep|endpoints) if [ "$all" = 1 ]; then cat "$D/ep-all"; else echo "No resources found."; fi ;;
      *) echo "error: the server doesn't have a resource type \\"$res\\"" >&2; exit 1 ;;
    esac ;;
  exec)
    pod=$1; shift
    [ "$1" = "--" ] && shift
    line=$(grep "^$pod " "$D/pod-nodes")
    [ -n "$line" ] && [ "$ns" = openshift-sdn ] || { echo "Error from server (NotFound): pods \\"$pod\\" not found" >&2; exit 1; }
    set -- $line "$@"
    ovs=$3; shift 3
    # The master's sshd has a private /run (no /run/netns): enter the node's network through its ovs-vswitchd.
    exec nsenter --net=/proc/$(cat "$ovs/run/ovs-vswitchd.pid")/ns/net env OVS_RUNDIR="$ovs/run" OVS_DBDIR="$ovs/db" OVS_LOGDIR="$ovs/log" "$@" ;;
  logs)
    pod=
    for a in "$@"; do case $a in -*) ;; *) [ -z "$pod" ] && pod=$a ;; esac; done
    line=$(grep "^$pod " "$D/pod-nodes")
    [ -n "$line" ] && [ "$ns" = openshift-sdn ] || { echo "Error from server (NotFound): pods \\"$pod\\" not found" >&2; exit 1; }
    set -- $line
    cat "$3/log/ovs-vswitchd.log" ;;
  *) echo "lab oc: $verb is not supported here" >&2; exit 1 ;;
esac
`
  const oc = join(bin, 'oc')
  writeFileSync(oc, script)
  chmodSync(oc, 0o755)
  return bin
}
