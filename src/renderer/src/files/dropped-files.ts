/**
 * Turns what was dropped on the window, or chosen in a file input, into DroppedFiles with the
 * path inside any dropped folder. Folders are walked with the File and Directory Entries API
 * (webkitGetAsEntry): the only way a page can see inside a dropped folder.
 */
import type { DroppedFile } from '../../../shared/contract'

/** Hidden files and folders (.git, .DS_Store) are never documents, and .git alone can be thousands of files. */
const isHidden = (name: string): boolean => name.startsWith('.')

/**
 * Reads a drop. The DataTransfer empties once the drop event returns, so its entries are taken
 * synchronously here and only the folder walk is asynchronous.
 */
export function filesFromDrop(dataTransfer: DataTransfer): Promise<DroppedFile[]> {
  const taken: Array<{ entry: FileSystemEntry | null; file: File | null }> = []
  for (const item of Array.from(dataTransfer.items)) {
    if (item.kind !== 'file') continue
    taken.push({ entry: item.webkitGetAsEntry?.() ?? null, file: item.getAsFile() })
  }
  if (taken.length === 0) {
    return Promise.resolve(Array.from(dataTransfer.files).map((file) => ({ file, relativePath: '' })))
  }
  return collect(taken)
}

async function collect(taken: Array<{ entry: FileSystemEntry | null; file: File | null }>): Promise<DroppedFile[]> {
  const out: DroppedFile[] = []
  for (const { entry, file } of taken) {
    if (entry?.isDirectory) await walk(entry as FileSystemDirectoryEntry, out)
    // A loose file is taken as the file itself: simpler, and it works for files a page put into
    // a DataTransfer too, which have no entry to read from.
    else if (file && !isHidden(file.name)) out.push({ file, relativePath: '' })
  }
  return out
}

async function walk(directory: FileSystemDirectoryEntry, out: DroppedFile[]): Promise<void> {
  if (isHidden(directory.name)) return
  const reader = directory.createReader()
  // readEntries answers in batches (100 in Chromium) until it answers with none.
  for (;;) {
    const batch = await new Promise<FileSystemEntry[]>((resolve) => reader.readEntries(resolve, () => resolve([])))
    if (batch.length === 0) return
    for (const entry of batch) {
      if (isHidden(entry.name)) continue
      if (entry.isDirectory) await walk(entry as FileSystemDirectoryEntry, out)
      else {
        const file = await new Promise<File | null>((resolve) => (entry as FileSystemFileEntry).file(resolve, () => resolve(null)))
        if (file) out.push({ file, relativePath: entry.fullPath.replace(/^\/+/, '') })
      }
    }
  }
}

/** Files chosen in an `<input type=file>`, with their folder paths when a folder was chosen. */
export function filesFromInput(files: FileList | null): DroppedFile[] {
  if (!files) return []
  return Array.from(files)
    .filter((file) => !(file.webkitRelativePath || file.name).split('/').some(isHidden))
    .map((file) => ({ file, relativePath: file.webkitRelativePath }))
}
