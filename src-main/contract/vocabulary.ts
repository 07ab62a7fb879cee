// Zod-free lists of allowed values, so the renderer can show choices without bundling the schemas.
export { hostRoles, authMethods, type HostRole, type AuthMethod } from '../core/hosts/vocabulary'
export const themes = ['dark', 'light'] as const
export type Theme = (typeof themes)[number]
export { findingStatuses, findingSeverities } from '../core/findings/model'
export { parserIds, type ParserId } from '../core/parse/parser-ids'

/** What an engineer's redaction term is: replaced by a readable pseudonym of its kind (node-01, term-01). */
export const redactionTermKinds = ['host', 'domain', 'cluster', 'user', 'term'] as const
