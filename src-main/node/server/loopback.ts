import { isIP } from 'node:net'

/** True for 127.0.0.0/8, ::1 and IPv4-mapped loopback (::ffff:127.x.y.z). */
export function isLoopbackAddress(addr: string | undefined): boolean {
  if (!addr) return false
  const a = addr.startsWith('::ffff:') ? addr.slice(7) : addr
  if (isIP(a) === 4) return a.startsWith('127.')
  return a === '::1'
}

/** The listen addresses browser mode accepts: loopback only, never a wildcard. */
export function isLoopbackHost(host: string): boolean {
  return host === 'localhost' || isLoopbackAddress(host)
}

/**
 * A Host header is accepted only when it names this server on a loopback name: this blocks DNS
 * rebinding, where a web page on evil.example resolves its name to 127.0.0.1.
 */
export function isAllowedHostHeader(hostHeader: string | undefined, port: number): boolean {
  if (!hostHeader) return false
  const allowed = [`127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`]
  return allowed.includes(hostHeader.toLowerCase())
}
