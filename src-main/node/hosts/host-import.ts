// Host import: a file's text -> a preview (what would be created, what exists, what is invalid and
// why) -> creation in one transaction, jump hosts before the hosts that use them.
import { parseAnsibleInventory } from '../../core/inventory/ansible'
import { planHosts, type HostCandidate } from '../../core/inventory/candidate'
import type { Diagnostic } from '../../core/parse/diagnostics'
import { HostInput, type Host, type HostImportFormat, type HostImportPreview, type HostImportResult, type HostImportRow } from '../../contract'
import type { CaseDb } from '../store/case-db'
import { parseSshConfigHosts } from './ssh-config-hosts'

function read(format: HostImportFormat, text: string): { hosts: HostCandidate[]; diagnostics: Diagnostic[] } {
  return format === 'ssh-config' ? parseSshConfigHosts(text) : parseAnsibleInventory(text)
}

export function previewHostImport(db: CaseDb, format: HostImportFormat, text: string): HostImportPreview {
  const { hosts, diagnostics } = read(format, text)
  const existing = db.listHosts()
  const planned = planHosts(hosts, existing)
  const rows: HostImportRow[] = planned.map((p) => {
    const check = HostInput.safeParse({ name: p.name, address: p.address, port: p.port, user: p.user, role: p.role, jumpHostId: null, authMethod: p.authMethod, keyPath: p.keyPath })
    const problem = check.success ? null : check.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')
    const exists = existing.some((e) => e.name.toLowerCase() === p.name.toLowerCase())
    return { ...p, status: exists ? 'exists' : problem ? 'invalid' : 'new', problem: exists ? `a host named ${p.name} is already in the case` : problem }
  })
  if (hosts.length === 0 && !diagnostics.some((d) => d.severity === 'error')) {
    diagnostics.push({ line: 0, severity: 'warning', message: format === 'ssh-config' ? 'no Host entry without wildcards found' : 'no host in [masters], [nodes] or [etcd] found', text: '' })
  }
  return { rows, diagnostics: diagnostics.map(({ line, severity, message }) => ({ line, severity, message })) }
}

export function importHosts(db: CaseDb, format: HostImportFormat, text: string, only?: readonly string[]): HostImportResult {
  const { rows } = previewHostImport(db, format, text)
  const wanted = only ? new Set(only.map((n) => n.toLowerCase())) : null
  const created: Host[] = []
  const skipped: HostImportResult['skipped'] = []
  db.transaction(() => {
    const idByName = new Map(db.listHosts().map((h) => [h.name.toLowerCase(), h.id]))
    for (const r of rows) {
      // A jump host the user did not tick is still needed by the hosts behind it.
      const neededAsJump = rows.some((o) => o.jumpName?.toLowerCase() === r.name.toLowerCase() && (!wanted || wanted.has(o.name.toLowerCase())))
      if (wanted && !wanted.has(r.name.toLowerCase()) && !neededAsJump) continue
      if (r.status !== 'new') {
        if (r.status === 'invalid' || !wanted || wanted.has(r.name.toLowerCase())) skipped.push({ name: r.name, reason: r.problem ?? r.status })
        continue
      }
      let jumpHostId: number | null = null
      if (r.jumpName) {
        const id = idByName.get(r.jumpName.toLowerCase())
        if (id === undefined) {
          skipped.push({ name: r.name, reason: `its jump host ${r.jumpName} was not imported` })
          continue
        }
        jumpHostId = id
      }
      const host = db.createHost(HostInput.parse({ name: r.name, address: r.address, port: r.port, user: r.user, role: r.role, jumpHostId, authMethod: r.authMethod, keyPath: r.keyPath }))
      idByName.set(host.name.toLowerCase(), host.id)
      created.push(host)
    }
  })
  return { created, skipped }
}
