import { accessSync, constants, existsSync, unlinkSync } from 'node:fs'
import { dirname } from 'node:path'
import { pathToFileURL } from 'node:url'
import Database from './sqlite'
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

/** What a check learned of a file it did not refuse. */
export interface CheckedFile {
  userVersion: number
  size: number
}

const sideFiles = (path: string) => [`${path}-wal`, `${path}-shm`, `${path}-journal`]

/**
 * The read-only look through SQLite itself, creating nothing beside the file. Without a -wal, the file is
 * all there is and `immutable=1` reads it with no -wal or -shm made. A -wal beside it (a crash, or another
 * workbench has it open) must be read too: SQLite then makes a -shm if none is there, and the ones this
 * look made are removed again when the file is refused.
 */
function withReadOnlyLook<T>(path: string, look: (db: Database.Database) => T): T {
  const before = sideFiles(path).filter((f) => existsSync(f))
  let ro: Database.Database | undefined
  try {
    if (!existsSync(`${path}-wal`)) {
      try {
        ro = new Database(`${pathToFileURL(path).href}?immutable=1`, { readonly: true, fileMustExist: true })
      } catch (err) {
        // URI names off in this process (the name was taken as a relative path): the plain open below.
        if ((err as { code?: unknown }).code !== 'SQLITE_CANTOPEN') throw err
      }
    }
    ro ??= new Database(path, { readonly: true, fileMustExist: true })
    return look(ro)
  } catch (err) {
    ro?.close()
    ro = undefined
    for (const f of sideFiles(path)) {
      if (!before.includes(f) && existsSync(f)) {
        try {
          unlinkSync(f)
        } catch {
          // Nothing more to do: the message below still says what happened.
        }
      }
    }
    throw err
  } finally {
    ro?.close()
  }
}

/**
 * Checks, read-only, that an existing file is a workbench database of this kind, not damaged and not newer
 * than this version; a refused file and its folder are left exactly as they were.
 */
export function checkExisting(path: string, kind: DbKind): CheckedFile {
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
  // A WAL left by a crash can carry a newer header than the main file, and damaged pages only show when read.
  try {
    return withReadOnlyLook(path, (ro) => {
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
      return { userVersion: version, size: probe.size }
    })
  } catch (err) {
    if (err instanceof AppError) throw err
    refuse(path, `the database is damaged or unreadable (${(err as Error).message}).`, 'Restore it from a copy.')
  }
}

/**
 * Why this workbench cannot write the file, or null when it can: a read-only file or folder (SQLite needs
 * the folder for its -wal and -shm), or a read-only disk.
 */
export function whyNotWritable(path: string): string | null {
  const fail = (what: string, err: unknown) => {
    const code = (err as NodeJS.ErrnoException).code
    return code === 'EROFS' ? `${what} is on a read-only disk` : `${what} is read-only for this user`
  }
  try {
    accessSync(path, constants.W_OK)
  } catch (err) {
    return fail('the file', err)
  }
  try {
    accessSync(dirname(path), constants.W_OK)
  } catch (err) {
    return fail('its folder', err)
  }
  return null
}

/** Opens a checked file for reading only: nothing, not even a migration or a lock, is written. */
export function openReadOnly(path: string, kind: DbKind, checked: CheckedFile, why: string): Database.Database {
  const latest = latestVersion(kind.migrations)
  if (checked.userVersion < latest) {
    refuse(
      path,
      `it was made by an older version of SDN Workbench (schema ${checked.userVersion}) and must be upgraded to schema ${latest}, which writes to it, but ${why}.`,
      'Copy it to a folder you can write to and open the copy.'
    )
  }
  // With no -wal beside it and nobody able to write it, the file is immutable; else it is read as it changes.
  const immutable = !existsSync(`${path}-wal`) && whyNotWritable(path) !== null
  const db = immutable
    ? new Database(`${pathToFileURL(path).href}?immutable=1`, { readonly: true, fileMustExist: true })
    : new Database(path, { readonly: true, fileMustExist: true })
  db.pragma('busy_timeout = 5000')
  return db
}

/**
 * Opens an existing workbench database for writing, after checking it: a refused file is left byte-for-byte
 * unchanged, and so is its folder.
 */
export function openExisting(path: string, kind: DbKind): Database.Database {
  checkExisting(path, kind)
  return openWritable(path, kind)
}

/** Opens a checked file for writing and brings its schema up to date. */
export function openWritable(path: string, kind: DbKind): Database.Database {
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

/**
 * Another connection to a database this process has already checked and opened for writing (an import's
 * worker thread writes through one): no check, no migration, no lock.
 */
export function openExtraConnection(path: string): Database.Database {
  const db = new Database(path, { fileMustExist: true })
  configure(db)
  return db
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
