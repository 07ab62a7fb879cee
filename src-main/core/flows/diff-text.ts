// `ovs-ofctl diff-flows` output for a diff: "-" for a flow of the first source, "+" for one of the second, a
// changed flow as its "-" and "+" lines, each line as fte_version_format writes it ("table=N " unless 0,
// "priority=N," unless the default, the match, then " cookie=", " idle_timeout=", " hard_timeout=",
// " importance=" when set, and " actions=").
import type { FlowDiff } from './diff'
import { defaultPriority, type Flow } from './flow'

function line(sign: '-' | '+', f: Flow): string {
  const head = [f.table !== 0 ? `table=${f.table} ` : '', f.priority !== defaultPriority ? `priority=${f.priority}${f.matchCanon === '' ? '' : ','}` : '', f.matchCanon].join('')
  const extra: string[] = []
  if (f.cookie !== '0x0') extra.push(`cookie=${f.cookie}`)
  if (f.more?.idleTimeout) extra.push(`idle_timeout=${f.more.idleTimeout}`)
  if (f.more?.hardTimeout) extra.push(`hard_timeout=${f.more.hardTimeout}`)
  if (f.more?.importance) extra.push(`importance=${f.more.importance}`)
  return `${sign}${head}${extra.map((e) => ' ' + e).join('')} actions=${f.actionsText === '' ? 'drop' : f.actionsText}`
}

/** The diff as ovs-ofctl diff-flows prints it (tables in order, removed and changed before added). */
export function diffFlowsText(d: FlowDiff): string {
  const out: string[] = []
  for (const t of d.tables) {
    for (const e of t.removed) if (e.before) out.push(line('-', e.before))
    for (const e of t.changed) {
      if (e.before) out.push(line('-', e.before))
      if (e.after) out.push(line('+', e.after))
    }
    for (const e of t.added) if (e.after) out.push(line('+', e.after))
  }
  return out.length === 0 ? '' : out.join('\n') + '\n'
}
