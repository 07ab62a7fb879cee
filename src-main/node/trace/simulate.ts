// An offline runbook step that reads an ofproto/trace, on a case without a saved trace of that packet: the offline
// tracer runs the step's packet through the node's newest saved br0 dump, and the result is kept as a capture
// marked simulated (its origin names the dump), so the step is checked — and its evidence read — like a real trace.
import { parseOf, type NewCapture } from '../store/capture-store'
import { parseCapture } from '../../core/capture/parsed-view'
import { parsedAs } from '../../core/parse/registry'
import { printTrace } from '../../core/trace/print'
import { FlowTables, packetFromFlow, trace } from '../../core/trace/tracer'
import { commandLine } from '../../core/shell/quote'
import { hostPorts, withHostPortNumbers } from '../capture/flow-knowledge'
import type { CaseDb } from '../store/case-db'
import { dumpForTrace, groupsOf } from './case-dumps'

/** The packet and options of an `ovs-appctl ofproto/trace br0 FLOW [--ct-next S]...` command line, or null. */
export function traceCommand(argv: readonly string[]): { bridge: string; flow: string; ctNext: string[] } | null {
  const i = argv.indexOf('ofproto/trace')
  if (i < 0 || !/(^|\/)ovs-appctl$/.test(argv[0] ?? '') && !argv.slice(0, i).some((a) => /(^|\/)ovs-appctl$/.test(a))) return null
  const rest = argv.slice(i + 1)
  const ctNext: string[] = []
  const words: string[] = []
  for (let j = 0; j < rest.length; j++) {
    if (rest[j] === '--ct-next' && rest[j + 1] !== undefined) ctNext.push(rest[++j] as string)
    else if (!(rest[j] as string).startsWith('--')) words.push(rest[j] as string)
  }
  if (words.length !== 2) return null
  return { bridge: words[0] as string, flow: words[1] as string, ctNext }
}


/** The simulated trace of the step's command as a capture to save, or null when the case has no dump to trace on. */
export function simulatedTraceCapture(db: CaseDb, argv: readonly string[], hostName: string | null, title: string, commandId: string): NewCapture | null {
  const cmd = traceCommand(argv)
  if (!cmd) return null
  const dump = dumpForTrace(db, hostName, cmd.bridge)
  if (!dump) return null
  const flows = withHostPortNumbers(db, dump.hostName, parsedAs(parseCapture(dump.command, db.captures.text(dump.id), dump.parserId), 'ovs-ofctl.dump-flows')?.flows ?? [])
  const { packet, problems } = packetFromFlow(cmd.flow, new Map(hostPorts(db, dump.hostName).map((p) => [p.name, p.ofport])))
  const text = problems.length ? `ovs-appctl: the packet cannot be traced: ${problems.join('; ')}\n` : printTrace(trace(new FlowTables(flows), packet, { ctNext: cmd.ctNext, groups: groupsOf(db, dump.hostName) }), cmd.bridge, { simulatedDatapath: true })
  const command = commandLine(argv)
  const parsed = parseCapture(command, text, 'ovs-appctl.ofproto-trace')
  return {
    runId: null,
    hostId: dump.hostId,
    hostName: dump.hostName,
    viaHostName: null,
    commandId,
    title: `Simulated: ${title}`,
    command,
    source: 'imported',
    origin: `simulated by the offline tracer on capture #${dump.id} (${dump.hostName} · ${dump.command} · ${dump.startedAt})`,
    startedAt: new Date().toISOString(),
    durationMs: 0,
    status: problems.length ? 'failed' : 'ok',
    exitCode: problems.length ? 2 : 0,
    signal: null,
    errorKind: null,
    error: null,
    stdout: text,
    stderr: '',
    truncated: false,
    parse: parseOf(parsed)
  }
}
