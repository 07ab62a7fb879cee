import type { CaptureStatus, ImportPreview, ImportPreviewItem, ImportResult, ImportRowEdit } from '../../../contract'
import {
  detectLayout,
  inferFromFileName,
  mapMustGather,
  mapSosreport,
  parseSosManifest,
  type SosCommandRecord,
  nodeNameFromPodYaml,
  parseCollectorManifest,
  sosHostName,
  under,
  type CollectorRecord
} from '../../../core/capture/import-map'
import { parseCapture, parserFor } from '../../../core/capture/parsed-view'
import { AppError } from '../../store/app-error'
import { parseOf, type CaptureStore } from '../../store/capture-store'
import { openBundle, type Bundle } from './bundle'
import { decodeText } from '../../text'

export interface ImportOptions {
  /** The host and command the engineer gives (a plain file), overriding what the bundle suggests. */
  hostName?: string | null | undefined
  command?: string | null | undefined
  /** The preview's rows as the engineer edited them: host, command, parser, import or leave out. */
  rows?: readonly ImportRowEdit[] | undefined
  maxFileBytes?: number | undefined
  /** Polled between files, between a file's pieces and between the chunks of one save. */
  cancelled?: (() => boolean) | undefined
  onProgress?: ((phase: 'reading' | 'saving', done: number, total: number) => void) | undefined
}

/**
 * An output larger than this is stored and searchable but not parsed: a parser reads its text in one go,
 * and 64 MB (about 380,000 flows) is read in about half a second; a 250 MB file would hold the import for
 * seconds, past a cancel's one-second promise.
 */
export const maxParsedBytes = 64 * 1024 * 1024

function notParsed(bytes: number) {
  return {
    line: 1,
    severity: 'warning' as const,
    message: `not parsed: ${(bytes / 1024 / 1024).toFixed(0)} MB is over the ${maxParsedBytes / 1024 / 1024} MB an output is parsed up to; the raw output is kept and searchable`,
    text: ''
  }
}

/** What one taken item needs beyond the preview row. */
interface PlannedItem extends ImportPreviewItem {
  startedAt: string | null
  durationMs: number | null
  exitCode: number | null
  status: CaptureStatus
  error: string | null
  stderrPath: string | null
}

const defaultMaxFile = 256 * 1024 * 1024

/**
 * The small files a plan reads while an archive is listed: the collector's manifest and stderr files, the
 * sosreport's host name and manifest, must-gather's openshift-sdn pod objects. Outputs are read later, one
 * at a time.
 */
function planningFile(path: string): boolean {
  const p = path.replace(/^\.\//, '')
  const depth = p.split('/').length
  const base = p.split('/').pop() ?? ''
  if (base === 'manifest.tsv' || (/\.err$/.test(base) && depth <= 2)) return true
  if ((base === 'hostname' && depth <= 4) || /(^|\/)sos_reports\/manifest\.json$/.test(p)) return true
  return /(^|\/)namespaces\/openshift-sdn\/pods\/([^/]+)\/\2\.yaml$/.test(p)
}

function iso(ms: number | null | undefined): string | null {
  return ms ? new Date(ms).toISOString() : null
}

function collectorItem(root: string, r: CollectorRecord, host: string | null, sizes: Map<string, number>): PlannedItem {
  const out = root ? `${root}/${r.file}.out` : `${r.file}.out`
  const err = root ? `${root}/${r.file}.err` : `${r.file}.err`
  const timedOut = r.exitCode === 124
  const duration = r.startedNs !== null && r.finishedNs !== null ? Math.round((r.finishedNs - r.startedNs) / 1e6) : null
  return {
    path: out,
    size: sizes.get(out) ?? 0,
    hostName: host,
    hostFrom: host === null ? null : 'bundle',
    command: r.command,
    commandFrom: 'manifest',
    commandId: r.id,
    parserId: null,
    take: sizes.has(out),
    reason: sizes.has(out) ? null : 'the manifest names it, the archive does not hold it',
    startedAt: r.startedNs !== null ? new Date(Math.floor(r.startedNs / 1e6)).toISOString() : null,
    durationMs: duration,
    exitCode: timedOut ? null : r.exitCode,
    status: r.exitCode === 0 ? 'ok' : timedOut ? 'error' : 'failed',
    error: timedOut ? 'timed out in the collector (timeout exit 124)' : null,
    stderrPath: sizes.has(err) ? err : null
  }
}

type From = Pick<ImportPreviewItem, 'hostFrom' | 'commandFrom'>

function plainItem(path: string, size: number, mtimeMs: number | null | undefined, hostName: string | null, command: string | null, commandId: string | null, skip: string | null, from: From): PlannedItem {
  const missing = !command ? 'say which command wrote it' : !hostName ? 'say which host it is from' : null
  const reason = skip ?? missing
  return {
    path, size, hostName, hostFrom: hostName === null ? null : from.hostFrom, command, commandFrom: command === null ? null : from.commandFrom, commandId, parserId: null,
    take: reason === null, reason, startedAt: iso(mtimeMs), durationMs: null, exitCode: null, status: 'ok', error: null, stderrPath: null
  }
}

/**
 * The parser of each item (by its command), then the engineer's edits of the preview: a row's host, command,
 * parser and whether to take it. A row taken must have a host and a command.
 */
function finish(items: PlannedItem[], rows: readonly ImportRowEdit[] | undefined): void {
  const edits = new Map((rows ?? []).map((r) => [r.path, r]))
  for (const it of items) {
    it.parserId = it.command ? (parserFor(it.command, null)?.id ?? null) : null
    const e = edits.get(it.path)
    if (!e) continue
    if (e.hostName !== undefined) {
      it.hostName = e.hostName
      it.hostFrom = 'given'
    }
    if (e.command !== undefined) {
      it.command = e.command
      it.commandFrom = 'given'
      it.parserId = parserFor(e.command, null)?.id ?? null
    }
    if (e.parserId !== undefined) it.parserId = e.parserId
    if (e.take === false) {
      it.take = false
      it.reason = 'left out by the engineer'
    } else if (e.take === true || e.hostName !== undefined || e.command !== undefined) {
      const missing = !it.command ? 'say which command wrote it' : !it.hostName ? 'say which host it is from' : null
      // A row the engineer takes is taken unless it lacks what a capture needs (or is too large to read).
      const blocked = it.reason !== null && /over the .* limit|the archive does not hold it/.test(it.reason) ? it.reason : missing
      it.take = blocked === null
      it.reason = blocked
    }
  }
}

async function text(bundle: Bundle, path: string): Promise<string | null> {
  const b = await bundle.read(path)
  return b ? decodeText(b) : null
}

/** Decides, for every file of the bundle, whether it is a capture and of what. */
async function plan(bundle: Bundle, opts: ImportOptions): Promise<{ preview: Omit<ImportPreview, 'path'>; items: PlannedItem[] }> {
  const { layout, root } = detectLayout(bundle.entries)
  const files = bundle.entries.filter((e) => e.kind === 'file')
  const sizes = new Map(files.map((f) => [f.path, f.size]))
  const items: PlannedItem[] = []
  let ignored = 0
  let hostName: string | null = null
  const max = opts.maxFileBytes ?? defaultMaxFile
  const tooBig = (size: number) => (size > max ? `${size} bytes, over the ${max}-byte limit per file` : null)

  if (layout === 'collector') {
    const manifestPath = root ? `${root}/manifest.tsv` : 'manifest.tsv'
    const m = parseCollectorManifest((await text(bundle, manifestPath)) ?? '')
    if (m.problems.length > 0 && m.records.length === 0) throw new AppError('invalid_input', `${bundle.name}: ${manifestPath} is not a collector manifest (${m.problems[0]?.message}).`)
    hostName = opts.hostName ?? m.meta.host ?? null
    // A -p run on a master holds other nodes' outputs too: each record says whose; the host given by
    // the engineer renames only the machine the collector ran on.
    const own = m.meta.host ?? null
    for (const r of m.records) items.push(collectorItem(root, r, r.host === null || r.host === own ? hostName : r.host, sizes))
    ignored = files.length - items.length - items.filter((i) => i.stderrPath).length - 1
  } else if (layout === 'sosreport') {
    const hostFile = (await text(bundle, root ? `${root}/hostname` : 'hostname')) ?? (await text(bundle, root ? `${root}/sos_commands/host/hostname` : 'sos_commands/host/hostname'))
    hostName = opts.hostName ?? sosHostName(hostFile, root || bundle.name)
    // sos 4 records how each command ran (exact command line, exit code, start, run time); sos 3 does not.
    const manifestText = await text(bundle, root ? `${root}/sos_reports/manifest.json` : 'sos_reports/manifest.json')
    const ran = manifestText === null ? new Map<string, SosCommandRecord>() : parseSosManifest(manifestText).byFile
    for (const f of files) {
      const rel = under(root, f.path)
      if (rel === null) continue
      const m = mapSosreport(rel)
      if ('skip' in m) {
        ignored++
        continue
      }
      const r = ran.get(rel)
      // An empty output of a command that failed is still evidence (sos puts stderr in the same file).
      const failed = r !== undefined && r.exitCode !== null && r.exitCode !== 0
      const item = plainItem(f.path, f.size, f.mtimeMs, hostName, r?.exec ?? m.command, m.commandId, tooBig(f.size) ?? (f.size === 0 && !failed ? 'empty' : null), {
        hostFrom: opts.hostName ? 'given' : 'bundle',
        commandFrom: r ? 'manifest' : m.unmapped ? 'unmapped' : 'bundle'
      })
      if (r) {
        item.exitCode = r.exitCode
        item.startedAt = r.startedMs === null ? item.startedAt : new Date(r.startedMs).toISOString()
        item.durationMs = r.durationMs
        item.status = r.exitCode === 0 || r.exitCode === null ? 'ok' : r.exitCode === 124 ? 'error' : 'failed'
        item.error = r.exitCode === 124 ? 'timed out in sos (timeout exit 124)' : r.truncated ? 'sos cut the output short (size limit)' : null
      }
      items.push(item)
    }
  } else if (layout === 'must-gather') {
    const nodes = new Map<string, string | null>()
    for (const f of files) {
      const rel = under(root, f.path)
      const pod = rel && /^namespaces\/openshift-sdn\/pods\/([^/]+)\/\1\.yaml$/.exec(rel)
      if (pod) nodes.set(pod[1] as string, nodeNameFromPodYaml((await text(bundle, f.path)) ?? ''))
    }
    for (const f of files) {
      const rel = under(root, f.path)
      if (rel === null) continue
      const m = mapMustGather(rel, (pod) => nodes.get(pod) ?? null)
      if ('skip' in m) {
        ignored++
        continue
      }
      items.push(plainItem(f.path, f.size, f.mtimeMs, opts.hostName ?? m.hostName, m.command, null, tooBig(f.size), { hostFrom: opts.hostName ? 'given' : 'bundle', commandFrom: 'bundle' }))
    }
  } else {
    const single = files.length === 1
    for (const f of files) {
      const guess = inferFromFileName(f.path)
      const command = (single ? opts.command : null) ?? guess.command
      if (!command && !single) {
        ignored++
        continue
      }
      items.push(plainItem(f.path, f.size, f.mtimeMs, opts.hostName ?? guess.hostName, command, null, tooBig(f.size), { hostFrom: opts.hostName ? 'given' : 'guess', commandFrom: single && opts.command ? 'given' : 'guess' }))
    }
  }
  finish(items, opts.rows)
  return {
    preview: {
      bundleName: bundle.name,
      bundleKind: bundle.kind,
      layout,
      hostName,
      items: items.map(({ path, size, hostName: h, hostFrom, command, commandFrom, commandId, parserId, take, reason }) => ({ path, size, hostName: h, hostFrom, command, commandFrom, commandId, parserId, take, reason })),
      ignoredFiles: Math.max(0, ignored),
      refused: bundle.refused,
      damage: bundle.damage
    },
    items
  }
}

function bundleOptions(opts: ImportOptions) {
  return {
    maxFileBytes: opts.maxFileBytes ?? defaultMaxFile,
    keep: planningFile,
    cancelled: opts.cancelled,
    onProgress: opts.onProgress ? (done: number, total: number) => opts.onProgress?.('reading', done, total) : undefined
  }
}

export async function previewImport(path: string, opts: ImportOptions = {}): Promise<ImportPreview> {
  const bundle = await openBundle(path, bundleOptions(opts))
  return { path, ...(await plan(bundle, opts)).preview }
}

/**
 * Imports every taken item as a capture, each in its own transaction (an import stopped half way
 * keeps what it saved). Items already imported from the same bundle are not imported again.
 */
export async function importCaptures(store: CaptureStore, resolveHostId: (name: string) => number | null, path: string, opts: ImportOptions = {}): Promise<ImportResult> {
  const started = performance.now()
  const bundle = await openBundle(path, bundleOptions(opts))
  const { preview, items } = await plan(bundle, opts)
  const taken = items.filter((i) => i.take)
  const known = store.importedOrigins()
  const captureIds: number[] = []
  const failed: ImportResult['failed'] = []
  const originOf = (it: PlannedItem) => (bundle.kind === 'file' ? bundle.name : `${bundle.name}:${it.path}`)
  const byPath = new Map<string, PlannedItem>()
  let already = 0
  for (const it of taken) {
    if (known.has(originOf(it))) already++
    else byPath.set(it.path, it)
  }
  let done = already
  opts.onProgress?.('saving', done, taken.length)
  await bundle.each(new Set(byPath.keys()), async (path, data) => {
    const it = byPath.get(path) as PlannedItem
    const origin = originOf(it)
    if (known.has(origin)) {
      already++
      return
    }
    const stdout = decodeText(data)
    const stderr = it.stderrPath ? ((await text(bundle, it.stderrPath)) ?? '') : ''
    const command = it.command as string
    const tooBigToParse = data.length > maxParsedBytes
    // The parser of the preview (the engineer may have chosen another, or none: text only).
    const parsed = stdout.length > 0 && !tooBigToParse && it.parserId !== null && !opts.cancelled?.() ? parseCapture(command, stdout, it.parserId) : null
    const parse = parsed
      ? parseOf(parsed)
      : tooBigToParse
        ? { parserId: null, records: 0, diagnostics: [notParsed(data.length)] }
        : null
    const hostName = it.hostName as string
    const saved = store.save(
      {
        runId: null,
        hostId: resolveHostId(hostName),
        hostName,
        viaHostName: null,
        commandId: it.commandId,
        title: null,
        command,
        source: 'imported',
        origin,
        startedAt: it.startedAt ?? new Date().toISOString(),
        durationMs: it.durationMs,
        status: it.status,
        exitCode: it.exitCode,
        signal: null,
        errorKind: it.error ? 'timeout' : null,
        error: it.error,
        stdout,
        stderr,
        truncated: false,
        parse
      },
      { cancelled: opts.cancelled }
    )
    if (saved === null) return // cancelled in the middle of this one: rolled back, nothing of it kept
    captureIds.push(saved.id)
    known.add(origin)
    opts.onProgress?.('saving', ++done, taken.length)
  }, (path) => failed.push({ path, reason: 'a binary file (a NUL byte in its first 8 KB), not command output' }))
  const stopped = opts.cancelled?.() ?? false
  const refusedHere = new Set(failed.map((f) => f.path))
  for (const it of byPath.values()) {
    if (known.has(originOf(it)) || refusedHere.has(it.path)) continue
    failed.push({ path: it.path, reason: stopped ? 'not imported: the import was cancelled' : 'could not be read (too large, or changed since it was listed)' })
  }
  opts.onProgress?.('saving', taken.length, taken.length)
  return { preview: { path, ...preview }, captureIds, alreadyImported: already, failed, tookMs: Math.round(performance.now() - started) }
}
