// A flow diff as a report embeds it: a self-contained block (what was compared, the totals, each table's changes
// with both sides and the counter deltas) and its Markdown. The report (and `sdnwb`) render the block; the diff
// view exports it. The text as `ovs-ofctl diff-flows` prints it is diff-text.ts.
import type { DiffModel, DiffRow, DiffRowKind } from './diff-view'

export interface DiffReportBlock {
  kind: 'flow-diff'
  title: string
  a: string
  b: string
  nodeVsNode: boolean
  totals: { removed: number; added: number; changed: number; moved: number; unchanged: number; perNode: number }
  tables: { table: number; name: string; rows: { kind: DiffRowKind; flow: string; before: string | null; after: string | null; note: string }[] }[]
  /** Rows left out over the limit. */
  more: number
}

const flowText = (r: DiffRow) => `table=${r.table}, priority=${r.priority}${r.match ? `,${r.match}` : ''}`

/** The block of a diff: its changes (counter movement too when asked), per-node differences marked, at most `limit` rows. */
export function diffReportBlock(model: DiffModel, labels: { a: string; b: string; nodeVsNode: boolean }, opts: { moved?: boolean; hidePerNode?: boolean; limit?: number } = {}): DiffReportBlock {
  const limit = opts.limit ?? 500
  const rows = model.rows.filter((r) => (opts.moved || r.kind !== 'moved') && !(opts.hidePerNode && r.perNode !== null))
  const tables = new Map<number, DiffReportBlock['tables'][number]>()
  for (const r of rows.slice(0, limit)) {
    const t = tables.get(r.table) ?? { table: r.table, name: model.tables.find((x) => x.table === r.table)?.name ?? '', rows: [] }
    const note = [
      r.changes.length ? `${r.changes.join(', ')} changed` : '',
      r.kind === 'moved' ? `+${r.packetsDelta ?? 0} packet${r.packetsDelta === 1 ? '' : 's'}${r.packetsPerSecond !== null ? ` (${r.packetsPerSecond.toFixed(1)}/s)` : ''}` : '',
      r.perNode ? `per node: ${r.perNode}` : ''
    ]
      .filter(Boolean)
      .join('; ')
    t.rows.push({ kind: r.kind, flow: flowText(r), before: r.before && r.kind !== 'added' ? `actions=${r.before.actions}` : null, after: r.after && r.kind !== 'removed' && r.kind !== 'moved' ? `actions=${r.after.actions}` : null, note })
    tables.set(r.table, t)
  }
  return {
    kind: 'flow-diff',
    title: labels.nodeVsNode ? 'Flow diff, node vs node' : 'Flow diff, before vs after',
    a: labels.a,
    b: labels.b,
    nodeVsNode: labels.nodeVsNode,
    totals: model.totals,
    tables: [...tables.values()],
    more: Math.max(0, rows.length - limit)
  }
}

const sign: Record<DiffRowKind, string> = { removed: '-', added: '+', changed: '~', moved: 'Δ' }

/** The block as Markdown for a support case: a summary line, then per table a fenced block of -/+ lines. */
export function diffMarkdown(b: DiffReportBlock): string {
  const t = b.totals
  const out = [
    `### ${b.title}`,
    '',
    `- A: ${b.a}`,
    `- B: ${b.b}`,
    '',
    `${t.removed} removed, ${t.added} added, ${t.changed} changed${b.nodeVsNode ? `, ${t.perNode} of them differences every node has` : `, ${t.moved} with counters moved`}; ${t.unchanged} unchanged.`,
    ''
  ]
  for (const table of b.tables) {
    out.push(`#### Table ${table.table}${table.name ? ` (${table.name})` : ''}`, '', '```diff')
    for (const r of table.rows) {
      if (r.kind === 'changed') out.push(`- ${r.flow} ${r.before ?? ''}`, `+ ${r.flow} ${r.after ?? ''}`)
      else if (r.kind === 'moved') out.push(`  ${r.flow} ${r.before ?? ''}`)
      else out.push(`${sign[r.kind]} ${r.flow} ${r.before ?? r.after ?? ''}`)
      if (r.note) out.push(`#   ${r.note}`)
    }
    out.push('```', '')
  }
  if (b.more) out.push(`(${b.more} more rows not shown)`, '')
  return out.join('\n')
}
