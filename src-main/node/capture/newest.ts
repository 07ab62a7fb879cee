import type { CaptureSummary } from '../../contract'
import { parseCapture } from '../../core/capture/parsed-view'
import { parsedAs, type ParserId, type ParserOutputs } from '../../core/parse/registry'
import type { CaseDb } from '../store/case-db'

/** The newest completed capture a parser reads, and its parsed data; null when the case has none. */
export function newestParsed<K extends ParserId>(db: CaseDb, id: K): { capture: CaptureSummary; data: ParserOutputs[K] } | null {
  const c = db.captures
    .list()
    .filter((x) => x.parserId === id && x.status === 'ok')
    .sort((a, b) => b.startedAt.localeCompare(a.startedAt))[0]
  const data = c ? parsedAs(parseCapture(c.command, db.captures.text(c.id), c.parserId), id) : null
  return c && data ? { capture: c, data } : null
}
