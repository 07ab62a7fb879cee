// Transport constants, free of imports so the sandboxed preload bundles nothing else.
export const ipcChannels = { call: 'sdn:call', event: 'sdn:event' } as const
export const wsPath = '/ws'
