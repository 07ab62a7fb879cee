import { z } from 'zod'
import { carriedBytes, maxCarriedTextBytes } from './channels'
import type { ContractError } from './errors'
import type { BackendEvent } from './methods'

/** A call frame on the WebSocket transport (client to server). */
export const CallFrame = z
  .object({
    type: z.literal('call'),
    id: z.number().int().nonnegative(),
    method: z.string().max(100),
    input: z.unknown()
  })
  .strict()
export type CallFrame = z.infer<typeof CallFrame>

export type ServerFrame =
  | { type: 'result'; id: number; ok: true; value: unknown }
  | { type: 'result'; id: number | null; ok: false; error: ContractError }
  | { type: 'event'; event: BackendEvent }

/** The bridge the Electron preload exposes on window (contextBridge). */
export interface PreloadBridge {
  call(method: string, input: unknown): Promise<{ ok: true; value: unknown } | { ok: false; error: ContractError }>
  onEvent(listener: (event: BackendEvent) => void): () => void
}

/**
 * A text input that must fit in one frame: limited by what it costs on the wire, not by its length in
 * characters (a 64 MB paste once passed validation that the 16 MB WebSocket frame could never carry).
 */
export function carriedText(what: string, instead: string) {
  return z.string().refine((t) => carriedBytes(t) <= maxCarriedTextBytes, {
    message: `${what} is larger than the ${maxCarriedTextBytes / 1024 / 1024} MB one call can carry. ${instead}`
  })
}
