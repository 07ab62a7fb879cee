/** A problem a parser met, tied to the line of the input it was on (1-based). */
export interface Diagnostic {
  line: number
  severity: 'error' | 'warning' | 'info'
  message: string
  /** The offending text, cut to a readable length. */
  text: string
}

export interface ParseResult<T> {
  records: T[]
  diagnostics: Diagnostic[]
}

const maxShown = 200

export function diag(line: number, severity: Diagnostic['severity'], message: string, text: string): Diagnostic {
  return { line, severity, message, text: text.length > maxShown ? text.slice(0, maxShown) + '…' : text }
}

/**
 * Splits text into lines without losing line numbers: accepts LF and CRLF (a TTY gives CRLF),
 * drops a final empty line. Binary NULs are kept; callers report them.
 */
export function splitLines(text: string): string[] {
  const lines = text.split('\n')
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop()
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i] as string
    if (l.length > 0 && l.charCodeAt(l.length - 1) === 13) lines[i] = l.slice(0, -1)
  }
  return lines
}

/** True when a line looks like binary garbage rather than text output. */
export function looksBinary(line: string): boolean {
  let bad = 0
  for (let i = 0; i < line.length; i++) {
    const c = line.charCodeAt(i)
    if ((c < 32 && c !== 9) || c === 0xfffd) bad++
  }
  return bad > 0 && bad * 10 >= line.length
}

/**
 * Splits on `sep` at nesting depth 0 of () and [] (actions like ct(commit,table=30) and
 * move:NXM_NX_REG0[0..31]->... contain commas and brackets).
 */
export function splitTopLevel(text: string, sep = ','): string[] {
  const out: string[] = []
  let depth = 0
  let start = 0
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (c === 40 || c === 91) depth++
    else if (c === 41 || c === 93) depth = depth > 0 ? depth - 1 : 0
    else if (depth === 0 && text[i] === sep) {
      out.push(text.slice(start, i))
      start = i + 1
    }
  }
  out.push(text.slice(start))
  return out
}
