// Host vocabulary shared by the core (imports) and the contract (validation, UI choices).
export const hostRoles = ['master', 'infra', 'compute'] as const
export const authMethods = ['key', 'agent', 'password'] as const
export type HostRole = (typeof hostRoles)[number]
export type AuthMethod = (typeof authMethods)[number]
