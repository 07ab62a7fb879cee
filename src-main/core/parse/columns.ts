import { diag, splitLines, type Diagnostic } from './diagnostics'

export interface ColumnTable {
  headers: string[]
  rows: { line: number; cells: Record<string, string> }[]
  diagnostics: Diagnostic[]
}

/**
 * A kubectl/oc style table: a header line whose columns are separated by two or more spaces
 * (headers may contain one space: "HOST IP", "NOMINATED NODE"), rows aligned under it. Cells are
 * cut at the header positions, so values with spaces ("Red Hat Enterprise Linux") stay whole.
 */
export function parseColumnTable(text: string, isHeader: (line: string) => boolean): ColumnTable {
  const out: ColumnTable = { headers: [], rows: [], diagnostics: [] }
  let starts: number[] = []
  splitLines(text).forEach((raw, i) => {
    const line = i + 1
    if (raw.trim() === '' || raw.startsWith('#')) return
    if (starts.length === 0 || isHeader(raw)) {
      if (!isHeader(raw)) {
        if (!/^(Listing matched pods on node|No resources found)/.test(raw.trim())) out.diagnostics.push(diag(line, 'error', 'not the header of the expected table', raw))
        return
      }
      starts = []
      const headers: string[] = []
      for (const m of raw.matchAll(/\S+(?: \S+)*/g)) {
        starts.push(m.index)
        headers.push(m[0])
      }
      out.headers = headers
      return
    }
    const cells: Record<string, string> = {}
    // Cut at header starts; when a value overran its column (longer than the header gap), fall back
    // to splitting on runs of 2+ spaces if that gives the right number of cells.
    const bySpaces = raw.trim().split(/\s{2,}/)
    const aligned = starts.every((s, k) => k === 0 || s >= raw.length || raw[s - 1] === ' ')
    if (!aligned && bySpaces.length === out.headers.length) {
      out.headers.forEach((h, k) => (cells[h] = bySpaces[k] as string))
    } else {
      out.headers.forEach((h, k) => {
        const from = starts[k] as number
        const to = k + 1 < starts.length ? (starts[k + 1] as number) : raw.length
        cells[h] = raw.slice(from, to).trim()
      })
    }
    if (Object.values(cells).every((v) => v === '')) return
    out.rows.push({ line, cells })
  })
  return out
}
