/** What a benchmark report must say about where it ran: the machine, its load, and every version. */
import { existsSync, readFileSync } from 'node:fs'
import { cpus, loadavg, release, totalmem } from 'node:os'
import { join } from 'node:path'

export interface MachineFacts {
  cores: number
  cpu: string
  ram_gb: number
  node: string
  os: string
  /** 1, 5 and 15-minute load averages: on a shared machine, how much else was running. */
  load_before: number[]
  load_after: number[]
  packages: Record<string, string>
  /** The Debian packages the corpus was built from, when the benchmark built it. */
  corpus_packages: string[]
}

const PACKAGES = [
  '@lancedb/lancedb', 'apache-arrow', 'piscina', 'ollama', '@embedpdf/pdfium', 'pdf-parse', 'mammoth', 'epub2', 'html-to-text', 'htmlparser2',
  '@langchain/core', '@langchain/community', '@langchain/classic', '@langchain/textsplitters', '@langchain/ollama'
]

function osName(): string {
  try {
    const line = readFileSync('/etc/os-release', 'utf8').split('\n').find((l) => l.startsWith('PRETTY_NAME='))
    if (line) return `${line.slice('PRETTY_NAME='.length).replace(/"/g, '')} (Linux ${release()})`
  } catch {
    // Not Linux, or no os-release.
  }
  return `${process.platform} ${release()}`
}

export const loadNow = (): number[] => loadavg().map((value) => Math.round(value * 100) / 100)

export async function machineFacts(repo: string, corpus: string): Promise<MachineFacts> {
  const packages: Record<string, string> = {}
  for (const name of PACKAGES) {
    try {
      packages[name] = (JSON.parse(readFileSync(join(repo, 'node_modules', name, 'package.json'), 'utf8')) as { version: string }).version
    } catch {
      packages[name] = 'not installed'
    }
  }
  const listed = `${corpus}.packages.txt`
  const corpusPackages = existsSync(listed)
    ? readFileSync(listed, 'utf8').split('\n').filter((l) => l.startsWith('corpus package:')).map((l) => l.slice('corpus package:'.length).trim())
    : []
  return {
    cores: cpus().length,
    cpu: cpus()[0]?.model ?? 'unknown',
    ram_gb: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    os: osName(),
    load_before: loadNow(),
    load_after: [],
    packages,
    corpus_packages: corpusPackages
  }
}
