/**
 * Electronegativity, Doyensec's Electron security scanner, over the source and the build. Every
 * finding must be one reviewed and accepted in electronegativity.reviewed.ts; any other fails the
 * test with its check, file and line. The last case scans a small insecure window in a temporary
 * folder, to show that such a change would be caught.
 *
 * The scanner only sees what is written at `new BrowserWindow(...)`: options built by a function,
 * as windowOptions() builds DocuMind's, are invisible to it. hardening.test.ts asserts those.
 */
import { execFile } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { join, relative, resolve } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, describe, expect, it } from 'vitest'
import { REVIEWED, type ReviewedFinding } from './electronegativity.reviewed'

const root = resolve('.')
const RUNNER = createRequire(import.meta.url).resolve('@doyensec/electronegativity')
const ELECTRON_VERSION = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { devDependencies: Record<string, string> }).devDependencies.electron
const BUILT = existsSync(join(root, 'out', 'main', 'index.js')) && existsSync(join(root, 'out', 'renderer', 'index.html'))

/**
 * Runs the scanner's own entry point (its package's main, which the CLI also calls) in a child
 * process, since it registers a global `__` for its messages. On every run it fetches updated
 * translations from S3, and one check fetches Electron's release list from GitHub, with no time
 * limit: that check (whether a newer Electron exists) is left out, and the child refuses both
 * fetches, so the scan stays offline and uses the English strings it ships with.
 */
const SCAN_SCRIPT = `
const Module = require('node:module')
const load = Module._load
Module._load = function (request, ...rest) {
  if (request !== 'got') return load.call(this, request, ...rest)
  const refuse = () => Promise.reject(new Error('no network in tests'))
  return Object.assign(refuse, { head: refuse })
}
const [runner, input, electronVersion] = process.argv.slice(1)
require(runner)({ input, electronVersionOverride: electronVersion, excludeFromScan: ['AvailableSecurityFixesGlobalCheck'] })
  .then((result) => process.stdout.write('\\n' + JSON.stringify({ issues: result.issues, errors: result.errors }) + '\\n'))
`

/** One finding, with its file relative to the folder the test names. */
interface Finding {
  check: string
  file: string
  line: number
  column: number
  severity: string
  confidence: string
  description: string
  sample?: string
}

interface ScanResult {
  findings: Finding[]
  /** Files the scanner could not parse, so did not check. */
  unparsed: string[]
}

interface RawIssue {
  id: string
  file: string
  location: { line: number; column: number }
  severity: { name: string }
  confidence: { name: string }
  description: string
  sample?: string
}

/** Scans `input` (a folder) and names files relative to `base`. */
async function scan(input: string, base: string): Promise<ScanResult> {
  const { stdout } = await promisify(execFile)(process.execPath, ['-e', SCAN_SCRIPT, RUNNER, input, ELECTRON_VERSION], { maxBuffer: 64 * 1024 * 1024, timeout: 60_000 })
  const result = JSON.parse(stdout.trim().split('\n').at(-1) ?? '') as { issues: RawIssue[]; errors: Array<{ file: string; message: string; tolerable: boolean }> }
  return {
    findings: result.issues.map((issue) => ({
      check: issue.id,
      file: issue.file === 'N/A' ? 'N/A' : relative(base, issue.file),
      line: issue.location.line,
      column: issue.location.column,
      severity: issue.severity.name,
      confidence: issue.confidence.name,
      description: issue.description,
      sample: issue.sample
    })),
    unparsed: result.errors.filter((e) => !e.tolerable).map((e) => `${relative(base, e.file)}: ${e.message}`)
  }
}

const normalized = (code: string): string => code.trim().replace(/\s+/g, ' ').replace(/;$/, '')

function accepts(entry: ReviewedFinding, finding: Finding): boolean {
  return entry.check === finding.check && entry.files.includes(finding.file) && finding.sample !== undefined && normalized(entry.sample) === normalized(finding.sample)
}

/** Each finding no reviewed entry accepts, as a line saying what and where. */
function unreviewed(findings: Finding[]): string[] {
  return findings
    .filter((finding) => !REVIEWED.some((entry) => accepts(entry, finding)))
    .map((f) => `${f.check} at ${f.file === 'N/A' ? 'the whole scan' : `${f.file}:${f.line}:${f.column}`} (${f.severity}, ${f.confidence}): ${f.description}${f.sample ? ` — ${f.sample}` : ''}`)
}

/** Reviewed entries for files under `folder` that this scan did not find: stale, to be removed. */
function stale(findings: Finding[], folder: string): string[] {
  return REVIEWED.filter((entry) => entry.files.some((file) => file.startsWith(`${folder}/`)))
    .filter((entry) => !findings.some((finding) => accepts(entry, finding)))
    .map((entry) => `${entry.check} in ${entry.files.filter((file) => file.startsWith(`${folder}/`)).join(', ')}`)
}

describe('Electronegativity', () => {
  it('finds nothing in the source but the reviewed findings', async () => {
    const { findings, unparsed } = await scan(join(root, 'src'), root)
    expect(unparsed, 'files the scanner could not parse').toEqual([])
    expect(unreviewed(findings), 'new findings: fix them, or review and add them to electronegativity.reviewed.ts').toEqual([])
    expect(stale(findings, 'src'), 'reviewed findings no longer found').toEqual([])
  }, 30_000)

  it.skipIf(!BUILT)('finds nothing in the build but the reviewed findings', async () => {
    const { findings, unparsed } = await scan(join(root, 'out'), root)
    expect(unparsed, 'files the scanner could not parse').toEqual([])
    expect(unreviewed(findings), 'new findings: fix them, or review and add them to electronegativity.reviewed.ts').toEqual([])
    expect(stale(findings, 'out'), 'reviewed findings no longer found').toEqual([])
  }, 30_000)

  describe('on an insecure window', () => {
    const fixture = mkdtempSync(join(tmpdir(), 'documind-electronegativity-'))
    afterAll(() => rmSync(fixture, { recursive: true, force: true }))

    it('reports it with check, file and line, while the reviewed line beside it stays accepted', async () => {
      mkdirSync(join(fixture, 'src', 'main'), { recursive: true })
      writeFileSync(
        join(fixture, 'src', 'main', 'index.ts'),
        [
          "import { app, BrowserWindow } from 'electron'",
          "import { windowOptions } from './hardening'",
          '',
          "const preloadPath = 'preload.cjs'",
          'app.whenReady().then(() => {',
          '  const win = new BrowserWindow(windowOptions(preloadPath))',
          '  const debug = new BrowserWindow({ webPreferences: { nodeIntegration: true, contextIsolation: false } })',
          '  void win.loadURL(debug.webContents.getURL())',
          '})',
          ''
        ].join('\n')
      )
      const { findings } = await scan(join(fixture, 'src'), fixture)
      const report = unreviewed(findings)
      for (const check of ['NODE_INTEGRATION_JS_CHECK', 'CONTEXT_ISOLATION_JS_CHECK', 'SANDBOX_JS_CHECK']) {
        expect(report.some((line) => line.startsWith(`${check} at src/main/index.ts:7:`)), `${check} on line 7 in:\n${report.join('\n')}`).toBe(true)
      }
      // The same file's reviewed line (6) is still accepted; only the new window is reported.
      expect(report.filter((line) => line.includes('src/main/index.ts:6:'))).toEqual([])
      expect(findings.filter((f) => f.line === 6).map((f) => f.check).sort()).toEqual(['AUXCLICK_JS_CHECK', 'CONTEXT_ISOLATION_JS_CHECK', 'SANDBOX_JS_CHECK'])
      // With no renderer, CSP, navigation limits or permission handler in it, the app-wide checks fail too.
      expect(report.filter((line) => line.includes('the whole scan')).map((line) => line.split(' ')[0]).sort()).toEqual([
        'CSP_GLOBAL_CHECK',
        'LIMIT_NAVIGATION_GLOBAL_CHECK',
        'PERMISSION_REQUEST_HANDLER_GLOBAL_CHECK'
      ])
    }, 30_000)
  })
})
