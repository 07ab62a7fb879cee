// The import worker thread (see import-job.ts): one job, then it exits.
import { parentPort, workerData } from 'node:worker_threads'
import { AppError } from '../../store/app-error'
import { CaptureStore } from '../../store/capture-store'
import { openExtraConnection } from '../../store/open-db'
import { matchHostName } from './host-names'
import type { ImportJob, WorkerMessage } from './import-job'
import { importCaptures, previewImport } from './importer'
// Sets up the YAML reader of the core's parsers (oc get -o yaml).
import '../../yaml'

function isJob(d: unknown): d is ImportJob {
  return typeof d === 'object' && d !== null && 'kind' in d && 'path' in d && 'cancel' in d && d.cancel instanceof SharedArrayBuffer
}

const post = (m: WorkerMessage) => parentPort?.postMessage(m)

async function run(job: ImportJob): Promise<WorkerMessage> {
  const flag = new Int32Array(job.cancel)
  const common = {
    hostName: job.hostName,
    command: job.command,
    rows: job.rows,
    maxFileBytes: job.maxFileBytes ?? undefined,
    cancelled: () => Atomics.load(flag, 0) !== 0,
    onProgress: (phase: 'reading' | 'saving', done: number, total: number) => post({ type: 'progress', phase, done, total })
  }
  if (job.kind === 'preview') return { type: 'preview', preview: await previewImport(job.path, common) }
  if (!job.casePath) throw new AppError('internal', 'An import job came without its case.')
  const db = openExtraConnection(job.casePath)
  try {
    const result = await importCaptures(new CaptureStore(db), (name) => matchHostName(job.hosts, name), job.path, common)
    return { type: 'result', result }
  } finally {
    db.close()
  }
}

if (isJob(workerData)) {
  run(workerData).then(post, (err: unknown) => {
    if (err instanceof AppError) post({ type: 'error', code: err.code, cause: null, message: err.message })
    else {
      // SQLite's or the system's code (SQLITE_FULL, ENOSPC…) goes along: the backend says what it means.
      const cause = typeof err === 'object' && err !== null && 'code' in err && typeof err.code === 'string' ? err.code : null
      post({ type: 'error', code: null, cause, message: err instanceof Error ? err.message : String(err) })
    }
  })
} else post({ type: 'error', code: 'internal', cause: null, message: 'The import worker was started without a job.' })
