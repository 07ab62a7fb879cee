// The binary WebSocket frame of a terminal's output, zod-free so the renderer can decode it (it imports contract
// values from zod-free modules only).
import type { TerminalData } from './terminal'

/**
 * The binary WebSocket frame of a terminal's output: one byte 1, the terminal id's length (one byte) and its ASCII
 * characters, then the output bytes. JSON would escape every control character of a terminal stream (ESC as six
 * bytes) and make the page parse text it only hands on.
 */
export const terminalBinaryFrame = {
  kind: 1,
  encode(terminalId: string, data: Uint8Array): Uint8Array {
    const id = new TextEncoder().encode(terminalId)
    const out = new Uint8Array(2 + id.length + data.length)
    out[0] = 1
    out[1] = id.length
    out.set(id, 2)
    out.set(data, 2 + id.length)
    return out
  },
  decode(frame: Uint8Array): TerminalData | null {
    if (frame.length < 2 || frame[0] !== 1) return null
    const n = frame[1] as number
    if (frame.length < 2 + n) return null
    const terminalId = new TextDecoder().decode(frame.subarray(2, 2 + n))
    const data = frame.subarray(2 + n)
    return { terminalId, data, bytes: data.length }
  }
} as const
