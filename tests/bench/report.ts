// The report target (DESIGN.md section 4: a 50-page report to PDF under 3 s): a real case file holding a node's
// generated br0 dump, a report of its finding and enough excerpts of the dump for 50 pages or more, rendered to
// PDF by the product's path (build the document, HTML, headless Chromium), Chromium's start included. Medians.
import { join } from 'node:path'
import { parseCapture } from '../../src-main/core/capture/parsed-view'
import { ChromiumPdfPrinter, findChromium } from '../../src-main/node/report/pdf'
import { renderReport } from '../../src-main/node/report/report-service'
import { CaseDb } from '../../src-main/node/store/case-db'
import { newCapture } from '../helpers/captures'
import { dumpText, sdnFlows } from '../helpers/flowgen'
import { fill, noDiff, spec } from '../helpers/report-case'
import { tempDir } from '../helpers/tmp'

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b)
  const m = Math.floor(s.length / 2)
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2
}

export async function benchReport(runs = 5): Promise<void> {
  if (!findChromium()) {
    console.log('report to PDF: no Chromium installed (apt-get install chromium): not measured')
    return
  }
  const t = tempDir('sdnwb-bench-report-')
  const db = CaseDb.create(join(t.dir, 'r.sdncase'), 'bench', 'bench')
  try {
    const { dumpId } = fill(db)
    const command = 'ovs-ofctl -O OpenFlow13 dump-flows br0'
    const text = dumpText(sdnFlows({ pods: 600, nodes: 40, services: 100, seed: 7 }), { duration: 100 })
    const p = parseCapture(command, text)
    const big = db.captures.save(newCapture({ hostName: 'node2.lab.example.com', command, stdout: text, parse: p ? { parserId: p.parser, records: p.records, diagnostics: p.diagnostics } : null }))!
    const printer = new ChromiumPdfPrinter()
    const opts = { format: 'pdf' as const, redact: false, diff: noDiff, printer }
    const withExcerpts = (n: number) => ({ ...spec(db, dumpId), captures: Array.from({ length: n }, (_, i) => ({ captureId: big.id, from: 1 + i * 60, to: 60 + i * 60 })) })
    // Calibrated once: as many 60-line excerpts as 50 pages need.
    let n = 10
    let pages = (await renderReport(db, withExcerpts(n), opts)).pages ?? 0
    n = Math.ceil((n * 52) / Math.max(1, pages))
    const times: number[] = []
    for (let i = 0; i < runs; i++) {
      const r = await renderReport(db, withExcerpts(n), opts)
      pages = r.pages ?? 0
      times.push(r.tookMs)
    }
    const ms = median(times)
    console.log(`report to PDF:               ${ms.toFixed(0)} ms   ${pages} pages (${n} excerpts), Chromium headless incl. start, ${runs} runs [${times.join(', ')}]   (target 50 pages < 3000 ms)  ${pages >= 50 && ms < 3000 ? 'MET' : 'MISSED'}`)
  } finally {
    db.close()
    t.cleanup()
  }
}
