import { parseArgs } from 'node:util'
import type { EmbedderChoice } from '../core/embed/choice'
import { normalizeHost } from '../core/llm/ollama'
import { defaultLibraryDir } from '../core/paths'

export const USAGE = `Usage: documind <command> [options]

Commands:
  ingest PATH...        import files and folders (resumes an interrupted import)
      --embedder builtin|ollama   --embed-model NAME   --json
  search "QUERY"        search the library          -k N   --json
  ask "QUESTION"        answer from your documents  --model NAME   -k N   --json
  docs                  list documents with status, size and chunks   --json
  rm DOC_ID_OR_PATH...  remove documents and their chunks
  reindex               rebuild the library from its files (e.g. with another embedder)
      --embedder builtin|ollama   --embed-model NAME   --json
  eval --beir DIR       retrieval quality on a BEIR-format dataset
      --split test   --json
  serve                 the app in a browser, on 127.0.0.1 only; prints the address to open first
      --port N (default: any free port)

Options for every command:
  --db DIR              library folder (default: $DOCUMIND_DB, else DocuMind's user-data folder)
  --ollama URL          Ollama server (default: $OLLAMA_HOST, else http://127.0.0.1:11434)
`

export class UsageError extends Error {}

export interface CommandLine {
  command: 'ingest' | 'search' | 'ask' | 'docs' | 'rm' | 'reindex' | 'eval' | 'serve' | 'help'
  args: string[]
  libraryDir: string
  /** Whether --db was given (eval then uses it instead of a temporary library). */
  libraryGiven: boolean
  ollamaHost: string
  json: boolean
  k?: number
  model?: string
  embedder?: EmbedderChoice
  beir?: string
  split: string
  port?: number
}

const COMMANDS = new Set(['ingest', 'search', 'ask', 'docs', 'rm', 'reindex', 'eval', 'serve', 'help'])

export function parseCommandLine(argv: string[], env: NodeJS.ProcessEnv = process.env): CommandLine {
  let parsed
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        db: { type: 'string' },
        ollama: { type: 'string' },
        json: { type: 'boolean', default: false },
        k: { type: 'string', short: 'k' },
        model: { type: 'string' },
        embedder: { type: 'string' },
        'embed-model': { type: 'string' },
        beir: { type: 'string' },
        split: { type: 'string', default: 'test' },
        port: { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false }
      }
    })
  } catch (error) {
    throw new UsageError((error as Error).message)
  }
  const { values, positionals } = parsed
  const command = values.help ? 'help' : (positionals[0] ?? 'help')
  if (!COMMANDS.has(command)) throw new UsageError(`unknown command "${command}"`)
  const ollamaHost = normalizeHost(values.ollama ?? env.OLLAMA_HOST)
  const line: CommandLine = {
    command: command as CommandLine['command'],
    args: positionals.slice(1),
    libraryDir: values.db ?? defaultLibraryDir(env),
    libraryGiven: values.db !== undefined,
    ollamaHost,
    json: values.json ?? false,
    model: values.model,
    beir: values.beir,
    split: values.split ?? 'test'
  }
  if (values.k !== undefined) {
    const k = Number(values.k)
    if (!Number.isInteger(k) || k < 1 || k > 100) throw new UsageError('-k takes a whole number from 1 to 100')
    line.k = k
  }
  if (values.port !== undefined) {
    const port = Number(values.port)
    if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError('--port takes a port number')
    line.port = port
  }
  if (values.embedder !== undefined || values['embed-model'] !== undefined) {
    const kind = values.embedder ?? 'ollama'
    if (kind === 'builtin') line.embedder = { kind: 'builtin' }
    else if (kind === 'ollama') {
      if (!values['embed-model']) throw new UsageError('--embedder ollama needs --embed-model NAME (an embedding model installed in Ollama, e.g. nomic-embed-text)')
      line.embedder = { kind: 'ollama', model: values['embed-model'], host: ollamaHost }
    } else throw new UsageError(`--embedder is "builtin" or "ollama", not "${kind}"`)
  }
  const needs: Partial<Record<CommandLine['command'], string>> = { ingest: 'PATH', search: '"QUERY"', ask: '"QUESTION"', rm: 'DOC_ID_OR_PATH' }
  const needed = needs[line.command]
  if (needed && line.args.length === 0 && !(line.command === 'ingest')) throw new UsageError(`${line.command} needs ${needed}`)
  if (line.command === 'eval' && !line.beir) throw new UsageError('eval needs --beir DIR (a BEIR-format dataset folder)')
  return line
}
