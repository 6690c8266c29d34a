/**
 * The preload's client, built with a recording IPC fake in place of ipcRenderer: names outside the
 * contract never reach IPC, answers and events are parsed with their schemas, and dropped files
 * become paths only when they are on disk.
 */
import { describe, expect, it } from 'vitest'
import { IPC_CHANNELS, type DroppedFile, type RequestName } from '../../src/shared/contract'
import { createDocumindClient, type PreloadIpc } from '../../src/preload/client'

/** An ipcRenderer stand-in: records invocations, answers with a scripted reply, emits events. */
class FakeIpc implements PreloadIpc {
  readonly invoked: Array<{ channel: string; message: unknown }> = []
  readonly subscriptions = new Map<string, (event: unknown, message: unknown) => void>()
  reply: (message: unknown) => Promise<unknown> = async () => ({ ok: true, value: {} })
  invoke(channel: string, message: unknown): Promise<unknown> {
    this.invoked.push({ channel, message })
    return this.reply(message)
  }
  on(channel: string, listener: (event: unknown, message: unknown) => void): this {
    this.subscriptions.set(channel, listener)
    return this
  }
  emit(message: unknown): void {
    this.subscriptions.get(IPC_CHANNELS.event)?.({}, message)
  }
}

const file = (name: string): DroppedFile['file'] => Object.assign(new Blob(['x']), { name })

function build(paths: Record<string, string> = {}) {
  const ipc = new FakeIpc()
  const logged: string[] = []
  const client = createDocumindClient(ipc, (dropped) => paths[dropped.name] ?? '', (message) => logged.push(message))
  return { ipc, client, logged }
}

describe('preload client: requests', () => {
  it('refuses a name outside the contract without sending anything', async () => {
    const { ipc, client } = build()
    for (const name of ['fs.readFile', 'constructor', '__proto__', 'toString', '', 'library.list ']) {
      const result = await client.invoke(name as RequestName, {} as never)
      expect(result.ok, name).toBe(false)
      if (!result.ok) expect(result.error.code, name).toBe('invalid-request')
    }
    expect(ipc.invoked).toEqual([])
  })

  it('sends a contract request on the invoke channel and returns the parsed answer', async () => {
    const { ipc, client } = build()
    ipc.reply = async () => ({ ok: true, value: { removed: 2, extra: 'dropped by the schema' } })
    const result = await client.invoke('library.remove', { docIds: ['a', 'b'] })
    expect(ipc.invoked).toEqual([{ channel: IPC_CHANNELS.invoke, message: { name: 'library.remove', input: { docIds: ['a', 'b'] } } }])
    expect(result).toEqual({ ok: true, value: { removed: 2 } })
  })

  it('passes error values through, and turns malformed answers and IPC failures into error values', async () => {
    const { ipc, client } = build()
    ipc.reply = async () => ({ ok: false, error: { code: 'forbidden', message: 'no' } })
    expect(await client.invoke('chats.list', {})).toEqual({ ok: false, error: { code: 'forbidden', message: 'no' } })

    ipc.reply = async () => ({ ok: true, value: [{ not: 'a chat' }] })
    const outside = await client.invoke('chats.list', {})
    expect(outside.ok ? 'ok' : outside.error.code).toBe('internal')

    ipc.reply = async () => 'garbage'
    const malformed = await client.invoke('chats.list', {})
    expect(malformed.ok ? 'ok' : malformed.error.code).toBe('internal')

    ipc.reply = async () => {
      throw new Error('No handler registered')
    }
    const unreachable = await client.invoke('chats.list', {})
    expect(unreachable.ok ? 'ok' : unreachable.error.message).toContain('No handler registered')
  })
})

describe('preload client: events', () => {
  const importState = { running: true, stage: 'reading' as const, filesDone: 1, filesTotal: 2, bytesDone: 10, bytesTotal: 20, chunks: 3, current: [{ path: 'a.pdf', fraction: 0.5 }], failures: [], skipped: 0, indexed: 1, cancelled: false, error: null }

  it('refuses to subscribe to a name outside the contract', () => {
    const { client } = build()
    expect(() => client.on('ipc.raw' as 'import.state', () => {})).toThrow(/Unknown event/)
    expect(() => client.on('__proto__' as 'import.state', () => {})).toThrow(/Unknown event/)
  })

  it('delivers contract events to their listeners until unsubscribed', () => {
    const { ipc, client } = build()
    const seen: unknown[] = []
    const stop = client.on('import.state', (state) => seen.push(state.filesDone))
    ipc.emit({ name: 'import.state', payload: importState })
    ipc.emit({ name: 'library.changed', payload: {} })
    stop()
    ipc.emit({ name: 'import.state', payload: importState })
    expect(seen).toEqual([1])
  })

  it('drops malformed events and keeps other listeners running when one throws', () => {
    const { ipc, client, logged } = build()
    const seen: number[] = []
    client.on('import.state', () => {
      throw new Error('listener bug')
    })
    client.on('import.state', (state) => seen.push(state.filesTotal))
    ipc.emit({ name: 'import.state', payload: { running: 'yes' } })
    ipc.emit({ name: 'no.such.event', payload: {} })
    ipc.emit('not an envelope')
    ipc.emit({ name: 'import.state', payload: importState })
    expect(seen).toEqual([2])
    expect(logged.some((line) => line.includes('does not match the contract'))).toBe(true)
    expect(logged.some((line) => line.includes('listener bug'))).toBe(true)
  })
})

describe('preload client: dropped files', () => {
  it('gives the paths of files on disk, once each', async () => {
    const { client } = build({ 'a.pdf': '/home/u/a.pdf', 'b.md': '/home/u/notes/b.md' })
    const result = await client.pathsForDropped([
      { file: file('a.pdf'), relativePath: '' },
      { file: file('b.md'), relativePath: 'notes/b.md' },
      { file: file('a.pdf'), relativePath: '' },
      { file: file('from-a-web-page.png'), relativePath: '' }
    ])
    expect(result).toEqual({ ok: true, value: { paths: ['/home/u/a.pdf', '/home/u/notes/b.md'] } })
  })

  it('says so when nothing dropped is a file on disk', async () => {
    const { client } = build()
    const result = await client.pathsForDropped([{ file: file('clipping.txt'), relativePath: '' }])
    expect(result.ok ? 'ok' : result.error.code).toBe('unsupported')
    const empty = await client.pathsForDropped([])
    expect(empty.ok ? 'ok' : empty.error.code).toBe('invalid-request')
  })
})

describe('preload client: shape', () => {
  it('exposes exactly three plain functions, and no IPC object', () => {
    const { client } = build()
    expect(Object.keys(client).sort()).toEqual(['invoke', 'on', 'pathsForDropped'])
    for (const value of Object.values(client)) expect(typeof value).toBe('function')
  })
})
