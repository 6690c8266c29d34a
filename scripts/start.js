#!/usr/bin/env node
/**
 * `npm start`: builds DocuMind if it has not been built, then opens the desktop app. Where the
 * Electron runtime cannot be had (its binary was never downloaded, it does not start, or there is
 * no display), it says so and offers the web host, which serves the same UI to a browser.
 *
 *   npm start                      the desktop app, or the offer of the web host
 *   npm start -- --web [--port N]  the web host directly
 *   npm start -- --no-web          never fall back: exit 1 when the desktop app cannot start
 *   npm start -- --rebuild         build first even if out/ exists
 *   npm start -- --check           print whether the Electron runtime is usable, as JSON, and exit
 *
 * Exit codes: the desktop app's or the web host's own code; 1 when the desktop app could not
 * start and the web host was declined; the build's code when the build fails.
 */
import { spawn, spawnSync } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { createInterface } from 'node:readline/promises'
import { fileURLToPath } from 'node:url'
import { constants } from 'node:os'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const BUILD_OUTPUTS = ['out/main/index.js', 'out/main/cli.js', 'out/preload/index.cjs', 'out/renderer/index.html']
/** An Electron that exits with an error this soon did not start; later, it is the app's own exit. */
const EARLY_EXIT_MS = 5000
const WEB_HINT = '`npx documind serve` (or `node bin/documind.js serve`)'

const FLAGS = new Set(['--web', '--no-web', '--rebuild', '--check'])
const argv = process.argv.slice(2)
const flags = { web: argv.includes('--web'), noWeb: argv.includes('--no-web'), rebuild: argv.includes('--rebuild'), check: argv.includes('--check') }
/** Everything else goes to the app (e.g. `--port 8080` to the web host). */
const passThrough = argv.filter((arg) => !FLAGS.has(arg))

function say(message) {
  process.stderr.write(`documind: ${message}\n`)
}

/** The executable name inside node_modules/electron/dist, as Electron's installer writes it. */
function platformExecutable() {
  if (process.platform === 'darwin') return 'Electron.app/Contents/MacOS/Electron'
  return process.platform === 'win32' ? 'electron.exe' : 'electron'
}

/**
 * Finds the Electron binary the way node_modules/electron/index.js does, but never downloads it:
 * requiring that module without a binary starts a download, which hangs or fails offline.
 */
function locateElectron() {
  const dir = join(root, 'node_modules', 'electron')
  if (!existsSync(join(dir, 'package.json'))) return { problem: 'the electron package is not installed (node_modules/electron is missing)' }
  let relative = ''
  try {
    relative = readFileSync(join(dir, 'path.txt'), 'utf8').trim()
  } catch {
    // No path.txt: the binary was never downloaded.
  }
  const override = process.env.ELECTRON_OVERRIDE_DIST_PATH
  const path = override ? join(override, relative || platformExecutable()) : relative ? join(dir, 'dist', relative) : ''
  if (!path) return { problem: 'node_modules/electron has no binary; Electron downloads it on first use, which needs the internet (run `node node_modules/electron/install.js` once online)' }
  if (!existsSync(path)) return { problem: `the Electron binary is missing at ${path}` }
  return { path }
}

/** Whether the binary runs at all (shared libraries present, right architecture). */
function probeElectron(path) {
  const env = { ...process.env, ELECTRON_RUN_AS_NODE: '1' }
  const probe = spawnSync(path, ['--version'], { env, encoding: 'utf8', timeout: 20_000 })
  if (probe.error) return `the Electron binary does not start (${probe.error.message})`
  if (probe.status !== 0) return `the Electron binary does not start (exit ${probe.status ?? probe.signal}: ${(probe.stderr || '').trim().split('\n')[0] ?? ''})`
  return null
}

/** The Electron runtime if it can run here, or why not. */
function electronRuntime() {
  const located = locateElectron()
  if (!located.path) return { available: false, reason: located.problem }
  const broken = probeElectron(located.path)
  if (broken) return { available: false, reason: broken, path: located.path }
  if (process.platform === 'linux' && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY) {
    return { available: false, reason: 'there is no display to open a window on (neither DISPLAY nor WAYLAND_DISPLAY is set)', path: located.path }
  }
  return { available: true, path: located.path }
}

function buildIfNeeded() {
  const missing = BUILD_OUTPUTS.filter((file) => !existsSync(join(root, file)))
  if (!flags.rebuild && missing.length === 0) return 0
  say(flags.rebuild ? 'building…' : `building (${missing.join(', ')} missing)…`)
  const cli = join(root, 'node_modules', 'electron-vite', 'bin', 'electron-vite.js')
  const build = spawnSync(process.execPath, [cli, 'build'], { cwd: root, stdio: 'inherit' })
  if (build.error) say(`the build could not run: ${build.error.message}`)
  return build.status ?? 1
}

/** A child's exit as this process's exit code (a signal becomes 128 + its number, as shells do). */
function exitCodeOf(code, signal) {
  if (code !== null) return code
  return 128 + (constants.signals[signal] ?? 1)
}

/** Runs a child to its end, passing Ctrl+C and termination on to it rather than dying first. */
function run(command, args, env = process.env) {
  return new Promise((resolve) => {
    const started = Date.now()
    const child = spawn(command, args, { cwd: root, stdio: 'inherit', env })
    const forward = (signal) => child.kill(signal)
    const signals = ['SIGINT', 'SIGTERM', 'SIGHUP']
    for (const signal of signals) process.on(signal, forward)
    const settle = (result) => {
      for (const signal of signals) process.off(signal, forward)
      resolve({ ...result, ms: Date.now() - started })
    }
    child.once('error', (error) => settle({ code: 1, error }))
    child.once('exit', (code, signal) => settle({ code: exitCodeOf(code, signal) }))
  })
}

function runWeb() {
  say(`starting the web host: node bin/documind.js serve ${passThrough.join(' ')}`.trimEnd())
  return run(process.execPath, [join(root, 'bin', 'documind.js'), 'serve', ...passThrough]).then((result) => result.code)
}

async function askYesNo(question) {
  const prompt = createInterface({ input: process.stdin, output: process.stderr })
  try {
    const answer = (await prompt.question(question)).trim().toLowerCase()
    return answer === '' || answer === 'y' || answer === 'yes'
  } finally {
    prompt.close()
  }
}

/** Says why the desktop app cannot run, and offers (or, non-interactively, starts) the web host. */
async function offerWeb(reason) {
  say(`the desktop app cannot start here: ${reason}.`)
  say(`The same app runs in your browser through the web host: ${WEB_HINT}.`)
  if (flags.noWeb) return 1
  if (process.stdin.isTTY && process.stderr.isTTY) {
    if (!(await askYesNo('Start the web host now? [Y/n] '))) return 1
  } else {
    say('not interactive: starting the web host.')
  }
  return runWeb()
}

async function main() {
  if (flags.check) {
    process.stdout.write(`${JSON.stringify(electronRuntime())}\n`)
    return 0
  }
  const built = buildIfNeeded()
  if (built !== 0) return built
  if (flags.web) return runWeb()
  const runtime = electronRuntime()
  if (!runtime.available) return offerWeb(runtime.reason)
  const env = { ...process.env }
  delete env.ELECTRON_RUN_AS_NODE
  const result = await run(runtime.path, ['.', ...passThrough], env)
  if (result.error) return offerWeb(`the Electron binary does not start (${result.error.message})`)
  if (result.code !== 0 && result.ms < EARLY_EXIT_MS) return offerWeb(`Electron exited with code ${result.code} while starting (its messages are above)`)
  return result.code
}

main().then(
  (code) => {
    process.exitCode = code
  },
  (error) => {
    say(error instanceof Error ? error.message : String(error))
    process.exitCode = 1
  }
)
