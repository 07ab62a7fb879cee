import { LineCounter, parse, parseDocument } from 'yaml'
import { useYamlReader } from '../core/parse/oc'
import type { z } from 'zod'

/** YAML written by people, read against a schema: the value, or every problem with its line or field. */
export function parseYamlWith<S extends z.ZodType>(schema: S, text: string): { value: z.output<S> } | { problems: string[] } {
  const lineCounter = new LineCounter()
  const doc = parseDocument(text, { prettyErrors: false, uniqueKeys: true, lineCounter })
  if (doc.errors.length > 0) {
    return { problems: doc.errors.map((e) => `line ${lineCounter.linePos(e.pos[0]).line}: ${e.message.split('\n')[0]}`) }
  }
  const r = schema.safeParse(doc.toJS({ maxAliasCount: 50 }))
  if (!r.success) {
    return {
      problems: r.error.issues.map((i) => {
        const path = i.path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('').replace(/^\./, '')
        return path ? `${path}: ${i.message}` : i.message
      })
    }
  }
  return { value: r.data }
}

// The core's parsers read `oc get -o yaml` through this library (core imports no packages): set up wherever
// the Node side runs (backend, CLI, import worker), by importing this module.
useYamlReader((text) => parse(text, { maxAliasCount: 50 }))
