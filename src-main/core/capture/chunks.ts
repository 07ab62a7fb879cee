/** A run of whole lines of one output, the unit the full-text index works on. */
export interface OutputChunk {
  seq: number
  /** 1-based line number of the chunk's first line in the whole output. */
  firstLine: number
  text: string
}

/**
 * Cuts an output into chunks of whole lines of about maxChars (a longer line is a chunk of its own).
 * Concatenating the chunks' text gives back the output exactly.
 */
export function splitChunks(text: string, maxChars = 16_384): OutputChunk[] {
  const out: OutputChunk[] = []
  let start = 0
  let line = 1
  while (start < text.length) {
    let end = Math.min(start + maxChars, text.length)
    if (end < text.length) {
      const nl = text.lastIndexOf('\n', end - 1)
      if (nl >= start) end = nl + 1
      else {
        const next = text.indexOf('\n', end)
        end = next < 0 ? text.length : next + 1
      }
    }
    const piece = text.slice(start, end)
    out.push({ seq: out.length, firstLine: line, text: piece })
    line += countNewlines(piece)
    start = end
  }
  return out
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
