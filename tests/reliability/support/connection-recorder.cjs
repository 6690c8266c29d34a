// @ts-check
'use strict'
/**
 * Preloaded by the offline test into a child process it starts (`documind serve`), never into
 * the code under test's own tests: NODE_OPTIONS="--require <this file>" with
 * DOCUMIND_CONNECTION_LOG=<file>. It records every outbound connection attempt the process makes,
 * one JSON line each, then lets the attempt go ahead unchanged:
 *
 *   connect  net.Socket#connect: TCP and IPC, and so http, fetch (undici), ws and tls, which all
 *            connect through it; the host is recorded as given, before any DNS lookup
 *   tls      tls.connect, with the server name
 *   udp      dgram sends and connects
 *   dns      dns lookups and resolves, callback and promise forms
 *   spawn    child processes (which inherit NODE_OPTIONS, so a Node child is recorded too)
 *
 * Why a preload and not a stub: the guarantee is about what the process does at its edge, so the
 * process runs as shipped and is only watched there. Why CommonJS and --require: Node 20 runs
 * --require preloads in every worker thread as well (it does not run --import ones there), and
 * DocuMind imports and answers in worker threads. The test also traces the same process with
 * strace, which sees native code (LanceDB) too; this file names the JavaScript side of each attempt.
 */
const fs = require('node:fs')
const net = require('node:net')
const tls = require('node:tls')
const dgram = require('node:dgram')
const dns = require('node:dns')
const childProcess = require('node:child_process')
const { threadId } = require('node:worker_threads')

const logFile = process.env.DOCUMIND_CONNECTION_LOG

/** @param {string} kind @param {Record<string, unknown>} fields */
function record(kind, fields) {
  if (!logFile) return
  // One write per line with O_APPEND: lines from threads and processes never interleave.
  fs.appendFileSync(logFile, JSON.stringify({ kind, pid: process.pid, thread: threadId, ...fields }) + '\n')
}

/**
 * Wraps `owner[name]` so that `describe(args)` is recorded before the original runs.
 * @param {object} owner @param {string} name @param {string} kind @param {(args: unknown[]) => Record<string, unknown>} describe
 */
function watch(owner, name, kind, describe) {
  const methods = /** @type {Record<string, unknown>} */ (owner)
  const original = methods[name]
  if (typeof original !== 'function') return
  methods[name] = /** @this {unknown} @param {unknown[]} args */ function (...args) {
    try {
      record(kind, { via: name, ...describe(args) })
    } catch (error) {
      record(kind, { via: name, unreadable: String(error) })
    }
    return original.apply(this, args)
  }
}

/** What net.Socket#connect was asked for; Node's own callers pass [options, callback] as one array. */
function connectTarget(/** @type {unknown[]} */ args) {
  const first = Array.isArray(args[0]) ? args[0][0] : args[0]
  if (typeof first === 'number' || (typeof first === 'string' && /^\d+$/.test(first))) {
    return { host: typeof args[1] === 'string' ? args[1] : 'localhost', port: Number(first) }
  }
  if (typeof first === 'string') return { path: first }
  const options = /** @type {{ host?: string, port?: number | string, path?: string }} */ (first ?? {})
  if (options.path) return { path: options.path }
  return { host: options.host ?? 'localhost', port: Number(options.port) }
}

/** Where a dgram send goes: send(msg, [offset, length,] port, [address], [callback]). */
function udpTarget(/** @type {unknown[]} */ args) {
  const withRange = typeof args[1] === 'number' && typeof args[2] === 'number' && typeof args[3] === 'number'
  const port = withRange ? args[3] : args[1]
  const address = withRange ? args[4] : args[2]
  return { port: Number(port), address: typeof address === 'string' ? address : null }
}

if (logFile) {
  record('start', { argv: process.argv.slice(1, 3) })
  watch(net.Socket.prototype, 'connect', 'connect', connectTarget)
  watch(tls, 'connect', 'tls', (args) => {
    const options = /** @type {{ host?: string, servername?: string }} */ (typeof args[0] === 'object' && args[0] !== null ? args[0] : typeof args[1] === 'object' && args[1] !== null ? args[1] : {})
    return { host: options.host ?? (typeof args[1] === 'string' ? args[1] : 'localhost'), servername: options.servername ?? null }
  })
  watch(dgram.Socket.prototype, 'send', 'udp', udpTarget)
  watch(dgram.Socket.prototype, 'connect', 'udp', (args) => ({ port: Number(args[0]), address: typeof args[1] === 'string' ? args[1] : null }))
  const lookups = ['lookup', 'lookupService', 'resolve', 'resolve4', 'resolve6', 'resolveAny', 'resolveCname', 'resolveMx', 'resolveNs', 'resolveTxt', 'resolveSrv', 'reverse']
  for (const name of lookups) {
    watch(dns, name, 'dns', (args) => ({ hostname: String(args[0]) }))
    watch(dns.promises, name, 'dns', (args) => ({ hostname: String(args[0]) }))
    watch(dns.Resolver.prototype, name, 'dns', (args) => ({ hostname: String(args[0]) }))
    watch(dns.promises.Resolver.prototype, name, 'dns', (args) => ({ hostname: String(args[0]) }))
  }
  for (const name of ['spawn', 'exec', 'execFile', 'fork', 'spawnSync', 'execSync', 'execFileSync']) {
    watch(childProcess, name, 'spawn', (args) => ({ file: String(args[0]).slice(0, 200) }))
  }
}
