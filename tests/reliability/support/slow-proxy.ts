/**
 * A slow road to the fake Ollama server: an HTTP proxy on 127.0.0.1 that holds the answers to
 * chosen paths for a while before passing them on, as a busy Ollama (or a busy machine) answers
 * late. A fake at the process edge like the server behind it; nothing in the app is changed.
 */
import { createServer, request, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'

export interface SlowProxy {
  readonly url: string
  close(): Promise<void>
}

/** Forwards everything to `target`; answers to the paths in `delays` are held that many ms. */
export async function startSlowProxy(target: string, delays: Record<string, number>): Promise<SlowProxy> {
  const upstream = new URL(target)
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0]
    const forward = request(
      { host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: req.headers },
      (answer) => {
        const send = (): void => {
          if (res.destroyed) return void answer.destroy()
          res.writeHead(answer.statusCode ?? 502, answer.headers)
          answer.pipe(res)
        }
        const delay = delays[path] ?? 0
        if (delay > 0) setTimeout(send, delay)
        else send()
      }
    )
    forward.on('error', () => res.destroy())
    res.on('close', () => forward.destroy())
    req.pipe(forward)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      })
  }
}
