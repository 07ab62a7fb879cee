/** Minimal leveled logger to stderr. Callers never pass secrets or raw method inputs. */
export interface Logger {
  info(msg: string): void
  warn(msg: string): void
  error(msg: string, err?: unknown): void
}

export function stderrLogger(prefix = 'sdn-workbench'): Logger {
  const line = (level: string, msg: string) => process.stderr.write(`${new Date().toISOString()} ${prefix} ${level} ${msg}\n`)
  return {
    info: (m) => line('info', m),
    warn: (m) => line('warn', m),
    error: (m, err) => line('error', err instanceof Error ? `${m}: ${err.stack ?? err.message}` : err === undefined ? m : `${m}: ${String(err)}`)
  }
}

export const silentLogger: Logger = { info: () => {}, warn: () => {}, error: () => {} }
