// The br0 table layout each openshift-sdn release programs, keyed by the rule version in table 253's note, so a
// node is judged by its own release: a 3.7 node (rule version 3) has no table 101 and ends table 100 with
// output:2; 4.x adds tables 27, 31 and 99. Only the 3.10/3.11 layout (version 7) has the full set of checks.
import { sdnTables, type SdnTable } from './tables'

export interface SdnLayout {
  id: string
  /** The releases, as the engineer knows them. */
  label: string
  minVersion: number
  maxVersion: number
  tables: readonly SdnTable[]
  /** The pod, node, service and policy checks are written for this layout. */
  fullChecks: boolean
  /** Where the layout was read from. */
  source: string
}

const t = (table: number, name: string, defaultActions: string | null, extra: Partial<SdnTable> = {}): SdnTable => ({
  table,
  name,
  purpose: sdnTables.find((x) => x.table === table)?.purpose ?? name,
  defaultActions,
  defaultPriority: 0,
  ...extra
})

export const sdnLayouts: readonly SdnLayout[] = [
  {
    id: 'pre-3.10',
    label: 'OpenShift 3.7–3.9 (rule versions 1–6)',
    minVersion: 1,
    maxVersion: 6,
    source: 'origin pkg/network/node/ovscontroller_test.go TestGetPodDetails (note 01.03), samples/public',
    fullChecks: false,
    tables: [
      t(0, 'classify', 'drop'),
      t(10, 'VXLAN in', 'drop'),
      t(20, 'from pods', 'drop'),
      t(21, 'pod egress hook', 'goto_table:30'),
      t(30, 'routing', null),
      t(40, 'ARP local', 'drop'),
      t(50, 'ARP remote', 'drop'),
      t(60, 'services', 'drop'),
      t(70, 'IP local', 'drop'),
      t(80, 'isolation', 'drop'),
      t(90, 'IP remote', 'drop'),
      t(100, 'egress', 'output:2', { purpose: 'External traffic: out through tun0 (no egress firewall table yet).' }),
      t(110, 'multicast out', 'drop'),
      t(111, 'multicast fan-out', null, { defaultPriority: 100 }),
      t(120, 'multicast in', 'drop'),
      t(253, 'version', null, { defaultPriority: 32768 })
    ]
  },
  { id: '3.10-3.11', label: 'OpenShift 3.10/3.11 and 4.1–4.5 (rule version 7)', minVersion: 7, maxVersion: 7, source: 'guide/sdn-flows.md (OC311)', fullChecks: true, tables: sdnTables },
  {
    id: '4.x-early',
    label: 'OpenShift 4.x (rule versions 8–9)',
    minVersion: 8,
    maxVersion: 9,
    source: 'openshift/sdn ovscontroller_test.go expectedFlows at ruleVersion 9, samples/public',
    fullChecks: false,
    tables: sdnTables.map((x) => (x.table === 25 ? { ...x, networkPolicyOnly: false } : x))
  },
  {
    id: '4.x',
    label: 'OpenShift 4.x (rule versions 10 and later)',
    minVersion: 10,
    maxVersion: 255,
    source: 'openshift/sdn master ovscontroller_test.go expectedFlows (ruleVersion 13), samples/public',
    fullChecks: false,
    tables: [
      t(0, 'classify', 'drop'),
      t(10, 'VXLAN in', 'drop'),
      t(20, 'from pods', 'drop'),
      t(25, 'service return', 'drop'),
      t(27, 'pod egress conntrack', 'drop', { purpose: 'Connection tracking of pod egress (4.x).' }),
      t(30, 'routing (conntrack)', 'goto_table:31', { purpose: 'Conntrack replies first, then routing in table 31 (4.x).' }),
      t(31, 'routing', null, { purpose: 'Route by destination (4.x).' }),
      t(40, 'ARP local', 'drop'),
      t(50, 'ARP remote', 'drop'),
      t(60, 'services', null),
      t(70, 'IP local', 'drop'),
      t(80, 'isolation', 'drop'),
      t(90, 'IP remote', 'drop'),
      t(99, 'egress hook', 'goto_table:100', { purpose: 'Before egress (4.x).' }),
      t(100, 'egress', 'goto_table:101'),
      t(101, 'egress firewall', 'output:2'),
      t(110, 'multicast out', 'drop'),
      t(111, 'multicast fan-out', null, { defaultPriority: 100 }),
      t(120, 'multicast in', 'drop'),
      t(253, 'version', null, { defaultPriority: 32768 })
    ]
  }
]

/** The layout of a rule version; the 3.10/3.11 one when the version is unknown (no readable note). */
export function layoutFor(ruleVersion: number | null): SdnLayout {
  const v7 = sdnLayouts[1] as SdnLayout
  if (ruleVersion === null) return v7
  return sdnLayouts.find((l) => ruleVersion >= l.minVersion && ruleVersion <= l.maxVersion) ?? v7
}

/**
 * Whether a dump lacks what every br0 openshift-sdn set up has (a table 0 default and the table 253 note): an
 * excerpt, a dump of one table, or a bridge the SDN never finished. Null when it looks whole.
 */
export function partialDump(flows: readonly { table: number; priority: number; matchCanon: string }[]): string | null {
  const missing: string[] = []
  if (!flows.some((f) => f.table === 0 && f.priority === 0 && f.matchCanon === '')) missing.push('the table 0 default flow')
  if (!flows.some((f) => f.table === 253)) missing.push('the table 253 version note')
  return missing.length ? missing.join(' and ') : null
}
