// The desktop app prints a report with Electron's own printToPDF: a hidden window with no preload, no scripts and
// the sandbox on loads the report from a temporary file (the app loads file:// only), prints it tagged and with a
// document outline, and closes. The page numbers come from the report's @page CSS, as in headless Chromium.
import { BrowserWindow } from 'electron'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { PdfPrinter } from '../node/report/pdf'

export function electronPdfPrinter(): PdfPrinter {
  return {
    name: 'Electron printToPDF',
    async print(html) {
      const dir = mkdtempSync(join(tmpdir(), 'sdnwb-pdf-'))
      const file = join(dir, 'report.html')
      writeFileSync(file, html)
      const win = new BrowserWindow({ show: false, webPreferences: { sandbox: true, contextIsolation: true, nodeIntegration: false, javascript: false, webSecurity: true } })
      try {
        await win.loadFile(file)
        return await win.webContents.printToPDF({ printBackground: true, preferCSSPageSize: true, displayHeaderFooter: false, generateTaggedPDF: true, generateDocumentOutline: true })
      } finally {
        win.destroy()
        rmSync(dir, { recursive: true, force: true })
      }
    }
  }
}
