// Full-text search over captures, shaped for what an engineer types: IP addresses, MACs, flow fields, log words.
//
// SQLite's unicode61 tokenizer splits "10.128.0.5" into 10, 128, 0, 5. A phrase query on those tokens
// is correct but reads the huge position lists of "0" and "10" on every flow dump: slow on a big case.
// So the indexed text is rewritten first: every dotted or colon-separated hex/decimal run (IPv4, MAC,
// IPv6, versions) becomes one token ("10p128p0p5", "0aq58q…"), and a query is rewritten the same way.
// The raw text is stored untouched elsewhere; this function only feeds the index. The same tokenizer
// runs in JS to pick the matching lines of a hit, so what the index finds and what is shown agree.

const addressRun = /(?<![\p{L}\p{N}_])[0-9A-Fa-f]+(?:[.:][0-9A-Fa-f]+)+(?![\p{L}\p{N}_])/gu

function joinAddress(run: string): string {
  return run.replace(/\./g, 'p').replace(/:/g, 'q').toLowerCase()
}

/** The text handed to the FTS index for a chunk of output. */
export function indexText(text: string): string {
  return text.replace(addressRun, joinAddress)
}

// An address run where one starts, else a letter/digit run: the same tokens indexText + unicode61 give.
const spanRun = /(?<![\p{L}\p{N}_])[0-9A-Fa-f]+(?:[.:][0-9A-Fa-f]+)+(?![\p{L}\p{N}_])|[\p{L}\p{N}]+/gu

interface TokenSpan {
  token: string
  start: number
  end: number
}

function tokenSpans(text: string): TokenSpan[] {
  const out: TokenSpan[] = []
  for (const m of text.matchAll(spanRun)) {
    const raw = m[0]
    const start = m.index
    out.push({ token: /[.:]/.test(raw) ? joinAddress(raw) : raw.toLowerCase(), start, end: start + raw.length })
  }
  return out
}

/** Tokens as the index sees them (after indexText): lower case letter/digit runs, addresses whole. */
export function tokens(text: string): string[] {
  return tokenSpans(text).map((t) => t.token)
}

export interface SearchTerm {
  /** What the user typed for this term (a word or a quoted phrase). */
  text: string
  tokens: string[]
  /** The last token is a prefix ("10.128.*", "vxlan*"). */
  prefix: boolean
}

export interface SearchQuery {
  terms: SearchTerm[]
  /** The FTS5 MATCH expression: every term must occur in the chunk (lineMatches then checks each line). */
  fts: string
}

/**
 * Reads a query: words and "quoted phrases", all required; a trailing * makes a prefix.
 * Returns null when nothing searchable is left (only punctuation, empty).
 */
export function parseSearchQuery(input: string): SearchQuery | null {
  const raw: string[] = []
  const re = /"([^"]*)"?|(\S+)/g
  for (let m = re.exec(input); m; m = re.exec(input)) raw.push(m[1] ?? m[2] ?? '')
  const terms: SearchTerm[] = []
  for (const text of raw) {
    let t = text.trim()
    let prefix = false
    // "10.128." means "addresses starting with 10.128.": the separator stays so the run is kept whole.
    if (t.endsWith('*')) {
      prefix = true
      t = t.replace(/\*+$/, '')
    } else if (/^[0-9A-Fa-f]+(?:[.:][0-9A-Fa-f]+)*[.:]$/.test(t)) {
      prefix = true
    }
    const toks = prefix && /[.:]$/.test(t) ? trailingSeparatorTokens(t) : tokens(t)
    if (toks.length === 0) continue
    terms.push({ text, tokens: toks, prefix })
  }
  if (terms.length === 0) return null
  const fts = terms
    .map((t) => {
      const phrase = '"' + t.tokens.join(' ') + '"'
      return t.prefix ? phrase + ' *' : phrase
    })
    .join(' AND ')
  return { terms, fts }
}

function trailingSeparatorTokens(t: string): string[] {
  const sep = t.endsWith('.') ? 'p' : 'q'
  const body = tokens(t.slice(0, -1))
  if (body.length === 0) return []
  body[body.length - 1] += sep
  return body
}

/**
 * Raw text that every line holding the term contains, in lower case: the term's longest letter/digit or address
 * run as typed (a token equal to it, or starting with it for a prefix, is that run in the line, whatever its case).
 * A cheap substring test before a line is tokenized.
 */
export function termNeedle(term: SearchTerm): string {
  let best = ''
  for (const m of term.text.replace(/\*+$/, '').matchAll(spanRun)) if (m[0].length > best.length) best = m[0]
  return best.toLowerCase()
}

/** Where the phrase of a term occurs in the tokens: [first token, last token] index pairs. */
function phraseHits(haystack: readonly TokenSpan[], term: SearchTerm): [number, number][] {
  const n = term.tokens.length
  const hits: [number, number][] = []
  outer: for (let i = 0; i + n <= haystack.length; i++) {
    for (let j = 0; j < n; j++) {
      const h = (haystack[i + j] as TokenSpan).token
      const want = term.tokens[j] as string
      const last = j === n - 1
      if (last && term.prefix ? !h.startsWith(want) : h !== want) continue outer
    }
    hits.push([i, i + n - 1])
  }
  return hits
}

/**
 * True when the line holds every term: a search finds lines, as `grep a | grep b` would. The index
 * narrows the search to chunks holding every term; this decides per line.
 */
export function lineMatches(line: string, terms: readonly SearchTerm[]): boolean {
  const spans = tokenSpans(line)
  return terms.every((t) => phraseHits(spans, t).length > 0)
}

/** The character ranges of the line that match a term, in order, for highlighting. */
export function matchRanges(line: string, terms: readonly SearchTerm[]): { start: number; end: number }[] {
  const spans = tokenSpans(line)
  const ranges = terms.flatMap((t) => phraseHits(spans, t).map(([a, b]) => ({ start: (spans[a] as TokenSpan).start, end: (spans[b] as TokenSpan).end })))
  return ranges.sort((x, y) => x.start - y.start).filter((r, i, all) => i === 0 || r.start >= (all[i - 1] as { end: number }).end)
}

/** A line is shown from a little before its first match (lists are narrow), at most 1000 characters. */
export function lineExcerpt(line: string, ranges: { start: number; end: number }[]): { text: string; from: number; matches: { start: number; end: number }[] } {
  const max = 1000
  const first = ranges[0]
  const from = first && first.start > 24 ? first.start - 16 : 0
  const text = line.slice(from, from + max)
  const matches = ranges.filter((r) => r.start >= from && r.end <= from + text.length).map((r) => ({ start: r.start - from, end: r.end - from }))
  return { text, from, matches }
}
