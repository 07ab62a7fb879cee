import type { AuthMethod } from '../../contract'

/** What the SSH layer needs to know of a host (from the case's hosts table). */
export interface SshHostConfig {
  id: number
  name: string
  address: string
  port: number
  user: string
  authMethod: AuthMethod
  keyPath: string | null
  jumpHostId: number | null
}

