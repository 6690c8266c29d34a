/**
 * Reading what the offline test recorded at the process edge, and judging it: the JSON lines of
 * connection-recorder.cjs (JavaScript side, with thread ids) and an strace log of connect/send
 * system calls (everything, native code included). The rule is the product's promise: nothing
 * leaves the machine except to the configured Ollama host.
 */
import { isIP } from 'node:net'
import { readFileSync } from 'node:fs'

/** One line of connection-recorder.cjs. */
export type ConnectionRecord = { pid: number; thread: number; via?: string } & (
  | { kind: 'start'; argv: string[] }
  | { kind: 'connect'; host?: string; port?: number; path?: string }
  | { kind: 'tls'; host: string; servername: string | null }
  | { kind: 'udp'; address: string | null; port: number }
  | { kind: 'dns'; hostname: string }
  | { kind: 'spawn'; file: string }
)

/** The one remote place the app may reach: the Ollama host of its settings. */
export interface AllowedHost {
  hostname: string
  port: number
}

export function allowedHostOf(ollamaUrl: string): AllowedHost {
  const url = new URL(ollamaUrl)
  return { hostname: url.hostname.replace(/^\[|\]$/g, ''), port: Number(url.port || (url.protocol === 'https:' ? 443 : 80)) }
}

export function readConnectionLog(file: string): ConnectionRecord[] {
  let text = ''
  try {
    text = readFileSync(file, 'utf8')
  } catch {
    return []
  }
  return text
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as ConnectionRecord)
}

/** 127.0.0.0/8, ::1 (also IPv4-mapped), and the name `localhost`. */
export function isLoopback(host: string): boolean {
  const h = host.toLowerCase().replace(/^\[|\]$/g, '')
  if (h === 'localhost' || h.endsWith('.localhost')) return true
  if (h === '::1' || h === '0:0:0:0:0:0:0:1') return true
  const v4 = h.startsWith('::ffff:') ? h.slice(7) : h
  return isIP(v4) === 4 && v4.startsWith('127.')
}

function allowed(host: string, port: number | undefined, ollama: AllowedHost): boolean {
  return isLoopback(host) || (host.toLowerCase() === ollama.hostname.toLowerCase() && port === ollama.port)
}

/** Every recorded attempt that breaks the rule, described for a failure message. */
export function offlineViolations(records: ConnectionRecord[], ollama: AllowedHost): string[] {
  const where = (r: ConnectionRecord): string => `pid ${r.pid} thread ${r.thread}`
  const problems: string[] = []
  for (const r of records) {
    if (r.kind === 'connect' && r.path === undefined && !allowed(r.host ?? 'localhost', r.port, ollama)) problems.push(`TCP connect to ${r.host}:${r.port} (${where(r)})`)
    // The TCP connect under a TLS socket is judged with its port above; here only the name.
    if (r.kind === 'tls' && !isLoopback(r.host) && r.host.toLowerCase() !== ollama.hostname.toLowerCase()) problems.push(`TLS to ${r.host} (${where(r)})`)
    if (r.kind === 'udp' && r.address !== null && !isLoopback(r.address)) problems.push(`UDP to ${r.address}:${r.port} (${where(r)})`)
    // A lookup of an address is no query; a lookup of a name may ask a DNS server elsewhere.
    if (r.kind === 'dns' && isIP(r.hostname) === 0 && !isLoopback(r.hostname) && r.hostname.toLowerCase() !== ollama.hostname.toLowerCase()) problems.push(`DNS lookup of ${r.hostname} (${where(r)})`)
  }
  return problems
}

/** One connect or send with an address, as strace logged it. */
export interface SyscallAttempt {
  pid: number
  call: string
  address: string
  port: number
}

const SYSCALL = /^(\d+)\s+(connect|sendto|sendmsg|sendmmsg)\(/
const INET = /sa_family=AF_INET, sin_port=htons\((\d+)\), sin_addr=inet_addr\("([^"]+)"\)/
const INET6 = /sa_family=AF_INET6, sin6_port=htons\((\d+)\),.*?inet_pton\(AF_INET6, "([^"]+)"/

/** The internet (v4 and v6) addresses of every connect and send in an strace log. */
export function readSyscallLog(file: string): SyscallAttempt[] {
  const attempts: SyscallAttempt[] = []
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const call = SYSCALL.exec(line)
    if (!call) continue
    const inet = INET.exec(line) ?? INET6.exec(line)
    if (inet) attempts.push({ pid: Number(call[1]), call: call[2], port: Number(inet[1]), address: inet[2] })
  }
  return attempts
}

/** Attempts whose address is neither loopback nor the Ollama host's (an IP address in the allowed host). */
export function syscallViolations(attempts: SyscallAttempt[], ollama: AllowedHost): string[] {
  return attempts.filter((a) => !allowed(a.address, a.port, ollama)).map((a) => `${a.call} to ${a.address}:${a.port} (pid ${a.pid})`)
}
