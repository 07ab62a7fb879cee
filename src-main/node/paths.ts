import { homedir } from 'node:os'
import { existsSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

/** The per-user data folder for browser mode (Electron uses app.getPath('userData') instead). */
export function defaultDataDir(): string {
  const xdg = process.env.XDG_DATA_HOME
  return join(xdg && xdg.startsWith('/') ? xdg : join(homedir(), '.local', 'share'), 'sdn-workbench')
}

export function defaultCasesDir(dataDir: string): string {
  return join(dataDir, 'cases')
}

/**
 * The package's resources folder (capture sets, runbooks): found by walking up from this file, which
 * sits in src-main/node (tsx, tests) or in out/main (the Electron build).
 */
export function defaultResourcesDir(): string {
  let dir = dirname(fileURLToPath(import.meta.url))
  for (let i = 0; i < 6; i++) {
    if (existsSync(join(dir, 'resources', 'capture-sets'))) return join(dir, 'resources')
    const up = dirname(dir)
    if (up === dir) break
    dir = up
  }
  return join(process.cwd(), 'resources')
}
