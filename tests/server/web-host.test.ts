/**
 * The web host: 127.0.0.1 only, the per-launch token and the page's Origin required before any
 * WebSocket or upload, a strict CSP on what it serves, no way out of the renderer's folder or the
 * uploads folder, and the contract over the socket (malformed frames answered, never fatal).
 */
import { connect } from 'node:net'
import { mkdir, readFile, readdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { AppService } from '../../src/core/app'
import { startWebHost, type WebHost } from '../../src/server/web-host'
import type { RoomEvent, WireMessage } from '../../src/shared/contract'
import { startFakeOllama, type FakeOllama } from '../support/fake-ollama'
import { buildLibrary, openService, removeDir, tempDir } from '../app/helpers'
import { rawRequest, upgradeStatus, WireClient } from './helpers'

let fake: FakeOllama
let libraryDir: string
let rendererDir: string
let service: AppService
let host: WebHost
let origin: string
let socketUrl: string

beforeAll(async () => {
  fake = await startFakeOllama({ reply: 'Python beats shell scripts for bigger programs [1].' })
  libraryDir = await tempDir('documind-web-')
  await buildLibrary(libraryDir, fake.url)
  rendererDir = await tempDir('documind-renderer-')
  await mkdir(join(rendererDir, 'assets'))
  await writeFile(join(rendererDir, 'index.html'), '<!doctype html><title>DocuMind</title><script type="module" src="/assets/app.js"></script>')
  await writeFile(join(rendererDir, 'assets', 'app.js'), 'console.log("DocuMind")')
  await writeFile(join(libraryDir, 'secret.txt'), 'not for the web')
  ;({ service } = await openService(libraryDir, fake.url))
  host = await startWebHost({ service, libraryDir, rendererDir, port: 0, maxUploadBytes: 64 * 1024 })
  origin = `http://127.0.0.1:${host.port}`
  socketUrl = `ws://127.0.0.1:${host.port}/ws?token=${host.token}`
})
afterAll(async () => {
  await host?.close()
  await service?.close()
  await fake.close()
  await Promise.all([libraryDir, rendererDir].map(removeDir))
})

describe('the web host', () => {
  it('prints a loopback address with a long random token, and listens on 127.0.0.1 only', async () => {
    expect(host.url).toMatch(new RegExp(`^http://127\\.0\\.0\\.1:${host.port}/\\?token=[A-Za-z0-9_-]{40,}$`))
    expect(host.url.endsWith(host.token)).toBe(true)
    // Another loopback address of this machine reaches a server bound to every interface, not this one.
    await expect(reachable('127.0.0.2', host.port)).resolves.toBe(false)
    await expect(reachable('127.0.0.1', host.port)).resolves.toBe(true)
  })

  it('serves the renderer with a strict CSP and nosniff, without listing folders or leaving its folder', async () => {
    const page = await rawRequest(host.port, `/?token=${host.token}`)
    expect(page.status).toBe(200)
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8')
    expect(page.headers['content-security-policy']).toBe(
      `default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; font-src 'self'; connect-src 'self' ws://127.0.0.1:${host.port}; base-uri 'none'; form-action 'none'; frame-ancestors 'none'`
    )
    expect(page.headers['x-content-type-options']).toBe('nosniff')
    expect(page.headers['referrer-policy']).toBe('no-referrer')
    expect((await rawRequest(host.port, '/assets/app.js')).headers['content-type']).toBe('text/javascript; charset=utf-8')
    expect((await rawRequest(host.port, '/assets/')).status).toBe(404)
    expect((await rawRequest(host.port, '/assets')).status).toBe(404)
    for (const path of ['/../secret.txt', '/assets/../../secret.txt', '/%2e%2e/secret.txt', '/assets/..%2f..%2fsecret.txt', '/..%5csecret.txt', '/%00index.html']) {
      const response = await rawRequest(host.port, path)
      expect(response.status, path).toBe(404)
      expect(response.body).not.toContain('not for the web')
    }
    expect((await rawRequest(host.port, '/', { method: 'DELETE' })).status).toBe(405)
    // A name that rebinds to 127.0.0.1 is still not this host's name.
    expect((await rawRequest(host.port, '/', { headers: { Host: `evil.example:${host.port}` } })).status).toBe(403)
  })

  it('refuses a WebSocket without the token, with a wrong one, or from another origin, before the upgrade', async () => {
    const bare = `ws://127.0.0.1:${host.port}/ws`
    expect(await upgradeStatus(bare, { Origin: origin })).toBe(401)
    expect(await upgradeStatus(`${bare}?token=${host.token.slice(1)}`, { Origin: origin })).toBe(401)
    expect(await upgradeStatus(socketUrl, { Origin: 'http://evil.example' })).toBe(403)
    expect(await upgradeStatus(socketUrl, { Origin: `http://127.0.0.1:${host.port + 1}` })).toBe(403)
    expect(await upgradeStatus(socketUrl, { Origin: 'null' })).toBe(403)
    expect(await upgradeStatus(socketUrl)).toBe(403)
    expect(await upgradeStatus(`ws://127.0.0.1:${host.port}/other?token=${host.token}`, { Origin: origin })).toBe(404)
    expect(await upgradeStatus(socketUrl, { Origin: origin })).toBe(101)
    expect(await upgradeStatus(socketUrl, { Origin: `http://localhost:${host.port}` })).toBe(101)
  })

  it('answers the contract over the socket, and answers malformed frames with errors without closing', async () => {
    const client = await WireClient.connect(socketUrl, origin)
    try {
      expect(await client.invoke('settings.get', {})).toMatchObject({ ok: true, value: { ollamaHost: fake.url } })
      expect(await client.invoke('chats.rename', { chatId: 'x' })).toMatchObject({ ok: false, error: { code: 'invalid-request' } })
      expect(await client.invoke('no.such.request', {})).toMatchObject({ ok: false, error: { code: 'invalid-request' } })
      client.ws.send('{not json')
      client.ws.send(Buffer.from([1, 2, 3]), { binary: true })
      client.ws.send(JSON.stringify({ kind: 'invoke', id: 77, name: 'settings.get' , extra: 1 }))
      await client.waitFor((m) => m.kind === 'result' && m.id === 77)
      const errors = client.messages.filter((m): m is Extract<WireMessage, { kind: 'result' }> => m.kind === 'result' && !m.result.ok)
      expect(errors.filter((m) => m.id === -1)).toHaveLength(2)
      expect(await client.invoke('chats.list', {})).toMatchObject({ ok: true })
    } finally {
      client.close()
    }
  })

  it('closes a connection that sends an oversized frame, and keeps serving others', async () => {
    const client = await WireClient.connect(socketUrl, origin)
    const closed = new Promise<number>((resolve) => client.ws.once('close', (code) => resolve(code)))
    client.ws.send(JSON.stringify({ kind: 'invoke', id: 1, name: 'chats.search', input: { query: 'x'.repeat(2 * 1024 * 1024) } }))
    expect(await closed).toBe(1009)
    const other = await WireClient.connect(socketUrl, origin)
    expect(await other.invoke('settings.get', {})).toMatchObject({ ok: true })
    other.close()
  })

  it('takes an upload, then imports it and streams an answer to the page in the room', async () => {
    const upload = await rawRequest(host.port, `/upload?token=${host.token}&name=${encodeURIComponent('notes/python notes.md')}`, {
      method: 'POST',
      headers: { Origin: origin, 'Content-Type': 'application/octet-stream' },
      body: '# Why Python\n\nPython is a better choice than shell scripts once a program grows past a few hundred lines.\n'
    })
    expect(upload.status).toBe(200)
    const { path } = JSON.parse(upload.body) as { path: string }
    expect(path.startsWith(join(libraryDir, 'uploads'))).toBe(true)
    expect(path.endsWith(join('notes', 'python notes.md'))).toBe(true)

    const client = await WireClient.connect(socketUrl, origin)
    try {
      expect(await client.invoke('library.import', { paths: [path] })).toEqual({ ok: true, value: {} })
      await client.waitFor((m) => m.kind === 'event' && m.name === 'import.state' && !(m.payload as { running: boolean }).running)
      const docs = await client.invoke('library.list', {})
      expect(docs.ok && (docs.value as Array<{ path: string }>).map((d) => d.path)).toContain(path)

      const chat = await client.invoke('chats.create', {})
      const chatId = (chat as { ok: true; value: { id: string } }).value.id
      await client.invoke('chat.subscribe', { chatId })
      const asked = await client.invoke('chat.ask', { chatId, question: 'When is Python a better choice than shell scripts?' })
      const { answerId } = (asked as { ok: true; value: { answerId: string } }).value
      const done = await client.waitFor((m) => m.kind === 'event' && m.name === 'room.event' && (m.payload as RoomEvent).type === 'done')
      const event = (done as Extract<WireMessage, { kind: 'event' }>).payload as Extract<RoomEvent, { type: 'done' }>
      expect(event.answerId).toBe(answerId)
      expect(event.message.text).toBe('Python beats shell scripts for bigger programs [1].')
      expect(event.message.citations).toHaveLength(1)
    } finally {
      client.close()
    }
  })

  it('keeps a file dropped twice once: the same path, so a failed one is one document, not two', async () => {
    const upload = async (name: string, body: string): Promise<string> => {
      const response = await rawRequest(host.port, `/upload?token=${host.token}&name=${encodeURIComponent(name)}`, {
        method: 'POST',
        headers: { Origin: origin, 'Content-Type': 'application/octet-stream' },
        body
      })
      expect(response.status).toBe(200)
      return (JSON.parse(response.body) as { path: string }).path
    }
    const broken = '%PDF-1.7\n1 0 obj << /Type /Catalog'
    const first = await upload('report.pdf', broken)
    const second = await upload('report.pdf', broken)
    expect(second).toBe(first)
    // Another content under the same name is another file.
    const changed = await upload('report.pdf', `${broken} /Pages 2 0 R`)
    expect(changed).not.toBe(first)
    const uploads = await readdir(join(libraryDir, 'uploads'), { recursive: true })
    expect(uploads.filter((entry) => entry.endsWith('report.pdf'))).toHaveLength(2)
    expect(uploads.filter((entry) => entry.startsWith('.incoming'))).toEqual([])

    const client = await WireClient.connect(socketUrl, origin)
    try {
      const failedCopies = async (): Promise<string[]> => {
        const docs = await client.invoke('library.list', {})
        return (docs.ok ? (docs.value as Array<{ path: string; status: string }>) : []).filter((d) => d.path === first || d.path === second).map((d) => d.status)
      }
      const ended = (m: WireMessage): boolean => m.kind === 'event' && m.name === 'import.state' && !(m.payload as { running: boolean }).running
      for (const path of [first, second]) {
        const before = client.messages.filter(ended).length
        expect(await client.invoke('library.import', { paths: [path] })).toEqual({ ok: true, value: {} })
        await client.waitFor(() => client.messages.filter(ended).length > before)
        expect(await failedCopies()).toEqual(['failed'])
      }
    } finally {
      client.close()
    }
  })

  it('refuses uploads without the token, from another origin, with a path that climbs out, or too large', async () => {
    const post = (query: string, headers: Record<string, string> = { Origin: origin }, body = 'bytes'): ReturnType<typeof rawRequest> =>
      rawRequest(host.port, `/upload?${query}`, { method: 'POST', headers, body })
    const before = await listTree(libraryDir)
    expect((await post(`name=a.txt`)).status).toBe(401)
    expect((await post(`token=wrong&name=a.txt`)).status).toBe(401)
    expect((await post(`token=${host.token}&name=a.txt`, { Origin: 'http://evil.example' })).status).toBe(403)
    expect((await post(`token=${host.token}&name=a.txt`, {})).status).toBe(403)
    for (const name of ['../evil.txt', '..\\evil.txt', 'a/../../evil.txt', '/etc/evil.txt', '\\\\server\\share\\evil.txt', 'C:\\evil.txt', 'a/./b.txt', '', 'bad\u0000name.txt']) {
      const response = await post(`token=${host.token}&name=${encodeURIComponent(name)}`)
      expect(response.status, name).toBe(400)
    }
    expect((await post(`token=${host.token}&name=big.bin`, { Origin: origin }, 'x'.repeat(65 * 1024))).status).toBe(413)
    expect((await post(`token=${host.token}&name=a.txt`, { Origin: origin, 'Transfer-Encoding': 'chunked' }, 'y'.repeat(70 * 1024))).status).toBe(413)
    // Nothing was written anywhere, not even half a file.
    expect(await listTree(libraryDir)).toEqual(before)
    expect(await readFile(join(libraryDir, 'secret.txt'), 'utf8')).toBe('not for the web')
  })
})

function reachable(address: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: address, port })
    socket.once('connect', () => {
      socket.destroy()
      resolve(true)
    })
    socket.once('error', () => resolve(false))
  })
}

async function listTree(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true })
  return entries.filter((entry) => !entry.startsWith('db') && !entry.startsWith('chats')).sort()
}
