import type { CaptureSummary } from '../../contract'
import { parseCapture } from '../../core/capture/parsed-view'
import { parsedAs, type ParserId, type ParserOutputs } from '../../core/parse/registry'
import type { CaseDb } from '../store/case-db'
import { sameHostName } from '../../core/hosts/identity'

/** The newest completed capture a parser reads (among those `pick` keeps), and its parsed data; null when the case has none. */
export function newestParsed<K extends ParserId>(db: CaseDb, id: K, pick: (c: CaptureSummary) => boolean = () => true): { capture: CaptureSummary; data: ParserOutputs[K] } | null {
  const c = db.captures
    .list()
    .filter((x) => x.parserId === id && x.status === 'ok' && pick(x))
    .sort((a, b) => b.startedAt.localeCompare(a.startedAt))[0]
  const data = c ? parsedAs(parseCapture(c.command, db.captures.text(c.id), c.parserId), id) : null
  return c && data ? { capture: c, data } : null
}

/** Just the parsed data of the newest capture a parser reads (among those `pick` keeps). */
export function newestData<K extends ParserId>(db: CaseDb, id: K, pick?: (c: CaptureSummary) => boolean): ParserOutputs[K] | null {
  return newestParsed(db, id, pick)?.data ?? null
}

/**
 * The capture of the same command on the same host (host identity) taken just before this one, completed and read
 * by the same parser: what rates and "what moved" compare against. null when there is none.
 */
export function earlierCapture(db: CaseDb, c: CaptureSummary): CaptureSummary | null {
  const norm = (s: string) => s.trim().replace(/\s+/g, ' ')
  return (
    db.captures
      .list()
      .filter((x) => x.id !== c.id && x.status === 'ok' && x.parserId === c.parserId && norm(x.command) === norm(c.command) && sameHostName(x.hostName, c.hostName) && x.startedAt < c.startedAt)
      .sort((a, b) => b.startedAt.localeCompare(a.startedAt))[0] ?? null
  )
}
