/** Error codes every transport carries unchanged from the backend to the UI. */
export const errorCodes = [
  'invalid_input',
  'unknown_method',
  'bad_frame',
  'no_case_open',
  'case_refused',
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
