import type { Dirent } from 'node:fs'
import { opendir, realpath, stat } from 'node:fs/promises'
import { basename, join, resolve } from 'node:path'
import { formatOf } from '../parse/formats'
import type { QueuedFile } from './journal'

/** What walking the user's paths found: files to import, and files it will not import. */
export type WalkEntry =
  | { kind: 'file'; file: QueuedFile }
  | { kind: 'skipped'; path: string; reason: string }
  | { kind: 'failed'; path: string; code: 'unreadable'; reason: string }

/** Folders that hold tooling, not a person's documents. */
const IGNORED_DIRECTORIES = new Set(['node_modules', '__pycache__', '$RECYCLE.BIN', 'System Volume Information'])

/**
 * Walks files and folders (recursively) and yields every file with its size and modification
 * time. Hidden folders and files that are not documents (.git, .DS_Store) are passed over
 * silently; a path the user named is always considered. Folder symlinks are followed once: a link back to a folder already
 * visited (a loop) is reported and not entered again. Formats DocuMind does not read are reported
 * as skipped with the reason; extensionless files are left for the parser to sniff.
 */
export async function* walkPaths(paths: string[], signal?: AbortSignal): AsyncGenerator<WalkEntry> {
  const visitedDirectories = new Set<string>()
  const seenFiles = new Set<string>()
  for (const given of paths) {
    yield* walkOne(resolve(given), true, visitedDirectories, seenFiles, signal)
  }
}

async function* walkOne(path: string, named: boolean, visited: Set<string>, seen: Set<string>, signal?: AbortSignal): AsyncGenerator<WalkEntry> {
  signal?.throwIfAborted()
  let info
  try {
    info = await stat(path)
  } catch (error) {
    yield { kind: 'failed', path, code: 'unreadable', reason: describeFsError(error, path) }
    return
  }
  if (info.isDirectory()) {
    let real: string
    try {
      real = await realpath(path)
    } catch (error) {
      yield { kind: 'failed', path, code: 'unreadable', reason: describeFsError(error, path) }
      return
    }
    if (visited.has(real)) {
      yield { kind: 'skipped', path, reason: 'This folder was already imported through another path (a symbolic link loop).' }
      return
    }
    visited.add(real)
    let entries: Dirent[] = []
    try {
      const dir = await opendir(path)
      for await (const entry of dir) entries.push(entry)
    } catch (error) {
      yield { kind: 'failed', path, code: 'unreadable', reason: describeFsError(error, path) }
      return
    }
    entries = entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    for (const entry of entries) {
      if (isIgnored(entry)) continue
      yield* walkOne(join(path, entry.name), false, visited, seen, signal)
    }
    return
  }
  if (!info.isFile()) {
    if (named) yield { kind: 'skipped', path, reason: 'Not a regular file.' }
    return
  }
  const real = await realpath(path).catch(() => path)
  if (seen.has(real)) return
  seen.add(real)
  const name = basename(path)
  const hasExtension = name.lastIndexOf('.') > 0
  if (hasExtension && formatOf(name) === null) {
    yield { kind: 'skipped', path, reason: `DocuMind does not read .${name.slice(name.lastIndexOf('.') + 1).toLowerCase()} files.` }
    return
  }
  yield { kind: 'file', file: { path, size: info.size, mtime: info.mtimeMs } }
}

/**
 * Entries a folder import passes over without a word: hidden folders (.git, .cache), tool folders,
 * macOS resource forks (._name) and hidden files in formats DocuMind does not read (.DS_Store).
 * A hidden file in a readable format (".notes.md", or tldr's "..md") is still a document.
 */
function isIgnored(entry: Dirent): boolean {
  if (IGNORED_DIRECTORIES.has(entry.name) || entry.name.startsWith('._')) return true
  if (!entry.name.startsWith('.')) return false
  return entry.isDirectory() || formatOf(entry.name) === null
}

/** A file-system error in words a person can act on. */
export function describeFsError(error: unknown, path: string): string {
  const code = (error as NodeJS.ErrnoException).code
  switch (code) {
    case 'ENOENT':
      return `${path} does not exist (it may have been moved or deleted).`
    case 'EACCES':
    case 'EPERM':
      return `Permission denied: DocuMind may not read ${path}.`
    case 'ELOOP':
      return `${path} is a symbolic link that points to itself (a loop).`
    case 'EISDIR':
      return `${path} is a folder, not a file.`
    default:
      return `${path} could not be read (${(error as Error).message}).`
  }
}
