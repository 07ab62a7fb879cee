// Zod-free lists of allowed values, so the renderer can show choices without bundling the schemas.
export const hostRoles = ['master', 'infra', 'compute'] as const
export const authMethods = ['key', 'agent', 'password'] as const
export const themes = ['dark', 'light'] as const
export type HostRole = (typeof hostRoles)[number]
export type AuthMethod = (typeof authMethods)[number]
export type Theme = (typeof themes)[number]
