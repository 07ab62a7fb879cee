import { diag, splitLines, type Diagnostic } from './diagnostics'

export interface VsctlInterface {
  line: number
  name: string
  type: string | null
  options: Record<string, string>
  error: string | null
  other: Record<string, string>
}

export interface VsctlPort {
  line: number
  name: string
  tag: string | null
  interfaces: VsctlInterface[]
}

export interface VsctlBridge {
  line: number
  name: string
  failMode: string | null
  datapathType: string | null
  controllers: string[]
  ports: VsctlPort[]
}

export interface VsctlShow {
  uuid: string | null
  managers: string[]
  bridges: VsctlBridge[]
  ovsVersion: string | null
  diagnostics: Diagnostic[]
}

const unquote = (s: string) => (s.length >= 2 && s.startsWith('"') && s.endsWith('"') ? s.slice(1, -1) : s)

/** `{dst_port="4789", key=flow, remote_ip=flow}` -> record. */
export function parseOvsdbMapText(text: string): Record<string, string> {
  const inner = text.trim().replace(/^\{/, '').replace(/\}$/, '')
  const out: Record<string, string> = {}
  const re = /\s*("(?:[^"\\]|\\.)*"|[^=,\s]+)=("(?:[^"\\]|\\.)*"|[^,]*)\s*(?:,|$)/g
  for (const m of inner.matchAll(re)) if (m[1]) out[unquote(m[1])] = unquote((m[2] ?? '').trim())
  return out
}

/** `ovs-vsctl show`: the bridge/port/interface tree (names quoted or not, as 2.9 and 3.x print them). */
export function parseVsctlShow(text: string): VsctlShow {
  const out: VsctlShow = { uuid: null, managers: [], bridges: [], ovsVersion: null, diagnostics: [] }
  let bridge: VsctlBridge | null = null
  let port: VsctlPort | null = null
  let iface: VsctlInterface | null = null
  splitLines(text).forEach((raw, i) => {
    const line = i + 1
    const t = raw.trim()
    if (t === '' || t.startsWith('#')) return
    const indent = raw.length - raw.trimStart().length
    if (indent === 0 && /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(t)) {
      out.uuid = t
      return
    }
    let m: RegExpExecArray | null
    if ((m = /^Bridge\s+(.+)$/.exec(t))) {
      bridge = { line, name: unquote(m[1] as string), failMode: null, datapathType: null, controllers: [], ports: [] }
      out.bridges.push(bridge)
      port = null
      iface = null
      return
    }
    if ((m = /^Port\s+(.+)$/.exec(t))) {
      if (!bridge) return void out.diagnostics.push(diag(line, 'error', 'Port outside a Bridge', raw))
      port = { line, name: unquote(m[1] as string), tag: null, interfaces: [] }
      ;(bridge as VsctlBridge).ports.push(port)
      iface = null
      return
    }
    if ((m = /^Interface\s+(.+)$/.exec(t))) {
      if (!port) return void out.diagnostics.push(diag(line, 'error', 'Interface outside a Port', raw))
      iface = { line, name: unquote(m[1] as string), type: null, options: {}, error: null, other: {} }
      ;(port as VsctlPort).interfaces.push(iface)
      return
    }
    if ((m = /^ovs_version:\s*(.+)$/.exec(t))) {
      out.ovsVersion = unquote(m[1] as string)
      return
    }
    if ((m = /^Manager\s+(.+)$/.exec(t))) {
      out.managers.push(unquote(m[1] as string))
      return
    }
    if ((m = /^Controller\s+(.+)$/.exec(t))) {
      if (bridge) (bridge as VsctlBridge).controllers.push(unquote(m[1] as string))
      return
    }
    if ((m = /^([a-z_]+):\s*(.*)$/.exec(t))) {
      const [, key = '', value = ''] = m
      const i2 = iface as VsctlInterface | null
      const p2 = port as VsctlPort | null
      const b2 = bridge as VsctlBridge | null
      if (i2 && indent > 12) {
        if (key === 'type') i2.type = value
        else if (key === 'options') i2.options = parseOvsdbMapText(value)
        else if (key === 'error') i2.error = unquote(value)
        else i2.other[key] = value
      } else if (p2 && indent > 8 && key === 'tag') p2.tag = value
      else if (b2 && key === 'fail_mode') b2.failMode = value
      else if (b2 && key === 'datapath_type') b2.datapathType = value
      else if (key === 'is_connected') return
      else out.diagnostics.push(diag(line, 'warning', `property ${key} not placed under a bridge, port or interface`, raw))
      return
    }
    out.diagnostics.push(diag(line, 'error', 'not part of ovs-vsctl show output', raw))
  })
  return out
}
