import type { CaptureLabel, CaptureSummary, FlowCharts, FlowDiffItemsWindow, FlowDiffSummary, FlowDiffWindow } from '../../contract'
import { dropSeries, flowsPerTable, topCounters, type ChartDump } from '../../core/flows/charts'
import { hostKey } from '../../core/hosts/identity'
import { diffMarkdown, diffReportBlock, type DiffReportBlock } from '../../core/flows/diff-export'
import type { ReportDiff } from '../../core/report/model'
import { withHostPortNumbers } from '../capture/flow-knowledge'
import { parseCapture } from '../../core/capture/parsed-view'
import { diffFlows } from '../../core/flows/diff'
import { diffFlowsText } from '../../core/flows/diff-text'
import { diffModel, nodeIdentityOf, type DiffModel, type DiffRow, type DiffRowKind } from '../../core/flows/diff-view'
import { keyOf, tableOrders, withContext, type OrderedKey } from '../../core/flows/diff-context'
import type { FlowDiff } from '../../core/flows/diff'
import type { Flow } from '../../core/flows/flow'
import { parsedAs } from '../../core/parse/registry'
import { AppError } from '../store/app-error'
import type { CaseDb } from '../store/case-db'
import type { Handlers } from './dispatcher'

interface Kept {
  summary: FlowDiffSummary
  diff: FlowDiff
  model: DiffModel
  a: readonly Flow[]
  b: readonly Flow[]
  /** Both tables in diff order and every difference's key, made when the rows are first shown with context. */
  order?: { orders: Map<number, OrderedKey[]>; changed: Set<string> }
  /** The last items asked for (the UI pages through them). */
  items?: { query: string; value: ReturnType<typeof withContext> }
}

/** The OpenFlow version a dump was taken with: its command's -O/--protocols, else its reply header, else 1.0. */
function ofVersionOf(db: CaseDb, c: CaptureSummary): string {
  const cmd = /(?:-O\s*|--protocols[= ])OpenFlow1(\d)/.exec(c.command)?.[1]
  if (cmd) return `1.${cmd}`
  const head = /OFPST_FLOW reply \(OF1\.(\d)\)/.exec(db.captures.lines(c.id, 1, 2).map((l) => l.text).join('\n'))?.[1]
  return head ? `1.${head}` : '1.0'
}

/** The rows of a diff the options keep, in diff order. */
function shownRows(model: DiffModel, kinds: readonly DiffRowKind[] | undefined, table: number | null | undefined, hidePerNode: boolean | undefined): DiffRow[] {
  return model.rows.filter((r) => (!kinds || kinds.includes(r.kind)) && (table === undefined || table === null || r.table === table) && !(hidePerNode && r.perNode !== null))
}

const label = (c: CaptureSummary): CaptureLabel => ({ id: c.id, hostName: c.hostName, command: c.command, startedAt: c.startedAt, source: c.source, origin: c.origin })

/**
 * Flow diffs of the open case: computed once by the same engine as `sdnwb diff-flows`, kept (the last few), and read
 * by the UI a window of rows at a time.
 */
export class FlowDiffService {
  private readonly kept = new Map<string, Kept>()
  private readonly flows = new Map<number, readonly Flow[]>()
  private next = 1

  constructor(private readonly requireCase: () => CaseDb) {}

  caseClosing(): void {
    this.kept.clear()
    this.flows.clear()
  }

  private flowsOf(db: CaseDb, c: CaptureSummary): readonly Flow[] {
    const hit = this.flows.get(c.id)
    if (hit) return hit
    if (c.parserId !== 'ovs-ofctl.dump-flows') throw new AppError('invalid_input', `Capture #${c.id} (${c.hostName}: ${c.command}) is not a flow dump; pick an ovs-ofctl dump-flows capture to compare.`)
    // A --names dump (in_port=veth1, output:tun0) compares by number: the host's port list gives them.
    const flows = withHostPortNumbers(db, c.hostName, parsedAs(parseCapture(c.command, db.captures.text(c.id), c.parserId), 'ovs-ofctl.dump-flows')?.flows ?? [])
    if (this.flows.size >= 4) this.flows.delete(this.flows.keys().next().value as number)
    this.flows.set(c.id, flows)
    return flows
  }

  private get(id: string): Kept {
    const k = this.kept.get(id)
    if (!k) throw new AppError('not_found', `The diff ${id} is no longer kept (a case holds the last few); compare the captures again.`)
    return k
  }

  /**
   * The charts of the case's br0 dumps: flows per table of each node's newest dump; for one node (the given one, else
   * the first) its top counters and its default drops across its dumps (the newest 30), oldest first.
   */
  private charts(db: CaseDb, host: string | undefined): FlowCharts {
    const dumps = db.captures
      .list()
      .filter((c) => c.parserId === 'ovs-ofctl.dump-flows' && c.status === 'ok' && /\bdump-flows\s+br0\b/.test(c.command))
      .sort((a, b) => a.startedAt.localeCompare(b.startedAt))
    const byHost = new Map<string, CaptureSummary[]>()
    for (const c of dumps) byHost.set(hostKey(c.hostName), [...(byHost.get(hostKey(c.hostName)) ?? []), c])
    const hosts = [...byHost.values()].map((l) => (l[l.length - 1] as CaptureSummary).hostName).sort()
    const chart = (c: CaptureSummary): ChartDump => ({ captureId: c.id, host: c.hostName, startedAt: c.startedAt, flows: this.flowsOf(db, c) })
    const chosen = host !== undefined ? hosts.find((h) => hostKey(h) === hostKey(host)) : hosts[0]
    if (host !== undefined && chosen === undefined) throw new AppError('not_found', `The case has no br0 flow dump of ${host}.`)
    const mine = chosen !== undefined ? (byHost.get(hostKey(chosen)) ?? []).slice(-30) : []
    const newest = mine[mine.length - 1]
    return {
      hosts,
      host: chosen ?? null,
      // Nodes in name order, like the node picker.
      perTable: flowsPerTable(hosts.map((h) => (byHost.get(hostKey(h)) ?? []).at(-1)).filter((c): c is CaptureSummary => c !== undefined).map(chart)),
      top: newest ? { captureId: newest.id, startedAt: newest.startedAt, rows: topCounters(this.flowsOf(db, newest)) } : null,
      drops: dropSeries(mine.map(chart))
    }
  }

  private compute(a: number, b: number, acrossOfVersions?: boolean, nodeVsNode?: boolean): Kept {
    const started = performance.now()
    const db = this.requireCase()
    const ca = db.captures.get(a)
    const cb = db.captures.get(b)
    const fa = this.flowsOf(db, ca)
    const fb = this.flowsOf(db, cb)
    // An OpenFlow 1.0 dump against a 1.3 one: the same flows print differently (goto_table, set_field); compared
    // as the same unless the engineer says otherwise.
    const across = acrossOfVersions ?? ofVersionOf(db, ca) !== ofVersionOf(db, cb)
    const diff = diffFlows(fa, fb, { acrossOfVersions: across })
    const vsNode = nodeVsNode ?? ca.hostName.toLowerCase() !== cb.hostName.toLowerCase()
    const model = diffModel(diff, vsNode ? { a: nodeIdentityOf(fa), b: nodeIdentityOf(fb) } : null)
    const summary: FlowDiffSummary = {
      diffId: `diff-${this.next++}`,
      a: label(ca),
      b: label(cb),
      nodeVsNode: vsNode,
      acrossOfVersions: across,
      totals: model.totals,
      tables: model.tables,
      rows: model.rows.length,
      tookMs: Math.round(performance.now() - started)
    }
    return { summary, diff, model, a: fa, b: fb }
  }

  private exportBlock(k: Kept, moved: boolean, hidePerNode: boolean): DiffReportBlock {
    const { summary, model } = k
    const name = (c: CaptureLabel) => `${c.hostName} · ${c.command} · ${c.startedAt}${c.source === 'imported' && c.origin ? ` · imported from ${c.origin}` : ''} (#${c.id})`
    return diffReportBlock(model, { a: name(summary.a), b: name(summary.b), nodeVsNode: summary.nodeVsNode }, { moved, hidePerNode })
  }

  /** The diff of two dumps as a report embeds it: the exported block, and the packets counted per table (before vs after). */
  reportDiff(a: number, b: number, moved: boolean): ReportDiff {
    const k = this.compute(a, b)
    const perTable = new Map<number, number>()
    for (const r of k.model.rows) if (r.packetsDelta !== null && r.packetsDelta > 0) perTable.set(r.table, (perTable.get(r.table) ?? 0) + r.packetsDelta)
    const counters = k.summary.nodeVsNode ? [] : [...perTable].sort(([x], [y]) => x - y).map(([table, packets]) => ({ table, name: k.model.tables.find((t) => t.table === table)?.name ?? '', packets }))
    return { block: this.exportBlock(k, moved, false), counters }
  }

  handlers(): Pick<Handlers, 'flows.diff' | 'flows.diffRows' | 'flows.diffItems' | 'flows.diffExport' | 'flows.diffText' | 'flows.charts'> {
    return {
      'flows.charts': ({ host }) => this.charts(this.requireCase(), host),
      'flows.diff': ({ a, b, acrossOfVersions, nodeVsNode }) => {
        const k = this.compute(a, b, acrossOfVersions, nodeVsNode)
        if (this.kept.size >= 4) this.kept.delete(this.kept.keys().next().value as string)
        this.kept.set(k.summary.diffId, k)
        return k.summary
      },
      'flows.diffItems': ({ diffId, offset, limit, kinds, table, hidePerNode, context, expanded }): FlowDiffItemsWindow => {
        const k = this.get(diffId)
        const query = JSON.stringify([kinds, table, hidePerNode, context, expanded])
        if (k.items?.query !== query) {
          k.order ??= { orders: tableOrders(k.a, k.b), changed: new Set(k.model.rows.filter((r) => r.kind !== 'moved').map((r) => keyOf(r.table, r.priority, r.match))) }
          const rows = shownRows(k.model, kinds, table, hidePerNode)
          k.items = { query, value: withContext(rows, table === undefined || table === null ? k.order.orders : new Map([[table, k.order.orders.get(table) ?? []]]), k.order.changed, context ?? 2, new Set(expanded ?? [])) }
        }
        const { items, rail } = k.items.value
        return { total: items.length, offset, items: items.slice(offset, offset + limit), rail: offset === 0 ? rail : [] }
      },
      'flows.diffExport': ({ diffId, moved, hidePerNode }) => {
        const block = this.exportBlock(this.get(diffId), moved ?? false, hidePerNode ?? false)
        return { block, markdown: diffMarkdown(block) }
      },
      'flows.diffRows': ({ diffId, offset, limit, kinds, table, hidePerNode }): FlowDiffWindow => {
        const { model } = this.get(diffId)
        const rows = shownRows(model, kinds, table, hidePerNode)
        return { total: rows.length, offset, rows: rows.slice(offset, offset + limit) }
      },
      'flows.diffText': ({ diffId }) => ({ text: diffFlowsText(this.get(diffId).diff) })
    }
  }
}
