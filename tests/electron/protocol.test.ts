/**
 * The app:// protocol handler, called with real Requests against a real folder: it serves the
 * renderer build with the CSP, and nothing outside it, however the path is spelled.
 */
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { cspHeader } from '../../src/main/hardening'
import { assetPathFor, createAppProtocolHandler } from '../../src/main/protocol'

let base: string
let root: string
let handler: (request: Request) => Promise<Response>

beforeAll(async () => {
  base = await mkdtemp(join(tmpdir(), 'documind-protocol-'))
  root = join(base, 'renderer')
  await mkdir(join(root, 'assets'), { recursive: true })
  await writeFile(join(root, 'index.html'), '<!doctype html><title>DocuMind</title>')
  await writeFile(join(root, 'assets', 'index-abc.js'), 'console.log(1)')
  await writeFile(join(base, 'secret.txt'), 'library secrets')
  await writeFile(join(base, 'renderer-evil.txt'), 'a sibling whose name starts like the root')
  await symlink(join(base, 'secret.txt'), join(root, 'assets', 'link.txt'))
  handler = createAppProtocolHandler(root)
})

afterAll(async () => {
  await rm(base, { recursive: true, force: true })
})

const get = (url: string, method = 'GET') => handler(new Request(url, { method }))

describe('app:// protocol', () => {
  it('serves the index and assets with their types and the CSP header', async () => {
    const index = await get('app://documind/index.html')
    expect(index.status).toBe(200)
    expect(index.headers.get('content-type')).toMatch(/^text\/html/)
    expect(index.headers.get('content-security-policy')).toBe(cspHeader())
    expect(index.headers.get('x-content-type-options')).toBe('nosniff')
    expect(await index.text()).toContain('<title>DocuMind</title>')

    const script = await get('app://documind/assets/index-abc.js')
    expect(script.headers.get('content-type')).toMatch(/^text\/javascript/)
    expect(await script.text()).toBe('console.log(1)')

    expect(await (await get('app://documind/')).text()).toContain('DocuMind')
  })

  it('refuses path traversal in every spelling', async () => {
    const attempts = [
      'app://documind/../secret.txt',
      'app://documind/assets/../../secret.txt',
      'app://documind/%2e%2e/secret.txt',
      'app://documind/..%2fsecret.txt',
      'app://documind/assets%2f..%2f..%2fsecret.txt',
      'app://documind/..%5csecret.txt',
      'app://documind/%2e%2e%5csecret.txt',
      'app://documind/../renderer-evil.txt',
      `app://documind/${encodeURIComponent(join(base, 'secret.txt'))}`,
      'app://documind/index.html%00.js',
      'app://documind/%E0%A4%A'
    ]
    for (const url of attempts) {
      const response = await get(url)
      const body = await response.text()
      expect(body, url).not.toContain('library secrets')
      expect(body, url).not.toContain('sibling')
    }
    // The decoded forms are refused outright, not just missed.
    for (const url of ['app://documind/..%2fsecret.txt', 'app://documind/..%5csecret.txt', 'app://documind/index.html%00.js']) {
      expect((await get(url)).status, url).toBe(403)
    }
  })

  it('refuses a symlink that points out of the build', async () => {
    const response = await get('app://documind/assets/link.txt')
    expect(response.status).toBe(404)
    expect(await response.text()).not.toContain('library secrets')
  })

  it('refuses other hosts and schemes, and anything but GET', async () => {
    expect((await get('app://other/index.html')).status).toBe(403)
    expect((await get('https://documind/index.html')).status).toBe(403)
    expect((await get('app://documind/index.html', 'POST')).status).toBe(405)
    expect((await get('app://documind/missing.js')).status).toBe(404)
    expect((await get('app://documind/assets')).status).toBe(404)
  })

  it('maps a URL to a file inside the root, or to nothing', () => {
    expect(assetPathFor(root, 'app://documind/assets/index-abc.js')).toBe(join(root, 'assets', 'index-abc.js'))
    expect(assetPathFor(root, 'app://documind/..%2f..%2fetc%2fpasswd')).toBeNull()
    expect(assetPathFor(root, 'not a url')).toBeNull()
  })
})
