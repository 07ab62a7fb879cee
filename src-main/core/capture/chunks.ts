/** A run of whole lines of one output, the unit the full-text index works on. */
export interface OutputChunk {
  seq: number
  /** 1-based line number of the chunk's first line in the whole output. */
  firstLine: number
  text: string
}

/**
 * A line longer than this is cut into pieces of maxChars: one 50 MB line must not become one 50 MB chunk,
 * which the index and the search's line matching would each read whole.
 */
const longLine = 65_536
/** How far back a cut looks for a blank or a comma, so a token (an address, a field) is not split. */
const cutLookBack = 256

/**
 * Cuts an output into chunks of whole lines of about maxChars; a line longer than 64 KB is cut into pieces
 * of about maxChars, each a chunk whose firstLine is that line. Concatenating the chunks' text gives back
 * the output exactly.
 */
export function splitChunks(text: string, maxChars = 16_384): OutputChunk[] {
  const out: OutputChunk[] = []
  let start = 0
  let line = 1
  /**
   * The first newline at or after start (text.length when none), found once per line: searching per piece,
   * forward to the line's end or back to the text's start, made a 50 MB line take 50 s.
   */
  let nextNl = -1
  while (start < text.length) {
    if (nextNl < start) {
      const found = text.indexOf('\n', start)
      nextNl = found < 0 ? text.length : found
    }
    let end = Math.min(start + maxChars, text.length)
    if (end < text.length) {
      // The window holds a newline: cut after the last one (the backward search stops at nextNl at worst).
      if (nextNl < end) end = text.lastIndexOf('\n', end - 1) + 1
      else {
        const lineEnd = Math.min(nextNl + 1, text.length)
        // Inside a long line already (the last chunk ended mid-line), or at the start of one: cut it.
        const continuing = start > 0 && text.charCodeAt(start - 1) !== 0x0a
        end = continuing || lineEnd - start > longLine ? cutInLine(text, start, end) : lineEnd
      }
    }
    const piece = text.slice(start, end)
    out.push({ seq: out.length, firstLine: line, text: piece })
    line += countNewlines(piece)
    start = end
  }
  return out
}

/** Where to cut a long line near `end`: just after a blank, comma or semicolon if one is close, else at end. */
function cutInLine(text: string, start: number, end: number): number {
  for (let i = end - 1; i > start && i >= end - cutLookBack; i--) {
    const c = text.charCodeAt(i)
    if (c === 0x20 || c === 0x09 || c === 0x2c || c === 0x3b) return i + 1
  }
  return end
}

export function countNewlines(text: string): number {
  let n = 0
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) n++
  return n
}

/** Lines as a viewer counts them: a final line without a newline still counts. */
export function lineCount(text: string): number {
  if (text.length === 0) return 0
  return countNewlines(text) + (text.endsWith('\n') ? 0 : 1)
}
