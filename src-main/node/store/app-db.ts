import type Database from 'better-sqlite3'
import { mkdirSync } from 'node:fs'
import { dirname } from 'node:path'
import { existsSync } from 'node:fs'
import type { Settings, Theme } from '../../contract'
import { appApplicationId, appMigrations } from './app-schema'
import { createNew, openExisting, type DbKind } from './open-db'

export interface StoredKnownHost {
  id: number
  pattern: string
  key: { type: string; base64: string }
  marker: '@revoked' | '@cert-authority' | null
  source: string
  addedAt: string
}

const appKind: DbKind = { label: 'settings database', applicationId: appApplicationId, migrations: appMigrations }
const maxRecent = 20

const defaults: Settings = { theme: 'dark' }

/** The workbench's own small database in the user data folder: settings and recent cases. */
export class AppDb {
  private constructor(private readonly db: Database.Database) {}

  static openOrCreate(path: string): AppDb {
    mkdirSync(dirname(path), { recursive: true })
    const db = existsSync(path) ? openExisting(path, appKind) : createNew(path, appKind, () => {})
    return new AppDb(db)
  }

  close(): void {
    if (this.db.open) this.db.close()
  }

  settings(): Settings {
    const rows = this.db.prepare('SELECT key, value FROM settings').all() as { key: string; value: string }[]
    const s: Settings = { ...defaults }
    for (const r of rows) {
      if (r.key === 'theme' && (r.value === 'dark' || r.value === 'light')) s.theme = r.value as Theme
    }
    return s
  }

  updateSettings(patch: Partial<Settings>): Settings {
    const put = this.db.prepare('INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value')
    this.db.transaction(() => {
      for (const [k, v] of Object.entries(patch)) if (v !== undefined) put.run(k, String(v))
    })()
    return this.settings()
  }

  recentCases(): { path: string; name: string; openedAt: string }[] {
    return (this.db.prepare('SELECT path, name, opened_at FROM recent_cases ORDER BY opened_at DESC').all() as {
      path: string
      name: string
      opened_at: string
    }[]).map((r) => ({ path: r.path, name: r.name, openedAt: r.opened_at }))
  }

  touchRecent(path: string, name: string): void {
    this.db.transaction(() => {
      this.db
        .prepare('INSERT INTO recent_cases (path, name, opened_at) VALUES (?, ?, ?) ON CONFLICT(path) DO UPDATE SET name = excluded.name, opened_at = excluded.opened_at')
        .run(path, name, new Date().toISOString())
      this.db
        .prepare('DELETE FROM recent_cases WHERE path NOT IN (SELECT path FROM recent_cases ORDER BY opened_at DESC LIMIT ?)')
        .run(maxRecent)
    })()
  }

  forgetRecent(path: string): void {
    this.db.prepare('DELETE FROM recent_cases WHERE path = ?').run(path)
  }

  knownHosts(): StoredKnownHost[] {
    return (this.db.prepare('SELECT id, pattern, key_type, key_base64, marker, source, added_at FROM known_hosts ORDER BY id').all() as {
      id: number
      pattern: string
      key_type: string
      key_base64: string
      marker: StoredKnownHost['marker']
      source: string
      added_at: string
    }[]).map((r) => ({ id: r.id, pattern: r.pattern, key: { type: r.key_type, base64: r.key_base64 }, marker: r.marker, source: r.source, addedAt: r.added_at }))
  }

  /** Adds entries (one transaction); returns how many were new. */
  addKnownHosts(entries: { pattern: string; key: { type: string; base64: string }; marker: StoredKnownHost['marker'] }[], source: string): number {
    const put = this.db.prepare('INSERT OR IGNORE INTO known_hosts (pattern, key_type, key_base64, marker, source, added_at) VALUES (?, ?, ?, ?, ?, ?)')
    const now = new Date().toISOString()
    return this.db.transaction(() => entries.reduce((n, e) => n + put.run(e.pattern, e.key.type, e.key.base64, e.marker, source, now).changes, 0))()
  }

  removeKnownHost(id: number): boolean {
    return this.db.prepare('DELETE FROM known_hosts WHERE id = ?').run(id).changes > 0
  }
}
