// A report's HTML to PDF. The desktop app prints with Electron's printToPDF (src-main/electron); in browser mode
// and in the CLI the system Chromium does it headless (`--print-to-pdf`, its document outline from the headings,
// no header or footer of its own: the page numbers come from the report's @page CSS). Without Chromium, a plain
// message says how to get it.
import { spawn } from 'node:child_process'
import { accessSync, constants, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { delimiter, join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { AppError } from '../store/app-error'

export interface PdfPrinter {
  /** What prints ("Chromium at /usr/bin/chromium", "Electron printToPDF"). */
  readonly name: string
  print(html: string, signal?: AbortSignal): Promise<Buffer>
}

const candidates = ['chromium', 'chromium-browser', 'google-chrome', 'google-chrome-stable', 'chrome']

/** The Chromium to print with: $SDNWB_CHROMIUM, else the first of the usual names on PATH. */
export function findChromium(env: NodeJS.ProcessEnv = process.env): string | null {
  const given = env.SDNWB_CHROMIUM
  if (given) return given
  for (const dir of (env.PATH ?? '').split(delimiter).filter(Boolean)) {
    for (const name of candidates) {
      const p = join(dir, name)
      try {
        accessSync(p, constants.X_OK)
        return p
      } catch {
        // not here
      }
    }
  }
  return null
}

export const noChromiumMessage =
  'PDF export needs Chromium, which was not found (looked for chromium, chromium-browser, google-chrome on PATH). Install it (Debian/Ubuntu: sudo apt-get install chromium; Fedora/RHEL: sudo dnf install chromium), or set SDNWB_CHROMIUM to the browser\'s path, or export HTML and print it to PDF from any browser; the desktop app prints PDF itself.'

/** Pages of a PDF Chromium wrote: the page tree's /Count (its root lists every page). */
export function pdfPageCount(pdf: Buffer): number | null {
  const text = pdf.toString('latin1')
  const counts = [...text.matchAll(/\/Type\s*\/Pages\b[^>]*?\/Count\s+(\d+)|\/Count\s+(\d+)[^>]*?\/Type\s*\/Pages\b/g)].map((m) => Number(m[1] ?? m[2]))
  return counts.length ? Math.max(...counts) : null
}

export class ChromiumPdfPrinter implements PdfPrinter {
  readonly name: string

  constructor(private readonly executable: string | null = findChromium()) {
    this.name = executable ? `Chromium (${executable}), headless` : 'no Chromium'
  }

  async print(html: string, signal?: AbortSignal): Promise<Buffer> {
    if (!this.executable) throw new AppError('unavailable', noChromiumMessage)
    const dir = mkdtempSync(join(tmpdir(), 'sdnwb-pdf-'))
    try {
      const input = join(dir, 'report.html')
      const output = join(dir, 'report.pdf')
      writeFileSync(input, html)
      const args = [
        '--headless',
        '--disable-gpu',
        '--no-first-run',
        '--no-default-browser-check',
        '--disable-extensions',
        '--disable-background-networking',
        '--disable-sync',
        `--user-data-dir=${join(dir, 'profile')}`,
        '--no-pdf-header-footer',
        '--generate-pdf-document-outline',
        `--print-to-pdf=${output}`,
        // Chromium refuses to run as root with its sandbox; the page is our own file, scripts off by its CSP.
        ...(process.getuid?.() === 0 ? ['--no-sandbox'] : []),
        pathToFileURL(input).href
      ]
      await run(this.executable, args, signal)
      const pdf = readFileSync(output)
      if (pdf.subarray(0, 5).toString('latin1') !== '%PDF-') throw new AppError('internal', `Chromium (${this.executable}) wrote no PDF.`)
      return pdf
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  }
}

function run(cmd: string, args: string[], signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'], signal })
    let err = ''
    child.stderr.on('data', (d: Buffer) => {
      if (err.length < 4000) err += d.toString('utf8')
    })
    const timer = setTimeout(() => child.kill('SIGKILL'), 120_000)
    child.on('error', (e) => {
      clearTimeout(timer)
      if (e.name === 'AbortError') reject(new AppError('unavailable', 'The PDF export was cancelled.'))
      else reject(new AppError('unavailable', `Chromium (${cmd}) could not be started: ${e.message}. ${noChromiumMessage}`))
    })
    child.on('exit', (code, sig) => {
      clearTimeout(timer)
      if (code === 0) resolve()
      else reject(new AppError('internal', `Chromium (${cmd}) failed to print the report (${sig ? `signal ${sig}` : `exit ${code}`}): ${err.trim().split('\n').slice(-3).join(' ')}`))
    })
  })
}
