/**
 * Runs a Node program as a child process watched at its edge: connection-recorder.cjs preloaded
 * into it (and, through NODE_OPTIONS, into its worker threads and any Node child), and, where
 * strace works, the whole process tree traced for connect and send system calls. The offline
 * test runs `documind serve` this way; the leak check runs a deliberately leaky script the same
 * way, to show the watch would see a leak.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { join, resolve } from 'node:path'
import { readConnectionLog } from './connections'

export const RECORDER = resolve(import.meta.dirname, 'connection-recorder.cjs')

/** True when strace can trace a child here (it needs ptrace, which some containers forbid). */
export function straceWorks(): boolean {
  const probe = spawnSync('strace', ['-f', '--seccomp-bpf', '-qq', '-o', '/dev/null', 'true'], { stdio: 'ignore' })
  return probe.status === 0
}

/** A watched child: its logs, its output so far, and how to stop it. */
export interface WatchedProcess {
  child: ChildProcess
  /** connection-recorder.cjs's JSON lines. */
  connectionLog: string
  /** strace's log, or null when not traced. */
  syscallLog: string | null
  output(): string
  /** Resolves with the first line the program prints on stdout. */
  firstLine(timeoutMs?: number): Promise<string>
  /** Sends SIGTERM to the Node process itself (not strace), and waits for the tree to exit. */
  stop(): Promise<void>
  exited: Promise<void>
}

export function startWatched(args: string[], options: { logDir: string; trace: boolean; cwd?: string; env?: NodeJS.ProcessEnv }): WatchedProcess {
  const connectionLog = join(options.logDir, 'connections.jsonl')
  const syscallLog = options.trace ? join(options.logDir, 'syscalls.strace') : null
  const node = [process.execPath, ...args]
  const command = syscallLog ? ['strace', '-f', '--seccomp-bpf', '-qq', '-e', 'signal=none', '-e', 'trace=connect,sendto,sendmsg,sendmmsg', '-o', syscallLog, ...node] : node
  const child = spawn(command[0], command.slice(1), {
    cwd: options.cwd,
    env: { ...process.env, ...options.env, NODE_OPTIONS: `--require ${RECORDER}`, DOCUMIND_CONNECTION_LOG: connectionLog },
    stdio: ['ignore', 'pipe', 'pipe']
  })
  let output = ''
  let stdoutText = ''
  const lineWaiters = new Set<() => void>()
  child.stdout?.on('data', (chunk: Buffer) => {
    stdoutText += chunk.toString()
    output += chunk.toString()
    for (const wake of lineWaiters) wake()
  })
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()))
  const exited = new Promise<void>((done) => child.once('exit', () => done()))

  /** The Node process: the child itself, or strace's tracee, which the recorder names on start. */
  const nodePid = (): number | undefined => {
    if (!syscallLog) return child.pid
    return readConnectionLog(connectionLog).find((r) => r.kind === 'start' && r.thread === 0)?.pid
  }

  return {
    child,
    connectionLog,
    syscallLog,
    output: () => output,
    exited,
    firstLine: (timeoutMs = 30_000) =>
      new Promise((resolveLine, reject) => {
        const check = (): void => {
          const end = stdoutText.indexOf('\n')
          if (end < 0) return
          clearTimeout(timer)
          lineWaiters.delete(check)
          resolveLine(stdoutText.slice(0, end).trim())
        }
        const timer = setTimeout(() => {
          lineWaiters.delete(check)
          reject(new Error(`no first line within ${timeoutMs} ms:\n${output}`))
        }, timeoutMs)
        void exited.then(() => {
          clearTimeout(timer)
          reject(new Error(`exited before printing a line:\n${output}`))
        })
        lineWaiters.add(check)
        check()
      }),
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return
      const pid = nodePid()
      if (pid !== undefined) process.kill(pid, 'SIGTERM')
      const timer = setTimeout(() => {
        const target = nodePid()
        if (target !== undefined) process.kill(target, 'SIGKILL')
        child.kill('SIGKILL')
      }, 15_000)
      await exited
      clearTimeout(timer)
    }
  }
}
