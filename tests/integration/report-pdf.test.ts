// `sdnwb report` on a real case file with the system Chromium (headless) and poppler (pdfinfo, pdftotext,
// pdftoppm) reading the PDF back: tagged, with an outline, "Page N of M" on every page, the report's text; the
// redacted PDF's text holds no original address or name in any encoding (the leak scanner); each export is kept in
// the case. Without Chromium the message says how to get it.
import { execFileSync } from 'node:child_process'
import { existsSync, mkdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { ReportSpec } from '../../src-main/contract'
import { runCli } from '../../src-main/node/cli/sdnwb'
import { caseRedaction } from '../../src-main/node/redact/case-redaction'
import { ChromiumPdfPrinter, findChromium, noChromiumMessage } from '../../src-main/node/report/pdf'
import { CaseDb } from '../../src-main/node/store/case-db'
import { addressesIn, findLeaks, pseudonymsOf } from '../helpers/leak-scanner'
import { fill, spec } from '../helpers/report-case'
import { useTempCase } from '../helpers/temp-case'

const c = useTempCase()
const shots = join(process.cwd(), 'test-results', 'screenshots')

async function cli(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = ''
  let err = ''
  const code = await runCli(args, { out: (s) => void (out += s), err: (s) => void (err += s) })
  return { code, out, err }
}

describe('sdnwb report', () => {
  it('writes HTML, Markdown and PDF (redacted and not); the PDF is tagged, outlined, numbered; the redacted one leaks nothing; every export kept', async () => {
    const { dumpId } = fill(c.db)
    const s = ReportSpec.parse({ ...spec(c.db, dumpId), title: 'ACME node1 SDN: pods cannot reach node2' })
    const id = c.db.reports.create(s)
    const red = caseRedaction(c.db)
    const found = addressesIn(c.db.captures.list().map((x) => c.db.captures.text(x.id)), { hostBits: red.hostBits })
    const pseudonyms = pseudonymsOf(c.db.captures.list().map((x) => c.db.captures.text(x.id)), (t) => red.redactor.redact(t))
    const originals = { ipv4: found.ipv4.filter((ip) => !pseudonyms.has(ip)), macs: found.macs, names: ['node1', 'node2', 'master1', 'lab.example.com', 'alice', 'ACME'] }
    c.db.redaction.addTerm('term', 'ACME')
    const path = c.db.path
    c.db.close()

    const outs: Record<string, string> = {}
    for (const [format, redact] of [['pdf', true], ['pdf', false], ['html', true], ['md', true], ['md', false]] as const) {
      const file = join(c.dir, `report-${redact ? 'r' : 'o'}.${format}`)
      const r = await cli(['report', path, '--format', format, ...(redact ? ['--redact'] : []), '-o', file, '--json'])
      expect(r.code, r.err).toBe(0)
      const j = JSON.parse(r.out) as { path: string; pages: number | null; report: number; keptAs: number; findings: number; evidence: number }
      expect(j).toMatchObject({ path: file, report: id, findings: 1, evidence: 2 })
      expect(j.keptAs).toBeGreaterThan(0)
      if (format === 'pdf') expect(j.pages).toBeGreaterThanOrEqual(2)
      outs[`${format}-${redact}`] = file
    }
    const pdf = outs['pdf-true']!
    const info = execFileSync('pdfinfo', [pdf], { encoding: 'utf8' })
    expect(info).toMatch(/Tagged:\s+yes/)
    const pages = Number(/Pages:\s+(\d+)/.exec(info)?.[1])
    const text = execFileSync('pdftotext', ['-layout', pdf, '-'], { encoding: 'utf8' })
    for (let p = 1; p <= pages; p++) expect(text).toContain(`Page ${p} of ${pages}`)
    for (const h of ['Summary', 'Environment', 'Findings', 'Root cause', 'Resolution', 'Timeline (UTC)', 'Evidence appendix', 'Redaction']) expect(text).toContain(h)
    expect(text).toContain('This report is redacted.')
    expect(text).toMatch(/term-01 node-\d\d SDN: pods cannot reach node-\d\d/)
    expect(findLeaks(text, originals)).toEqual([])
    expect(findLeaks(readFileSync(outs['html-true']!, 'utf8'), originals)).toEqual([])
    expect(findLeaks(readFileSync(outs['md-true']!, 'utf8'), originals)).toEqual([])
    // The scanner sees the originals where they are.
    const plainPdf = execFileSync('pdftotext', ['-layout', outs['pdf-false']!, '-'], { encoding: 'utf8' })
    expect(findLeaks(plainPdf, originals).length).toBeGreaterThan(5)
    expect(plainPdf).toContain('ACME node1 SDN: pods cannot reach node2')
    // The outline: a bookmark per section heading.
    const raw = readFileSync(pdf).toString('latin1')
    expect(raw).toContain('/Outlines')

    // The pages as PNG, to be looked at.
    mkdirSync(shots, { recursive: true })
    execFileSync('pdftoppm', ['-png', '-r', '60', '-f', '1', '-l', '2', pdf, join(shots, 'report-redacted-page')])
    expect(existsSync(join(shots, 'report-redacted-page-1.png'))).toBe(true)

    const db = CaseDb.open(path, { readOnly: true })
    try {
      const kept = db.reports.exports(id)
      expect(kept.map((e) => [e.format, e.redacted])).toEqual([['md', false], ['md', true], ['html', true], ['pdf', false], ['pdf', true]])
      const first = db.reports.exportContent(kept.at(-1)!.id)
      expect(first.content.equals(readFileSync(pdf))).toBe(true)
      expect(first.summary.pages).toBe(pages)
    } finally {
      c.db = CaseDb.open(path)
    }
  })

  it('two redacted Markdown exports with the same key say the same pseudonyms', async () => {
    const { dumpId } = fill(c.db)
    c.db.reports.create(spec(c.db, dumpId))
    const path = c.db.path
    c.db.close()
    const a = join(c.dir, 'a.md')
    const b = join(c.dir, 'b.md')
    expect((await cli(['report', path, '--format', 'md', '--redact', '-o', a])).code).toBe(0)
    expect((await cli(['report', path, '--format', 'md', '--redact', '-o', b])).code).toBe(0)
    const strip = (f: string) => readFileSync(f, 'utf8').replace(/generated [^·\n]+Z/, '')
    expect(strip(a)).toBe(strip(b))
    c.db = CaseDb.open(path)
  })

  it('without Chromium says how to get it; a bad format or no -o is refused', async () => {
    expect(findChromium({ PATH: '/nonexistent' })).toBeNull()
    await expect(new ChromiumPdfPrinter(null).print('<p>x</p>')).rejects.toThrow(noChromiumMessage)
    const path = c.db.path
    c.db.close()
    const r = await cli(['report', path, '--format', 'docx', '-o', join(c.dir, 'x.docx')])
    expect(r.code).toBe(1)
    expect(r.err).toContain('--format is one of html, md, pdf')
    expect((await cli(['report', path])).err).toContain('report needs -o FILE')
    c.db = CaseDb.open(path)
  })
})
