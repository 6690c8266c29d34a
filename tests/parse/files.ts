/** Where the parser tests find their real files, and small helpers to read them. */
import { readFileSync, readdirSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { expect } from 'vitest'
import { parseDocument } from '../../src/core/parse/index.ts'
import { ParseFailure, type ParsedDocument, type ParseFailureCode } from '../../src/core/types.ts'

export const DATA = resolve(process.cwd(), '../shared/data')
export const CORPUS = join(DATA, 'corpus-mini')
export const BAD_INPUTS = join(DATA, 'bad-inputs')
export const FIXTURES = resolve(process.cwd(), 'tests/fixtures/parse')

/** Every file under `dir`, as paths relative to it, sorted. */
export function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name).slice(dir.length + 1))
    .sort()
}

export function bytesOf(path: string): Uint8Array {
  return new Uint8Array(readFileSync(path))
}

/** Parses a file from disk the way the import worker will: bytes plus the file's name. */
export function parseFile(path: string, signal?: AbortSignal): Promise<ParsedDocument> {
  return parseDocument(bytesOf(path), path, { signal })
}

/** All of a document's text, sections joined. */
export function fullText(doc: ParsedDocument): string {
  return doc.sections.map((s) => s.text).join('\n\n')
}

/** Awaits a parse that must fail, and returns its ParseFailure after checking the code. */
export async function expectFailure(parse: Promise<unknown>, code: ParseFailureCode): Promise<ParseFailure> {
  const error = await parse.then(
    () => undefined,
    (e: unknown) => e
  )
  expect(error).toBeInstanceOf(ParseFailure)
  const failure = error as ParseFailure
  expect(failure.code, failure.message).toBe(code)
  // A message for people: one or two sentences, no stack trace, no "[object Object]".
  expect(failure.message).not.toMatch(/\n\s+at |\[object /)
  expect(failure.message.length).toBeLessThan(400)
  return failure
}
