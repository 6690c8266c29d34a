/**
 * The preload of every DocuMind window. It runs sandboxed (it can require only 'electron') and
 * exposes one object to the page, `window.documind`: plain functions over the contract. The page
 * never receives ipcRenderer, Node, or any Electron object.
 */
import { contextBridge, ipcRenderer, webUtils } from 'electron'
import { createDocumindClient } from './client'

const client = createDocumindClient(
  // Only these two bound functions of ipcRenderer are kept; the object itself stays here.
  { invoke: (channel, message) => ipcRenderer.invoke(channel, message), on: (channel, listener) => ipcRenderer.on(channel, listener) },
  // The renderer passes the File objects of a drop; Electron gives '' for one that is not on disk.
  (file) => webUtils.getPathForFile(file as File)
)

contextBridge.exposeInMainWorld('documind', client)
