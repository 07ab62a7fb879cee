// A packet's field values as the switch holds them while it runs actions, and the field writes of actions
// (load, move, set_field, with bit ranges and masks) applied to it: what the offline tracer steps through.
// Slots are the vocabulary's storage names (nw_dst holds arp_tpa too), registers reg0..reg15.
import { parseFieldRef } from './action-print'
import { actionDef } from './action-vocabulary'
import { parseActions, type FlowAction } from './actions'
import { ones, readValue } from './masked'
import { fieldDef, wideRegister, type FieldDef } from './vocabulary'

export type PacketState = Map<string, bigint>

/** The slots and width a field reference names: a register or field by any spelling, xregN/xxregN as registers. */
interface Target {
  /** Most significant slot first, each 32 bits for wide registers; one slot otherwise. */
  slots: string[]
  bits: number
  def: FieldDef | null
}

function target(name: string): Target | null {
  const n = name.replace(/^NXM_NX_/i, '').toLowerCase()
  const wide = wideRegister(n)
  if (wide) return { slots: wide.regs.map((r) => `reg${r}`), bits: 32 * wide.regs.length, def: null }
  const d = fieldDef(name)
  if (!d) return null
  return { slots: [d.storage], bits: d.bits, def: d }
}

function readWhole(state: PacketState, t: Target): bigint | null {
  let v = 0n
  for (const s of t.slots) {
    const x = state.get(s)
    if (x === undefined) return null
    v = (v << BigInt(t.slots.length > 1 ? 32 : t.bits)) | x
  }
  return v
}

function writeWhole(state: PacketState, t: Target, v: bigint): void {
  if (t.slots.length === 1) {
    state.set(t.slots[0] as string, v & ones(t.bits))
    return
  }
  t.slots.forEach((s, i) => state.set(s, (v >> BigInt(32 * (t.slots.length - 1 - i))) & ones(32)))
}

/** The bits [start..end] of a field (a subfield like "NXM_NX_REG0[0..15]"), or null when unknown or unset. */
export function readSubfield(state: PacketState, ref: string): bigint | null {
  const r = parseFieldRef(ref)
  const t = r ? target(r.name) : null
  if (!r || !t) return null
  const whole = readWhole(state, t)
  if (whole === null) return null
  const start = r.start ?? 0
  const end = r.end ?? t.bits - 1
  return (whole >> BigInt(start)) & ones(end - start + 1)
}

/** Writes value into bits [start..end] of a field (an unset field counts as zero). False when the reference is unknown or out of range. */
export function writeSubfield(state: PacketState, ref: string, value: bigint): boolean {
  const r = parseFieldRef(ref)
  const t = r ? target(r.name) : null
  if (!r || !t) return false
  const start = r.start ?? 0
  const end = r.end ?? t.bits - 1
  if (end >= t.bits || start > end) return false
  const width = end - start + 1
  const mask = ones(width) << BigInt(start)
  const whole = readWhole(state, t) ?? 0n
  writeWhole(state, t, (whole & ~mask) | ((value & ones(width)) << BigInt(start)))
  return true
}

/** A set_field value ("10.0.0.1", "00:00:0a:81:00:02", "0x5/0xf") as value and mask of the field. */
function setFieldValue(t: Target, text: string): { value: bigint; mask: bigint } | null {
  if (t.def) {
    const v = readValue(t.def, text)
    return typeof v === 'string' ? null : { value: v.value, mask: v.mask }
  }
  const [a, m] = text.split('/')
  if (!a || !/^(0x[0-9a-f]+|\d+)$/i.test(a) || (m !== undefined && !/^(0x[0-9a-f]+|\d+)$/i.test(m))) return null
  return { value: BigInt(a), mask: m === undefined ? ones(t.bits) : BigInt(m) }
}

/**
 * Applies a field-writing action to the packet: load, move (an unset source is an error), set_field (with a
 * mask only the masked bits change). Returns why it could not, or null when done; other actions are no-ops.
 */
export function applyFieldWrite(state: PacketState, a: FlowAction): string | null {
  switch (a.type) {
    case 'load': {
      const v = /^(0x[0-9a-f]+|\d+)$/i.test(a.value) ? BigInt(a.value) : null
      if (v === null) return `${a.text}: the value is not a number`
      return writeSubfield(state, a.dst, v) ? null : `${a.text}: ${a.dst} is not a field this knows, or the range does not fit it`
    }
    case 'move': {
      const v = readSubfield(state, a.src)
      if (v === null) return `${a.text}: ${a.src} has no value in this packet`
      return writeSubfield(state, a.dst, v) ? null : `${a.text}: ${a.dst} is not a field this knows, or the range does not fit it`
    }
    case 'set_field': {
      const t = target(a.field.replace(/\[\]$/, ''))
      if (!t) return `${a.text}: ${a.field} is not a field this knows`
      const v = setFieldValue(t, a.value)
      if (!v) return `${a.text}: ${a.value} is not a value of ${a.field}`
      const whole = readWhole(state, t) ?? 0n
      writeWhole(state, t, (whole & ~v.mask) | (v.value & v.mask))
      return null
    }
    case 'other': {
      // mod_nw_dst, set_tunnel…: what the switch turns them into (a set_field), applied as such.
      // The tracer's packet has its tag state in its fields; the shorthand's push_vlan is not a field write.
      const expanded = actionDef(a.name)?.expand?.(a.arg, { l4: 'tcp', vlan: true }) ?? null
      if (!expanded) return null
      for (const x of parseActions(expanded.join(',')).actions) {
        const why = applyFieldWrite(state, x)
        if (why) return why
      }
      return null
    }
    default:
      return null
  }
}
