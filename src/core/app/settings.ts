/**
 * The user's settings, in one JSON file written atomically. A file that is missing, damaged or
 * written by another version falls back field by field to the defaults, so one bad value never
 * costs the user the rest.
 */
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { SettingsSchema, type SettingsValue } from '../../shared/contract'
import { DEFAULT_OLLAMA_HOST, normalizeHost } from '../llm/ollama'

/** Where both hosts keep the settings of a library, unless they choose otherwise. */
export function defaultSettingsPath(libraryDir: string): string {
  return join(libraryDir, 'settings.json')
}

export function defaultSettings(env: NodeJS.ProcessEnv = process.env): SettingsValue {
  let ollamaHost = DEFAULT_OLLAMA_HOST
  try {
    ollamaHost = normalizeHost(env.OLLAMA_HOST)
  } catch {
    // An unparseable $OLLAMA_HOST: the default host, which Settings can change.
  }
  return { ollamaHost, chatModel: null, embedder: { kind: 'builtin' }, language: 'system', theme: 'system' }
}

export class SettingsStore {
  private writes: Promise<void> = Promise.resolve()

  private constructor(
    readonly path: string,
    private current: SettingsValue
  ) {}

  static async open(path: string, env: NodeJS.ProcessEnv = process.env): Promise<SettingsStore> {
    const settings = defaultSettings(env)
    let stored: Record<string, unknown> = {}
    try {
      const parsed: unknown = JSON.parse(await readFile(path, 'utf8'))
      if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) stored = parsed as Record<string, unknown>
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') console.error(`documind: the settings file ${path} could not be read; using defaults:`, (error as Error).message)
    }
    const shape = SettingsSchema.shape
    for (const key of Object.keys(shape) as Array<keyof SettingsValue>) {
      const field = shape[key].safeParse(stored[key])
      if (key in stored && field.success) Object.assign(settings, { [key]: field.data })
    }
    return new SettingsStore(path, settings)
  }

  get(): SettingsValue {
    return structuredClone(this.current)
  }

  /** Applies a (validated) change and saves it; resolves with the settings now in force. */
  async update(patch: Partial<SettingsValue>): Promise<SettingsValue> {
    const next = SettingsSchema.parse({ ...this.current, ...patch })
    next.ollamaHost = normalizeHost(next.ollamaHost)
    this.current = next
    const text = JSON.stringify(next, null, 2) + '\n'
    const write = this.writes.then(async () => {
      await mkdir(dirname(this.path), { recursive: true })
      const tmp = `${this.path}.${process.pid}.tmp`
      await writeFile(tmp, text)
      await rename(tmp, this.path)
    })
    this.writes = write.catch(() => undefined)
    await write
    return this.get()
  }
}
