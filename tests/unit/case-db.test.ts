import Database from '../../src-main/node/store/sqlite'
import { spawnSync } from 'node:child_process'
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { hostname } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { HostInput } from '../../src-main/contract'
import { AppError } from '../../src-main/node/store/app-error'
import { CaseDb } from '../../src-main/node/store/case-db'
import { caseMigrations } from '../../src-main/node/store/case-schema'
import { latestVersion } from '../../src-main/node/store/migrate'
import { hostInput } from '../helpers/hosts'
import { sha256, tempDir } from '../helpers/tmp'

const valid = (o = {}) => HostInput.parse(hostInput(o))

let t: ReturnType<typeof tempDir>
beforeEach(() => (t = tempDir()))
afterEach(() => t.cleanup())

function refusal(path: string): AppError {
  try {
    CaseDb.open(path).close()
  } catch (err) {
    expect(err).toBeInstanceOf(AppError)
    return err as AppError
  }
  throw new Error(`${path} was opened but should have been refused`)
}

/** Opening must be refused with a message matching `why`, and leave the file and its folder unchanged. */
function expectRefusedUnchanged(path: string, why: RegExp): void {
  const before = sha256(path)
  const err = refusal(path)
  expect(err.code).toBe('case_refused')
  expect(err.message).toMatch(why)
  expect(err.message).toContain('The file was not changed')
  expect(sha256(path)).toBe(before)
  expect(existsSync(path + '-wal')).toBe(false)
  expect(existsSync(path + '-shm')).toBe(false)
  expect(existsSync(path + '-journal')).toBe(false)
}

function makeCase(name = 'c'): string {
  const path = join(t.dir, `${name}.sdncase`)
  const db = CaseDb.create(path, 'Test case', 'tester')
  db.createHost(valid())
  db.close()
  return path
}

describe('case files', () => {
  it('creates, reopens and keeps hosts, with WAL, foreign keys and the schema version', () => {
    const path = join(t.dir, 'acme.sdncase')
    const db = CaseDb.create(path, 'ACME prod', 'tester')
    const master = db.createHost(valid({ name: 'master1', role: 'master', address: '127.0.0.1', port: 2222 }))
    db.createHost(valid({ name: 'node1', jumpHostId: master.id, authMethod: 'password', keyPath: '/ignored' }))
    db.close()

    const again = CaseDb.open(path)
    const s = again.summary()
    expect(s).toMatchObject({ name: 'ACME prod', hostCount: 2, schemaVersion: latestVersion(caseMigrations) })
    expect(s.id).toMatch(/^[0-9a-f-]{36}$/)
    const hosts = again.listHosts()
    expect(hosts.map((h) => h.name)).toEqual(['master1', 'node1'])
    expect(hosts[1]).toMatchObject({ jumpHostId: master.id, authMethod: 'password', keyPath: null })
    again.close()

    const raw = new Database(path, { readonly: true })
    expect(raw.pragma('journal_mode', { simple: true })).toBe('wal')
    expect(raw.pragma('application_id', { simple: true })).toBe(0x53444e57)
    raw.close()
  })

  it('refuses to create over an existing file', () => {
    const path = makeCase()
    const before = sha256(path)
    expect(() => CaseDb.create(path, 'x', 'y')).toThrow(/already exists/)
    expect(sha256(path)).toBe(before)
  })

  it('refuses a file made by a newer version, unchanged', () => {
    const path = makeCase()
    const raw = new Database(path)
    raw.pragma('journal_mode = DELETE')
    raw.pragma(`user_version = ${latestVersion(caseMigrations) + 5}`)
    raw.close()
    const latest = latestVersion(caseMigrations)
    expectRefusedUnchanged(path, new RegExp(`newer version of SDN Workbench \\(schema ${latest + 5}; this version reads up to ${latest}\\)`))
  })

  it('refuses a corrupt case file (damaged pages), unchanged', () => {
    const path = makeCase()
    const raw = new Database(path)
    raw.pragma('journal_mode = DELETE')
    raw.close()
    const bytes = readFileSync(path)
    const pageSize = bytes.readUInt16BE(16)
    // Overwrite every page after the first with garbage: the schema survives, the tables do not.
    for (let i = pageSize; i < bytes.length; i++) bytes[i] = (i * 131) & 0xff
    writeFileSync(path, bytes)
    expectRefusedUnchanged(path, /damaged/)
  })

  it('refuses a truncated case file, unchanged', () => {
    const path = makeCase()
    const raw = new Database(path)
    raw.pragma('journal_mode = DELETE')
    raw.close()
    const bytes = readFileSync(path)
    writeFileSync(path, bytes.subarray(0, 600))
    expectRefusedUnchanged(path, /damaged|unreadable/)
  })

  it('refuses non-SQLite, empty and foreign SQLite files, unchanged', () => {
    const text = join(t.dir, 'notes.sdncase')
    writeFileSync(text, 'oc get nodes -o wide\nNAME STATUS\n')
    expectRefusedUnchanged(text, /not an SQLite database/)

    const empty = join(t.dir, 'empty.sdncase')
    writeFileSync(empty, '')
    expectRefusedUnchanged(empty, /empty/)

    const foreign = join(t.dir, 'other.sqlite')
    const f = new Database(foreign)
    f.exec('CREATE TABLE t (x)')
    f.close()
    expectRefusedUnchanged(foreign, /not a case file of SDN Workbench/)

    const folder = join(t.dir, 'dir.sdncase')
    mkdirSync(folder)
    expect(refusal(folder).message).toMatch(/folder/)
    expect(() => CaseDb.open(join(t.dir, 'missing.sdncase'))).toThrow(/no such file/)
  })

  it('a copied case opens like the original', () => {
    const path = makeCase()
    const copy = join(t.dir, 'copy.sdncase')
    copyFileSync(path, copy)
    const db = CaseDb.open(copy)
    expect(db.listHosts()).toHaveLength(1)
    db.close()
  })
})

describe('hosts in a case', () => {
  let db: CaseDb
  beforeEach(() => (db = CaseDb.create(join(t.dir, 'h.sdncase'), 'h', 'tester')))
  afterEach(() => db.close())

  it('updates and deletes', () => {
    const h = db.createHost(valid())
    const u = db.updateHost(h.id, valid({ address: 'node1.example.com', port: 2200, role: 'infra' }))
    expect(u).toMatchObject({ address: 'node1.example.com', port: 2200, role: 'infra' })
    db.deleteHost(h.id)
    expect(db.listHosts()).toEqual([])
    expect(() => db.getHost(h.id)).toThrow(/does not exist/)
  })

  it('refuses duplicate names, case-insensitively, naming the field', () => {
    db.createHost(valid({ name: 'Node1' }))
    try {
      db.createHost(valid({ name: 'node1' }))
      throw new Error('duplicate accepted')
    } catch (err) {
      expect((err as AppError).code).toBe('conflict')
      expect((err as AppError).issues?.[0]?.path).toBe('host.name')
    }
  })

  it('refuses a missing jump host and jump loops', () => {
    expect(() => db.createHost(valid({ jumpHostId: 99 }))).toThrow(/does not exist/)
    const a = db.createHost(valid({ name: 'a' }))
    const b = db.createHost(valid({ name: 'b', jumpHostId: a.id }))
    expect(() => db.updateHost(a.id, valid({ name: 'a', jumpHostId: b.id }))).toThrow(/loop/)
    expect(() => db.updateHost(a.id, valid({ name: 'a', jumpHostId: a.id }))).toThrow(/loop/)
  })

  it('refuses to delete a host that is the jump host of others', () => {
    const jump = db.createHost(valid({ name: 'bastion' }))
    db.createHost(valid({ name: 'n1', jumpHostId: jump.id }))
    db.createHost(valid({ name: 'n2', jumpHostId: jump.id }))
    expect(() => db.deleteHost(jump.id)).toThrow(/jump host of n1, n2/)
    expect(db.listHosts()).toHaveLength(3)
  })
})

describe('case files: refused means untouched', () => {
  it('refuses a damaged WAL-mode case and leaves its folder exactly as it was (no -wal, no -shm)', () => {
    const path = makeCase()
    const bytes = readFileSync(path)
    expect(bytes[18]).toBe(2) // WAL mode in the header
    const pageSize = bytes.readUInt16BE(16)
    for (let i = pageSize; i < bytes.length; i++) bytes[i] = (i * 131) & 0xff
    writeFileSync(path, bytes)
    const before = readdirSync(t.dir).sort()
    expectRefusedUnchanged(path, /damaged/)
    expect(readdirSync(t.dir).sort()).toEqual(before)
  })

  it('refuses a damaged case that a crash left with its -wal, removing only what the check made', () => {
    const path = makeCase()
    // A -wal beside the file, as a crash leaves it: the check must read it, and SQLite then wants a -shm.
    const live = new Database(path)
    live.pragma('wal_autocheckpoint = 0')
    live.exec("UPDATE case_info SET name = 'changed in the WAL'")
    copyFileSync(path + '-wal', join(t.dir, 'saved-wal'))
    live.close()
    const bytes = readFileSync(path)
    for (let i = bytes.readUInt16BE(16); i < bytes.length; i++) bytes[i] = (i * 131) & 0xff
    writeFileSync(path, bytes)
    copyFileSync(join(t.dir, 'saved-wal'), path + '-wal')
    const before = readdirSync(t.dir).sort()
    const wal = sha256(path + '-wal')
    const main = sha256(path)
    expect(refusal(path).code).toBe('case_refused')
    expect(readdirSync(t.dir).sort()).toEqual(before)
    expect(sha256(path + '-wal')).toBe(wal)
    expect(sha256(path)).toBe(main)
  })
})

describe('case files: one writer at a time', () => {
  it('locks a case it opens for writing, naming the holder, and releases it on close', () => {
    const path = makeCase()
    const first = CaseDb.open(path)
    const lock = JSON.parse(readFileSync(path + '.lock', 'utf8')) as { pid: number; host: string; since: string }
    expect(lock.pid).toBe(process.pid)
    expect(lock.host).toBe(hostname())
    const err = refusal(path)
    expect(err.code).toBe('case_locked')
    expect(err.message).toMatch(/is open in this workbench since \d{4}-.*open it read-only/)
    const viewer = CaseDb.open(path, { readOnly: true })
    expect(viewer.summary().readOnly).toBe('opened read-only')
    expect(viewer.listHosts()).toHaveLength(1)
    first.createHost(valid({ name: 'node2', address: '10.0.0.2' }))
    expect(viewer.listHosts()).toHaveLength(2) // the viewer sees the holder's writes as they land
    expect(() => viewer.assertWritable('Importing captures')).toThrow(/Importing captures was refused: c\.sdncase is open read-only \(opened read-only\); nothing was saved/)
    viewer.close()
    expect(existsSync(path + '.lock')).toBe(true) // a viewer holds no lock and removes none
    first.close()
    expect(existsSync(path + '.lock')).toBe(false)
    CaseDb.open(path).close()
  })

  it('takes over a lock whose holder is gone: a dead pid, or a pid now used by a later process', () => {
    const path = makeCase()
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' })
    const gone = { pid: Number(dead.stdout), host: hostname(), user: 'x', since: '2026-01-01T00:00:00.000Z', procStart: null, instance: 'old' }
    writeFileSync(path + '.lock', JSON.stringify(gone))
    const db = CaseDb.open(path)
    expect(JSON.parse(readFileSync(path + '.lock', 'utf8')).pid).toBe(process.pid)
    db.close()
    // Our own pid with another start time: a reused pid, so the holder that wrote it is gone.
    writeFileSync(path + '.lock', JSON.stringify({ ...gone, pid: process.pid, procStart: '1' }))
    CaseDb.open(path).close()
    // A holder on another machine cannot be checked: it stands.
    writeFileSync(path + '.lock', JSON.stringify({ ...gone, host: 'other-laptop.example' }))
    expect(refusal(path).message).toMatch(/on other-laptop\.example/)
  })
})
