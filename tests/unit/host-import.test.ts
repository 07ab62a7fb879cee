import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { expandHostRange, parseAnsibleInventory } from '../../src-main/core/inventory/ansible'
import { splitProxyJump } from '../../src-main/core/inventory/candidate'
import { parseSshConfigHosts } from '../../src-main/node/hosts/ssh-config-hosts'
import { SshHarness } from '../helpers/ssh-harness'
import { tempDir } from '../helpers/tmp'

let t: ReturnType<typeof tempDir>
let h: SshHarness
beforeEach(async () => {
  t = tempDir('sdnwb-import-')
  h = new SshHarness(t.dir)
  await h.call('case.create', { name: 'import' })
})
afterEach(() => {
  h.close()
  t.cleanup()
})

const sshConfig = (marker: string) => `
# field laptop config
Host *
  User cloud-user
  ServerAliveInterval 30

Host bastion
  HostName 203.0.113.10
  Port 2222
  IdentityFile ~/.ssh/bastion_ed25519

Host master1 master2
  HostName %h.ocp.example.com
  ProxyJump bastion
  IdentityFile ~/.ssh/ocp_rsa
  IdentityFile ~/.ssh/second_key

Host infra-0
  HostName 10.0.1.20
  ProxyJump admin@198.51.100.7:2200,bastion

Host node-*.ocp.example.com
  User core

Host app-node-3
  HostName 10.0.2.33
  User root
  PreferredAuthentications password

Host odd
  HostName 10.0.9.9
  ProxyCommand nc -X 5 -x proxy:1080 %h %p

Match exec "touch ${marker}"
  User evil

Include ~/.ssh/config.d/*
`

describe('OpenSSH client config import', () => {
  it('reads Host blocks with defaults, %h, IdentityFile, Port, ProxyJump chains; runs no Match exec', () => {
    const marker = join(t.dir, 'match-exec-ran')
    const { hosts, diagnostics } = parseSshConfigHosts(sshConfig(marker))
    expect(existsSync(marker)).toBe(false)
    expect(hosts.map((x) => x.name)).toEqual(['bastion', 'master1', 'master2', 'infra-0', 'app-node-3', 'odd'])
    const by = Object.fromEntries(hosts.map((x) => [x.name, x]))
    expect(by.bastion).toMatchObject({ address: '203.0.113.10', port: 2222, user: 'cloud-user', authMethod: 'key', keyPath: '~/.ssh/bastion_ed25519', jump: [], role: 'compute', line: 7 })
    expect(by.master1).toMatchObject({ address: 'master1.ocp.example.com', keyPath: '~/.ssh/ocp_rsa', role: 'master', jump: [{ user: null, host: 'bastion', port: null }] })
    expect(by.master2?.address).toBe('master2.ocp.example.com')
    expect(by['infra-0']).toMatchObject({ role: 'infra', authMethod: 'agent', jump: [{ user: 'admin', host: '198.51.100.7', port: 2200 }, { user: null, host: 'bastion', port: null }] })
    // OpenSSH takes the first value it meets: "Host *" at the top wins over the block's own User.
    expect(by['app-node-3']).toMatchObject({ user: 'cloud-user', authMethod: 'password', keyPath: null })
    expect(diagnostics.map((d) => d.message)).toEqual([
      'Include ~/.ssh/config.d/* is not followed: import that file too',
      'odd: ProxyCommand "nc -X 5 -x proxy:1080 %h %p" is not "ssh -W %h:%p <jump>"; imported without a jump host'
    ])
  })

  it('imports through the contract: jump hosts first, ProxyJump hops that name no host become hosts, re-import skips', async () => {
    const text = sshConfig(join(t.dir, 'm'))
    const preview = await h.call('hosts.importPreview', { format: 'ssh-config', text })
    const rows = Object.fromEntries(preview.rows.map((r) => [r.name, r]))
    expect(rows['198.51.100.7-2200']).toMatchObject({ synthetic: true, user: 'admin', port: 2200, jumpName: null, status: 'new' })
    expect(rows.bastion).toMatchObject({ synthetic: false, jumpName: null })
    expect(rows['infra-0']?.jumpName).toBe('bastion')
    expect(rows.bastion?.name && preview.rows.findIndex((r) => r.name === 'bastion')).toBeLessThan(preview.rows.findIndex((r) => r.name === 'master1'))
    const result = await h.call('hosts.import', { format: 'ssh-config', text })
    expect(result.skipped).toEqual([])
    const hosts = await h.call('hosts.list')
    const id = (n: string) => hosts.find((x) => x.name === n)?.id
    expect(hosts.find((x) => x.name === 'master2')?.jumpHostId).toBe(id('bastion'))
    // "admin@198.51.100.7:2200,bastion": the first hop is reached directly, bastion through it.
    expect(hosts.find((x) => x.name === 'infra-0')?.jumpHostId).toBe(id('bastion'))
    expect(hosts.find((x) => x.name === 'bastion')?.jumpHostId).toBeNull()
    const again = await h.call('hosts.import', { format: 'ssh-config', text })
    expect(again.created).toEqual([])
    expect(again.skipped.map((s) => s.reason)).toContain('a host named master1 is already in the case')
  })

  it('bad input gives diagnostics, never a throw', async () => {
    for (const junk of ['', '\u0000\u0001binary', 'Host', 'Port notanumber\nHost x\n  Port 99999999']) {
      const p = await h.call('hosts.importPreview', { format: 'ssh-config', text: junk })
      expect(Array.isArray(p.rows)).toBe(true)
    }
    const p = await h.call('hosts.importPreview', { format: 'ssh-config', text: 'Host x\n  Port 99999999\n  HostName not an address!' })
    expect(p.rows[0]).toMatchObject({ status: 'invalid' })
    expect(p.rows[0]?.problem).toMatch(/Port is 1 to 65535/)
  })
})

const inventory = `
# openshift-ansible 3.11
[OSEv3:children]
masters
nodes
etcd

[OSEv3:vars]
ansible_ssh_user=cloud-user
ansible_become=true
openshift_deployment_type=openshift-enterprise
ansible_ssh_common_args='-o ProxyJump=cloud-user@bastion.example.com'

[masters]
master[1:3].ocp.example.com

[etcd]
master[1:3].ocp.example.com
etcd-ext.ocp.example.com ansible_host=10.0.0.50

[nodes]
master[1:3].ocp.example.com openshift_node_group_name='node-config-master'
infra[01:02].ocp.example.com openshift_node_group_name='node-config-infra' ansible_ssh_private_key_file=~/.ssh/infra
app1.ocp.example.com openshift_node_group_name="node-config-compute" ansible_host=10.0.2.11 ansible_port=2022 ansible_user=root
app2.ocp.example.com openshift_node_group_name=node-config-compute junkword

[lb]
lb.ocp.example.com
`

describe('openshift-ansible inventory import', () => {
  it('reads groups, ranges, host and group vars, roles from openshift_node_group_name, ProxyJump from ssh args', () => {
    expect(expandHostRange('infra[01:03].x')).toEqual(['infra01.x', 'infra02.x', 'infra03.x'])
    expect(expandHostRange('n[a:c]')).toEqual(['na', 'nb', 'nc'])
    expect(splitProxyJump('u@[::1]:2200,b')).toEqual([{ user: 'u', host: '::1', port: 2200 }, { user: null, host: 'b', port: null }])
    const { hosts, diagnostics } = parseAnsibleInventory(inventory)
    const by = Object.fromEntries(hosts.map((x) => [x.name, x]))
    expect(Object.keys(by).sort()).toEqual(
      ['app1', 'app2', 'etcd-ext', 'infra01', 'infra02', 'lb', 'master1', 'master2', 'master3'].map((n) => `${n}.ocp.example.com`)
    )
    expect(by['master2.ocp.example.com']).toMatchObject({ role: 'master', user: 'cloud-user', authMethod: 'agent', address: 'master2.ocp.example.com', jump: [{ user: 'cloud-user', host: 'bastion.example.com', port: null }] })
    expect(by['infra02.ocp.example.com']).toMatchObject({ role: 'infra', authMethod: 'key', keyPath: '~/.ssh/infra' })
    expect(by['app1.ocp.example.com']).toMatchObject({ role: 'compute', address: '10.0.2.11', port: 2022, user: 'root' })
    expect(by['etcd-ext.ocp.example.com']).toMatchObject({ role: 'master', address: '10.0.0.50' })
    expect(diagnostics.map((d) => [d.line, d.message])).toEqual([
      [25, '"junkword" is not key=value; ignored'],
      [19, 'etcd-ext.ocp.example.com is only in [etcd]; imported with role master (the workbench has no etcd or lb role)'],
      [28, 'lb.ocp.example.com is only in [lb]; imported with role master (the workbench has no etcd or lb role)']
    ])
  })

  it('imports into the case with one bastion host made for the ProxyJump', async () => {
    const r = await h.call('hosts.import', { format: 'ansible-inventory', text: inventory })
    expect(r.skipped).toEqual([])
    const hosts = await h.call('hosts.list')
    expect(hosts).toHaveLength(10)
    const bastion = hosts.find((x) => x.name === 'bastion.example.com')
    expect(bastion).toMatchObject({ user: 'cloud-user', role: 'infra', jumpHostId: null })
    // [lb] is not a child of OSEv3, so the OSEv3 ssh args (the ProxyJump) do not apply to it.
    expect(hosts.filter((x) => x.jumpHostId === bastion?.id)).toHaveLength(8)
    expect(hosts.find((x) => x.name === 'lb.ocp.example.com')?.jumpHostId).toBeNull()
  })
})
