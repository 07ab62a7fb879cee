// Transport constants, free of imports so the sandboxed preload bundles nothing else.
export const ipcChannels = { call: 'sdn:call', event: 'sdn:event' } as const
export const wsPath = '/ws'

/**
 * The largest frame either transport carries (WebSocket payload; the same bound is kept over IPC). One
 * number known to both sides, so the UI can refuse what the transport would drop.
 */
export const maxFrameBytes = 16 * 1024 * 1024

/**
 * The largest text the UI may send in one call (a pasted output), counted as it travels: UTF-8 bytes of its
 * JSON string form (escapes included). The rest of the frame stays far below the 4 MB left over.
 */
export const maxCarriedTextBytes = 12 * 1024 * 1024

/** UTF-8 length of a string's JSON form, without building either (what a frame spends on it). */
export function carriedBytes(text: string): number {
  let n = 2
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (c < 0x80) n += c === 0x22 || c === 0x5c || c === 0x08 || c === 0x09 || c === 0x0a || c === 0x0c || c === 0x0d ? 2 : c < 0x20 ? 6 : 1
    else if (c < 0x800) n += 2
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      n += 4
      i++
    } else n += c >= 0xd800 && c <= 0xdfff ? 6 : 3
  }
  return n
}
