// What each source reports, as the one finding model: Check SDN's findings of a node, a runbook run's findings.
import type { RunState } from '../runbook/engine'
import type { Finding } from '../sdn/evidence'
import type { FindingEvidence, FindingInput, FindingSubject } from './model'

/**
 * The typed subject a check's id names after its kind ("remote.flows:node2:50" is HostSubnet node2, table 50):
 * per kind family, which parts are what. Anything else stays the subject's detail.
 */
function sdnSubject(kind: string, detail: string | undefined): Omit<FindingSubject, 'host'> {
  if (detail === undefined) return {}
  const parts = detail.split(':')
  const table = (s: string | undefined) => (s !== undefined && /^\d+$/.test(s) ? { table: Number(s) } : {})
  switch (kind) {
    case 'bridge.default':
    case 'bridge.unknown-table':
    case 'drops.rising':
      return { ...table(parts[0]), detail }
    case 'remote.flows':
    case 'remote.cookie':
    case 'remote.cookie-uid':
      return { hostSubnet: parts[0] as string, ...table(parts[1]), detail }
    case 'remote.stale':
    case 'remote.self':
    case 'local.stale':
      return { ...table(parts[0]), detail }
    case 'local.flows':
    case 'local.noiface':
    case 'local.noport':
    case 'local.port':
    case 'local.vnid':
      return { pod: detail, detail }
    case 'service.flows':
    case 'service.vnid': {
      const [ns, name] = detail.split('/')
      return { ...(ns ? { namespace: ns } : {}), ...(name ? { service: name } : {}), detail }
    }
    case 'egress.dns':
    case 'egress.policy':
    case 'networkpolicy.extra':
    case 'networkpolicy.missing':
      return { namespace: parts[0] as string, detail }
    default:
      return { detail }
  }
}

/**
 * Check SDN's findings of a node. A check's id is "kind:subject" ("remote.flows:node2:50"): the kind stays, the
 * rest is the subject's detail, and the checked node is the subject's host. `captureOf` resolves an evidence
 * line's source (the capture the check read) to its capture id; `checked` is the flow dump checked, the evidence
 * of a finding about something missing.
 */
export function fromNodeCheck(node: string, findings: readonly Finding[], captureOf: (source: string) => number | null, checked: number | null = null): FindingInput[] {
  return findings.map((f) => {
    const colon = f.id.indexOf(':')
    const bare = colon < 0 ? f.id : f.id.slice(0, colon)
    const kind = `sdn.${bare}`
    const detail = colon < 0 ? undefined : f.id.slice(colon + 1)
    // The evidence lines of one capture are one piece of evidence.
    const byCapture = new Map<string, { captureId: number | null; lines: number[]; texts: string[] }>()
    for (const e of f.evidence) {
      const g = byCapture.get(e.source) ?? { captureId: captureOf(e.source), lines: [], texts: [] }
      g.lines.push(e.line)
      g.texts.push(e.text)
      byCapture.set(e.source, g)
    }
    const evidence: Omit<FindingEvidence, 'source'>[] = [...byCapture.values()].map((g) => ({ captureId: g.captureId, lines: g.lines, excerpt: g.texts.join('\n'), label: f.title }))
    // Something missing has no line to show: the dump it is missing from is the evidence.
    if (evidence.length === 0 && checked !== null) evidence.push({ captureId: checked, lines: [], excerpt: '', label: 'not in this capture' })
    return {
      kind,
      subject: { host: node, ...sdnSubject(bare, detail) },
      severity: f.severity,
      title: f.title,
      explain: f.detail,
      source: { kind: 'check', check: f.check },
      evidence
    }
  })
}

/** The inputs that name where a runbook looked: the subject's host. */
const hostInputs = ['node', 'srcNode', 'hostname']

/**
 * A run's findings. Kind: the runbook and step; subject: the node the run is about and its other inputs, so the
 * same runbook run again on the same node and inputs finds the same finding, and on another node another one.
 */
export function fromRun(runId: number, state: RunState): FindingInput[] {
  const hostKey = hostInputs.find((k) => state.inputs[k])
  const detail = Object.entries(state.inputs)
    .filter(([k]) => k !== hostKey)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, v]) => `${k}=${v}`)
    .join(' ')
  return state.findings.map((f) => ({
    // A catalog kind is the same finding as Check SDN's (same kind and subject); the runbook's own is its step's.
    ...(f.catalog
      ? { kind: `sdn.${f.catalog.kind}`, subject: { ...(f.catalog.host ? { host: f.catalog.host } : {}), ...sdnSubject(f.catalog.kind, f.catalog.subject ?? undefined) } }
      : { kind: `runbook:${state.runbookId}.${f.stepId}`, subject: { ...(hostKey ? { host: state.inputs[hostKey] as string } : {}), ...(detail ? { detail } : {}) } }),
    severity: f.severity,
    title: f.title,
    explain: f.explain,
    source: { kind: 'runbook', runId, runbookId: state.runbookId, stepId: f.stepId },
    evidence: f.evidence.map((e) => ({
      captureId: f.captureIds[0] ?? null,
      lines: e.lines.map((l) => l.line),
      excerpt: e.lines.map((l) => l.text).join('\n'),
      label: e.reason ? `${e.expect}: ${e.reason}` : e.expect
    })),
    continueWith: f.continueWith ?? null
  }))
}
