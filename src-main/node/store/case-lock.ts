import { randomUUID } from 'node:crypto'
import { closeSync, linkSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs'
import { hostname, userInfo } from 'node:os'

/**
 * Who has a case open for writing, kept beside it as `<case>.lock`. SQLite alone lets two workbenches write
 * the same file, and the second one's writes then fail with "database is locked" and are lost: a case is
 * written by one workbench at a time, and the others are told who holds it.
 */
export interface LockHolder {
  pid: number
  host: string
  user: string
  /** ISO time the lock was taken. */
  since: string
  /** The holder process's start time as Linux counts it (/proc/PID/stat field 22): a reused pid is told apart. */
  procStart: string | null
  /** One open of one workbench (two backends in one process are two holders). */
  instance: string
}

/** Taken, or held by another workbench (its record, or null when the lock file cannot be read). */
export type LockResult = { ok: true; lock: CaseLock } | { ok: false; holder: LockHolder | null }

export function lockPathOf(casePath: string): string {
  return `${casePath}.lock`
}

function procStartOf(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'latin1')
    // The command name (field 2) may hold spaces and parentheses: count fields after its last ')'.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] ?? null
  } catch {
    return null
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM'
  }
}

function readHolder(path: string): LockHolder | null {
  try {
    const h = JSON.parse(readFileSync(path, 'utf8')) as Partial<LockHolder>
    if (typeof h.pid !== 'number' || typeof h.host !== 'string' || typeof h.since !== 'string' || typeof h.instance !== 'string') return null
    return { pid: h.pid, host: h.host, user: typeof h.user === 'string' ? h.user : '?', since: h.since, procStart: typeof h.procStart === 'string' ? h.procStart : null, instance: h.instance }
  } catch {
    return null
  }
}

/**
 * A holder that is certainly gone: on this machine, its process has ended, or its pid now belongs to a
 * process started later. A holder on another machine (a shared folder) cannot be checked and counts as live.
 */
export function isStale(h: LockHolder): boolean {
  if (h.host !== hostname()) return false
  if (!alive(h.pid)) return true
  const now = procStartOf(h.pid)
  return h.procStart !== null && now !== null && now !== h.procStart
}

export function describeHolder(h: LockHolder): string {
  const self = h.pid === process.pid && h.host === hostname()
  return `${self ? 'this workbench' : `SDN Workbench (pid ${h.pid}, user ${h.user}, on ${h.host})`} since ${h.since}`
}

/** The lock this workbench holds on one case; release() removes it only while it is still ours. */
export class CaseLock {
  private constructor(
    readonly path: string,
    readonly holder: LockHolder
  ) {}

  /**
   * Takes the lock: written whole to a private name, then linked into place (link fails if the name exists,
   * so two workbenches can never both succeed, and a reader never sees half a lock). A stale lock is replaced.
   */
  static acquire(casePath: string): LockResult {
    const path = lockPathOf(casePath)
    const holder: LockHolder = {
      pid: process.pid,
      host: hostname(),
      user: userInfo().username,
      since: new Date().toISOString(),
      procStart: procStartOf(process.pid),
      instance: randomUUID()
    }
    const tmp = `${path}.${process.pid}.${holder.instance.slice(0, 8)}`
    const fd = openSync(tmp, 'wx', 0o644)
    try {
      writeSync(fd, JSON.stringify(holder) + '\n')
    } finally {
      closeSync(fd)
    }
    try {
      for (let attempt = 0; attempt < 2; attempt++) {
        try {
          linkSync(tmp, path)
          return { ok: true, lock: new CaseLock(path, holder) }
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err
        }
        const current = readHolder(path)
        // A lock that is not a holder record was not written by a workbench (ours are linked in whole).
        if (current !== null && !isStale(current)) return { ok: false, holder: current }
        try {
          unlinkSync(path)
        } catch {
          // Someone else cleared it first: try again.
        }
      }
      return { ok: false, holder: readHolder(path) }
    } finally {
      try {
        unlinkSync(tmp)
      } catch {
        // Already gone.
      }
    }
  }

  release(): void {
    const current = readHolder(this.path)
    if (current?.instance !== this.holder.instance) return
    try {
      unlinkSync(this.path)
    } catch {
      // Removed by hand already: nothing to release.
    }
  }
}
