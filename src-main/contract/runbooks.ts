import { z } from 'zod'
import { checkTypes, runbookInputTypes, runbookProblems, type CheckSpec, type Runbook, type StepWhere } from '../core/runbook/model'
import { parserIds } from '../core/parse/registry'

export type { Runbook, RunbookStep, RunbookInput, CheckSpec } from '../core/runbook/model'

const Id = z.string().min(1).max(64).regex(/^[a-z0-9][a-z0-9-]*$/, 'Lower-case letters, digits and "-".')
const Text = z.string().trim().min(1).max(4000)

const Continue = z
  .object({ runbook: Id, inputs: z.record(z.string().regex(/^[a-zA-Z][a-zA-Z0-9]*$/).max(64), z.string().max(500)).default({}) })
  .strict()
const Severity = z.enum(['error', 'warning', 'info'])
/** A finding in the runbook's own words, or one of the finding catalog's kinds with its parameters. */
const Finding = z.union([
  z.object({ severity: Severity, title: Text, explain: Text, continue: Continue.optional() }).strict(),
  z
    .object({
      kind: z.string().regex(/^[a-z0-9.-]+$/).max(64),
      params: z.record(z.string().regex(/^[a-zA-Z][a-zA-Z0-9]*$/).max(64), z.string().max(500)).default({}),
      severity: Severity.optional(),
      continue: Continue.optional()
    })
    .strict()
])
const Outcome = z.object({ next: z.string().min(1).max(64), finding: Finding.optional() }).strict()

/** A check as written: its type, what passing means, an optional fail outcome, the rest are its parameters. */
const Check = z
  .object({ type: z.enum(checkTypes), expect: Text, fail: Outcome.optional() })
  .catchall(z.union([z.string().max(2000), z.number(), z.boolean()]))
  .transform((c): CheckSpec => {
    const { type, expect, fail, ...params } = c
    return { type, expect, fail, params: params as CheckSpec['params'] }
  })

const Where = z
  .union([z.enum(['master', 'workstation', 'manual', 'decide']), z.object({ node: z.string().min(1).max(200) }).strict(), z.object({ ovs: z.string().min(1).max(200) }).strict()])
  .transform((w): StepWhere => (typeof w === 'string' ? { kind: w } : 'node' in w ? { kind: 'node', node: w.node } : { kind: 'ovs', node: w.ovs }))

const Step = z
  .object({
    id: Id,
    title: Text,
    why: Text,
    where: Where,
    command: z.array(z.string().min(1).max(2000)).min(1).max(100).optional(),
    parser: z.enum(parserIds).optional(),
    mutating: z.boolean().default(false),
    sudo: z.boolean().optional(),
    checks: z.array(Check).max(50).default([]),
    pass: Outcome.optional(),
    fail: Outcome.optional(),
    skip: Outcome.optional(),
    question: Text.optional(),
    choices: z.array(z.object({ id: Id, label: Text, next: z.string().min(1).max(64), finding: Finding.optional() }).strict()).max(20).optional()
  })
  .strict()

export const RunbookSchema = z
  .object({
    id: Id,
    title: Text,
    version: z.number().int().min(1),
    section: Text,
    summary: Text,
    inputs: z
      .array(
        z
          .object({ id: z.string().regex(/^[a-zA-Z][a-zA-Z0-9]*$/), label: Text, type: z.enum(runbookInputTypes), required: z.boolean().default(true), help: z.string().max(1000).optional(), default: z.string().max(500).optional() })
          .strict()
      )
      .max(20)
      .default([]),
    steps: z.array(Step).min(1).max(200)
  })
  .strict()
  .superRefine((rb, ctx) => {
    for (const p of runbookProblems(rb as Runbook)) ctx.addIssue({ code: 'custom', message: p, path: ['steps'] })
  })
