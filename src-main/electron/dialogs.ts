import { dialog, type BrowserWindow } from 'electron'
import { caseFileExtension } from '../contract/cases'
import type { Dialogs } from '../node/backend/backend'

const filters = [{ name: 'SDN Workbench case', extensions: [caseFileExtension.slice(1)] }]

export function nativeDialogs(window: () => BrowserWindow | null, casesDir: string): Dialogs {
  return {
    async pickOpenPath() {
      const w = window()
      const opts = { title: 'Open case', defaultPath: casesDir, filters, properties: ['openFile' as const] }
      const r = w ? await dialog.showOpenDialog(w, opts) : await dialog.showOpenDialog(opts)
      return r.canceled ? null : (r.filePaths[0] ?? null)
    },
    async pickSavePath(suggestedName) {
      const w = window()
      const opts = { title: 'New case', defaultPath: `${casesDir}/${suggestedName || 'case'}${caseFileExtension}`, filters }
      const r = w ? await dialog.showSaveDialog(w, opts) : await dialog.showSaveDialog(opts)
      return r.canceled || !r.filePath ? null : r.filePath
    },
    async pickImportPath(folder) {
      const w = window()
      const opts = {
        title: folder ? 'Import a folder (unpacked sosreport, must-gather, outputs)' : 'Import a file or archive (sosreport, collector archive, output)',
        properties: [folder ? ('openDirectory' as const) : ('openFile' as const)]
      }
      const r = w ? await dialog.showOpenDialog(w, opts) : await dialog.showOpenDialog(opts)
      return r.canceled ? null : (r.filePaths[0] ?? null)
    },
    async pickReportSavePath(suggestedName, format) {
      const w = window()
      const names = { html: 'HTML report', md: 'Markdown report', pdf: 'PDF report' }
      const opts = { title: 'Export report', defaultPath: suggestedName, filters: [{ name: names[format], extensions: [format] }] }
      const r = w ? await dialog.showSaveDialog(w, opts) : await dialog.showSaveDialog(opts)
      return r.canceled || !r.filePath ? null : r.filePath
    }
  }
}
