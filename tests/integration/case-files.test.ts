// Case files on real disks (root): a read-only mount, a full disk, and two real backends on one case.
import { execFileSync } from 'node:child_process'
import { copyFileSync, existsSync, mkdirSync, openSync, closeSync, readdirSync, writeSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { MethodName } from '../../src-main/contract'
import { Backend } from '../../src-main/node/backend/backend'
import { silentLogger } from '../../src-main/node/log'
import Database from '../../src-main/node/store/sqlite'
import { hostInput } from '../helpers/hosts'
import { startServe, type ServeProcess } from '../helpers/serve'
import { tempDir } from '../helpers/tmp'
import { WsClient } from '../helpers/ws-client'

let t: ReturnType<typeof tempDir>
const mounts: string[] = []

beforeAll(() => {
  t = tempDir('sdnwb-casefiles-')
})
afterAll(() => {
  for (const m of mounts.reverse()) execFileSync('umount', ['-l', m])
  t.cleanup()
})

/** A small filesystem of its own (tmpfs), so it can be made read-only or filled up. */
function smallDisk(name: string, size: string): string {
  const dir = join(t.dir, name)
  mkdirSync(dir)
  execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', dir])
  mounts.push(dir)
  return dir
}

function backend(name: string): Backend {
  return new Backend({ version: 't', mode: 'browser', dataDir: join(t.dir, `${name}-data`), casesDir: join(t.dir, `${name}-cases`), log: silentLogger })
}

async function call<M extends MethodName>(b: Backend, method: M, input: unknown) {
  return b.dispatch(method, input)
}

describe('a case on a read-only disk', () => {
  it('opens read-only with the reason shown, reads, and refuses writes with a plain message', async () => {
    const disk = smallDisk('ro', '8m')
    const path = join(disk, 'cluster.sdncase')
    const maker = backend('ro-maker')
    expect((await call(maker, 'case.create', { name: 'On a stick', path })).ok).toBe(true)
    expect((await call(maker, 'hosts.create', { host: hostInput() })).ok).toBe(true)
    maker.close()
    execFileSync('mount', ['-o', 'remount,ro', disk])
    const before = readdirSync(disk).sort()

    const b = backend('ro')
    try {
      const opened = await call(b, 'case.open', { path })
      expect(opened).toMatchObject({ ok: true, value: { readOnly: 'the file is on a read-only disk', hostCount: 1 } })
      expect(await call(b, 'hosts.list', {})).toMatchObject({ ok: true, value: [{ name: 'node1' }] })
      const write = await call(b, 'hosts.create', { host: hostInput({ name: 'node2', address: '10.0.0.2' }) })
      expect(write).toMatchObject({ ok: false, error: { code: 'read_only' } })
      if (!write.ok) {
        expect(write.error.message).toMatch(/cluster\.sdncase is open read-only \(the file is on a read-only disk\); nothing was saved/)
        expect(write.error.message).not.toMatch(/bug|internal/i)
      }
      const imp = await call(b, 'captures.import', { path: '/etc/hostname', hostName: 'node1', command: 'hostname' })
      expect(imp).toMatchObject({ ok: false, error: { code: 'read_only', message: expect.stringMatching(/^Importing captures was refused/) } })
      expect(readdirSync(disk).sort()).toEqual(before)
    } finally {
      b.close()
    }
  })
})

describe('a case on a full disk', () => {
  it('says the disk is full, where, and that nothing was half-written', async () => {
    const disk = smallDisk('full', '6m')
    const path = join(disk, 'cluster.sdncase')
    const b = backend('full')
    try {
      expect((await call(b, 'case.create', { name: 'Full', path })).ok).toBe(true)
      expect((await call(b, 'hosts.create', { host: hostInput() })).ok).toBe(true)
      // Fill the disk to the last byte.
      const fd = openSync(join(disk, 'filler'), 'w')
      const block = Buffer.alloc(64 * 1024, 1)
      try {
        for (;;) writeSync(fd, block)
      } catch (err) {
        expect((err as NodeJS.ErrnoException).code).toBe('ENOSPC')
      } finally {
        closeSync(fd)
      }
      let failed: { code: string; message: string } | null = null
      for (let i = 2; i < 400 && !failed; i++) {
        const r = await call(b, 'hosts.create', { host: hostInput({ name: `node${i}`, address: `10.0.${i >> 8}.${i & 255}` }) })
        if (!r.ok) failed = r.error
      }
      expect(failed?.code).toBe('disk_full')
      expect(failed?.message).toMatch(new RegExp(`^The disk holding ${disk} is full: the change \\(hosts\\.create\\) was not saved, and nothing was half-written`))
      b.close()
      // Everything saved before the disk filled is there, whole.
      execFileSync('rm', [join(disk, 'filler')])
      const raw = new Database(path, { readonly: true })
      expect(raw.pragma('integrity_check', { simple: true })).toBe('ok')
      const hosts = raw.prepare('SELECT count(*) AS n FROM hosts').get() as { n: number }
      expect(hosts.n).toBeGreaterThanOrEqual(1)
      raw.close()
    } finally {
      b.close()
    }
  })
})

describe('two real backends on one case', () => {
  let serve: ServeProcess | undefined
  afterAll(async () => {
    await serve?.stop()
  })

  it('the second opener is told who holds it and may open it read-only; a crashed holder is recognised', async () => {
    const cases = join(t.dir, 'shared-cases')
    mkdirSync(cases)
    const path = join(cases, 'shared.sdncase')
    serve = await startServe(['--port', '0', '--data-dir', join(t.dir, 'serve-data'), '--cases-dir', cases])
    const ws = await WsClient.connect(serve.url)
    await ws.call('case.create', { name: 'Shared', path })
    await ws.call('hosts.create', { host: hostInput() })

    const b = backend('second')
    try {
      const refused = await call(b, 'case.open', { path })
      expect(refused).toMatchObject({ ok: false, error: { code: 'case_locked' } })
      if (!refused.ok) expect(refused.error.message).toMatch(new RegExp(`is open in SDN Workbench \\(pid ${serve.child.pid}, user \\w+, on .+\\) since \\d{4}-`))

      const viewer = await call(b, 'case.open', { path, readOnly: true })
      expect(viewer).toMatchObject({ ok: true, value: { readOnly: 'opened read-only', hostCount: 1 } })
      // 100 writes from the holder while the viewer reads: none is lost, the viewer's one write is refused.
      const writes = await Promise.allSettled(
        Array.from({ length: 100 }, (_, i) => ws.call('hosts.create', { host: hostInput({ name: `n${i}`, address: `10.1.0.${i + 1}` }) }))
      )
      expect(writes.filter((w) => w.status === 'rejected')).toEqual([])
      expect(await call(b, 'hosts.list', {})).toMatchObject({ ok: true, value: expect.arrayContaining([expect.objectContaining({ name: 'n99' })]) })
      expect(await call(b, 'hosts.create', { host: hostInput({ name: 'x', address: '10.2.0.1' }) })).toMatchObject({ ok: false, error: { code: 'read_only' } })
      await call(b, 'case.close', {})

      // The holder dies without closing: its lock is stale and the next opener takes the case for writing.
      serve.child.kill('SIGKILL')
      await new Promise((r) => serve?.child.once('exit', r))
      expect(existsSync(path + '.lock')).toBe(true)
      const taken = await call(b, 'case.open', { path })
      expect(taken).toMatchObject({ ok: true, value: { readOnly: null, hostCount: 101 } })
      expect((await call(b, 'hosts.create', { host: hostInput({ name: 'after', address: '10.3.0.1' }) })).ok).toBe(true)
    } finally {
      b.close()
    }
    expect(existsSync(path + '.lock')).toBe(false)
    ws.close()
    copyFileSync(path, join(t.dir, 'kept.sdncase'))
  })
})
