import { join } from 'node:path'
import { afterEach, beforeEach } from 'vitest'
import { CaseDb } from '../../src-main/node/store/case-db'
import { tempDir } from './tmp'

/** A fresh case file in a fresh folder for each test of the suite; tests may replace db (reopen it). */
export function useTempCase(): { dir: string; db: CaseDb } {
  const ctx = {} as { dir: string; db: CaseDb; cleanup: () => void }
  beforeEach(() => {
    const t = tempDir()
    ctx.dir = t.dir
    ctx.cleanup = t.cleanup
    ctx.db = CaseDb.create(join(t.dir, 'c.sdncase'), 'c', 'test')
  })
  afterEach(() => {
    ctx.db.close()
    ctx.cleanup()
  })
  return ctx
}
