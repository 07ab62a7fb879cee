// Field names as actions use them (load, move, set_field, output to a field): the vocabulary's fields
// under every spelling, registers and NXM/OXM names. Derived from vocabulary.ts; no list of its own.
import { fieldDef, isDocumentedField, wideRegister } from './vocabulary'

export type FieldKind = 'ipv4' | 'ipv6' | 'mac' | 'int' | 'port' | 'ct_state' | 'raw'

/** The short name actions are compared by: "NXM_NX_REG0" -> "reg0", "NXM_OF_IP_SRC" -> "nw_src", "eth_dst" -> "dl_dst". */
function shortName(base: string): string {
  const reg = /^NXM_NX_(X{0,2}REG)(\d+)$/i.exec(base)
  if (reg) return `${(reg[1] as string).toLowerCase()}${reg[2]}`
  if (wideRegister(base)) return base.toLowerCase()
  return fieldDef(base)?.name ?? base.toLowerCase()
}

/** "NXM_NX_REG0[]" -> "reg0[]", "NXM_NX_TUN_ID[0..31]" -> "tun_id[0..31]", "reg0" -> "reg0[]". */
export function canonicalFieldRef(ref: string): string {
  const m = /^([A-Za-z0-9_]+)(\[[^\]]*\])?$/.exec(ref.trim())
  if (!m) return ref.trim()
  return `${shortName(m[1] as string)}${m[2] ?? '[]'}`
}

export function fieldKind(name: string): FieldKind {
  const d = fieldDef(name)
  if (!d) return 'int'
  switch (d.format) {
    case 'ipv4':
      return 'ipv4'
    case 'ipv6':
      return 'ipv6'
    case 'mac':
      return 'mac'
    case 'port':
      return 'port'
    case 'ct_state':
      return 'ct_state'
    case 'hex':
    case 'dec':
    case 'dec-only':
      return 'int'
    default:
      return 'raw'
  }
}

/** True for a field name OVS knows in actions: every vocabulary spelling, regN, xregN, xxregN, NXM/OXM names. */
export function isKnownFieldName(name: string): boolean {
  if (/^(NXM_NX_(X{0,2})REG\d+|x{0,2}reg\d+)$/i.test(name)) return /^(NXM_NX_)?reg(1[0-5]|\d)$/i.test(name) || wideRegister(name.replace(/^NXM_NX_/i, '')) !== null
  if (isDocumentedField(name)) return true
  // NXM/OXM names of fields the table does not list yet (NXM_NX_TUN_METADATA0…): accepted by shape.
  return /^(NXM_(OF|NX)|OXM_OF|ONFOXM_ET)_[A-Z0-9_]+[A-Z0-9]$/.test(name) && name.split('_').length > 3
}
