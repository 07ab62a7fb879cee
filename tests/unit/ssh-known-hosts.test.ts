import { execFileSync, spawnSync } from 'node:child_process'
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { commandLine } from '../../src-main/core/shell/quote'
import { judgeHostKey } from '../../src-main/node/ssh/host-key-policy'
import { fingerprint, keyTypeOf, knownHostName, parseKnownHosts, patternMatches } from '../../src-main/node/ssh/known-hosts'
import { tempDir } from '../helpers/tmp'

let t: ReturnType<typeof tempDir>
const keys: Record<string, { type: string; base64: string; pub: string }> = {}

beforeAll(() => {
  t = tempDir('sdnwb-kh-')
  for (const [name, type] of [['a', 'ed25519'], ['b', 'ed25519'], ['c', 'ecdsa']] as const) {
    const f = join(t.dir, name)
    execFileSync('ssh-keygen', ['-q', '-t', type, '-N', '', '-f', f])
    const pub = readFileSync(f + '.pub', 'utf8').trim()
    const [kt, b64] = pub.split(' ')
    keys[name] = { type: kt!, base64: b64!, pub: f + '.pub' }
  }
})
afterAll(() => t.cleanup())

describe('known_hosts', () => {
  it('fingerprints and key types agree with ssh-keygen', () => {
    for (const k of Object.values(keys)) {
      const want = execFileSync('ssh-keygen', ['-l', '-E', 'sha256', '-f', k.pub], { encoding: 'utf8' }).split(' ')[1]
      const blob = Buffer.from(k.base64, 'base64')
      expect(fingerprint(blob)).toBe(want)
      expect(keyTypeOf(blob)).toBe(k.type)
    }
    expect(keyTypeOf(Buffer.from([0, 0]))).toBe('unknown')
  })

  it('reads plain, bracketed-port, list, wildcard, negated, marker and hashed entries (hashed by ssh-keygen -H)', () => {
    const a = keys.a!
    const c = keys.c!
    const text = [
      '# comment',
      `10.0.0.5 ${a.type} ${a.base64}`,
      `[127.0.0.1]:2222,node9.example.com ${a.type} ${a.base64}`,
      `*.cluster.local,!bad.cluster.local ${c.type} ${c.base64}`,
      `@revoked 10.0.0.66 ${a.type} ${a.base64}`,
      'garbage line',
      `hashme.example.org ${a.type} ${a.base64}`,
      ''
    ].join('\n')
    const file = join(t.dir, 'known_hosts')
    writeFileSync(file, text.replace('garbage line\n', ''))
    const r = spawnSync('ssh-keygen', ['-H', '-f', file], { encoding: 'utf8' })
    expect(r.status, r.stderr).toBe(0)
    const hashed = readFileSync(file, 'utf8') + 'garbage line\n'
    expect(hashed).toContain('|1|')
    for (const src of [text, hashed]) {
      const { entries, problems } = parseKnownHosts(src)
      expect(problems.map((p) => p.message)).toEqual(['not "host keytype base64-key"'])
      const match = (host: string, port: number) => entries.filter((e) => patternMatches(e.pattern, host, port)).map((e) => e.key.type + (e.marker ?? ''))
      expect(match('10.0.0.5', 22)).toEqual([a.type])
      expect(match('10.0.0.5', 2222)).toEqual([])
      expect(match('127.0.0.1', 2222)).toEqual([a.type])
      expect(match('hashme.example.org', 22)).toEqual([a.type])
      expect(match('HASHME.example.org', 22)).toEqual(src === text ? [a.type] : [])
      expect(match('10.0.0.66', 22)).toEqual([a.type + '@revoked'])
    }
    const plain = parseKnownHosts(text).entries
    expect(plain.filter((e) => patternMatches(e.pattern, 'infra1.cluster.local', 22))).toHaveLength(1)
    expect(plain.filter((e) => patternMatches(e.pattern, 'bad.cluster.local', 22))).toHaveLength(0)
    expect(knownHostName('10.0.0.5', 22)).toBe('10.0.0.5')
    expect(knownHostName('::1', 2200)).toBe('[::1]:2200')
  })

  it('judges known, unknown (new type), changed (same type, other key) and revoked like OpenSSH', () => {
    const a = keys.a!
    const b = keys.b!
    const c = keys.c!
    const entries = [
      { pattern: 'n1', key: { type: a.type, base64: a.base64 }, marker: null },
      { pattern: 'n2', key: { type: a.type, base64: a.base64 }, marker: '@revoked' as const }
    ]
    expect(judgeHostKey(entries, 'n1', 22, a).kind).toBe('known')
    expect(judgeHostKey(entries, 'n1', 22, b).kind).toBe('changed')
    expect(judgeHostKey(entries, 'n1', 22, c).kind).toBe('unknown')
    expect(judgeHostKey(entries, 'n1', 2222, b).kind).toBe('unknown')
    expect(judgeHostKey(entries, 'n2', 22, a).kind).toBe('revoked')
  })
})

describe('shell quoting', () => {
  it('any argv survives a real sh -c as the same argv (property test, 300 cases)', () => {
    fc.assert(
      fc.property(fc.array(fc.string({ unit: 'binary', minLength: 0, maxLength: 20 }).map((s) => s.replace(/\0/g, '')), { minLength: 1, maxLength: 6 }), (args) => {
        const line = commandLine(['printf', '%s\\0', ...args])
        const out = execFileSync('sh', ['-c', line], { encoding: 'utf8' })
        expect(out.split('\0').slice(0, -1)).toEqual(args)
      }),
      { numRuns: 300 }
    )
  })
})
