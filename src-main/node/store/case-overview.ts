import type { CaseOverview } from '../../contract'
import { sameHostName } from '../../core/hosts/identity'
import { newestParsed } from '../capture/newest'
import type { CaseDb } from './case-db'

/**
 * What a case holds at a glance: its hosts with their captures and open findings, the nodes' HostSubnets (from
 * the newest `oc get hostsubnets` capture), open findings by severity, the latest runs and the last activity.
 */
export function caseOverview(db: CaseDb): CaseOverview {
  const captures = db.captures.list()
  const open = db.findings.list({ status: ['open', 'confirmed'] })
  const runs = db.runs.list()
  const hosts = db.listHosts().map((h) => {
    const mine = captures.filter((c) => c.hostId === h.id || sameHostName(c.hostName, h.name))
    const findings = open.filter((f) => f.host !== null && (sameHostName(f.host, h.name) || sameHostName(f.host, h.address)))
    return {
      id: h.id,
      name: h.name,
      role: h.role,
      address: h.address,
      captures: mine.length,
      newestCapture: mine.reduce<string | null>((m, c) => (m === null || c.startedAt > m ? c.startedAt : m), null),
      openFindings: { error: findings.filter((f) => f.severity === 'error').length, warning: findings.filter((f) => f.severity === 'warning').length, info: findings.filter((f) => f.severity === 'info').length }
    }
  })
  // Captures of hosts the case has no record of (imported from a bundle): listed by name.
  const unknownHosts = [...new Set(captures.filter((c) => c.hostId === null && !hosts.some((h) => sameHostName(h.name, c.hostName))).map((c) => c.hostName))].sort()
  const newestSubnets = newestParsed(db, 'oc.get.hostsubnets')
  const subnetCapture = newestSubnets?.capture
  const subnets = newestSubnets?.data.records ?? []
  const times = [...captures.map((c) => c.startedAt), ...runs.map((r) => r.updatedAt), ...open.map((f) => f.updatedAt)]
  return {
    hosts,
    unknownHosts: unknownHosts.map((name) => ({ name, captures: captures.filter((c) => c.hostName === name).length })),
    hostSubnets: subnets.map((s) => ({ host: s.host, hostIP: s.hostIP, subnet: s.subnet })),
    hostSubnetsCaptureId: subnetCapture?.id ?? null,
    captures: captures.length,
    captureRuns: db.captures.listRuns().length,
    imports: new Set(captures.filter((c) => c.source === 'imported').map((c) => (c.origin ?? '').split(':')[0])).size,
    openFindings: { error: open.filter((f) => f.severity === 'error').length, warning: open.filter((f) => f.severity === 'warning').length, info: open.filter((f) => f.severity === 'info').length },
    runs: runs.slice(0, 6),
    lastActivity: times.reduce<string | null>((m, t) => (m === null || t > m ? t : m), null)
  }
}
