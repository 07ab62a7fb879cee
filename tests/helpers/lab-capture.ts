// Capturing the openshift-sdn set on lab hosts through the backend (as the UI's Capture view does), for e2e tests
// that need captures before the part they drive in the UI.
import type { WsClient } from './ws-client'

/** Runs the openshift-sdn set on the given hosts; the dump-flows capture of each node. */
export async function dumpNodes(ws: WsClient, names: string[]): Promise<Record<string, number>> {
  const hosts = await ws.call('hosts.list', {})
  const start = await ws.call('capture.start', { setId: 'openshift-sdn', hostIds: hosts.filter((h) => names.includes(h.name)).map((h) => h.id) })
  for (let i = 0; i < 600; i++) {
    const run = (await ws.call('capture.runs', {})).find((r) => r.id === start.run.id)
    if (run && run.status !== 'running') break
    await new Promise((r) => setTimeout(r, 100))
  }
  const caps = await ws.call('captures.list', { runId: start.run.id })
  return Object.fromEntries(names.flatMap((n) => {
    const c = caps.find((x) => x.hostName === n && x.commandId === 'ovs-dump-flows')
    return c ? [[n, c.id]] : []
  }))
}
