import type { HostRole } from '../hosts/vocabulary'
import type { ParserId } from '../parse/registry'
import { normalHostName, sameHostName } from '../hosts/identity'

/**
 * Where a command of a set runs:
 * - node: on each chosen host (every openshift-sdn host, masters included, is a node);
 * - master: once on each chosen master (cluster-wide `oc get …`);
 * - node-from-master: about each chosen node, but run on a master (`oc logs <sdn pod of that node>`).
 */
export const captureTargets = ['node', 'master', 'node-from-master'] as const
export type CaptureTarget = (typeof captureTargets)[number]

/** How OVS commands reach Open vSwitch: on the node itself, or inside the node's ovs pod (3.10 and later). */
export const ovsVias = ['host', 'ovs-pod'] as const
export type OvsVia = (typeof ovsVias)[number]

/**
 * Placeholders a command's arguments may hold, each replaced by a value, never parsed by a shell:
 * the argv is quoted as a whole when it is sent.
 */
export const placeholders = {
  node: 'the node name (the host name in the case)',
  address: "the node's address",
  ovsPod: 'the ovs pod of the node (from `oc -n openshift-sdn get pods -o wide` on a master)',
  sdnPod: 'the sdn pod of the node (from `oc -n openshift-sdn get pods -o wide` on a master)'
} as const
export type Placeholder = keyof typeof placeholders
export const podPlaceholders: readonly Placeholder[] = ['ovsPod', 'sdnPod']

export interface CaptureCommand {
  id: string
  title: string
  on: CaptureTarget
  argv: string[]
  /** Run through `sudo -n` (skipped when the session user is root). */
  sudo: boolean
  /** An Open vSwitch command: runs through the ovs pod when the run says so. */
  ovs: boolean
  timeoutSeconds: number
  /** Overrides the parser the command line would select. */
  parser?: ParserId | undefined
}

export interface CaptureSet {
  id: string
  title: string
  version: number
  description: string
  commands: CaptureCommand[]
}

const placeholderRe = /\{([A-Za-z]+)\}/g

export function placeholdersIn(arg: string): string[] {
  return [...arg.matchAll(placeholderRe)].map((m) => m[1] as string)
}

export function isPlaceholder(name: string): name is Placeholder {
  return Object.prototype.hasOwnProperty.call(placeholders, name)
}

/** Replaces placeholders with values; an unknown or missing one is reported, never left as text to run. */
export function renderArgv(argv: readonly string[], values: Partial<Record<Placeholder, string>>): { argv: string[]; missing: string[] } {
  const missing = new Set<string>()
  const out = argv.map((a) =>
    a.replace(placeholderRe, (whole, name: string) => {
      const v = isPlaceholder(name) ? values[name] : undefined
      if (v === undefined) {
        missing.add(name)
        return whole
      }
      return v
    })
  )
  return { argv: out, missing: [...missing] }
}

/** The command set's rules the schema cannot state: unique ids, known placeholders, pods only where a master runs it. */
export function captureSetProblems(set: CaptureSet): string[] {
  const problems: string[] = []
  const ids = new Set<string>()
  for (const c of set.commands) {
    if (ids.has(c.id)) problems.push(`command id "${c.id}" is used twice`)
    ids.add(c.id)
    for (const a of c.argv) {
      for (const p of placeholdersIn(a)) {
        if (!isPlaceholder(p)) problems.push(`command "${c.id}": unknown placeholder {${p}} (known: ${Object.keys(placeholders).map((k) => `{${k}}`).join(', ')})`)
        else if (podPlaceholders.includes(p) && c.on !== 'node-from-master') problems.push(`command "${c.id}": {${p}} needs on: node-from-master (the pod is reached from a master)`)
        else if ((p === 'node' || p === 'address') && c.on === 'master') problems.push(`command "${c.id}": {${p}} means nothing in a command that runs once per master`)
      }
    }
    if (c.ovs && c.on !== 'node') problems.push(`command "${c.id}": ovs: true is for commands that run on a node`)
  }
  return problems
}

export interface PlanHost {
  id: number
  name: string
  address: string
  role: HostRole
  user: string
}

/** One command to run for one host. */
export interface PlannedCapture {
  /** Unique in the run: "<host id>/<command id>". */
  key: string
  /** The host the output is about. */
  hostId: number
  hostName: string
  /** The host the command runs on (a master for node-from-master and ovs-pod commands). */
  runOnHostId: number
  runOnHostName: string
  commandId: string
  title: string
  /** May still hold {ovsPod}/{sdnPod}, resolved when the pod list is known. */
  argv: string[]
  needsPods: boolean
  sudo: boolean
  timeoutMs: number
  parser: ParserId | null
}

export interface CapturePlan {
  items: PlannedCapture[]
  /** The master that lists the openshift-sdn pods, when a command needs a pod name. */
  podLookup: { hostId: number; hostName: string; argv: string[] } | null
  /** Commands left out and why (no master chosen…). */
  skipped: string[]
}

export const podLookupArgv = ['oc', '-n', 'openshift-sdn', 'get', 'pods', '-o', 'wide']

/**
 * What a run will do: the set's commands for the chosen hosts. OVS commands in ovs-pod mode and
 * node-from-master commands go through one master: the one given, else the first chosen master,
 * else the first master of the case.
 */
export function planCapture(set: CaptureSet, chosen: readonly PlanHost[], allHosts: readonly PlanHost[], opts: { ovsVia: OvsVia; masterHostId?: number | null }): CapturePlan {
  const byName = (a: PlanHost, b: PlanHost) => a.name.localeCompare(b.name)
  const masters = [...allHosts].filter((h) => h.role === 'master').sort(byName)
  const via =
    (opts.masterHostId != null ? allHosts.find((h) => h.id === opts.masterHostId) : undefined) ??
    [...chosen].filter((h) => h.role === 'master').sort(byName)[0] ??
    masters[0] ??
    null
  const items: PlannedCapture[] = []
  const skipped: string[] = []
  for (const c of set.commands) {
    const throughMaster = c.on === 'node-from-master' || (c.ovs && opts.ovsVia === 'ovs-pod')
    const targets = c.on === 'master' ? chosen.filter((h) => h.role === 'master') : chosen
    if (targets.length === 0) continue
    if (throughMaster && !via) {
      skipped.push(`${c.title}: runs through a master, and the case has no master host`)
      continue
    }
    for (const h of [...targets].sort(byName)) {
      const base = renderArgv(c.argv, { node: h.name, address: h.address }).argv
      const argv = c.ovs && opts.ovsVia === 'ovs-pod' ? ['oc', '-n', 'openshift-sdn', 'exec', '{ovsPod}', '--', ...base] : base
      const runOn = throughMaster && via ? via : h
      items.push({
        key: `${h.id}/${c.id}`,
        hostId: h.id,
        hostName: h.name,
        runOnHostId: runOn.id,
        runOnHostName: runOn.name,
        commandId: c.id,
        title: c.title,
        argv,
        needsPods: argv.some((a) => placeholdersIn(a).some((p) => podPlaceholders.includes(p as Placeholder))),
        // Inside a pod the OVS tools already run as root; sudo there would be sudo on the master.
        sudo: c.sudo && !throughMaster,
        timeoutMs: c.timeoutSeconds * 1000,
        parser: c.parser ?? null
      })
    }
  }
  const needsPods = items.some((i) => i.needsPods)
  return { items, podLookup: needsPods && via ? { hostId: via.id, hostName: via.name, argv: podLookupArgv } : null, skipped }
}

export interface SdnPod {
  name: string
  node: string | null
}

/** The ovs/sdn pod of a node: the pod's NODE column equals the host name, its address, or its short name. */
export function podOfNode(pods: readonly SdnPod[], kind: 'ovs' | 'sdn', host: { name: string; address: string }): string | null {
  const wanted = [normalHostName(host.name), normalHostName(host.address)]
  const candidates = pods.filter((p) => p.name.startsWith(`${kind}-`) && p.node)
  const exact = candidates.find((p) => wanted.includes(normalHostName(p.node as string)))
  if (exact) return exact.name
  const loose = candidates.filter((p) => sameHostName(p.node as string, host.name))
  return loose.length === 1 ? (loose[0] as SdnPod).name : null
}
