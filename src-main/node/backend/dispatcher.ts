import { isMethodName, methods, type MethodName, type MethodOutput, type Reply, type ValidInput } from '../../contract'
import { AppError } from '../store/app-error'
import type { Logger } from '../log'

/**
 * Who made a call: the client (a window over IPC, a WebSocket connection) that events addressed to it
 * (a terminal's bytes) go back to. In-process callers (the CLI, tests) are the local client.
 */
export interface Caller {
  clientId: string
}
export const localCaller: Caller = { clientId: 'local' }

export type Handlers = {
  [M in MethodName]: (input: ValidInput<M>, caller: Caller) => Promise<MethodOutput<M>> | MethodOutput<M>
}

export type Dispatch = (method: unknown, input: unknown, caller?: Caller) => Promise<Reply<unknown>>

/**
 * The single entry point of every transport: checks the method name, validates the input
 * against the contract, runs the handler, and turns every failure into a structured reply.
 * Inputs are never logged (later methods carry passwords and passphrases).
 */
/** Turns an error a handler threw into the expected failure it stands for (a full disk), or null for a bug. */
export type ErrorTranslator = (method: MethodName, err: unknown) => AppError | null

export function createDispatcher(handlers: Handlers, log: Logger, translate: ErrorTranslator = () => null): Dispatch {
  return async (method, input, caller = localCaller) => {
    if (!isMethodName(method)) {
      const shown = typeof method === 'string' ? method.slice(0, 100) : typeof method
      return { ok: false, error: { code: 'unknown_method', message: `The backend has no method named "${shown}".` } }
    }
    const parsed = methods[method].input.safeParse(input === undefined ? {} : input)
    if (!parsed.success) {
      const issues = parsed.error.issues.map((i) => ({ path: i.path.map(String).join('.'), message: i.message }))
      const first = issues[0]
      const where = first && first.path ? `${first.path}: ` : ''
      return {
        ok: false,
        error: { code: 'invalid_input', message: `Invalid input for ${method}: ${where}${first?.message ?? 'malformed'}`, issues }
      }
    }
    try {
      const handler = handlers[method] as (i: unknown, c: Caller) => unknown
      return { ok: true, value: await handler(parsed.data, caller) }
    } catch (err) {
      if (err instanceof AppError) return { ok: false, error: err.toContractError() }
      const known = translate(method, err)
      if (known) return { ok: false, error: known.toContractError() }
      log.error(`method ${method} failed`, err)
      const msg = err instanceof Error ? err.message : String(err)
      return {
        ok: false,
        error: { code: 'internal', message: `${method} failed unexpectedly: ${msg}. This is a bug in SDN Workbench; the backend log has the details.` }
      }
    }
  }
}
