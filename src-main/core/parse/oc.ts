import { parseColumnTable } from './columns'
import { diag, type Diagnostic } from './diagnostics'

export interface HostSubnet {
  line: number
  name: string
  host: string
  hostIP: string
  subnet: string
  egressIPs: string[]
  /** metadata.uid (-o json only): the SDN's flow cookie for the node is the first 8 hex digits of its SHA-256. */
  uid: string | null
}
export interface NetNamespace {
  line: number
  name: string
  netid: number | null
  egressIPs: string[]
  /** The multicast-enabled annotation (only `-o json`/yaml shows it; null from a table). */
  multicast: boolean | null
}
export interface ClusterNetwork {
  line: number
  name: string
  /** CIDR with host subnet length, e.g. "10.128.0.0/14" and 9. */
  networks: { cidr: string; hostSubnetLength: number | null }[]
  serviceNetwork: string | null
  pluginName: string | null
}
export interface OcNode {
  line: number
  name: string
  status: string | null
  ready: boolean | null
  roles: string[]
  version: string | null
  internalIP: string | null
}
export interface OcPod {
  line: number
  namespace: string | null
  name: string
  ready: string | null
  status: string | null
  restarts: number | null
  ip: string | null
  node: string | null
  /** Labels (-o json, or a table with --show-labels); null when the output does not show them. */
  labels: Record<string, string> | null
  /** spec.hostNetwork (-o json only; null from a table). */
  hostNetwork: boolean | null
}
export interface OcService {
  line: number
  namespace: string | null
  name: string
  type: string | null
  clusterIP: string | null
  ports: string | null
}
export interface OcEndpoints {
  line: number
  namespace: string | null
  name: string
  endpoints: string[]
  /** Endpoints a table left out ("+ 3 more..."): -o json lists them all. */
  notShown: number
}

export interface EgressRule {
  type: 'Allow' | 'Deny'
  /** cidrSelector, or null for a dnsName rule. */
  cidr: string | null
  dnsName: string | null
}
export interface EgressNetworkPolicy {
  line: number
  namespace: string | null
  name: string
  /** In order (the first rule wins); empty from a table, which does not show them. */
  rules: EgressRule[]
}

/** A Kubernetes label selector; null in a peer means "not given". */
export interface LabelSelector {
  matchLabels: Record<string, string>
  matchExpressions: { key: string; operator: string; values: string[] }[]
}
export interface NetworkPolicyPeer {
  podSelector: LabelSelector | null
  namespaceSelector: LabelSelector | null
  /** ipBlock CIDR (openshift-sdn 3.11 does not implement ipBlock). */
  ipBlock: string | null
}
export interface NetworkPolicyPort {
  /** As written ("TCP", "UDP", "SCTP"...); null = TCP. */
  protocol: string | null
  /** A number, a named port (string), or null when not given. */
  port: number | string | null
}
export interface NetworkPolicy {
  line: number
  namespace: string | null
  name: string
  /** null from a table, which shows neither selectors nor rules. */
  podSelector: LabelSelector | null
  /** spec.policyTypes as stored (the API server fills it in); null when absent. */
  policyTypes: string[] | null
  ingress: { ports: NetworkPolicyPort[]; from: NetworkPolicyPeer[] }[]
}
export interface OcNamespace {
  line: number
  name: string
  /** null when the output does not show them (a table without --show-labels). */
  labels: Record<string, string> | null
}

export type OcKind = 'hostsubnets' | 'netnamespaces' | 'clusternetwork' | 'nodes' | 'pods' | 'services' | 'endpoints' | 'egressnetworkpolicies' | 'networkpolicies' | 'namespaces'

export interface OcResult<T> {
  records: T[]
  diagnostics: Diagnostic[]
  format: 'table' | 'json'
}

const none = (v: string | undefined | null) => (v === undefined || v === null || v === '' || v === '<none>' || v === '<nodes>' ? null : v)
const list = (v: string | undefined) => {
  const s = none(v)
  return s === null ? [] : s.replace(/^\[|\]$/g, '').split(/[,\s]+/).filter((x) => x !== '')
}

type Obj = Record<string, unknown>
const obj = (v: unknown): Obj => (v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : {})
const str = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null)

/**
 * How YAML text is read into plain values. Core holds no YAML parser (it imports no packages); the Node side
 * plugs in a well-kept one at start (node/yaml.ts). Without it, `-o yaml` output gives a diagnostic saying so.
 */
let yamlReader: ((text: string) => unknown) | null = null

export function useYamlReader(read: (text: string) => unknown): void {
  yamlReader = read
}

/** `oc get … -o yaml` output: a document starting with apiVersion/kind/items (or "---"). */
function looksLikeYaml(t: string): boolean {
  return /^(---\s*\n)?(apiVersion|kind|items|metadata):/m.test(t.slice(0, 2000)) && !/^\S+\s{2,}\S+/.test(t.split('\n', 1)[0] ?? '')
}

function itemsOf(doc: unknown, what: string, text: string, diagnostics: Diagnostic[]): Obj[] | null {
  const d = obj(doc)
  if (Array.isArray(d.items)) return d.items.map(obj)
  if (typeof d.kind === 'string') return [d]
  diagnostics.push(diag(1, 'error', `${what}, but not an OpenShift object or List`, text.slice(0, 200)))
  return null
}

function jsonItems(text: string, diagnostics: Diagnostic[]): Obj[] | null {
  let doc: unknown
  try {
    doc = JSON.parse(text)
  } catch (err) {
    diagnostics.push(diag(1, 'error', `not valid JSON (${(err as Error).message}); cut short?`, text.slice(0, 200)))
    return null
  }
  return itemsOf(doc, 'JSON', text, diagnostics)
}

function yamlItems(text: string, diagnostics: Diagnostic[]): Obj[] | null {
  if (!yamlReader) {
    diagnostics.push(diag(1, 'error', 'YAML output, and no YAML reader is set up here', text.slice(0, 200)))
    return null
  }
  let doc: unknown
  try {
    doc = yamlReader(text)
  } catch (err) {
    diagnostics.push(diag(1, 'error', `not valid YAML (${(err as Error).message.split('\n')[0]}); cut short?`, text.slice(0, 200)))
    return null
  }
  return itemsOf(doc, 'YAML', text, diagnostics)
}

const labelsOf = (v: unknown): Record<string, string> => Object.fromEntries(Object.entries(obj(v)).map(([k, x]) => [k, String(x)]))

function selectorOf(v: unknown): LabelSelector | null {
  if (v === null || v === undefined || typeof v !== 'object') return null
  const o = obj(v)
  return {
    matchLabels: labelsOf(o.matchLabels),
    matchExpressions: (Array.isArray(o.matchExpressions) ? o.matchExpressions.map(obj) : []).map((e) => ({
      key: str(e.key) ?? '',
      operator: str(e.operator) ?? '',
      values: Array.isArray(e.values) ? e.values.map(String) : []
    }))
  }
}

/** "app=web,tier=db" (the LABELS column of --show-labels), "<none>" for none. */
function labelColumn(v: string | undefined): Record<string, string> | null {
  if (v === undefined) return null
  const out: Record<string, string> = {}
  if (none(v) === null) return out
  for (const kv of v.split(',')) {
    const eq = kv.indexOf('=')
    if (eq > 0) out[kv.slice(0, eq)] = kv.slice(eq + 1)
  }
  return out
}

const fromJson: { [K in OcKind]: (o: Obj) => unknown } = {
  hostsubnets: (o) => ({ line: 1, name: str(obj(o.metadata).name) ?? '', host: str(o.host) ?? '', hostIP: str(o.hostIP) ?? '', subnet: str(o.subnet) ?? '', egressIPs: Array.isArray(o.egressIPs) ? o.egressIPs.map(String) : [], uid: str(obj(o.metadata).uid) }),
  netnamespaces: (o) => ({
    line: 1,
    name: str(o.netname) ?? str(obj(o.metadata).name) ?? '',
    netid: typeof o.netid === 'number' ? o.netid : null,
    egressIPs: Array.isArray(o.egressIPs) ? o.egressIPs.map(String) : [],
    multicast: str(obj(obj(o.metadata).annotations)['netnamespace.network.openshift.io/multicast-enabled']) === 'true'
  }),
  clusternetwork: (o) => ({
    line: 1,
    name: str(obj(o.metadata).name) ?? '',
    networks: Array.isArray(o.clusterNetworks)
      ? o.clusterNetworks.map((n) => ({ cidr: str(obj(n).CIDR) ?? '', hostSubnetLength: typeof obj(n).hostSubnetLength === 'number' ? (obj(n).hostSubnetLength as number) : null }))
      : str(o.network)
        ? [{ cidr: str(o.network) as string, hostSubnetLength: typeof o.hostsubnetlength === 'number' ? o.hostsubnetlength : null }]
        : [],
    serviceNetwork: str(o.serviceNetwork),
    pluginName: str(o.pluginName)
  }),
  nodes: (o) => {
    const status = obj(o.status)
    const conds = Array.isArray(status.conditions) ? status.conditions.map(obj) : []
    const ready = conds.find((c) => c.type === 'Ready')
    const addrs = Array.isArray(status.addresses) ? status.addresses.map(obj) : []
    const labels = obj(obj(o.metadata).labels)
    return {
      line: 1,
      name: str(obj(o.metadata).name) ?? '',
      status: ready ? (ready.status === 'True' ? 'Ready' : 'NotReady') : null,
      ready: ready ? ready.status === 'True' : null,
      roles: Object.keys(labels).filter((k) => k.startsWith('node-role.kubernetes.io/')).map((k) => k.slice(24)),
      version: str(obj(status.nodeInfo).kubeletVersion),
      internalIP: str(addrs.find((a) => a.type === 'InternalIP')?.address)
    }
  },
  pods: (o) => {
    const status = obj(o.status)
    const cs = Array.isArray(status.containerStatuses) ? status.containerStatuses.map(obj) : []
    return {
      line: 1,
      namespace: str(obj(o.metadata).namespace),
      name: str(obj(o.metadata).name) ?? '',
      ready: cs.length ? `${cs.filter((c) => c.ready === true).length}/${cs.length}` : null,
      status: str(status.phase),
      restarts: cs.reduce((n, c) => n + (typeof c.restartCount === 'number' ? c.restartCount : 0), 0),
      ip: str(status.podIP),
      node: str(obj(o.spec).nodeName),
      labels: labelsOf(obj(o.metadata).labels),
      hostNetwork: obj(o.spec).hostNetwork === true
    }
  },
  services: (o) => {
    const spec = obj(o.spec)
    const ports = Array.isArray(spec.ports) ? spec.ports.map(obj).map((p) => `${p.port}/${p.protocol ?? 'TCP'}`).join(',') : null
    return { line: 1, namespace: str(obj(o.metadata).namespace), name: str(obj(o.metadata).name) ?? '', type: str(spec.type), clusterIP: none(str(spec.clusterIP)), ports }
  },
  endpoints: (o) => {
    const eps: string[] = []
    for (const s of Array.isArray(o.subsets) ? o.subsets.map(obj) : []) {
      const ports = Array.isArray(s.ports) ? s.ports.map(obj) : [{}]
      for (const a of Array.isArray(s.addresses) ? s.addresses.map(obj) : []) for (const p of ports) eps.push(p.port === undefined ? String(a.ip) : `${a.ip}:${p.port}`)
    }
    return { line: 1, namespace: str(obj(o.metadata).namespace), name: str(obj(o.metadata).name) ?? '', endpoints: eps, notShown: 0 }
  },
  egressnetworkpolicies: (o) => ({
    line: 1,
    namespace: str(obj(o.metadata).namespace),
    name: str(obj(o.metadata).name) ?? '',
    rules: (Array.isArray(obj(o.spec).egress) ? (obj(o.spec).egress as unknown[]) : []).map((r) => {
      const to = obj(obj(r).to)
      return { type: str(obj(r).type) === 'Deny' ? 'Deny' : 'Allow', cidr: str(to.cidrSelector), dnsName: str(to.dnsName) }
    })
  }),
  networkpolicies: (o) => {
    const spec = obj(o.spec)
    return {
      line: 1,
      namespace: str(obj(o.metadata).namespace),
      name: str(obj(o.metadata).name) ?? '',
      podSelector: selectorOf(spec.podSelector) ?? { matchLabels: {}, matchExpressions: [] },
      policyTypes: Array.isArray(spec.policyTypes) ? spec.policyTypes.map(String) : null,
      ingress: (Array.isArray(spec.ingress) ? spec.ingress.map(obj) : []).map((r) => ({
        ports: (Array.isArray(r.ports) ? r.ports.map(obj) : []).map((p) => ({
          protocol: str(p.protocol),
          port: typeof p.port === 'number' ? p.port : str(p.port)
        })),
        from: (Array.isArray(r.from) ? r.from.map(obj) : []).map((f) => ({
          podSelector: selectorOf(f.podSelector),
          namespaceSelector: selectorOf(f.namespaceSelector),
          ipBlock: str(obj(f.ipBlock).cidr)
        }))
      }))
    }
  },
  namespaces: (o) => ({ line: 1, name: str(obj(o.metadata).name) ?? '', labels: labelsOf(obj(o.metadata).labels) })
}

const headerOf: { [K in OcKind]: RegExp } = {
  hostsubnets: /^NAME\s+HOST\s+HOST IP\s+SUBNET/,
  netnamespaces: /^NAME\s+NETID/,
  clusternetwork: /^NAME\s+(CLUSTER NETWORKS?|NETWORK)\s+/,
  nodes: /^NAME\s+STATUS\s+ROLES/,
  pods: /^(NAMESPACE\s+)?NAME\s+READY\s+STATUS/,
  services: /^(NAMESPACE\s+)?NAME\s+TYPE\s+CLUSTER-IP/,
  endpoints: /^(NAMESPACE\s+)?NAME\s+ENDPOINTS/,
  egressnetworkpolicies: /^(NAMESPACE\s+)?NAME\s+AGE/,
  networkpolicies: /^(NAMESPACE\s+)?NAME\s+POD-SELECTOR/,
  namespaces: /^NAME\s+(STATUS|DISPLAY NAME)/
}

type Cells = Record<string, string>
const fromRow: { [K in OcKind]: (c: Cells, line: number) => unknown } = {
  hostsubnets: (c, line) => ({ line, name: c.NAME ?? '', host: c.HOST ?? '', hostIP: c['HOST IP'] ?? '', subnet: c.SUBNET ?? '', egressIPs: list(c['EGRESS IPS']), uid: null }),
  netnamespaces: (c, line) => ({ line, name: c.NAME ?? '', netid: /^\d+$/.test(c.NETID ?? '') ? Number(c.NETID) : null, egressIPs: list(c['EGRESS IPS']), multicast: null }),
  clusternetwork: (c, line) => {
    const nets = list(c['CLUSTER NETWORKS'] ?? c['CLUSTER NETWORK'] ?? c.NETWORK)
    return {
      line,
      name: c.NAME ?? '',
      networks: nets.map((n) => {
        const [cidr = '', len] = n.split(':')
        return { cidr, hostSubnetLength: len && /^\d+$/.test(len) ? Number(len) : null }
      }),
      serviceNetwork: none(c['SERVICE NETWORK']),
      pluginName: none(c['PLUGIN NAME'])
    }
  },
  nodes: (c, line) => ({
    line,
    name: c.NAME ?? '',
    status: none(c.STATUS),
    ready: c.STATUS ? c.STATUS.split(',')[0] === 'Ready' : null,
    roles: list(c.ROLES),
    version: none(c.VERSION),
    internalIP: none(c['INTERNAL-IP'])
  }),
  pods: (c, line) => ({
    line,
    namespace: none(c.NAMESPACE),
    name: c.NAME ?? '',
    ready: none(c.READY),
    status: none(c.STATUS),
    restarts: /^\d+/.test(c.RESTARTS ?? '') ? parseInt(c.RESTARTS as string, 10) : null,
    ip: none(c.IP),
    node: none(c.NODE),
    labels: labelColumn(c.LABELS),
    hostNetwork: null
  }),
  services: (c, line) => ({ line, namespace: none(c.NAMESPACE), name: c.NAME ?? '', type: none(c.TYPE), clusterIP: none(c['CLUSTER-IP']), ports: none(c['PORT(S)']) }),
  endpoints: (c, line) => {
    // oc shows three endpoints and then "+ N more...".
    const v = c.ENDPOINTS ?? ''
    const more = /\+\s*(\d+)\s+more/.exec(v)
    return { line, namespace: none(c.NAMESPACE), name: c.NAME ?? '', endpoints: list(v.replace(/\+\s*\d+\s+more\.*/, '')), notShown: more ? Number(more[1]) : 0 }
  },
  egressnetworkpolicies: (c, line) => ({ line, namespace: none(c.NAMESPACE), name: c.NAME ?? '', rules: [] }),
  networkpolicies: (c, line) => ({ line, namespace: none(c.NAMESPACE), name: c.NAME ?? '', podSelector: null, policyTypes: null, ingress: [] }),
  namespaces: (c, line) => ({ line, name: c.NAME ?? '', labels: labelColumn(c.LABELS) })
}

export interface OcRecords {
  hostsubnets: HostSubnet
  netnamespaces: NetNamespace
  clusternetwork: ClusterNetwork
  nodes: OcNode
  pods: OcPod
  services: OcService
  endpoints: OcEndpoints
  egressnetworkpolicies: EgressNetworkPolicy
  networkpolicies: NetworkPolicy
  namespaces: OcNamespace
}

/**
 * `oc get <kind>` as a table (default or -o wide, --all-namespaces or not, also `oc adm manage-node
 * --list-pods`) or as -o json / -o yaml. Never throws.
 */
export function parseOcGet<K extends OcKind>(kind: K, text: string): OcResult<OcRecords[K]> {
  const t = text.trimStart()
  if (t.startsWith('{') || looksLikeYaml(t)) {
    // -o yaml is the same objects as -o json.
    const diagnostics: Diagnostic[] = []
    const items = (t.startsWith('{') ? jsonItems(t, diagnostics) : yamlItems(t, diagnostics)) ?? []
    return { records: items.map((o) => fromJson[kind](o) as OcRecords[K]), diagnostics, format: 'json' }
  }
  const table = parseColumnTable(text, (l) => headerOf[kind].test(l))
  return { records: table.rows.map((r) => fromRow[kind](r.cells, r.line) as OcRecords[K]), diagnostics: table.diagnostics, format: 'table' }
}
