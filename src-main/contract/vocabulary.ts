// Zod-free lists of allowed values, so the renderer can show choices without bundling the schemas.
export { hostRoles, authMethods, type HostRole, type AuthMethod } from '../core/hosts/vocabulary'
export const themes = ['dark', 'light'] as const
export type Theme = (typeof themes)[number]
export { findingStatuses, findingSeverities } from '../core/findings/model'
export { parserIds, type ParserId } from '../core/parse/parser-ids'
