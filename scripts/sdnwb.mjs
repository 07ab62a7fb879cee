#!/usr/bin/env node
// `sdnwb` (npx sdnwb …): the workbench's command line, run from the TypeScript sources through tsx.
import { register } from 'tsx/esm/api'

register()
const { runCli } = await import('../src-main/node/cli/sdnwb.ts')
process.exitCode = await runCli(process.argv.slice(2), { out: (s) => process.stdout.write(s), err: (s) => process.stderr.write(s) })
