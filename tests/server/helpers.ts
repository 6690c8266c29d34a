/** Clients for the web host as a browser and as an attacker would talk to it: raw HTTP and WebSocket. */
import { request } from 'node:http'
import { WebSocket } from 'ws'
import type { WireMessage } from '../../src/shared/contract'

export interface RawResponse {
  status: number
  headers: Record<string, string | string[] | undefined>
  body: string
}

/** An HTTP request with the path sent exactly as given (fetch would normalise `..` away). */
export function rawRequest(port: number, path: string, options: { method?: string; headers?: Record<string, string>; body?: Buffer | string; host?: string } = {}): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = request({ host: options.host ?? '127.0.0.1', port, path, method: options.method ?? 'GET', headers: options.headers }, (res) => {
      const chunks: Buffer[] = []
      res.on('data', (chunk: Buffer) => chunks.push(chunk))
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }))
      res.on('error', reject)
    })
    req.on('error', reject)
    req.end(options.body)
  })
}

/** A WebSocket client of the contract: invoke by name, and every message kept. */
export class WireClient {
  readonly messages: WireMessage[] = []
  private nextId = 1
  private readonly waiters = new Set<() => void>()

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => {
      this.messages.push(JSON.parse(String(data)) as WireMessage)
      for (const wake of this.waiters) wake()
    })
  }

  static connect(url: string, origin: string): Promise<WireClient> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(url, { origin })
      ws.once('open', () => resolve(new WireClient(ws)))
      ws.once('unexpected-response', (_req, res) => reject(new Error(`refused: ${res.statusCode}`)))
      ws.once('error', reject)
    })
  }

  async invoke(name: string, input: unknown): Promise<Extract<WireMessage, { kind: 'result' }>['result']> {
    const id = this.nextId++
    this.ws.send(JSON.stringify({ kind: 'invoke', id, name, input }))
    const reply = await this.waitFor((m) => m.kind === 'result' && m.id === id)
    return (reply as Extract<WireMessage, { kind: 'result' }>).result
  }

  waitFor(check: (message: WireMessage) => boolean, timeoutMs = 20_000): Promise<WireMessage> {
    return new Promise((resolve, reject) => {
      const attempt = (): void => {
        const found = this.messages.find(check)
        if (!found) return
        this.waiters.delete(attempt)
        clearTimeout(timer)
        resolve(found)
      }
      const timer = setTimeout(() => {
        this.waiters.delete(attempt)
        reject(new Error(`timed out; got ${JSON.stringify(this.messages).slice(0, 2000)}`))
      }, timeoutMs)
      this.waiters.add(attempt)
      attempt()
    })
  }

  close(): void {
    this.ws.close()
  }
}

/** The status with which the web host refuses a WebSocket, or 101 if it accepts it. */
export function upgradeStatus(url: string, headers: Record<string, string> = {}): Promise<number> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { headers })
    ws.once('open', () => {
      ws.close()
      resolve(101)
    })
    ws.once('unexpected-response', (_req, res) => {
      resolve(res.statusCode ?? 0)
      res.resume()
    })
    ws.once('error', reject)
  })
}
