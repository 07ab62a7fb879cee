import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { isHostAddress } from '../../src-main/core/net/address'
import { Backend, caseFileStem } from '../../src-main/node/backend/backend'
import { silentLogger } from '../../src-main/node/log'
import { hostInput } from '../helpers/hosts'
import { tempDir } from '../helpers/tmp'

let t: ReturnType<typeof tempDir>
let backend: Backend
beforeEach(() => {
  t = tempDir()
  backend = new Backend({ version: '9.9.9', mode: 'browser', dataDir: join(t.dir, 'data'), casesDir: join(t.dir, 'cases'), log: silentLogger })
})
afterEach(() => {
  backend.close()
  t.cleanup()
})

describe('dispatcher: every input validated by the contract', () => {
  it('refuses unknown methods and non-string method names', async () => {
    expect(await backend.dispatch('hosts.drop', {})).toMatchObject({ ok: false, error: { code: 'unknown_method' } })
    expect(await backend.dispatch({ toString: 1 }, {})).toMatchObject({ ok: false, error: { code: 'unknown_method' } })
    expect(await backend.dispatch('__proto__', {})).toMatchObject({ ok: false, error: { code: 'unknown_method' } })
    expect(await backend.dispatch('constructor', {})).toMatchObject({ ok: false, error: { code: 'unknown_method' } })
  })

  it('returns structured issues for bad input, never a crash', async () => {
    await backend.dispatch('case.create', { name: 'v' })
    const bad = await backend.dispatch('hosts.create', { host: hostInput({ address: 'not an address!', port: 70000, name: '' }) })
    expect(bad.ok).toBe(false)
    if (bad.ok) return
    expect(bad.error.code).toBe('invalid_input')
    const paths = bad.error.issues?.map((i) => i.path)
    expect(paths).toEqual(expect.arrayContaining(['host.name', 'host.address', 'host.port']))
    for (const junk of [null, 42, 'x', [], { host: null }, { host: { ...hostInput(), port: '22' } }]) {
      const r = await backend.dispatch('hosts.create', junk)
      expect(r).toMatchObject({ ok: false, error: { code: 'invalid_input' } })
    }
  })

  it('refuses secrets: a password field is an error, not silently stored', async () => {
    await backend.dispatch('case.create', { name: 'v' })
    const r = await backend.dispatch('hosts.create', { host: { ...hostInput(), password: 'hunter2' } })
    expect(r).toMatchObject({ ok: false, error: { code: 'invalid_input' } })
    expect(JSON.stringify(r)).not.toContain('hunter2')
  })

  it('requires a key path for key auth and drops it for the others', async () => {
    await backend.dispatch('case.create', { name: 'v' })
    const noKey = await backend.dispatch('hosts.create', { host: hostInput({ keyPath: null }) })
    expect(noKey).toMatchObject({ ok: false, error: { issues: [{ path: 'host.keyPath' }] } })
    const agent = await backend.dispatch('hosts.create', { host: hostInput({ authMethod: 'agent', keyPath: '/k' }) })
    expect(agent).toMatchObject({ ok: true, value: { authMethod: 'agent', keyPath: null } })
  })

  it('says no case is open before hosts are touched', async () => {
    expect(await backend.dispatch('hosts.list', {})).toMatchObject({ ok: false, error: { code: 'no_case_open' } })
  })

  it('offers no native dialogs in browser mode, with a plain reason', async () => {
    const r = await backend.dispatch('case.pickOpenPath', {})
    expect(r).toMatchObject({ ok: false, error: { code: 'unavailable' } })
  })
})

describe('backend: cases and hosts through the contract', () => {
  it('creates a case in the cases folder, lists it as recent, reopens it with its hosts', async () => {
    const events: string[] = []
    backend.onEvent((e) => events.push(e.name))
    const created = await backend.dispatch('case.create', { name: 'ACME / prod SDN' })
    expect(created).toMatchObject({ ok: true, value: { name: 'ACME / prod SDN', path: join(t.dir, 'cases', 'acme-prod-sdn.sdncase') } })
    const second = await backend.dispatch('case.create', { name: 'ACME / prod SDN' })
    expect(second).toMatchObject({ ok: true, value: { path: join(t.dir, 'cases', 'acme-prod-sdn-2.sdncase') } })
    const path = (created as { value: { path: string } }).value.path
    await backend.dispatch('case.open', { path })
    const h = await backend.dispatch('hosts.create', { host: hostInput() })
    expect(h.ok).toBe(true)
    await backend.dispatch('case.close', {})
    expect(await backend.dispatch('hosts.list', {})).toMatchObject({ ok: false })
    const list = await backend.dispatch('case.list', {})
    expect(list.ok && list.value).toEqual(expect.arrayContaining([expect.objectContaining({ path, exists: true })]))
    await backend.dispatch('case.open', { path })
    expect(await backend.dispatch('hosts.list', {})).toMatchObject({ ok: true, value: [{ name: 'node1' }] })
    expect(events).toEqual(expect.arrayContaining(['case.changed', 'hosts.changed']))
  })

  it('refuses relative case paths and reports missing files', async () => {
    expect(await backend.dispatch('case.open', { path: 'relative.sdncase' })).toMatchObject({ ok: false, error: { code: 'invalid_input' } })
    expect(await backend.dispatch('case.open', { path: join(t.dir, 'nope.sdncase') })).toMatchObject({ ok: false, error: { code: 'not_found' } })
  })

  it('keeps settings across backends', async () => {
    await backend.dispatch('settings.update', { theme: 'light' })
    backend.close()
    backend = new Backend({ version: '1', mode: 'browser', dataDir: join(t.dir, 'data'), casesDir: join(t.dir, 'cases'), log: silentLogger })
    expect(await backend.dispatch('settings.get', {})).toEqual({ ok: true, value: { theme: 'light' } })
    expect(await backend.dispatch('settings.update', { theme: 'blue' })).toMatchObject({ ok: false, error: { code: 'invalid_input' } })
  })
})

describe('small helpers', () => {
  it('makes safe case file names', () => {
    expect(caseFileStem('ACME / prod SDN')).toBe('acme-prod-sdn')
    expect(caseFileStem('../../etc/passwd')).toBe('etcpasswd')
    expect(caseFileStem('***')).toBe('case')
  })

  it('recognises host addresses', () => {
    for (const ok of ['10.0.0.1', 'node1', 'node1.example.com', 'fe80::1', '::1', '2001:db8::10', '::ffff:10.0.0.1', 'a-b.c']) {
      expect(isHostAddress(ok), ok).toBe(true)
    }
    for (const bad of ['', '10.0.0.256', '10.0.0', 'a b', '-x.com', 'x..y', '1:2:3', '1::2::3', 'host;rm -rf', '$(id)']) {
      expect(isHostAddress(bad), bad).toBe(false)
    }
  })
})
