// Commands are built from argument arrays, never by pasting text: every argument is quoted for a POSIX
// shell, so a pod name like "x; rm -rf /" or "$(id)" stays one literal argument.

const safe = /^[A-Za-z0-9_@%+=:,./-]+$/

export function shellQuote(arg: string): string {
  if (arg !== '' && safe.test(arg)) return arg
  return "'" + arg.replace(/'/g, "'\\''") + "'"
}

/** argv -> one command line for `sh -c` / an SSH exec request. */
export function commandLine(argv: readonly string[]): string {
  if (argv.length === 0) throw new Error('commandLine: empty argv')
  return argv.map(shellQuote).join(' ')
}
