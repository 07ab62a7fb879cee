import type { HostInput } from '../../src-main/contract'

export function hostInput(overrides: Partial<HostInput> = {}): HostInput {
  return {
    name: 'node1',
    address: '10.200.0.2',
    port: 22,
    user: 'root',
    role: 'compute',
    jumpHostId: null,
    authMethod: 'key',
    keyPath: '~/.ssh/id_ed25519',
    ...overrides
  }
}
