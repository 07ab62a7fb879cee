import { homedir } from 'node:os'
import { join } from 'node:path'

/** The per-user data folder for browser mode (Electron uses app.getPath('userData') instead). */
export function defaultDataDir(): string {
  const xdg = process.env.XDG_DATA_HOME
  return join(xdg && xdg.startsWith('/') ? xdg : join(homedir(), '.local', 'share'), 'sdn-workbench')
}

export function defaultCasesDir(dataDir: string): string {
  return join(dataDir, 'cases')
}
