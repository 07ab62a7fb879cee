// The keyed pseudorandom function the pseudonyms (core/redact/pseudonyms.ts) are built on: HMAC-SHA-256 with the
// case's secret key, from Node's crypto (a well-kept implementation, not ours).
import { createHmac, randomBytes } from 'node:crypto'
import type { Prf } from '../../core/redact/pseudonyms'

/** A new secret key for a case's redaction (256 bits). */
export function newRedactionKey(): Buffer {
  return randomBytes(32)
}

export function hmacPrf(key: Uint8Array): Prf {
  if (key.length < 16) throw new Error('A redaction key has at least 128 bits.')
  return (data) => createHmac('sha256', key).update(data).digest()
}
