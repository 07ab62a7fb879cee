// `ovs-ofctl dump-groups BRIDGE`: each group with its type and buckets (OpenFlow 1.1+; OVS numbers the buckets of an
// OpenFlow 1.3 group 0, 1, … in order, as the trace prints them). Never throws: what it could read, and diagnostics.
import { parseActions, type FlowAction } from '../flows/actions'
import { diag, splitLines, splitTopLevel, type Diagnostic, type ParseResult } from './diagnostics'

export type GroupType = 'all' | 'select' | 'indirect' | 'ff'

export interface GroupBucket {
  id: number
  weight: number | null
  watchPort: string | null
  actionsText: string
  actions: FlowAction[]
}

export interface OvsGroup {
  line: number
  id: number
  type: GroupType
  buckets: GroupBucket[]
  /** selection_method and other properties, as printed. */
  properties: Record<string, string>
}

const types = new Set(['all', 'select', 'indirect', 'ff', 'fast_failover'])

function bucketOf(text: string, index: number): GroupBucket | string {
  const a = text.indexOf('actions=')
  if (a < 0) return 'a bucket without actions='
  const head = text.slice(0, a).replace(/,$/, '')
  const actionsText = text.slice(a + 'actions='.length)
  let id = index
  let weight: number | null = null
  let watchPort: string | null = null
  for (const item of head.split(',').filter(Boolean)) {
    const [k, v] = item.split(/[:=]/, 2) as [string, string | undefined]
    if (k === 'bucket_id' && v !== undefined && /^\d+$/.test(v)) id = Number(v)
    else if (k === 'weight' && v !== undefined && /^\d+$/.test(v)) weight = Number(v)
    else if (k === 'watch_port' && v !== undefined) watchPort = v
  }
  return { id, weight, watchPort, actionsText, actions: parseActions(actionsText).actions }
}

export function parseDumpGroups(text: string): ParseResult<OvsGroup> {
  const records: OvsGroup[] = []
  const diagnostics: Diagnostic[] = []
  splitLines(text).forEach((raw, i) => {
    const line = i + 1
    const t = raw.trim()
    if (t === '' || /^OFPST_GROUP_DESC reply|^OFPST_GROUP reply/.test(t)) return
    const m = /^group_id=(\d+),type=([a-z_]+)(.*)$/.exec(t)
    if (!m || !types.has(m[2] as string)) {
      diagnostics.push(diag(line, 'error', 'not a group of ovs-ofctl dump-groups (group_id=N,type=T,bucket=…)', raw))
      return
    }
    const rest = m[3] as string
    const bucketAt = rest.indexOf(',bucket=')
    const props: Record<string, string> = {}
    for (const p of splitTopLevel(bucketAt < 0 ? rest : rest.slice(0, bucketAt)).filter((x) => x.trim() !== '')) {
      const [k, v] = p.split('=', 2) as [string, string | undefined]
      props[k.trim()] = v ?? ''
    }
    const buckets: GroupBucket[] = []
    if (bucketAt >= 0) {
      rest
        .slice(bucketAt + ',bucket='.length)
        .split(',bucket=')
        .forEach((b, j) => {
          const r = bucketOf(b, j)
          if (typeof r === 'string') diagnostics.push(diag(line, 'warning', r, b))
          else buckets.push(r)
        })
    }
    const type = (m[2] === 'fast_failover' ? 'ff' : m[2]) as GroupType
    records.push({ line, id: Number(m[1]), type, buckets, properties: props })
  })
  return { records, diagnostics }
}
