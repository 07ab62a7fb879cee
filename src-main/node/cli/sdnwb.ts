// `sdnwb`: the command line of the workbench, the same core as the UI, for scripts and for the field.
import { readFileSync } from 'node:fs'
import { parseArgs } from 'node:util'
import { diffFlows } from '../../core/flows/diff'
import { diffFlowsText } from '../../core/flows/diff-text'
import { canonicalFlowActions, defaultPriority, type Flow } from '../../core/flows/flow'
import { withPortNumbers } from '../../core/flows/ports'
import type { Diagnostic } from '../../core/parse/diagnostics'
import { parseDumpFlows } from '../../core/parse/ovs-dump-flows'
import { parsePortDesc } from '../../core/parse/ovs-ports'
import { decodeText } from '../text'
import { appVersion } from '../version'
import { checkVerb, findingsVerb, importVerb, redactVerb, type Io } from './case-verbs'
import { reportVerb } from './report-verb'
import { traceVerb } from './trace-verb'
// Sets up the YAML reader of the core's parsers (oc get -o yaml).
import '../yaml'

const usage = `Usage: sdnwb <command> [options]

Commands:
  flows canon FILE            one canonical line per flow of FILE (dump-flows output or add-flows syntax);
                              diagnostics on stderr as FILE:LINE: severity: message
  diff-flows A B              the flows of A and B compared as ovs-ofctl diff-flows does, in its output format
                              ("-" only in A or changed, "+" only in B or changed); exit 0 same, 2 different,
                              1 error
  import CASE PATH...         imports files, folders, sosreports, must-gathers and collector archives into the
                              case (created if missing); prints each file's host, command and parser, and what
                              was left out and why
  check CASE --host NAME      Check SDN on the node's captures in the case; the findings are stored in the case;
                              exit 0 nothing found, 2 findings (warning or error), 1 error
  findings CASE               the case's findings: status, severity, title, host, note and evidence
  redact CASE -o OUT          a redacted copy of the case (every capture's addresses, MACs, host, domain and user
                              names replaced by the case's stable pseudonyms) written to the new file OUT
  trace --flows DUMP FLOW     the offline tracer: the packet FLOW (ofproto/trace's flow syntax, e.g.
                              'in_port=3,tcp,nw_src=10.129.0.2,nw_dst=172.30.0.1,tp_dst=443') through the
                              flows of DUMP (dump-flows output), printed as ofproto/trace prints it (no
                              Megaflow or Datapath actions: they are the switch's), then its verdict;
                              --batch PACKETS.jsonl --out DIR: one {"id","flow","ct_next"} per line, each
                              trace written to DIR/<id>.txt
  report CASE -o FILE         the case's report (its newest saved report, or --report ID; without one, its
                              confirmed and fixed findings and the runbook runs that found them) as HTML,
                              Markdown or PDF (PDF: headless Chromium); kept in the case when it is writable
Options:
  --json                      the data as JSON (flows canon: the flows; diff-flows: the workbench's diff with
                              counters, rates and tables)
  --host NAME                 import: the host of files that do not say; check: the node to check
  -o, --out FILE              redact: the redacted copy to write (a new file); report: the file to write
  --format html|md|pdf        report: the format (default html)
  --redact                    report: addresses, MACs and names replaced by the case's pseudonyms
  --report ID                 report: which saved report (default: the newest)
  --flows FILE                trace: the dump-flows output to trace through
  --ct-next STATE             trace: the conntrack state of the next recirculation (repeat for each:
                              trk,est,rpl); without one OVS's default trk|new
  --batch FILE                trace: packets as JSON lines
  --groups FILE               trace: the bridge's groups (ovs-ofctl dump-groups output); without it a group
                              action is reported as not modelled
  --ports FILE                diff-flows, trace: port names (in_port=NAME, output:NAME) mapped to numbers from the
                              ovs-ofctl show / dump-ports-desc output in FILE
  --across-of-versions        diff-flows: an OpenFlow 1.0 dump equals the same flows dumped with -O OpenFlow13
                              (resubmit(,N) = goto_table:N, load = set_field)
  -h, --help                  this text
  -V, --version               the version`


function readText(path: string, io: Io): string | null {
  try {
    return decodeText(readFileSync(path))
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code
    io.err(`sdnwb: cannot read ${path}: ${code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a folder' : (err as Error).message}\n`)
    return null
  }
}

function report(path: string, diagnostics: readonly Diagnostic[], io: Io): boolean {
  for (const d of diagnostics) io.err(`${path}:${d.line}: ${d.severity}: ${d.message}\n`)
  return diagnostics.some((d) => d.severity === 'error')
}

/** A flow as `ovs-ofctl dump-flows --no-stats` prints it, with the canonical match and actions. */
function canonLine(f: Flow): string {
  const parts: string[] = []
  if (f.cookie !== '0x0') parts.push(`cookie=${f.cookie}`)
  if (f.table !== 0) parts.push(`table=${f.table}`)
  if (f.more?.idleTimeout) parts.push(`idle_timeout=${f.more.idleTimeout}`)
  if (f.more?.hardTimeout) parts.push(`hard_timeout=${f.more.hardTimeout}`)
  if (f.more?.importance) parts.push(`importance=${f.more.importance}`)
  const prio = f.priority !== defaultPriority ? `priority=${f.priority}${f.matchCanon === '' ? '' : ','}` : ''
  const head = parts.length > 0 ? parts.join(', ') + ', ' : ''
  return `${head}${prio}${f.matchCanon} actions=${canonicalFlowActions(f)}`.replace(/^ /, '')
}

function flowsCanon(file: string, json: boolean, io: Io): number {
  const text = readText(file, io)
  if (text === null) return 1
  const dump = parseDumpFlows(text)
  const failed = report(file, dump.diagnostics, io)
  if (json) io.out(JSON.stringify(dump.flows.map((f) => ({ line: f.line, table: f.table, priority: f.priority, cookie: f.cookie, match: f.matchCanon, actions: canonicalFlowActions(f), packets: f.packets, bytes: f.bytes })), null, 1) + '\n')
  else for (const f of dump.flows) io.out(canonLine(f) + '\n')
  return failed ? 1 : 0
}

function portNumbers(file: string, io: Io): Map<string, number | 'LOCAL'> | null {
  const text = readText(file, io)
  if (text === null) return null
  const r = parsePortDesc(text)
  if (report(file, r.diagnostics, io) || r.records.length === 0) {
    io.err(`sdnwb: ${file} has no port list (the output of ovs-ofctl show BRIDGE or dump-ports-desc BRIDGE)\n`)
    return null
  }
  return new Map(r.records.map((p) => [p.name, p.ofport]))
}

function diffCommand(a: string, b: string, o: { json: boolean; ports: string | undefined; across: boolean }, io: Io): number {
  const ta = readText(a, io)
  const tb = readText(b, io)
  if (ta === null || tb === null) return 1
  const da = parseDumpFlows(ta)
  const db = parseDumpFlows(tb)
  // Like ovs-ofctl, a line that cannot be read makes the comparison meaningless: said, and exit 1.
  if ([report(a, da.diagnostics, io), report(b, db.diagnostics, io)].some(Boolean)) return 1
  let fa = da.flows
  let fb = db.flows
  if (o.ports) {
    const numbers = portNumbers(o.ports, io)
    if (!numbers) return 1
    fa = withPortNumbers(fa, numbers)
    fb = withPortNumbers(fb, numbers)
  }
  const d = diffFlows(fa, fb, { acrossOfVersions: o.across })
  const different = d.totals.added + d.totals.removed + d.totals.changed > 0
  io.out(o.json ? JSON.stringify({ totals: d.totals, tables: d.tables, duplicates: d.duplicates }, null, 1) + '\n' : diffFlowsText(d))
  return different ? 2 : 0
}

export async function runCli(argv: readonly string[], io: Io): Promise<number> {
  let parsed
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      strict: true,
      options: { json: { type: 'boolean' }, host: { type: 'string' }, out: { type: 'string', short: 'o' }, ports: { type: 'string' }, format: { type: 'string' }, redact: { type: 'boolean' }, report: { type: 'string' }, flows: { type: 'string' }, groups: { type: 'string' }, 'ct-next': { type: 'string', multiple: true }, batch: { type: 'string' }, 'across-of-versions': { type: 'boolean' }, help: { type: 'boolean', short: 'h' }, version: { type: 'boolean', short: 'V' } }
    })
  } catch (err) {
    io.err(`sdnwb: ${(err as Error).message}\n\n${usage}\n`)
    return 1
  }
  const { values: v, positionals: p } = parsed
  if (v.help) {
    io.out(usage + '\n')
    return 0
  }
  if (v.version) {
    io.out(`sdnwb ${appVersion()}\n`)
    return 0
  }
  const [cmd, ...rest] = p
  if (cmd === 'flows' && rest[0] === 'canon' && rest.length === 2) return flowsCanon(rest[1] as string, v.json ?? false, io)
  if (cmd === 'diff-flows' && rest.length === 2) return diffCommand(rest[0] as string, rest[1] as string, { json: v.json ?? false, ports: v.ports, across: v['across-of-versions'] ?? false }, io)
  if (cmd === 'import' && rest.length >= 2) return importVerb(rest[0] as string, rest.slice(1), { host: v.host, json: v.json ?? false }, io)
  if (cmd === 'check' && rest.length === 1) return checkVerb(rest[0] as string, { host: v.host, json: v.json ?? false }, io)
  if (cmd === 'findings' && rest.length === 1) return findingsVerb(rest[0] as string, { json: v.json ?? false }, io)
  if (cmd === 'redact' && rest.length === 1) return redactVerb(rest[0] as string, { out: v.out, json: v.json ?? false }, io)
  if (cmd === 'trace') return traceVerb(rest, { flows: v.flows, ports: v.ports, groups: v.groups, ctNext: v['ct-next'] ?? [], batch: v.batch, out: v.out, json: v.json ?? false }, io)
  if (cmd === 'report' && rest.length === 1) return reportVerb(rest[0] as string, { format: v.format, redact: v.redact ?? false, out: v.out, report: v.report, json: v.json ?? false }, io)
  io.err(`sdnwb: ${cmd === undefined ? 'no command given' : `unknown command or wrong arguments: ${p.join(' ')}`}\n\n${usage}\n`)
  return 1
}
