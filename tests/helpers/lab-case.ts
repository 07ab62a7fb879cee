import type { MethodName, MethodOutput } from '../../src-main/contract'
import type { Lab } from '../lab/lab'

type Call = <M extends MethodName>(method: M, input?: unknown) => Promise<MethodOutput<M>>

/** The lab's host keys as a known_hosts text: the workbench trusts them without asking. */
export function labKnownHosts(lab: Lab): string {
  return [`[127.0.0.1]:${lab.jump.port} ${lab.jump.hostKeyPub}`, ...lab.nodes.map((n) => `${n.ip} ${n.hostKeyPub}`)].join('\n') + '\n'
}

/**
 * The open case's inventory for the lab, through the backend API the UI uses: the jump host as master1
 * (the master, with the lab's oc), and every node through it, as root with the lab key.
 */
export async function addLabHosts(call: Call, lab: Lab): Promise<Record<string, number>> {
  await call('knownHosts.import', { text: labKnownHosts(lab), source: 'lab' })
  const host = (name: string, address: string, port: number, role: string, jumpHostId: number | null) =>
    call('hosts.create', { host: { name, address, port, user: 'root', role, jumpHostId, authMethod: 'key', keyPath: lab.keys.ed25519 } })
  const ids: Record<string, number> = {}
  ids.master1 = (await host('master1', '127.0.0.1', lab.jump.port, 'master', null)).id
  for (const n of lab.nodes) ids[n.name] = (await host(n.name, n.ip, 22, 'compute', ids.master1)).id
  return ids
}
