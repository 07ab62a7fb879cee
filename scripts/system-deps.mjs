// System packages the test suite needs, checked before any test runs. On Debian as root they are
// installed with apt-get; elsewhere the run stops with the exact command to run. Nothing is skipped.
import { execFileSync, spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'

/** What the tests use, by the file that proves it is there, and the Debian package providing it. */
export const systemDeps = [
  { file: '/usr/bin/chromium', pkg: 'chromium', why: 'end-to-end tests drive the UI in Chromium' },
  { file: '/usr/bin/ovs-ofctl', pkg: 'openvswitch-switch', why: 'the flow diff is checked against the real ovs-ofctl diff-flows' },
  { file: '/usr/sbin/sshd', pkg: 'openssh-server', why: 'the lab runs real sshd on loopback and in namespaces' },
  { file: '/usr/bin/ssh-keygen', pkg: 'openssh-client', why: 'the lab generates host and client keys; ssh-agent for agent auth' },
  { file: '/usr/bin/sudo', pkg: 'sudo', why: 'sudo -n on lab nodes (and its password-required error)' },
  { file: '/usr/sbin/iptables-save', pkg: 'iptables', why: 'lab nodes carry openshift-sdn-style iptables rules' },
  { file: '/usr/bin/ip', pkg: 'iproute2', why: 'the lab creates network namespaces and veths' },
  { file: '/usr/bin/unshare', pkg: 'util-linux', why: 'each lab sshd gets a private /run' },
  { file: '/usr/bin/ping', pkg: 'iputils-ping', why: 'the node-to-node runbook pings between lab nodes' },
  { file: '/usr/bin/tracepath', pkg: 'iputils-tracepath', why: 'the node-to-node runbook traces the path between lab nodes' },
  { file: '/usr/sbin/ethtool', pkg: 'ethtool', why: 'the node-to-node runbook reads the link of the node interface' },
  { file: '/usr/bin/pdftotext', pkg: 'poppler-utils', why: 'report PDFs are read back as text (pdftotext, pdfinfo) and PNG pages (pdftoppm)' }
]

export function ensureSystemDeps(deps = systemDeps) {
  const missing = deps.filter((d) => !existsSync(d.file))
  if (missing.length === 0) return
  const pkgs = [...new Set(missing.map((d) => d.pkg))]
  const command = `apt-get update && apt-get install -y --no-install-recommends ${pkgs.join(' ')}`
  const isRoot = process.getuid?.() === 0
  const isDebian = existsSync('/etc/debian_version') && existsSync('/usr/bin/apt-get')
  for (const d of missing) process.stderr.write(`missing ${d.file} (package ${d.pkg}): ${d.why}\n`)
  if (!isRoot || !isDebian) {
    process.stderr.write(`\nInstall them first, then run npm test again:\n  sudo sh -c '${command}'\n`)
    process.exit(1)
  }
  process.stderr.write(`Installing ${pkgs.join(', ')} with apt-get…\n`)
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' }
  for (const args of [['update', '-qq'], ['install', '-y', '-qq', '--no-install-recommends', ...pkgs]]) {
    const r = spawnSync('apt-get', args, { stdio: ['ignore', 'inherit', 'inherit'], env })
    if (r.status !== 0) {
      process.stderr.write(`apt-get ${args.join(' ')} failed (exit ${r.status}). Run it by hand: ${command}\n`)
      process.exit(1)
    }
  }
  const still = deps.filter((d) => !existsSync(d.file))
  if (still.length > 0) {
    process.stderr.write(`Still missing after apt-get: ${still.map((d) => d.file).join(', ')}\n`)
    process.exit(1)
  }
}

/** better-sqlite3 may have been rebuilt for Electron by `npm start`; rebuild it for Node if so. */
export function ensureNodeSqlite() {
  const probe = spawnSync(process.execPath, ['-e', "new (require('better-sqlite3'))(':memory:').close()"], { encoding: 'utf8' })
  if (probe.status === 0) return
  process.stderr.write('better-sqlite3 is not built for this Node (maybe for Electron); rebuilding it…\n')
  execFileSync('npm', ['rebuild', 'better-sqlite3'], { stdio: 'inherit' })
}
