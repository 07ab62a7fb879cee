import Database from 'better-sqlite3'
import { existsSync } from 'node:fs'
import { AppError } from './app-error'
import { latestVersion, migrate, type Migration } from './migrate'
import { probeSqliteFile } from './sqlite-file'

export interface DbKind {
  /** What the user calls this file in messages: "case file", "settings database". */
  label: string
  applicationId: number
  migrations: readonly Migration[]
}

/** Below this size a full `quick_check` runs on open; above it only the header and schema are read. */
const quickCheckLimit = 256 * 1024 * 1024

function refuse(path: string, why: string, what: string): never {
  throw new AppError('case_refused', `Cannot open ${path}: ${why} ${what} The file was not changed.`)
}

/**
 * Opens an existing workbench database only after checking, read-only, that it is one of ours,
 * not damaged and not newer than this version; a refused file is left byte-for-byte unchanged.
 */
export function openExisting(path: string, kind: DbKind): Database.Database {
  const probe = probeSqliteFile(path)
  switch (probe.kind) {
    case 'missing':
      throw new AppError('not_found', `Cannot open ${path}: no such file. Check the path, or create a new ${kind.label}.`)
    case 'not-a-file':
      refuse(path, 'it is a folder or a device, not a file.', `Choose a ${kind.label}.`)
    case 'empty':
      refuse(path, 'the file is empty (0 bytes).', `It is not a ${kind.label}; it may have been cut short while copying.`)
    case 'not-sqlite':
      refuse(path, 'it is not an SQLite database.', `It may be another kind of file, or a damaged ${kind.label}.`)
    case 'sqlite':
      break
  }
  const latest = latestVersion(kind.migrations)
  const { header } = probe
  if (header.applicationId !== kind.applicationId) {
    refuse(path, `it is an SQLite database, but not a ${kind.label} of SDN Workbench (application id 0x${(header.applicationId >>> 0).toString(16)}).`, 'Choose another file.')
  }
  if (header.userVersion > latest) {
    refuse(path, `it was made by a newer version of SDN Workbench (schema ${header.userVersion}; this version reads up to ${latest}).`, 'Update SDN Workbench to open it.')
  }

  // Second look through SQLite itself, still read-only: a WAL left by a crash can carry a newer
  // header than the main file, and damaged pages only show when read.
  let ro: Database.Database | undefined
  try {
    ro = new Database(path, { readonly: true, fileMustExist: true })
    const appId = ro.pragma('application_id', { simple: true }) as number
    const version = ro.pragma('user_version', { simple: true }) as number
    if (appId !== kind.applicationId) refuse(path, `it is not a ${kind.label} of SDN Workbench.`, 'Choose another file.')
    if (version > latest) {
      refuse(path, `it was made by a newer version of SDN Workbench (schema ${version}; this version reads up to ${latest}).`, 'Update SDN Workbench to open it.')
    }
    ro.prepare('SELECT count(*) FROM sqlite_schema').get()
    if (probe.size <= quickCheckLimit) {
      const rows = ro.pragma('quick_check(5)') as { quick_check: string }[]
      const problems = rows.map((r) => r.quick_check).filter((r) => r !== 'ok')
      if (problems.length > 0) refuse(path, `the database is damaged (${problems.join('; ')}).`, 'Restore it from a copy.')
    }
  } catch (err) {
    if (err instanceof AppError) throw err
    refuse(path, `the database is damaged or unreadable (${(err as Error).message}).`, 'Restore it from a copy.')
  } finally {
    ro?.close()
  }

  const db = new Database(path, { fileMustExist: true })
  try {
    configure(db)
    migrate(db, kind.migrations)
    return db
  } catch (err) {
    db.close()
    throw new AppError('case_refused', `Cannot open ${path}: ${(err as Error).message}`)
  }
}

/** Creates a new, empty workbench database; refuses to overwrite anything. */
export function createNew(path: string, kind: DbKind, init: (db: Database.Database) => void): Database.Database {
  if (existsSync(path)) {
    throw new AppError('conflict', `Cannot create ${path}: a file with that name already exists. Choose another name or open it.`)
  }
  let db: Database.Database
  try {
    db = new Database(path)
  } catch (err) {
    throw new AppError('unavailable', `Cannot create ${path}: ${(err as Error).message}. Check that the folder exists and is writable.`)
  }
  try {
    db.pragma(`application_id = ${kind.applicationId}`)
    configure(db)
    migrate(db, kind.migrations)
    db.transaction(() => init(db))()
    return db
  } catch (err) {
    db.close()
    throw err
  }
}

function configure(db: Database.Database): void {
  db.pragma('journal_mode = WAL')
  db.pragma('foreign_keys = ON')
  db.pragma('busy_timeout = 5000')
  db.pragma('synchronous = NORMAL')
}
