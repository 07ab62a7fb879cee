import type Database from 'better-sqlite3'

/** A numbered schema step; `user_version` records the last one applied. */
export interface Migration {
  version: number
  sql: string
  /** Data moved by code after the SQL (in the same transaction): what SQL alone says badly. */
  apply?: (db: Database.Database) => void
}

export function latestVersion(migrations: readonly Migration[]): number {
  return migrations.reduce((max, m) => Math.max(max, m.version), 0)
}

/** Applies every migration above the file's `user_version`, all in one transaction. */
export function migrate(db: Database.Database, migrations: readonly Migration[]): number {
  const current = db.pragma('user_version', { simple: true }) as number
  const pending = [...migrations].filter((m) => m.version > current).sort((a, b) => a.version - b.version)
  if (pending.length === 0) return current
  db.transaction(() => {
    for (const m of pending) {
      db.exec(m.sql)
      m.apply?.(db)
      db.pragma(`user_version = ${m.version}`)
    }
  })()
  return latestVersion(migrations)
}
