import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join, relative, resolve, dirname } from 'node:path'
import { describe, expect, it } from 'vitest'

// The layer rules of DESIGN.md section 2, checked on the import statements of every source file.
const root = resolve(__dirname, '../..')

function files(dir: string, exts = ['.ts', '.svelte']): string[] {
  const out: string[] = []
  for (const name of readdirSync(dir)) {
    const p = join(dir, name)
    if (statSync(p).isDirectory()) out.push(...files(p, exts))
    else if (exts.some((e) => name.endsWith(e))) out.push(p)
  }
  return out
}

interface Import {
  spec: string
  typeOnly: boolean
}

function imports(file: string): Import[] {
  const text = readFileSync(file, 'utf8')
  const out: Import[] = []
  const re = /^\s*(import|export)\s+(type\s+)?[^'"]*?from\s+['"]([^'"]+)['"]|^\s*import\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/gm
  for (const m of text.matchAll(re)) {
    const spec = m[3] ?? m[4] ?? m[5]
    if (spec) out.push({ spec, typeOnly: Boolean(m[2]) })
  }
  return out
}

const target = (file: string, spec: string) => (spec.startsWith('.') ? relative(root, resolve(dirname(file), spec)) : spec)

describe('layers', () => {
  it('core imports nothing outside core: no Node, no Electron, no packages', () => {
    const bad: string[] = []
    for (const f of files(join(root, 'src-main/core'))) {
      for (const i of imports(f)) {
        const to = target(f, i.spec)
        if (!to.startsWith('src-main/core')) bad.push(`${relative(root, f)} -> ${i.spec}`)
      }
    }
    expect(bad).toEqual([])
  })

  it('contract imports only core, zod and itself', () => {
    const bad: string[] = []
    for (const f of files(join(root, 'src-main/contract'))) {
      for (const i of imports(f)) {
        const to = target(f, i.spec)
        if (!(to.startsWith('src-main/core') || to.startsWith('src-main/contract') || to === 'zod')) bad.push(`${relative(root, f)} -> ${i.spec}`)
      }
    }
    expect(bad).toEqual([])
  })

  it('nothing outside src-main/electron imports electron', () => {
    const bad: string[] = []
    const all = [...files(join(root, 'src-main')), ...files(join(root, 'src-renderer')), ...files(join(root, 'tests')), ...files(join(root, 'scripts'), ['.mjs', '.ts'])]
    for (const f of all) {
      if (relative(root, f).startsWith('src-main/electron/')) continue
      for (const i of imports(f)) if (i.spec === 'electron' || i.spec.startsWith('electron/')) bad.push(relative(root, f))
    }
    expect(bad).toEqual([])
  })

  it('node never imports electron or the renderer', () => {
    const bad: string[] = []
    for (const f of files(join(root, 'src-main/node'))) {
      for (const i of imports(f)) {
        const to = target(f, i.spec)
        if (to.startsWith('src-main/electron') || to.startsWith('src-renderer')) bad.push(`${relative(root, f)} -> ${i.spec}`)
      }
    }
    expect(bad).toEqual([])
  })

  it('the renderer reaches src-main only through contract types and zod-free contract constants', () => {
    const bad: string[] = []
    for (const f of files(join(root, 'src-renderer'))) {
      for (const i of imports(f)) {
        const to = target(f, i.spec)
        if (!to.startsWith('src-main')) continue
        const allowedValue = to === 'src-main/contract/vocabulary' || to === 'src-main/contract/channels' || to === 'src-main/contract/terminal-frame'
        if (!(to.startsWith('src-main/contract') && (i.typeOnly || allowedValue))) bad.push(`${relative(root, f)} -> ${i.spec}`)
      }
    }
    expect(bad).toEqual([])
  })
})
