// The saved outputs the tracer reads for a node: its newest dump of a bridge, and its groups.
import type { CaptureSummary } from '../../contract'
import { sameHostName } from '../../core/hosts/identity'
import type { OvsGroup } from '../../core/parse/ovs-groups'
import { newestData } from '../capture/newest'
import { newestBridgeDumps } from '../capture/flow-knowledge'
import type { CaseDb } from '../store/case-db'

/** The newest complete dump of the host's bridge (not one filtered to a table), which a trace reads. */
export function dumpForTrace(db: CaseDb, hostName: string | null, bridge: string): CaptureSummary | null {
  if (hostName === null) return null
  return newestBridgeDumps(db, bridge).find((c) => sameHostName(c.hostName, hostName)) ?? null
}

/** The groups of a host's bridge, from its newest `ovs-ofctl dump-groups` capture. */
export function groupsOf(db: CaseDb, hostName: string): ReadonlyMap<number, OvsGroup> | null {
  const g = newestData(db, 'ovs-ofctl.dump-groups', (c) => sameHostName(c.hostName, hostName))
  return g ? new Map(g.records.map((x) => [x.id, x])) : null
}
