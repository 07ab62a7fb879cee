// The action table against Open vSwitch's own documentation: every action ovs-actions(7) gives a syntax for
// is a row of the table; the reader names an unknown action; the context a match gives its actions.
import { existsSync, readFileSync } from 'node:fs'
import { gunzipSync } from 'node:zlib'
import { describe, expect, it } from 'vitest'
import { actionContextOf, canonicalActions, parseActions } from '../../src-main/core/flows/actions'
import { actionDef, actionDefs } from '../../src-main/core/flows/action-vocabulary'

const manPage = '/usr/share/man/man7/ovs-actions.7.gz'

/** The action names of the man page's Syntax blocks (roff: `\fBSyntax\fP:` then `.nf` … `.fi`). */
function documentedActions(roff: string): string[] {
  const names = new Set<string>()
  const lines = roff.split('\n')
  for (let i = 0; i < lines.length; i++) {
    if (!/^\\fBSyntax\\fP:/.test(lines[i] as string)) continue
    let j = i + 1
    if (lines[j] !== '.nf') continue
    for (j++; j < lines.length && lines[j] !== '.fi'; j++) {
      const line = lines[j] as string
      // A placeholder in italics (\fIport\fP) is an output port, not an action name.
      if (line.startsWith('\\fI')) continue
      const m = /^\\fB([a-z_0-9]+)/.exec(line)
      if (m) names.add(m[1] as string)
    }
  }
  return [...names]
}

describe('the action table', () => {
  it('has a row for every action ovs-actions(7) documents', () => {
    expect(existsSync(manPage), `${manPage} comes with openvswitch-common (installed by scripts/system-deps.mjs)`).toBe(true)
    const documented = documentedActions(gunzipSync(readFileSync(manPage)).toString('utf8'))
    expect(documented.length).toBeGreaterThan(50)
    expect(documented.filter((n) => !actionDef(n))).toEqual([])
  })

  it('has one row per name, each written in a form it declares', () => {
    const names = actionDefs.flatMap((d) => [d.name, ...(d.aliases ?? [])])
    expect(new Set(names).size).toBe(names.length)
    for (const d of actionDefs) expect(d.forms.length, d.name).toBeGreaterThan(0)
  })

  it('names an action Open vSwitch does not know, and never a documented one', () => {
    expect(parseActions('output:1,frobnicate:3').problems).toEqual(['frobnicate:3: frobnicate is not an action Open vSwitch knows (ovs-actions(7))'])
    expect(parseActions('strip_vlan,pop_vlan,dec_mpls_ttl,exit,ct_clear,pop_queue,debug_recirc,encap(ethernet),decap()').problems).toEqual([])
  })

  it('prints context-dependent shorthands from the match: mod_tp_src by L4 protocol, mod_vlan_vid by tag', () => {
    const mod = parseActions('mod_tp_src:80,mod_vlan_vid:5,mod_vlan_pcp:3').actions
    expect(canonicalActions(mod, { context: actionContextOf('udp') })).toBe('set_field:80->udp_src,push_vlan:0x8100,set_field:4101->vlan_vid,set_field:3->vlan_pcp')
    expect(canonicalActions(mod, { context: actionContextOf('tcp,dl_vlan=5') })).toBe('set_field:80->tcp_src,set_field:4101->vlan_vid,set_field:3->vlan_pcp')
    expect(actionContextOf('vlan_tci=0x1000/0x1000')).toEqual({ l4: null, vlan: true })
    expect(actionContextOf('vlan_tci=0')).toEqual({ l4: null, vlan: false })
    expect(actionContextOf('ip,nw_proto=132')).toEqual({ l4: 'sctp', vlan: false })
    // After pop_vlan the packet has no tag: a later mod_vlan_vid pushes one.
    expect(canonicalActions(parseActions('strip_vlan,mod_vlan_vid:4').actions, { context: actionContextOf('dl_vlan=5') })).toBe('pop_vlan,push_vlan:0x8100,set_field:4100->vlan_vid')
  })
})

describe('ct with a nat the switch prints inside exec', () => {
  it('reads it as the ct\'s NAT (not an unknown action) and prints it back where the switch does', () => {
    // ovs-ofctl dump-flows prints `ct(commit,exec(set_field:1->ct_mark),nat(src=10.0.0.1))` this way (format_CT).
    const text = 'ct(commit,exec(set_field:0x1->ct_mark,nat(src=10.0.0.1)))'
    const r = parseActions(text)
    expect(r.problems).toEqual([])
    const ct = r.actions[0]
    expect(ct).toMatchObject({ type: 'ct', commit: true, nat: 'nat(src=10.0.0.1)', natFirst: false })
    expect(ct?.type === 'ct' ? ct.exec.map((a) => a.type) : []).toEqual(['set_field'])
    expect(canonicalActions(r.actions)).toBe(text)
    // Written first, it is printed before exec.
    expect(canonicalActions(parseActions('ct(commit,nat(src=10.0.0.1),exec(set_field:0x1->ct_mark))').actions)).toBe('ct(commit,nat(src=10.0.0.1),exec(set_field:0x1->ct_mark))')
  })
})
