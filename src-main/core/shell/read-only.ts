/**
 * Whether a command only reads state, proven from its words against each allowed tool's grammar: its
 * options (which take a value, so a value never passes for a subcommand), its subcommands, how many
 * arguments they take. What it cannot prove read-only it refuses. One classifier decides what goes into
 * the collector script (run unattended at a customer's site) and which runbook steps change the cluster.
 *
 * Options are read the way getopt does: clustered short flags (-ksS), attached values (-n5, --since=2h),
 * the value as the next word, and `--` ending the options.
 */

export type ReadOnlyVerdict = { readOnly: true } | { readOnly: false; why: string }

/** Checks an option's value: null when harmless, else why not. */
type ValueCheck = (value: string) => string | null

interface Options {
  /** Options without a value. */
  flags?: readonly string[]
  /** Options with a value (next word, or attached); a check when the value itself can make it write. */
  values?: Readonly<Record<string, ValueCheck | null>>
  /** Long options whose value, if any, is attached only (--sort, --sort=field). */
  optional?: readonly string[]
}

interface Parsed {
  positionals: string[]
  problem: string | null
}

const ok: ReadOnlyVerdict = { readOnly: true }
const no = (why: string): ReadOnlyVerdict => ({ readOnly: false, why })

/**
 * Reads options and positionals. permute: options may come after positionals (GNU getopt); else the first
 * positional ends the options (what follows belongs to a subcommand, read by the caller).
 */
function parseOptions(args: readonly string[], spec: Options, permute: boolean): Parsed & { rest: string[] } {
  const flags = new Set(spec.flags ?? [])
  const values = spec.values ?? {}
  const optional = new Set(spec.optional ?? [])
  const positionals: string[] = []
  let i = 0
  /** A value option's value: attached, else the next word; why it is refused, or null. */
  const takeValue = (name: string, attached: string | null): string | null => {
    let v: string
    if (attached !== null) v = attached
    else if (i + 1 < args.length) v = args[++i] as string
    else return `${name} needs a value`
    const bad = values[name]?.(v) ?? null
    return bad ? `${name} ${v}: ${bad}` : null
  }
  const fail = (problem: string) => ({ positionals, problem, rest: [] })
  for (; i < args.length; i++) {
    const a = args[i] as string
    if (a === '--') {
      const after = args.slice(i + 1)
      return permute ? { positionals: [...positionals, ...after], problem: null, rest: [] } : { positionals, problem: null, rest: after }
    }
    if (a.startsWith('--')) {
      const eq = a.indexOf('=')
      const name = eq < 0 ? a : a.slice(0, eq)
      if ((flags.has(name) && eq < 0) || optional.has(name)) continue
      if (!(name in values)) return fail(`option ${name} is not known to be read-only`)
      const bad = takeValue(name, eq >= 0 ? a.slice(eq + 1) : null)
      if (bad) return fail(bad)
      continue
    }
    if (a.startsWith('-') && a.length > 1 && !/^-\d/.test(a)) {
      // A cluster of short options: flags, and at most one value option whose value is the rest or the next word.
      for (let j = 1; j < a.length; j++) {
        const name = `-${a[j]}`
        if (flags.has(name)) continue
        if (!(name in values)) return fail(`option ${name} is not known to be read-only`)
        const bad = takeValue(name, j + 1 < a.length ? a.slice(j + 1) : null)
        if (bad) return fail(bad)
        break
      }
      continue
    }
    if (!permute) return { positionals, problem: null, rest: args.slice(i) }
    positionals.push(a)
  }
  return { positionals, problem: null, rest: [] }
}

/** A subcommand grammar: the options it takes beyond the tool's, and how many arguments. */
interface Sub {
  options?: Options
  min?: number
  max: number
  /** Checks the arguments themselves (after options). */
  check?: (args: string[]) => string | null
}

/** The tools the workbench runs, their read-only forms; everything else is refused. */
interface Tool {
  check(args: readonly string[]): ReadOnlyVerdict
}

/** A tool with one subcommand after global options (ovs-ofctl, ovs-appctl, ovs-dpctl, brctl). */
function withSubcommands(tool: string, global: Options, subs: Readonly<Record<string, Sub>>, permute = true): Tool {
  return {
    check(args) {
      const g = parseOptions(args, global, false)
      if (g.problem) return no(`${tool}: ${g.problem}`)
      const [name, ...rest] = g.rest
      if (name === undefined) return no(`${tool}: no subcommand`)
      const sub = subs[name]
      if (!sub) return no(`${tool}: ${name} is not one of its read-only subcommands (${Object.keys(subs).join(', ')})`)
      const s = parseOptions(rest, { flags: [...(global.flags ?? []), ...(sub.options?.flags ?? [])], values: { ...global.values, ...sub.options?.values }, optional: [...(global.optional ?? []), ...(sub.options?.optional ?? [])] }, permute)
      if (s.problem) return no(`${tool} ${name}: ${s.problem}`)
      // Without permuting, the first argument ends the options: it and what follows are arguments.
      const given = [...s.positionals, ...s.rest]
      if (given.length < (sub.min ?? 0) || given.length > sub.max) {
        return no(`${tool} ${name}: takes ${sub.min ?? 0} to ${sub.max} arguments, not ${given.length}`)
      }
      const bad = sub.check?.(given) ?? null
      return bad ? no(`${tool} ${name}: ${bad}`) : ok
    }
  }
}

/** A tool that only reads whatever it is given (as long as its options are known). */
function reader(tool: string, options: Options, maxArgs = Infinity, check?: (args: string[]) => string | null): Tool {
  return {
    check(args) {
      const p = parseOptions(args, options, true)
      if (p.problem) return no(`${tool}: ${p.problem}`)
      if (p.positionals.length > maxArgs) return no(`${tool}: takes at most ${maxArgs} arguments`)
      const bad = check?.(p.positionals) ?? null
      return bad ? no(`${tool}: ${bad}`) : ok
    }
  }
}

const anyValue = null
const devNullOnly: ValueCheck = (v) => (v === '/dev/null' ? null : 'writes a file')

// ---- Open vSwitch ----

const ofctlGlobal: Options = {
  flags: ['--names', '--no-names', '--no-stats', '--stats', '--read-only', '--color', '-m', '--more', '--strict', '--readd', '--bundle', '-h', '--help', '-V', '--version'],
  values: { '-O': anyValue, '--protocols': anyValue, '-t': anyValue, '--timeout': anyValue, '-F': anyValue, '--flow-format': anyValue, '-P': anyValue, '--packet-in-format': anyValue },
  optional: ['--sort', '--rsort', '--color']
}
const sw = (max = 1): Sub => ({ min: 1, max })
const ofctl = withSubcommands('ovs-ofctl', ofctlGlobal, {
  show: sw(),
  'dump-desc': sw(),
  'dump-tables': sw(),
  'dump-table-features': sw(2),
  'dump-table-desc': sw(),
  'get-frags': sw(),
  'dump-ports': sw(2),
  'dump-ports-desc': sw(2),
  'dump-flows': sw(2),
  'dump-aggregate': sw(2),
  'queue-stats': sw(3),
  'queue-get-config': sw(3),
  'dump-group-features': sw(),
  'dump-groups': sw(2),
  'dump-group-stats': sw(2),
  'meter-features': sw(),
  'dump-meters': sw(2),
  'meter-stats': sw(2),
  'dump-tlv-map': sw(),
  'dump-ipfix-bridge': sw(),
  'dump-ipfix-flow': sw(),
  'diff-flows': { min: 2, max: 2 }
})

const vsctlGlobal: Options = {
  flags: ['--no-wait', '--no-syslog', '--oneline', '--dry-run', '--bare', '--no-headings', '-d', '--pretty', '--retry', '-v', '--verbose', '-h', '--help', '-V', '--version'],
  values: { '-f': anyValue, '--format': anyValue, '--data': anyValue, '--columns': anyValue, '-t': anyValue, '--timeout': anyValue, '--db': anyValue }
}
/** ovs-vsctl's read-only commands and how many arguments each takes. */
const vsctlReads: Readonly<Record<string, Sub>> = {
  show: { max: 0 },
  'list-br': { max: 0 },
  'br-exists': { min: 1, max: 1 },
  'br-to-vlan': { min: 1, max: 1 },
  'br-to-parent': { min: 1, max: 1 },
  'br-get-external-id': { min: 1, max: 2 },
  'list-ports': { min: 1, max: 1 },
  'list-ifaces': { min: 1, max: 1 },
  'port-to-br': { min: 1, max: 1 },
  'iface-to-br': { min: 1, max: 1 },
  'get-controller': { min: 1, max: 1 },
  'get-fail-mode': { min: 1, max: 1 },
  'get-manager': { max: 0 },
  'get-ssl': { max: 0 },
  'get-aa-mapping': { min: 1, max: 1 },
  list: { min: 1, max: Infinity, options: { values: { '--columns': anyValue } } },
  find: { min: 1, max: Infinity, options: { values: { '--columns': anyValue } } },
  get: { min: 2, max: Infinity, options: { flags: ['--if-exists'] } },
  // wait-until only waits; comment changes nothing.
  'wait-until': { min: 2, max: Infinity },
  comment: { max: Infinity }
}

/** ovs-vsctl runs every command of `cmd1 -- cmd2 -- …`: each must be a read. */
const vsctl: Tool = {
  check(args) {
    const g = parseOptions(args, vsctlGlobal, false)
    if (g.problem) return no(`ovs-vsctl: ${g.problem}`)
    const segments: string[][] = [[]]
    for (const a of g.rest) {
      if (a === '--') segments.push([])
      else (segments[segments.length - 1] as string[]).push(a)
    }
    const commands = segments.filter((s) => s.length > 0)
    if (commands.length === 0) return no('ovs-vsctl: no command')
    for (const seg of commands) {
      const o = parseOptions(seg, { flags: vsctlGlobal.flags ?? [], values: vsctlGlobal.values ?? {} }, false)
      if (o.problem) return no(`ovs-vsctl: ${o.problem}`)
      const [name, ...rest] = o.rest
      const sub = name === undefined ? undefined : vsctlReads[name]
      if (!name || !sub) return no(`ovs-vsctl: ${name ?? '(nothing)'} is not one of its read-only commands (show, list, get, find, list-br, …)`)
      const s = parseOptions(rest, sub.options ?? {}, false)
      if (s.problem) return no(`ovs-vsctl ${name}: ${s.problem}`)
      const n = s.rest.length
      if (n < (sub.min ?? 0) || n > sub.max) return no(`ovs-vsctl ${name}: takes ${sub.min ?? 0} to ${sub.max} arguments, not ${n}`)
      // get TABLE REC COL:KEY... : "col=value" would be a set.
      if ((name === 'get' || name === 'list') && s.rest.some((x) => x.includes('='))) return no(`ovs-vsctl ${name}: an argument with "=" is not a read`)
    }
    return ok
  }
}

const appctlGlobal: Options = { values: { '-t': anyValue, '--target': anyValue, '-T': anyValue, '--timeout': anyValue }, flags: ['-h', '--help', '-V', '--version'] }
/** ofproto/trace only simulates, unless -generate makes it run the actions (learn, for one, writes flows). */
const trace: Sub = {
  min: 1,
  max: 4,
  options: { flags: ['--consistent', '--names', '--no-names'], values: { '--ct-next': anyValue } },
  check: (a) => (a.some((x) => /^--?generate$/.test(x)) ? '-generate executes the actions' : null)
}
const appctl = withSubcommands(
  'ovs-appctl',
  appctlGlobal,
  {
    'ofproto/trace': trace,
    'ofproto/trace-packet-out': trace,
    'ofproto/list': { max: 0 },
    'dpif/show': { max: 0 },
    'dpif/dump-dps': { max: 0 },
    'dpif/dump-flows': { min: 1, max: 1, options: { flags: ['-m', '--more', '--names', '--no-names'] } },
    'dpif/show-dp-features': { min: 1, max: 1 },
    'dpctl/show': { max: 1, options: { flags: ['-s', '--statistics'] } },
    'dpctl/dump-flows': { max: 2, options: { flags: ['-m', '--more', '--names', '--no-names'] } },
    'dpctl/dump-conntrack': { max: 2, options: { flags: ['-m', '--more', '-s', '--statistics'], values: { '--zone': anyValue } } },
    'dpctl/ct-stats-show': { max: 1 },
    'vlog/list': { max: 0 },
    'bond/show': { max: 1 },
    'lacp/show': { max: 1 },
    'fdb/show': { min: 1, max: 1 },
    'mdb/show': { min: 1, max: 1 },
    'coverage/show': { max: 0 },
    'memory/show': { max: 0 },
    'upcall/show': { max: 0 },
    'ovs/route/show': { max: 0 },
    'tnl/ports/show': { max: 0 },
    'tnl/neigh/show': { max: 0 },
    'dpif-netdev/pmd-stats-show': { max: 0 },
    'dpif-netdev/pmd-rxq-show': { max: 0 },
    'list-commands': { max: 0 },
    version: { max: 0 }
  },
  false
)
const dpctl = withSubcommands(
  'ovs-dpctl',
  { flags: ['-s', '--statistics', '-m', '--more', '--names', '--no-names'] },
  { show: { max: 1 }, 'dump-dps': { max: 0 }, 'dump-flows': { max: 2 }, 'dump-conntrack': { max: 2 }, 'ct-stats-show': { max: 1 } }
)

// ---- Linux networking ----

/** ip's objects (any unambiguous prefix, as ip reads them) and the verbs that only show. */
const ipObjects: readonly [string, readonly string[]][] = [
  ['address', ['show', 'list', 'lst', 'showdump']],
  ['route', ['show', 'list', 'lst', 'get']],
  ['link', ['show', 'list', 'lst']],
  ['neighbor', ['show', 'list', 'lst']],
  ['neighbour', ['show', 'list', 'lst']],
  ['rule', ['show', 'list', 'lst']],
  ['maddress', ['show', 'list', 'lst']],
  ['tunnel', ['show', 'list', 'lst']],
  ['netns', ['list', 'list-id', 'identify', 'pids']],
  ['monitor', []]
]
const ipGlobal: Options = {
  flags: ['-d', '-details', '-s', '-stats', '-statistics', '-o', '-oneline', '-j', '-json', '-p', '-pretty', '-4', '-6', '-br', '-brief', '-c', '-color', '-r', '-resolve', '-a', '-all', '-h', '-human', '-iec', '-t', '-timestamp', '-ts'],
  values: { '-f': anyValue, '-family': anyValue, '-n': anyValue, '-netns': anyValue, '-l': anyValue, '-loops': anyValue }
}

function ipObject(word: string): readonly [string, readonly string[]] | null {
  // The one-letter forms ip itself resolves: a = address, r = route, l = link, n = neighbor.
  const first: Record<string, string> = { a: 'address', r: 'route', l: 'link', n: 'neighbor', addr: 'address', neigh: 'neighbor', maddr: 'maddress' }
  const name = first[word] ?? word
  return ipObjects.find(([o]) => o === name || (name.length >= 2 && o.startsWith(name))) ?? null
}

const ip: Tool = {
  check(args) {
    // ip's options are single-dash words (-details, -n NS), read before the object.
    let i = 0
    const flags = new Set(ipGlobal.flags)
    const values = ipGlobal.values ?? {}
    for (; i < args.length; i++) {
      const a = args[i] as string
      if (!a.startsWith('-')) break
      const name = a.replace(/^--/, '-')
      if (flags.has(name)) continue
      if (name in values) {
        i++
        continue
      }
      return no(`ip: option ${a} is not known to be read-only`)
    }
    const [objWord, verb, ...rest] = args.slice(i)
    if (objWord === undefined) return no('ip: no object')
    const obj = ipObject(objWord)
    if (!obj) return no(`ip: ${objWord} is not an object it only reads`)
    const [name, verbs] = obj
    if (name === 'netns' && verb === 'exec') {
      const [, ...inner] = rest
      return rest.length < 2 ? no('ip netns exec: no command') : inside('ip netns exec', inner)
    }
    if (verb === undefined) return name === 'monitor' ? no('ip monitor: waits forever') : ok
    if (verb === 'help') return ok
    // "ip route 10.0.0.0/8" is not a verb: ip takes an unknown word as an error, never as a change.
    return verbs.includes(verb) ? ok : no(`ip ${name} ${verb}: only ${verbs.join(', ') || 'nothing'} read`)
  }
}

const sysctl = reader(
  'sysctl',
  { flags: ['-a', '--all', '-A', '-X', '-n', '--values', '-N', '--names', '-e', '--ignore', '-b', '--binary', '-h', '--help', '-V', '--version'], values: { '-r': anyValue, '--pattern': anyValue } },
  Infinity,
  (names) => (names.some((n) => n.includes('=')) ? 'NAME=VALUE writes a setting' : null)
)

const ethtoolShows = ['-i', '--driver', '-k', '--show-features', '--show-offload', '-S', '--statistics', '-a', '--show-pause', '-g', '--show-ring', '-c', '--show-coalesce', '-l', '--show-channels', '-P', '--show-permaddr', '-T', '--show-time-stamping', '--show-eee', '--show-fec', '--show-priv-flags', '-d', '--register-dump', '-e', '--eeprom-dump', '-m', '--dump-module-eeprom', '--module-info', '-x', '--show-rxfh-indir', '--show-rxfh', '-n', '-u', '--show-nfc', '--show-ntuple']
const ethtool: Tool = {
  check(args) {
    const words = args.filter((a) => a !== '--json' && a !== '-h' && a !== '--human-readable')
    if (words.length === 1 && !(words[0] as string).startsWith('-')) return ok
    const [opt, dev, ...rest] = words
    if (!opt || !ethtoolShows.includes(opt)) return no(`ethtool: ${opt ?? '(nothing)'} is not one of its show options`)
    if (!dev || dev.startsWith('-')) return no(`ethtool ${opt}: no device`)
    // -d/-e/-m take "raw on", "offset N" style arguments that only shape the dump; nothing else may follow.
    if (rest.length > 0 && !['-d', '--register-dump', '-e', '--eeprom-dump', '-m', '--dump-module-eeprom', '--module-info', '-S', '--statistics'].includes(opt)) {
      return no(`ethtool ${opt}: ${rest.join(' ')} after the device`)
    }
    return ok
  }
}

const iptablesSave = reader('iptables-save', { flags: ['-c', '--counters', '-h', '--help', '-V', '--version'], values: { '-t': anyValue, '--table': anyValue } }, 0)

// ---- the cluster ----

const ocGlobal: Options = {
  flags: ['--insecure-skip-tls-verify', '-h', '--help'],
  values: {
    '-n': anyValue,
    '--namespace': anyValue,
    '--context': anyValue,
    '--cluster': anyValue,
    '--config': anyValue,
    '--kubeconfig': anyValue,
    '-s': anyValue,
    '--server': anyValue,
    '--token': anyValue,
    '--request-timeout': anyValue,
    '--loglevel': anyValue,
    '-v': anyValue,
    '--v': anyValue,
    '--certificate-authority': anyValue,
    '--user': anyValue
  }
}
const ocGetOptions: Options = {
  flags: ['--all-namespaces', '-A', '--show-labels', '--no-headers', '-w', '--watch', '--show-kind', '--export', '--ignore-not-found', '--raw'],
  values: { '-o': anyValue, '--output': anyValue, '-l': anyValue, '--selector': anyValue, '--field-selector': anyValue, '--sort-by': anyValue, '-L': anyValue, '--label-columns': anyValue, '--template': anyValue, '--chunk-size': anyValue }
}
const ocLogsOptions: Options = {
  flags: ['-f', '--follow', '-p', '--previous', '--timestamps', '--all-containers'],
  values: { '-c': anyValue, '--container': anyValue, '--since': anyValue, '--since-time': anyValue, '--tail': anyValue, '--limit-bytes': anyValue, '-l': anyValue, '--selector': anyValue }
}

function oc(tool: string): Tool {
  return {
    check(args) {
      const g = parseOptions(args, ocGlobal, false)
      if (g.problem) return no(`${tool}: ${g.problem}`)
      const [verb, ...rest] = g.rest
      const merged = (o: Options): Options => ({ flags: [...(ocGlobal.flags ?? []), ...(o.flags ?? [])], values: { ...ocGlobal.values, ...o.values } })
      const read = (o: Options, max = Infinity): ReadOnlyVerdict => {
        const p = parseOptions(rest, merged(o), true)
        if (p.problem) return no(`${tool} ${verb}: ${p.problem}`)
        return p.positionals.length > max ? no(`${tool} ${verb}: too many arguments`) : ok
      }
      switch (verb) {
        case 'get':
          return read(ocGetOptions)
        case 'describe':
          return read({ flags: ['--all-namespaces', '-A', '--show-events'], values: { '-l': anyValue, '--selector': anyValue } })
        case 'logs':
          return read(ocLogsOptions, 2)
        case 'version':
        case 'whoami':
        case 'api-resources':
        case 'api-versions':
        case 'explain':
          return read({ flags: ['--short', '--client', '-t', '--show-token', '--show-server', '--recursive'], values: { '-o': anyValue, '--output': anyValue } }, 1)
        case 'exec':
        case 'rsh': {
          // oc exec POD [-c C] -- CMD…: read-only when CMD is.
          const p = parseOptions(rest, merged({ flags: ['-q', '--quiet'], values: { '-c': anyValue, '--container': anyValue, '--pod-running-timeout': anyValue } }), false)
          if (p.problem) return no(`${tool} ${verb}: ${p.problem}`)
          const after = p.rest
          const dashes = after.indexOf('--')
          const pod = after[0]
          const cmd = dashes >= 0 ? after.slice(dashes + 1) : after.slice(1)
          if (pod === undefined || (dashes >= 0 && dashes !== 1)) return no(`${tool} ${verb}: expected POD -- COMMAND`)
          return cmd.length === 0 ? no(`${tool} ${verb}: an interactive shell`) : inside(`${tool} ${verb}`, cmd)
        }
        case 'adm': {
          const [sub, ...more] = rest
          if (sub === 'manage-node' && more.includes('--list-pods') && !more.some((a) => /^--(schedulable|evacuate|drain)/.test(a))) return ok
          if (sub === 'top') return ok
          return no(`${tool} adm ${sub ?? ''}: only manage-node --list-pods and top read`.replace(/ +:/, ':'))
        }
        default:
          return no(`${tool}: ${verb ?? '(nothing)'} is not one of its read-only verbs (get, describe, logs, exec of a read-only command)`)
      }
    }
  }
}

// ---- plain readers ----

const journalctl = reader('journalctl', {
  flags: ['--no-pager', '-b', '-k', '--dmesg', '-x', '--catalog', '-a', '--all', '-q', '--quiet', '--utc', '-r', '--reverse', '-e', '--pager-end', '--system', '--user', '-m', '--merge', '--no-hostname', '--no-full', '-l', '--full', '--list-boots', '--disk-usage', '-f', '--follow', '--header', '-h', '--help', '--version'],
  values: {
    '-u': anyValue, '--unit': anyValue, '-S': anyValue, '--since': anyValue, '-U': anyValue, '--until': anyValue, '-n': anyValue, '--lines': anyValue,
    '-o': anyValue, '--output': anyValue, '-p': anyValue, '--priority': anyValue, '-t': anyValue, '--identifier': anyValue, '-g': anyValue, '--grep': anyValue,
    '-D': anyValue, '--directory': anyValue, '--file': anyValue, '-M': anyValue, '--machine': anyValue, '-F': anyValue, '--field': anyValue, '--output-fields': anyValue
  },
  optional: ['--boot']
}, Infinity, (matches) => matches.some((m) => !/^[A-Z_][A-Z0-9_]*=|^\+$|^\/|^-?\d+$|^[0-9a-f]{32}$/.test(m)) ? `${matches.join(' ')}: not a journal match` : null)

const tail = reader('tail', { flags: ['-f', '-F', '--follow', '-q', '--quiet', '--silent', '-v', '--verbose', '-z', '--zero-terminated', '--retry'], values: { '-n': anyValue, '--lines': anyValue, '-c': anyValue, '--bytes': anyValue, '-s': anyValue, '--sleep-interval': anyValue, '--pid': anyValue } })
const cat = reader('cat', { flags: ['-A', '-b', '-e', '-E', '-n', '-s', '-t', '-T', '-u', '-v', '--show-all', '--number-nonblank', '--show-ends', '--number', '--squeeze-blank', '--show-tabs', '--show-nonprinting'] })
const hostname = reader('hostname', { flags: ['-f', '--fqdn', '--long', '-s', '--short', '-i', '--ip-address', '-I', '--all-ip-addresses', '-d', '--domain', '-A', '--all-fqdns', '-a', '--alias', '-y', '--yp', '--nis'] }, 0)
const dateTool = reader(
  'date',
  { flags: ['-u', '--utc', '--universal', '-R', '--rfc-email'], values: { '-d': anyValue, '--date': anyValue, '-r': anyValue, '--reference': anyValue, '--rfc-3339': anyValue }, optional: ['--iso-8601', '-I'] },
  1,
  // "date +%s" formats; any other word ("date 010100002030") sets the clock.
  (a) => (a.length === 1 && !(a[0] as string).startsWith('+') ? `${a[0]} would set the clock` : null)
)
const uname = reader('uname', { flags: ['-a', '--all', '-s', '-n', '-r', '-v', '-m', '-p', '-i', '-o', '--kernel-name', '--nodename', '--kernel-release', '--kernel-version', '--machine', '--processor', '--hardware-platform', '--operating-system'] }, 0)
const echo = reader('echo', { flags: ['-n', '-e', '-E'] })
const printf = reader('printf', {})
const trueTool = reader('true', {})
const brctl = withSubcommands('brctl', {}, { show: { max: 1 }, showmacs: { min: 1, max: 1 }, showstp: { min: 1, max: 1 } })
const getent = reader('getent', { flags: ['-i', '--no-idn'], values: { '-s': anyValue, '--service': anyValue } }, Infinity, (a) => (a.length === 0 ? 'no database' : null))
const ping = reader('ping', { flags: ['-n', '-q', '-4', '-6', '-D', '-O', '-v', '-a', '-A'], values: { '-c': anyValue, '-W': anyValue, '-w': anyValue, '-i': anyValue, '-s': anyValue, '-M': anyValue, '-I': anyValue, '-t': anyValue, '-Q': anyValue } }, 1, (a) => (a.length === 0 ? 'no destination' : null))
const tracepath = reader('tracepath', { flags: ['-n', '-b', '-4', '-6'], values: { '-l': anyValue, '-m': anyValue, '-p': anyValue } }, 2, (a) => (a.length === 0 ? 'no destination' : null))
/** curl, for GET and HEAD only: no method, body, upload, output file or config file. */
const curl = reader(
  'curl',
  {
    flags: ['-k', '--insecure', '-s', '--silent', '-S', '--show-error', '-v', '--verbose', '-I', '--head', '-L', '--location', '-f', '--fail', '-4', '-6', '-i', '--include', '-N', '--no-buffer', '--http1.1', '--http2', '-g', '--globoff', '--compressed', '--no-progress-meter', '-#', '--progress-bar'],
    values: {
      '-m': anyValue, '--max-time': anyValue, '--connect-timeout': anyValue, '-w': anyValue, '--write-out': anyValue, '-H': anyValue, '--header': anyValue,
      '-o': devNullOnly, '--output': devNullOnly, '--resolve': anyValue, '--connect-to': anyValue, '--cacert': anyValue, '--capath': anyValue, '-A': anyValue,
      '--user-agent': anyValue, '--retry': anyValue, '--retry-delay': anyValue, '--interface': anyValue, '--noproxy': anyValue
    }
  },
  Infinity,
  (urls) => urls.find((u) => !/^(https?|telnet):\/\//i.test(u)) ?? (urls.length === 0 ? 'no URL' : null)
)

/** A command run by another one (sudo, timeout, oc exec, ip netns exec): read-only when it is. */
function inside(outer: string, argv: readonly string[]): ReadOnlyVerdict {
  const v = classifyCommand(argv)
  return v.readOnly ? v : no(`${outer}: ${v.why}`)
}

const wrappers: Readonly<Record<string, (args: readonly string[]) => ReadOnlyVerdict>> = {
  sudo: (args) => {
    const p = parseOptions(args, { flags: ['-n', '--non-interactive', '-E', '-H'], values: { '-u': anyValue, '--user': anyValue, '-g': anyValue, '--group': anyValue } }, false)
    return p.problem ? no(`sudo: ${p.problem}`) : p.rest.length === 0 ? no('sudo: no command') : inside('sudo', p.rest)
  },
  timeout: (args) => {
    const p = parseOptions(args, { flags: ['--preserve-status', '--foreground', '-v', '--verbose'], values: { '-s': anyValue, '--signal': anyValue, '-k': anyValue, '--kill-after': anyValue } }, false)
    const [duration, ...cmd] = p.rest
    if (p.problem) return no(`timeout: ${p.problem}`)
    return !duration || !/^\d+(\.\d+)?[smhd]?$/.test(duration) || cmd.length === 0 ? no('timeout: expected DURATION COMMAND') : inside('timeout', cmd)
  },
  chroot: (args) => (args.length < 2 || (args[0] as string).startsWith('-') ? no('chroot: expected DIR COMMAND') : inside('chroot', args.slice(1)))
}

const tools: Readonly<Record<string, Tool>> = {
  'ovs-ofctl': ofctl,
  'ovs-vsctl': vsctl,
  'ovs-appctl': appctl,
  'ovs-dpctl': dpctl,
  ip,
  sysctl,
  ethtool,
  'iptables-save': iptablesSave,
  'ip6tables-save': iptablesSave,
  oc: oc('oc'),
  kubectl: oc('kubectl'),
  journalctl,
  tail,
  cat,
  hostname,
  date: dateTool,
  uname,
  echo,
  printf,
  true: trueTool,
  brctl,
  getent,
  ping,
  tracepath,
  curl
}

/** Where a tool named by its path may live: the system's own folders, never a copy elsewhere. */
const systemDirs = ['/usr/bin/', '/bin/', '/usr/sbin/', '/sbin/', '/usr/local/bin/', '/usr/local/sbin/']

/** The read-only verdict of one command (an argument vector, as it will run). */
export function classifyCommand(argv: readonly string[]): ReadOnlyVerdict {
  const [program, ...args] = argv
  if (program === undefined || program === '') return no('no command')
  let name = program
  if (program.includes('/')) {
    const dir = systemDirs.find((d) => program.startsWith(d) && !program.slice(d.length).includes('/'))
    if (!dir) return no(`${program}: a program outside the system's folders`)
    name = program.slice(dir.length)
  }
  const wrap = wrappers[name]
  if (wrap) return wrap(args)
  const tool = Object.hasOwn(tools, name) ? tools[name] : undefined
  if (!tool) return no(`${name}: not known to be read-only`)
  return tool.check(args)
}

/** Why a command is not proven read-only, or null when it is. */
export function readOnlyProblem(argv: readonly string[]): string | null {
  const v = classifyCommand(argv)
  return v.readOnly ? null : v.why
}
