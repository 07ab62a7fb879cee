/** Splits a POSIX shell command line into words (quotes and backslashes; no expansion). */
export function shellWords(line: string): string[] {
  const out: string[] = []
  let cur = ''
  let has = false
  let q: '"' | "'" | null = null
  for (let i = 0; i < line.length; i++) {
    const c = line[i] as string
    if (q === "'") {
      if (c === "'") q = null
      else cur += c
    } else if (q === '"') {
      if (c === '"') q = null
      else if (c === '\\' && i + 1 < line.length && '"\\$`'.includes(line[i + 1] as string)) cur += line[++i]
      else cur += c
    } else if (c === "'" || c === '"') {
      q = c
      has = true
    } else if (c === '\\' && i + 1 < line.length) {
      cur += line[++i]
      has = true
    } else if (c === ' ' || c === '\t' || c === '\n') {
      if (has || cur !== '') out.push(cur)
      cur = ''
      has = false
    } else {
      cur += c
      has = true
    }
  }
  if (has || cur !== '') out.push(cur)
  return out
}
