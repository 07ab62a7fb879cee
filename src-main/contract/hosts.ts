import { carriedText } from './wire'
import { z } from 'zod'
import { isHostAddress } from '../core/net/address'
import type { PlannedHost } from '../core/inventory/candidate'
import { authMethods, hostRoles, type AuthMethod, type HostRole } from './vocabulary'

/**
 * A host of the cluster as the engineer describes it. Never a secret: a password or passphrase
 * is asked for when connecting and kept in memory only, so the schema is strict and refuses
 * any extra field (a `password` sent by a buggy or hostile renderer is an error, not ignored).
 */
export const HostInput = z
  .object({
    name: z
      .string()
      .trim()
      .min(1, 'Give the host a name.')
      .max(253, 'At most 253 characters.')
      .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'Letters, digits, ".", "_" and "-" only, starting with a letter or digit.'),
    address: z
      .string()
      .trim()
      .min(1, 'Give an IP address or DNS name.')
      .refine(isHostAddress, 'Not an IPv4 address, IPv6 address or DNS name.'),
    port: z
      .number({ error: 'Port must be a number.' })
      .int('Port must be a whole number.')
      .min(1, 'Port is 1 to 65535.')
      .max(65535, 'Port is 1 to 65535.'),
    user: z
      .string()
      .trim()
      .min(1, 'Give the SSH user.')
      .max(64, 'At most 64 characters.')
      .regex(/^[A-Za-z_][A-Za-z0-9_.-]*\$?$/, 'Not a valid user name.'),
    role: z.enum(hostRoles, { error: 'Role is master, infra or compute.' }),
    jumpHostId: z.number().int().positive().nullable(),
    authMethod: z.enum(authMethods, { error: 'Authentication is key, agent or password.' }),
    keyPath: z.string().trim().max(4096).nullable(),
    /** Terminals install the workbench's prompt hook (OSC 133 command marks) on this host's shell. */
    shellIntegration: z.boolean().default(true)
  })
  .strict()
  .superRefine((h, ctx) => {
    if (h.authMethod === 'key' && !h.keyPath) {
      ctx.addIssue({ code: 'custom', path: ['keyPath'], message: 'Key authentication needs the path of a private key file.' })
    }
  })
  .transform((h) => ({ ...h, keyPath: h.authMethod === 'key' ? h.keyPath : null }))

export type HostInput = z.input<typeof HostInput>

export interface Host {
  id: number
  name: string
  address: string
  port: number
  user: string
  role: HostRole
  jumpHostId: number | null
  authMethod: AuthMethod
  keyPath: string | null
  shellIntegration: boolean
  createdAt: string
  updatedAt: string
}

export const hostImportFormats = ['ssh-config', 'ansible-inventory'] as const
export const HostImportFormat = z.enum(hostImportFormats)
export type HostImportFormat = z.infer<typeof HostImportFormat>
export const HostImportText = z
  .string()
  .max(4 * 1024 * 1024, 'An SSH config or inventory over 4 MB is not one.')
  .pipe(carriedText('This SSH config or inventory', 'Check that you chose the right file.'))

/** A host the import would create (PlannedHost: fields, jump host by name, synthetic hop). */
export interface HostImportRow extends PlannedHost {
  /** new: will be created; exists: a host of that name is in the case; invalid: see problem. */
  status: 'new' | 'exists' | 'invalid'
  problem: string | null
}

export interface HostImportPreview {
  rows: HostImportRow[]
  diagnostics: { line: number; severity: 'error' | 'warning' | 'info'; message: string }[]
}

export interface HostImportResult {
  created: Host[]
  skipped: { name: string; reason: string }[]
}
