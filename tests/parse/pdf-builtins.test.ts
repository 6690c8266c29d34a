/**
 * pdf.js's legacy build installs core-js polyfills when it loads, among them a JavaScript
 * `Array.prototype.push` about 2.5 times slower than V8's, for every module of the thread. The PDF
 * parser loads pdf.js late and puts the native method back; these tests keep it that way, in the
 * source and in the bundled ingest worker.
 */
import { execFileSync } from 'node:child_process'
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { parsePdf } from '../../src/core/parse/pdf.ts'

// core-js also makes its polyfills print as "[native code]", so only identity tells them apart.
// This file imports nothing that loads pdf.js, so push is still V8's here.
const NATIVE_PUSH = Array.prototype.push
const isNative = (fn: unknown): boolean => fn === NATIVE_PUSH

describe('the PDF parser and the thread it runs on', () => {
  it('leaves Array.prototype.push native after parsing PDFs, and parses them alike', async () => {
    expect(isNative(Array.prototype.push)).toBe(true)
    const bytes = readFileSync(join(__dirname, '../fixtures/parse/text-source.pdf'))
    const first = await parsePdf(bytes)
    expect(isNative(Array.prototype.push)).toBe(true)
    const second = await parsePdf(bytes)
    expect(isNative(Array.prototype.push)).toBe(true)
    expect(second.sections).toEqual(first.sections)
    expect(first.sections.length).toBeGreaterThan(0)
  })

  it('would see the polyfill: a thread that imports pdf-parse as usual loses the native push', () => {
    // The check above can fail: in a fresh process, a plain import of pdf-parse replaces it.
    const script = "const push = Array.prototype.push; await import('pdf-parse'); process.stdout.write(String(Array.prototype.push === push))"
    const output = execFileSync(process.execPath, ['--input-type=module', '-e', script], { cwd: join(__dirname, '../..'), encoding: 'utf8' })
    expect(output).toBe('false')
  })

  it('the bundled ingest worker loads pdf-parse on first use, not with the worker', () => {
    const chunks = join(__dirname, '../../out/main/chunks')
    const code = readdirSync(chunks).filter((name) => name.endsWith('.js')).map((name) => readFileSync(join(chunks, name), 'utf8'))
    expect(code.some((text) => /ingestFile as default/.test(text))).toBe(true)
    expect(code.filter((text) => /import\(["']pdf-parse["']\)/.test(text))).toHaveLength(1)
    expect(code.filter((text) => /from ["']pdf-parse["']|import ["']pdf-parse["']/.test(text))).toEqual([])
  })
})
