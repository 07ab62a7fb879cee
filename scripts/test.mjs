// `npm test`: system packages, typecheck (tsc per layer + svelte-check), build, then every vitest
// project (unit, integration, e2e). Ends with one summary line "N passed, N failed".
import { spawnSync } from 'node:child_process'
import { mkdirSync, readFileSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { ensureNodeSqlite, ensureSystemDeps } from './system-deps.mjs'
import { buildIfNeeded } from './build-if-needed.mjs'

const root = new URL('..', import.meta.url).pathname
process.chdir(root)
const bin = (name) => join(root, 'node_modules', '.bin', name)
const started = Date.now()
const timings = []

function step(name, cmd, args) {
  const t0 = Date.now()
  process.stdout.write(`\n== ${name}\n`)
  const r = spawnSync(cmd, args, { stdio: ['ignore', 'inherit', 'inherit'], env: { ...process.env, FORCE_COLOR: '0' } })
  timings.push(`${name} ${((Date.now() - t0) / 1000).toFixed(1)} s`)
  return r.status === 0
}

ensureSystemDeps()
ensureNodeSqlite()

const failures = []
if (!step('typecheck core', bin('tsc'), ['-p', 'tsconfig.core.json'])) failures.push('typecheck core')
if (!step('typecheck node', bin('tsc'), ['-p', 'tsconfig.node.json'])) failures.push('typecheck node')
if (!step('typecheck renderer', bin('svelte-check'), ['--tsconfig', './tsconfig.web.json', '--fail-on-warnings', '--output', 'human'])) {
  failures.push('svelte-check')
}
process.stdout.write('\n== build\n')
try {
  buildIfNeeded({ force: true })
} catch {
  failures.push('build')
}

const results = join(root, 'test-results')
mkdirSync(results, { recursive: true })
const report = join(results, 'vitest.json')
rmSync(report, { force: true })
step('tests (vitest: unit, integration, e2e)', bin('vitest'), ['run', '--reporter=default', '--reporter=json', `--outputFile.json=${report}`])

let passed = 0
let failed = 0
let skipped = 0
try {
  const r = JSON.parse(readFileSync(report, 'utf8'))
  passed = r.numPassedTests
  failed = r.numFailedTests
  skipped = r.numPendingTests + r.numTodoTests
  if (r.numFailedTestSuites > 0 && failed === 0) failed = r.numFailedTestSuites
  if (r.numTotalTests === 0) failures.push('vitest ran no test')
} catch {
  failures.push('vitest produced no report')
}
if (failed > 0) failures.push('tests')
if (skipped > 0) failures.push(`${skipped} skipped tests (nothing may be skipped)`)

process.stdout.write(`\n${timings.join(' | ')} | total ${((Date.now() - started) / 1000).toFixed(1)} s\n`)
if (failures.length) process.stdout.write(`FAILED: ${failures.join(', ')}\n`)
process.stdout.write(`${passed} passed, ${failed + (failures.length && failed === 0 ? 1 : 0)} failed\n`)
process.exit(failures.length ? 1 : 0)
