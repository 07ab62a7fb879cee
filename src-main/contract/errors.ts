/** Error codes every transport carries unchanged from the backend to the UI. */
export const errorCodes = [
  'invalid_input',
  'unknown_method',
  'bad_frame',
  'no_case_open',
  'case_refused',
  /** The case is open for writing in another workbench; it can be opened read-only. */
  'case_locked',
  /** A change was asked of a case open read-only. */
  'read_only',
  /** The disk holding the case is full; nothing was half-written. */
  'disk_full',
  'not_found',
  'conflict',
  'unavailable',
  'internal'
] as const
export type ErrorCode = (typeof errorCodes)[number]

export interface InputIssue {
  /** Dotted path of the offending field, '' for the whole input. */
  path: string
  message: string
}

export interface ContractError {
  code: ErrorCode
  /** Plain sentence for the user: what failed, where, and what to do. */
  message: string
  issues?: InputIssue[]
}

export type Reply<T> = { ok: true; value: T } | { ok: false; error: ContractError }
