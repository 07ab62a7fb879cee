import { diag, splitLines, splitTopLevel, type Diagnostic } from './diagnostics'
import { parseOvsdbMapText } from './ovs-vsctl-show'

export interface OvsdbUuid {
  uuid: string
}
export interface OvsdbMap {
  map: Record<string, string | number | boolean>
}
/** An OVSDB value: atom, set (array) or map. An empty set is []: "no value" for optional columns. */
export type OvsdbValue = string | number | boolean | OvsdbUuid | OvsdbMap | OvsdbValue[]

export interface OvsdbRecord {
  line: number
  columns: Record<string, OvsdbValue>
}

export interface OvsdbList {
  format: 'json' | 'text' | 'csv'
  headings: string[]
  records: OvsdbRecord[]
  diagnostics: Diagnostic[]
}

/** A single-valued column: the value itself, or null for an empty set (e.g. an interface without ofport). */
export function scalar(v: OvsdbValue | undefined): string | number | boolean | null {
  if (v === undefined) return null
  if (Array.isArray(v)) return v.length === 1 ? scalar(v[0]) : null
  if (typeof v === 'object') return 'uuid' in v ? v.uuid : null
  return v
}

export function mapOf(v: OvsdbValue | undefined): Record<string, string | number | boolean> {
  return v !== undefined && typeof v === 'object' && !Array.isArray(v) && 'map' in v ? v.map : {}
}

function atomFromJson(a: unknown): string | number | boolean | OvsdbUuid | null {
  if (typeof a === 'string' || typeof a === 'number' || typeof a === 'boolean') return a
  if (Array.isArray(a) && (a[0] === 'uuid' || a[0] === 'named-uuid') && typeof a[1] === 'string') return { uuid: a[1] }
  return null
}

function valueFromJson(v: unknown): OvsdbValue | null {
  if (Array.isArray(v) && v[0] === 'set' && Array.isArray(v[1])) {
    const items = v[1].map(atomFromJson)
    return items.every((x) => x !== null) ? (items as OvsdbValue[]) : null
  }
  if (Array.isArray(v) && v[0] === 'map' && Array.isArray(v[1])) {
    const map: Record<string, string | number | boolean> = {}
    for (const pair of v[1]) {
      if (!Array.isArray(pair) || pair.length !== 2) return null
      const k = atomFromJson(pair[0])
      const val = atomFromJson(pair[1])
      if (k === null || val === null) return null
      map[typeof k === 'object' ? k.uuid : String(k)] = typeof val === 'object' ? val.uuid : val
    }
    return { map }
  }
  return atomFromJson(v)
}

function parseJson(text: string): OvsdbList {
  const out: OvsdbList = { format: 'json', headings: [], records: [], diagnostics: [] }
  let doc: unknown
  try {
    doc = JSON.parse(text)
  } catch (err) {
    const pos = /position (\d+)/.exec((err as Error).message)
    const line = pos ? text.slice(0, Number(pos[1])).split('\n').length : 1
    out.diagnostics.push(diag(line, 'error', `not valid JSON (${(err as Error).message}); cut short?`, text.split('\n')[line - 1] ?? ''))
    return out
  }
  const d = doc as { data?: unknown; headings?: unknown }
  if (!doc || typeof doc !== 'object' || !Array.isArray(d.data) || !Array.isArray(d.headings) || !d.headings.every((h) => typeof h === 'string')) {
    out.diagnostics.push(diag(1, 'error', 'JSON, but not ovs-vsctl --format=json output ({"data":[…],"headings":[…]})', text.slice(0, 200)))
    return out
  }
  out.headings = d.headings as string[]
  d.data.forEach((row, r) => {
    if (!Array.isArray(row) || row.length !== out.headings.length) {
      out.diagnostics.push(diag(1, 'error', `row ${r + 1} has ${Array.isArray(row) ? row.length : 'no'} values for ${out.headings.length} columns`, JSON.stringify(row).slice(0, 200)))
      return
    }
    const columns: Record<string, OvsdbValue> = {}
    row.forEach((cell, c) => {
      const v = valueFromJson(cell)
      const h = out.headings[c] as string
      if (v === null) out.diagnostics.push(diag(1, 'warning', `row ${r + 1}, column ${h}: not an OVSDB value`, JSON.stringify(cell).slice(0, 200)))
      else columns[h] = v
    })
    out.records.push({ line: 1, columns })
  })
  return out
}

const uuidRe = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/

function valueFromText(t: string): OvsdbValue {
  const s = t.trim()
  if (s.startsWith('{') && s.endsWith('}')) return { map: parseOvsdbMapText(s) }
  if (s.startsWith('[') && s.endsWith(']')) {
    const inner = s.slice(1, -1).trim()
    return inner === '' ? [] : splitTopLevel(inner).map((x) => valueFromText(x) as OvsdbValue)
  }
  if (s.startsWith('"') && s.endsWith('"') && s.length >= 2) return s.slice(1, -1).replace(/\\"/g, '"')
  if (/^-?\d+(\.\d+)?$/.test(s)) return Number(s)
  if (s === 'true' || s === 'false') return s === 'true'
  if (uuidRe.test(s)) return { uuid: s }
  return s
}

function parseText(text: string): OvsdbList {
  const out: OvsdbList = { format: 'text', headings: [], records: [], diagnostics: [] }
  let cur: OvsdbRecord | null = null
  splitLines(text).forEach((raw, i) => {
    const line = i + 1
    if (raw.trim() === '') {
      cur = null
      return
    }
    const m = /^([A-Za-z_][\w-]*)\s*:\s?(.*)$/.exec(raw)
    if (!m) return void out.diagnostics.push(diag(line, 'error', 'not a "column : value" line of ovs-vsctl list', raw))
    if (!cur) {
      cur = { line, columns: {} }
      out.records.push(cur)
    }
    const key = m[1] as string
    if (!out.headings.includes(key)) out.headings.push(key)
    ;(cur as OvsdbRecord).columns[key] = valueFromText(m[2] ?? '')
  })
  return out
}

function parseCsv(text: string, columns: readonly string[]): OvsdbList {
  const out: OvsdbList = { format: 'csv', headings: [...columns], records: [], diagnostics: [] }
  splitLines(text).forEach((raw, i) => {
    if (raw.trim() === '') return
    const cells = splitTopLevel(raw)
    if (cells.length !== columns.length) {
      out.diagnostics.push(diag(i + 1, 'error', `${cells.length} values for ${columns.length} columns (${columns.join(',')})`, raw))
      return
    }
    const rec: Record<string, OvsdbValue> = {}
    cells.forEach((c, j) => (rec[columns[j] as string] = valueFromText(c)))
    out.records.push({ line: i + 1, columns: rec })
  })
  return out
}

/**
 * `ovs-vsctl list TABLE` in any of its formats: --format=json (OVSDB atoms), the default text
 * records, or --format=csv --data=bare --no-headings (needs the --columns list). Never throws.
 */
export function parseOvsdbList(text: string, opts: { columns?: readonly string[] } = {}): OvsdbList {
  const t = text.trimStart()
  if (t.startsWith('{')) return parseJson(t)
  if (opts.columns && opts.columns.length > 0 && !/^\w+\s+:/m.test(t)) return parseCsv(text, opts.columns)
  return parseText(text)
}
