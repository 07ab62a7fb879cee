import type { NewCapture } from '../../src-main/node/store/capture-store'

/** A capture to save, with every field defaulted: a live `echo` on node1 that exited 0. */
export function newCapture(o: Partial<NewCapture>): NewCapture {
  return {
    runId: null, hostId: null, hostName: 'node1', viaHostName: null, commandId: 'x', title: 'x', command: 'echo', source: 'live', origin: null,
    startedAt: new Date().toISOString(), durationMs: 5, status: 'ok', exitCode: 0, signal: null, errorKind: null, error: null,
    stdout: '', stderr: '', truncated: false, parse: null, ...o
  }
}
