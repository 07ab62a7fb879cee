import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { Worker } from 'node:worker_threads'
import type { ErrorCode, ImportPreview, ImportResult, ImportRowEdit } from '../../../contract'
import { AppError } from '../../store/app-error'

/**
 * An import runs in a worker thread with its own connection to the case: reading archives, decoding,
 * parsing and indexing never hold the backend's event loop (100,000 small files stalled it for 29 s, one
 * 50 MB line for 8 s). The worker polls a shared flag, so a cancel is seen in the middle of any phase.
 */
export interface ImportJob {
  kind: 'preview' | 'import'
  /** The bundle to read. */
  path: string
  hostName: string | null
  command: string | null
  /** The preview rows as the engineer edited them. */
  rows: ImportRowEdit[]
  maxFileBytes: number | null
  /** The open case (import only): the worker writes captures into it through a connection of its own. */
  casePath: string | null
  /** The case's hosts, to attach captures to them by name. */
  hosts: { id: number; name: string }[]
  /** One Int32: non-zero once cancelled. */
  cancel: SharedArrayBuffer
}

export type WorkerMessage =
  | { type: 'progress'; phase: 'reading' | 'saving'; done: number; total: number }
  | { type: 'preview'; preview: ImportPreview }
  | { type: 'result'; result: ImportResult }
  /** code: an expected failure (AppError); else cause is the thrown error's own code (SQLITE_FULL…), if any. */
  | { type: 'error'; code: ErrorCode | null; cause: string | null; message: string }

export interface ImportJobOptions {
  onProgress?: (phase: 'reading' | 'saving', done: number, total: number) => void
  signal?: AbortSignal
}

/**
 * The worker: the built file beside the main bundle (electron-vite builds out/main/import-worker.js), or,
 * running from source (tests, `npm run serve`), the TypeScript file through tsx's loader, which a worker does
 * not inherit from its parent and which `--import` in execArgv does not reach on Node 20.
 */
/**
 * The worker's own heap ceiling: an import that runs away (a hostile file the bounds above miss) ends that
 * worker with an out-of-memory error the import reports, not the backend.
 */
const workerLimits = { maxOldGenerationSizeMb: 3072 }

function startWorker(workerData: ImportJob): Worker {
  const here = import.meta.url
  if (!here.endsWith('.ts')) return new Worker(new URL(`./${'import-worker.js'}`, here), { workerData, resourceLimits: workerLimits })
  // The ESM build of tsx's API (its CommonJS build cannot register the loader from here).
  const tsxPackage = createRequire(here).resolve('tsx/package.json')
  const tsx = pathToFileURL(join(dirname(tsxPackage), 'dist/esm/api/index.mjs')).href
  const entry = new URL(`./${'import-worker.ts'}`, here).href
  const boot = `import(${JSON.stringify(tsx)}).then((m) => { m.register(); return import(${JSON.stringify(entry)}) })`
  return new Worker(boot, { eval: true, workerData, resourceLimits: workerLimits })
}

function runJob(job: Omit<ImportJob, 'cancel'>, opts: ImportJobOptions): Promise<WorkerMessage> {
  const cancel = new SharedArrayBuffer(4)
  const flag = new Int32Array(cancel)
  const worker = startWorker({ ...job, cancel })
  const onAbort = () => Atomics.store(flag, 0, 1)
  if (opts.signal?.aborted) onAbort()
  opts.signal?.addEventListener('abort', onAbort)
  return new Promise<WorkerMessage>((resolve, reject) => {
    let settled = false
    const settle = (f: () => void) => {
      if (settled) return
      settled = true
      opts.signal?.removeEventListener('abort', onAbort)
      f()
    }
    worker.on('message', (m: WorkerMessage) => {
      if (m.type === 'progress') opts.onProgress?.(m.phase, m.done, m.total)
      else settle(() => resolve(m))
    })
    worker.on('error', (err) => settle(() => reject(new AppError('internal', `The import of ${job.path} failed unexpectedly: ${err.message}. This is a bug in SDN Workbench.`))))
    worker.on('exit', (code) => settle(() => reject(new AppError('internal', `The import of ${job.path} stopped (worker exit ${code}) before it finished.`))))
  }).finally(() => void worker.terminate())
}

/** A failure from the worker, thrown again here as it was there: an AppError, or an error with its code. */
function unwrap(m: WorkerMessage): WorkerMessage {
  if (m.type !== 'error') return m
  if (m.code) throw new AppError(m.code, m.message)
  throw Object.assign(new Error(m.message), { code: m.cause ?? undefined })
}

export async function previewInWorker(path: string, o: { hostName?: string | null; command?: string | null; rows?: ImportRowEdit[] | undefined }, opts: ImportJobOptions = {}): Promise<ImportPreview> {
  const m = unwrap(await runJob({ kind: 'preview', path, hostName: o.hostName ?? null, command: o.command ?? null, rows: o.rows ?? [], maxFileBytes: null, casePath: null, hosts: [] }, opts))
  if (m.type !== 'preview') throw new AppError('internal', 'The import worker answered a preview with something else.')
  return m.preview
}

export async function importInWorker(
  casePath: string,
  hosts: { id: number; name: string }[],
  path: string,
  o: { hostName?: string | null; command?: string | null; rows?: ImportRowEdit[] | undefined; maxFileBytes?: number | null },
  opts: ImportJobOptions = {}
): Promise<ImportResult> {
  const job = { kind: 'import' as const, path, hostName: o.hostName ?? null, command: o.command ?? null, rows: o.rows ?? [], maxFileBytes: o.maxFileBytes ?? null, casePath, hosts }
  const m = unwrap(await runJob(job, opts))
  if (m.type !== 'result') throw new AppError('internal', 'The import worker answered an import with something else.')
  return m.result
}
