import type { Migration } from './migrate'

/** 'SDNA': the workbench's own settings database in the user data folder. */
export const appApplicationId = 0x53444e41

export const appMigrations: readonly Migration[] = [
  {
    version: 1,
    sql: `
      CREATE TABLE settings (
        key   TEXT PRIMARY KEY,
        value TEXT NOT NULL
      );
      CREATE TABLE recent_cases (
        path      TEXT PRIMARY KEY,
        name      TEXT NOT NULL,
        opened_at TEXT NOT NULL
      );
    `
  },
  {
    version: 2,
    sql: `
      CREATE TABLE known_hosts (
        id         INTEGER PRIMARY KEY,
        pattern    TEXT NOT NULL,
        key_type   TEXT NOT NULL,
        key_base64 TEXT NOT NULL,
        marker     TEXT CHECK (marker IN ('@revoked', '@cert-authority')),
        source     TEXT NOT NULL,
        added_at   TEXT NOT NULL,
        UNIQUE (pattern, key_type, key_base64)
      );
    `
  }
]
