// `sdnwb import`, `sdnwb check`, `sdnwb findings`: the case verbs of the command line, on the same stores and
// services as the UI (the importer, Check SDN, the finding store), so a script and the UI agree on a case.
import { existsSync } from 'node:fs'
import { basename } from 'node:path'
import { userInfo } from 'node:os'
import type { CaseFindingView, ImportResult } from '../../contract'
import { fromNodeCheck } from '../../core/findings/sources'
import { captureIdOfSource, checkNodeFromCaptures } from '../capture/node-check'
import { matchHostName } from '../capture/import/host-names'
import { importCaptures } from '../capture/import/importer'
import { AppError } from '../store/app-error'
import { CaseDb } from '../store/case-db'
import { exportRedactedCase } from '../redact/case-redaction'

export interface Io {
  out: (s: string) => void
  err: (s: string) => void
}

/**
 * Opens the case (creating it when `create` and it does not exist); errors are said, and null returned. A verb
 * that only reads (`readOnly`) opens a case another workbench holds read-only, and says so.
 */
function openCase(path: string, create: boolean, io: Io, readOnly = false): CaseDb | null {
  try {
    if (!existsSync(path)) {
      if (!create) {
        io.err(`sdnwb: ${path}: no such case file\n`)
        return null
      }
      const db = CaseDb.create(path, basename(path).replace(/\.sdncase$/, ''), safeUser())
      io.err(`sdnwb: created the case ${path}\n`)
      return db
    }
    try {
      return CaseDb.open(path)
    } catch (err) {
      if (!(readOnly && err instanceof AppError && err.code === 'case_locked')) throw err
      io.err(`sdnwb: ${err.message.split('. ')[0]}; reading it read-only\n`)
      return CaseDb.open(path, { readOnly: true })
    }
  } catch (err) {
    io.err(`sdnwb: ${path}: ${err instanceof AppError ? err.message : (err as Error).message}\n`)
    return null
  }
}

function safeUser(): string {
  try {
    return userInfo().username
  } catch {
    return 'sdnwb'
  }
}

/** Runs `body` on the open case and closes it (the lock is released) whatever happens. */
export async function withCase(path: string, create: boolean, io: Io, body: (db: CaseDb) => Promise<number> | number, readOnly = false): Promise<number> {
  const db = openCase(path, create, io, readOnly)
  if (!db) return 1
  try {
    return await body(db)
  } catch (err) {
    io.err(`sdnwb: ${err instanceof AppError ? err.message : (err as Error).message}\n`)
    return 1
  } finally {
    db.close()
  }
}

/** `sdnwb import CASE PATH... [--host NAME]`: each file's host, command and parser, and what was left out and why. */
export function importVerb(casePath: string, paths: readonly string[], o: { host: string | undefined; json: boolean }, io: Io): Promise<number> {
  return withCase(casePath, true, io, async (db) => {
    db.assertWritable('Importing captures')
    const hosts = db.listHosts().map((h) => ({ id: h.id, name: h.name }))
    const results: ImportResult[] = []
    let failed = false
    for (const path of paths) {
      try {
        const r = await importCaptures(db.captures, (name) => matchHostName(hosts, name), path, { hostName: o.host ?? null })
        results.push(r)
        if (o.json) continue
        io.out(`${path}: read as ${r.preview.layout}${r.preview.hostName ? `, host ${r.preview.hostName}` : ''}; ${r.captureIds.length} imported${r.alreadyImported ? `, ${r.alreadyImported} already in the case` : ''}${r.preview.ignoredFiles ? `, ${r.preview.ignoredFiles} other files ignored` : ''}\n`)
        for (const i of r.preview.items) {
          const parser = i.parserId ?? 'text only'
          const where = `${i.hostName ?? '?'}${i.hostFrom === 'guess' ? ' (guessed)' : ''}`
          const cmd = `${i.command ?? '?'}${i.commandFrom === 'unmapped' ? ' (not a known command: kept as text)' : i.commandFrom === 'guess' ? ' (guessed)' : ''}`
          io.out(i.take ? `  ${i.path}\t${where}\t${cmd}\t${parser}\n` : `  ${i.path}\tleft out: ${i.reason ?? 'not taken'}\n`)
        }
        for (const f of r.failed) io.out(`  ${f.path}\tnot imported: ${f.reason}\n`)
        for (const f of r.preview.refused) io.out(`  ${f.path}\trefused: ${f.reason}\n`)
      } catch (err) {
        failed = true
        io.err(`sdnwb: ${path}: ${err instanceof AppError ? err.message : (err as Error).message}\n`)
      }
    }
    if (o.json) io.out(JSON.stringify(results, null, 1) + '\n')
    return failed ? 1 : 0
  })
}

/** `sdnwb check CASE --host NAME`: Check SDN on the host's captures; its findings are stored in the case. Exit 2 when it found something. */
export function checkVerb(casePath: string, o: { host: string | undefined; json: boolean }, io: Io): Promise<number> {
  const host = o.host
  if (!host) {
    io.err('sdnwb: check needs --host NAME (the node to check)\n')
    return Promise.resolve(1)
  }
  return withCase(casePath, false, io, (db) => {
    const view = checkNodeFromCaptures(db.captures, host)
    const inputs = fromNodeCheck(host, view.findings, captureIdOfSource, view.used.find((u) => u.role === 'flows')?.captureId ?? null)
    const seen = inputs.map((f) => db.findings.exists(f))
    const ids = db.readOnly === null ? db.findings.record(inputs) : []
    if (db.readOnly !== null) io.err(`sdnwb: the case is open read-only (${db.readOnly}): the findings were not stored\n`)
    if (o.json) io.out(JSON.stringify({ ...view, stored: ids.map((findingId, i) => ({ findingId, seenBefore: seen[i] === true })) }, null, 1) + '\n')
    else {
      io.out(`${host}: plugin ${view.facts.plugin}, rule version ${view.facts.ruleVersion ?? '?'}; checked ${view.ran.join(', ') || 'nothing'}\n`)
      for (const u of view.used) io.out(`  read #${u.captureId} ${u.hostName}: ${u.command} (${u.role})\n`)
      for (const s of view.skipped) io.out(`  not run: ${s.check} (needs ${s.needs})\n`)
      if (view.findings.length === 0) io.out('Nothing wrong found in what these captures show.\n')
      view.findings.forEach((f, i) => {
        io.out(`${f.severity.toUpperCase()}\t${f.title}${seen[i] ? '\t(seen before)' : ''}\n`)
        for (const e of f.evidence.slice(0, 5)) io.out(`  ${e.source}, line ${e.line}: ${e.text}\n`)
      })
    }
    return view.findings.some((f) => f.severity !== 'info') ? 2 : 0
  })
}

function findingText(f: CaseFindingView): string {
  const lines = [`#${f.id}\t${f.status}\t${f.severity}\t${f.title}${f.host ? `\t(${f.host})` : ''}`]
  if (f.note) lines.push(`  note: ${f.note}`)
  for (const e of f.evidence) {
    const c = e.capture
    const where = c ? `#${c.id} ${c.hostName} · ${c.command} · ${c.startedAt} · ${c.source === 'imported' ? `imported from ${c.origin ?? 'a file'}` : 'live'}` : e.captureId === null ? 'no capture' : 'capture deleted'
    lines.push(`  ${where}${e.lines.length ? `, lines ${e.lines.join(',')}` : ''}`)
  }
  return lines.join('\n') + '\n'
}

/** `sdnwb findings CASE`: every finding of the case, its status, note and evidence. */
export function findingsVerb(casePath: string, o: { json: boolean }, io: Io): Promise<number> {
  return withCase(casePath, false, io, (db) => {
    const all = db.findings.list()
    if (o.json) io.out(JSON.stringify(all, null, 1) + '\n')
    else if (all.length === 0) io.out('No findings in this case.\n')
    else for (const f of all) io.out(findingText(f))
    return 0
  }, true)
}

/**
 * `sdnwb redact CASE -o OUT.sdncase`: a redacted copy of the case for a vendor, its captures redacted with the
 * case's key (made the first time, kept in the case, not in the copy); refuses to overwrite OUT.
 */
export function redactVerb(casePath: string, o: { out: string | undefined; json: boolean }, io: Io): Promise<number> {
  const out = o.out
  if (!out) {
    io.err('sdnwb: redact needs -o OUT.sdncase, the redacted copy to write\n')
    return Promise.resolve(1)
  }
  if (existsSync(out)) {
    io.err(`sdnwb: ${out} exists; the redacted copy is written to a new file\n`)
    return Promise.resolve(1)
  }
  return withCase(casePath, false, io, (db) => {
    const r = exportRedactedCase(db, out)
    io.out(o.json ? JSON.stringify(r) + '\n' : `Wrote ${r.captures} redacted captures to ${r.path}\n`)
    return 0
  })
}
