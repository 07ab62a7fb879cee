import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron'
import { ipcChannels } from '../contract/channels'
import type { BackendEvent } from '../contract/methods'
import type { PreloadBridge } from '../contract/wire'

// The only thing the renderer gets: a call function and an event subscription. No Node, no ipcRenderer.
const bridge: PreloadBridge = {
  call: (method, input) => ipcRenderer.invoke(ipcChannels.call, method, input),
  onEvent: (listener) => {
    const handler = (_e: IpcRendererEvent, event: BackendEvent) => listener(event)
    ipcRenderer.on(ipcChannels.event, handler)
    return () => {
      ipcRenderer.removeListener(ipcChannels.event, handler)
    }
  }
}

contextBridge.exposeInMainWorld('sdnBackend', bridge)
