import type Database from 'better-sqlite3'
import type { NameKind } from '../../core/redact/redact-text'
import { newRedactionKey } from '../redact/prf'
import { AppError } from './app-error'

/** The case's redaction key (made the first time it is needed, kept in the case, never exported) and the engineer's terms. */
export class RedactionStore {
  constructor(
    private readonly db: Database.Database,
    private readonly writable: () => boolean
  ) {}

  key(): Buffer {
    const row = this.db.prepare("SELECT value FROM case_secrets WHERE name = 'redaction-key'").get() as { value: Buffer } | undefined
    if (row) return row.value
    if (!this.writable()) throw new AppError('read_only', 'This case has no redaction key yet and is open read-only: open it for writing once to make one.')
    const key = newRedactionKey()
    this.db.prepare("INSERT INTO case_secrets (name, value) VALUES ('redaction-key', ?)").run(key)
    return key
  }

  terms(): { kind: NameKind; name: string }[] {
    return this.db.prepare('SELECT kind, name FROM redaction_terms ORDER BY kind, name').all() as { kind: NameKind; name: string }[]
  }

  addTerm(kind: NameKind, name: string): void {
    this.db.prepare('INSERT OR IGNORE INTO redaction_terms (kind, name) VALUES (?, ?)').run(kind, name.trim())
  }

  removeTerm(kind: NameKind, name: string): void {
    this.db.prepare('DELETE FROM redaction_terms WHERE kind = ? AND name = ?').run(kind, name)
  }
}
