import { app, BrowserWindow, ipcMain, session, shell } from 'electron'
import { join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { ipcChannels } from '../contract/channels'
import { Backend } from '../node/backend/backend'
import { stderrLogger } from '../node/log'
import { nativeDialogs } from './dialogs'
import { electronPdfPrinter } from './pdf'

const rendererIndex = fileURLToPath(new URL('../renderer/index.html', import.meta.url))
const preloadPath = fileURLToPath(new URL('../preload/index.cjs', import.meta.url))
const rendererUrl = pathToFileURL(rendererIndex).href

let mainWindow: BrowserWindow | null = null

function createWindow(): BrowserWindow {
  const win = new BrowserWindow({
    width: 1400,
    height: 900,
    minWidth: 900,
    minHeight: 600,
    backgroundColor: '#16181d',
    title: 'SDN Workbench',
    show: false,
    webPreferences: {
      preload: preloadPath,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      spellcheck: false
    }
  })
  // No navigation away from the app and no new windows: links open in the system browser.
  win.webContents.on('will-navigate', (e, url) => {
    if (url !== rendererUrl) e.preventDefault()
  })
  win.webContents.setWindowOpenHandler(({ url }) => {
    if (url.startsWith('https://')) void shell.openExternal(url)
    return { action: 'deny' }
  })
  win.once('ready-to-show', () => win.show())
  void win.loadFile(rendererIndex)
  return win
}

void app.whenReady().then(() => {
  const log = stderrLogger()
  const casesDir = join(app.getPath('documents'), 'SDN Workbench cases')
  const backend = new Backend({
    version: app.getVersion(),
    mode: 'electron',
    dataDir: app.getPath('userData'),
    casesDir,
    dialogs: nativeDialogs(() => mainWindow, casesDir),
    pdf: electronPdfPrinter(),
    log
  })

  session.defaultSession.setPermissionRequestHandler((_wc, _permission, callback) => callback(false))
  session.defaultSession.webRequest.onBeforeRequest((details, callback) => {
    // No remote content: only the app's own files (and devtools) may load.
    const ok = details.url.startsWith('file://') || details.url.startsWith('devtools://')
    callback({ cancel: !ok })
  })

  // The window is the one client over IPC: it gets broadcast events and its terminals' bytes.
  mainWindow = createWindow()
  const win = mainWindow
  const attach = () =>
    backend.attachClient((e) => {
      if (!win.isDestroyed()) win.webContents.send(ipcChannels.event, e)
    })
  let client = attach()
  ipcMain.handle(ipcChannels.call, (event, method: unknown, input: unknown) => {
    if (event.senderFrame?.url !== rendererUrl || event.sender !== win.webContents) {
      return { ok: false, error: { code: 'unavailable', message: 'Calls are accepted from the workbench window only.' } }
    }
    return backend.dispatch(method, input, client.caller)
  })
  // A reload is a new page, so a new client: the terminals of the old one end, as a closed WebSocket's do.
  win.webContents.on('did-finish-load', () => {
    client.detach()
    client = attach()
  })
  mainWindow.on('closed', () => {
    client.detach()
    mainWindow = null
  })
  app.on('window-all-closed', () => {
    backend.close()
    app.quit()
  })
})
