/**
 * Splits a POSIX shell command line into words (quotes and backslashes; no expansion). Literal runs are
 * taken as slices between the characters that matter, so a very long line costs one pass (adding
 * characters one at a time made a 4 MB line take about half a second).
 */
export function shellWords(line: string): string[] {
  const out: string[] = []
  const n = line.length
  /** The current word; null between words. Pieces are joined by concatenation (V8 ropes, flattened once). */
  let word: string | null = null
  const add = (piece: string) => {
    word = word === null ? piece : word + piece
  }
  const endWord = () => {
    if (word !== null) out.push(word)
    word = null
  }
  let i = 0
  while (i < n) {
    const c = line.charCodeAt(i)
    if (c === 0x20 || c === 0x09 || c === 0x0a) {
      endWord()
      i++
    } else if (c === 0x27) {
      // '…': everything up to the next quote, literally; an unclosed quote runs to the end.
      const close = line.indexOf("'", i + 1)
      const stop = close < 0 ? n : close
      add(line.slice(i + 1, stop))
      i = stop + 1
    } else if (c === 0x22) {
      // "…": a backslash escapes only " \ $ and `; it stays before anything else.
      let j = i + 1
      let from = j
      while (j < n) {
        const d = line.charCodeAt(j)
        if (d === 0x22) break
        if (d === 0x5c && j + 1 < n) {
          const e = line.charCodeAt(j + 1)
          if (e === 0x22 || e === 0x5c || e === 0x24 || e === 0x60) {
            add(line.slice(from, j))
            from = j + 1
            j += 2
            continue
          }
        }
        j++
      }
      add(line.slice(from, j))
      i = j + 1
    } else {
      // A literal run; an unquoted backslash makes the next character part of it.
      let j = i
      let from = i
      while (j < n) {
        const d = line.charCodeAt(j)
        if (d === 0x20 || d === 0x09 || d === 0x0a || d === 0x27 || d === 0x22) break
        if (d === 0x5c && j + 1 < n) {
          if (j > from) add(line.slice(from, j))
          from = j + 1
          j += 2
          continue
        }
        j++
      }
      add(line.slice(from, j))
      i = j
    }
  }
  endWord()
  return out
}
