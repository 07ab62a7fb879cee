import { closeSync, openSync, readSync, statSync } from 'node:fs'

const magic = 'SQLite format 3\0'

export interface SqliteHeader {
  pageSize: number
  userVersion: number
  applicationId: number
}

export type HeaderProbe =
  | { kind: 'missing' }
  | { kind: 'not-a-file' }
  | { kind: 'empty' }
  | { kind: 'not-sqlite'; size: number }
  | { kind: 'sqlite'; size: number; header: SqliteHeader }

/**
 * Reads the 100-byte database header without opening the file through SQLite, so a file we
 * are going to refuse is never touched by the SQLite library (which could create a journal,
 * a WAL or change the header).
 */
export function probeSqliteFile(path: string): HeaderProbe {
  let size: number
  try {
    const st = statSync(path)
    if (!st.isFile()) return { kind: 'not-a-file' }
    size = st.size
  } catch {
    return { kind: 'missing' }
  }
  if (size === 0) return { kind: 'empty' }
  const buf = Buffer.alloc(100)
  const fd = openSync(path, 'r')
  let read: number
  try {
    read = readSync(fd, buf, 0, 100, 0)
  } finally {
    closeSync(fd)
  }
  if (read < 100 || buf.toString('latin1', 0, 16) !== magic) return { kind: 'not-sqlite', size }
  const rawPage = buf.readUInt16BE(16)
  return {
    kind: 'sqlite',
    size,
    header: {
      pageSize: rawPage === 1 ? 65536 : rawPage,
      userVersion: buf.readInt32BE(60),
      applicationId: buf.readInt32BE(68)
    }
  }
}
