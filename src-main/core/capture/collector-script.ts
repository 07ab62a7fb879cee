import { shellQuote } from '../shell/quote'
import { readOnlyProblem } from '../shell/read-only'
import { collectorFormat } from './import-map'
import { placeholdersIn, type CaptureCommand, type CaptureSet } from './capture-set'

/** Shell variables the placeholders become: on a node, the machine itself; in pod mode, the node being visited. */
const hostVars = { node: '"$HOST"', address: '"$ADDR"', ovsPod: '"$OVSPOD"', sdnPod: '"$SDNPOD"' } as const
const podVars = { node: '"$NODE"', address: '"$NODE"', ovsPod: '"$OVSPOD"', sdnPod: '"$SDNPOD"' } as const

/** One argument: literal text shell-quoted, placeholders as (double-quoted) variables, never as code. */
function scriptArg(arg: string, vars: Record<string, string>): string {
  if (placeholdersIn(arg).length === 0) return shellQuote(arg)
  return arg
    .split(/(\{(?:node|address|ovsPod|sdnPod)\})/)
    .filter((p) => p !== '')
    .map((p) => vars[p.slice(1, -1)] ?? shellQuote(p))
    .join('')
}

function runLine(c: CaptureCommand): string {
  const display = c.argv.map(shellQuote).join(' ')
  return `run ${c.id} ${c.timeoutSeconds} ${c.sudo ? 1 : 0} ${shellQuote(display)} ${c.argv.map((a) => scriptArg(a, hostVars)).join(' ')}`
}

/** In pod mode: an OVS command through the node's ovs pod, or a node-from-master command as it is. */
function podLine(c: CaptureCommand): string {
  const argv = c.ovs ? ['oc', '-n', 'openshift-sdn', 'exec', '{ovsPod}', '--', ...c.argv] : c.argv
  const needs = argv.some((a) => a.includes('{ovsPod}')) ? 'OVSPOD' : argv.some((a) => a.includes('{sdnPod}')) ? 'SDNPOD' : ''
  return `    podrun ${c.id} ${c.timeoutSeconds} ${needs || '-'} ${argv.map((a) => scriptArg(a, podVars)).join(' ')}`
}

export interface CollectorScript {
  fileName: string
  script: string
  /** Commands of the set left out, and why. */
  leftOut: string[]
}

/**
 * A POSIX sh script for a customer to run on each node without the workbench: the set's read-only
 * node commands (and, with -m on a master, its oc commands), one archive with a manifest.
 */
export function collectorScript(set: CaptureSet, opts: { generatedAt: string; version: string }): CollectorScript {
  const leftOut: string[] = []
  const why = (c: CaptureCommand): string | null => {
    if (c.argv.some((a) => /[\t\n\r]/.test(a))) return 'an argument holds a tab or line break'
    return readOnlyProblem(c.argv)
  }
  const take = (c: CaptureCommand): boolean => {
    const no = why(c)
    if (no) leftOut.push(`${c.id}: ${no}`)
    return no === null
  }
  const taken = set.commands.filter(take)
  const node = taken.filter((c) => c.on === 'node')
  const master = taken.filter((c) => c.on === 'master')
  // -p: what a master can collect for every node through the openshift-sdn pods.
  const pods = taken.filter((c) => c.on === 'node-from-master' || (c.on === 'node' && c.ovs))
  const header = [
    '#!/bin/sh',
    `# SDN Workbench collector for "${set.title.replace(/[\r\n]/g, ' ')}" (set ${set.id}, version ${set.version}), made ${opts.generatedAt} by SDN Workbench ${opts.version}.`,
    '# Every command in it only reads state. It writes one archive; send that archive back to the engineer.',
    '#',
    `# Usage: sh sdnwb-collect-${set.id}.sh [-m] [-p] [-o DIR]`,
    '#   run it as root (or as a user with passwordless sudo) on each node;',
    '#   -m      on one master (logged in with oc), also collect the cluster-wide oc outputs',
    '#   -p      on one master (3.10 and later: OVS runs in the ovs pods), also collect every node\'s OVS state',
    '#           and SDN log through its openshift-sdn pods (oc exec, oc logs)',
    '#   -o DIR  where to write the archive (default /tmp)',
    '#',
    `# Node commands: ${node.map((c) => c.id).join(', ') || 'none'}`,
    `# Master commands (-m): ${master.map((c) => c.id).join(', ') || 'none'}`,
    `# Per node through its pods (-p): ${pods.map((c) => c.id).join(', ') || 'none'}`,
    ...(leftOut.length ? [`# Left out: ${leftOut.join('; ')}`] : [])
  ]
  const body = `set -u
umask 077
OUT=/tmp
MASTER=0
PODS=0
while [ $# -gt 0 ]; do
  case $1 in
    -m) MASTER=1 ;;
    -p) PODS=1 ;;
    -o) shift; OUT=\${1:?-o needs a folder} ;;
    -h|--help) sed -n '2,14p' "$0"; exit 0 ;;
    *) echo "unknown option: $1 (see -h)" >&2; exit 2 ;;
  esac
  shift
done
HOST=$(hostname 2>/dev/null || uname -n)
SEEN=
OVSPOD=
SDNPOD=
ADDR=$(hostname -i 2>/dev/null | awk '{print $1}')
STAMP=$(date -u +%Y%m%dT%H%M%SZ)
NAME=sdnwb-$HOST-$STAMP
DIR=$OUT/$NAME
mkdir -p "$DIR" || { echo "cannot create $DIR" >&2; exit 1; }
SUDO=
if [ "$(id -u)" != 0 ]; then
  if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then SUDO="sudo -n"
  else echo "note: not root and no passwordless sudo: commands that need root will be recorded as failed" >&2; fi
fi
TIMEOUT=
command -v timeout >/dev/null 2>&1 && TIMEOUT=timeout
now() { t=$(date +%s%N 2>/dev/null); case $t in *N*|'') t=$(date +%s)000000000 ;; esac; echo "$t"; }
M=$DIR/manifest.tsv
{
  echo '# ${collectorFormat}'
  echo "# host: $HOST"
  echo "# address: $ADDR"
  echo ${shellQuote(`# set: ${set.id}`)}
  echo '# set-version: ${set.version}'
  echo "# started: $STAMP"
  echo "# user: $(id -un 2>/dev/null)"
  echo "# master: $MASTER"
  echo "# pods: $PODS"
} > "$M"
# record FILE HOST RC START END LINE: one manifest line (the host column: whose state the output is).
record() {
  printf '%s\\t%s\\t%s\\t%s\\t%s\\t%s\\n' "$1" "$3" "$4" "$5" "$2" "$6" >> "$M"
}
# run ID SECONDS NEEDS_ROOT COMMAND_LINE ARGV...: output to ID.out/ID.err, one manifest line.
run() {
  id=$1; secs=$2; root=$3; line=$4; shift 4
  pre=
  [ -n "$TIMEOUT" ] && pre="$TIMEOUT $secs"
  [ "$root" = 1 ] && [ -n "$SUDO" ] && pre="$pre $SUDO"
  s=$(now)
  $pre "$@" >"$DIR/$id.out" 2>"$DIR/$id.err" </dev/null
  rc=$?
  e=$(now)
  record "$id" "$HOST" "$rc" "$s" "$e" "$line"
  printf '  %-24s exit %s\\n' "$id" "$rc" >&2
}
# cmdline ARGV...: the words as one shell-quoted line (the data goes through sed's input, never its script).
cmdline() {
  out=
  for a in "$@"; do
    case $a in
      ''|*[!A-Za-z0-9_./:=,@%+-]*) a="'$(printf '%s' "$a" | sed "s/'/'\\\\\\\\''/g")'" ;;
    esac
    out="\${out:+$out }$a"
  done
  printf '%s' "$out"
}
# podrun ID SECONDS NEEDED_POD ARGV...: one command for node number $K ($NODE) through its pods.
podrun() {
  id=$1; secs=$2; need=$3; shift 3
  f=$id.$K
  line=$(cmdline "$@")
  case $need in
    OVSPOD) [ -n "$OVSPOD" ] || { echo "no ovs pod runs on $NODE" > "$DIR/$f.err"; : > "$DIR/$f.out"; record "$f" "$NODE" 127 "$(now)" "$(now)" "$line"; return; } ;;
    SDNPOD) [ -n "$SDNPOD" ] || { echo "no sdn pod runs on $NODE" > "$DIR/$f.err"; : > "$DIR/$f.out"; record "$f" "$NODE" 127 "$(now)" "$(now)" "$line"; return; } ;;
  esac
  pre=
  [ -n "$TIMEOUT" ] && pre="$TIMEOUT $secs"
  s=$(now)
  $pre "$@" >"$DIR/$f.out" 2>"$DIR/$f.err" </dev/null
  rc=$?
  e=$(now)
  record "$f" "$NODE" "$rc" "$s" "$e" "$line"
  printf '  %-24s %-20s exit %s\\n' "$id" "$NODE" "$rc" >&2
}
echo "collecting on $HOST into $DIR" >&2
${node.map(runLine).join('\n')}
if [ "$MASTER" = 1 ]; then
${master.map((c) => '  ' + runLine(c)).join('\n') || '  :'}
fi
if [ "$PODS" = 1 ]; then
  # The openshift-sdn pods and their nodes (the NODE column, found by its header).
  run sdn-pods 60 0 'oc -n openshift-sdn get pods -o wide' oc -n openshift-sdn get pods -o wide
  pods() { awk -v want="$1" 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == "NODE" && $(i - 1) != "NOMINATED") c = i; next } c && $1 ~ ("^" want "-") { print $1, $c }' "$DIR/sdn-pods.out"; }
  K=0
  for NODE in $(pods ovs | awk '{print $2}'; pods sdn | awk '{print $2}'); do
    case " $SEEN " in *" $NODE "*) continue ;; esac
    SEEN="\${SEEN:-} $NODE"
    K=$((K + 1))
    OVSPOD=$(pods ovs | awk -v n="$NODE" '$2 == n { print $1; exit }')
    SDNPOD=$(pods sdn | awk -v n="$NODE" '$2 == n { print $1; exit }')
${pods.map(podLine).join('\n') || '    :'}
  done
fi
if tar -C "$OUT" -czf "$OUT/$NAME.tar.gz" "$NAME"; then
  rm -rf "$DIR"
  echo "$OUT/$NAME.tar.gz"
else
  echo "tar failed: the outputs are in $DIR" >&2
  exit 1
fi
`
  return { fileName: `sdnwb-collect-${set.id}.sh`, script: header.join('\n') + '\n' + body, leftOut }
}
