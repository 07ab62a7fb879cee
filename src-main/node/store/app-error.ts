import type { ContractError, ErrorCode, InputIssue } from '../../contract'

/** An expected failure with a message for the user; the dispatcher turns it into a ContractError. */
export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly issues?: InputIssue[]
  ) {
    super(message)
    this.name = 'AppError'
  }

  toContractError(): ContractError {
    return this.issues ? { code: this.code, message: this.message, issues: this.issues } : { code: this.code, message: this.message }
  }
}
