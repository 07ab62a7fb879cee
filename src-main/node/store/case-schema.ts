import type { Migration } from './migrate'

/** 'SDNW' in ASCII: marks an SQLite file as an SDN Workbench case. */
export const caseApplicationId = 0x53444e57

export const caseMigrations: readonly Migration[] = [
  {
    version: 1,
    sql: `
      CREATE TABLE case_info (
        singleton  INTEGER PRIMARY KEY CHECK (singleton = 1),
        case_id    TEXT NOT NULL,
        name       TEXT NOT NULL,
        created_at TEXT NOT NULL,
        created_by TEXT NOT NULL
      );
      CREATE TABLE hosts (
        id           INTEGER PRIMARY KEY,
        name         TEXT NOT NULL COLLATE NOCASE UNIQUE,
        address      TEXT NOT NULL,
        port         INTEGER NOT NULL CHECK (port BETWEEN 1 AND 65535),
        user         TEXT NOT NULL,
        role         TEXT NOT NULL CHECK (role IN ('master', 'infra', 'compute')),
        jump_host_id INTEGER REFERENCES hosts(id) ON DELETE RESTRICT,
        auth_method  TEXT NOT NULL CHECK (auth_method IN ('key', 'agent', 'password')),
        key_path     TEXT,
        created_at   TEXT NOT NULL,
        updated_at   TEXT NOT NULL,
        CHECK (jump_host_id IS NULL OR jump_host_id <> id)
      );
    `
  }
]
