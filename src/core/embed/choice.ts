import { BUILTIN_SPEC, BuiltinEmbedder } from './builtin'
import type { Embedder, EmbedderSpec } from './embedder'
import { createOllamaEmbedder } from './ollama'

/** Which embedder the user chose: plain data, so it can be sent to worker threads. */
export type EmbedderChoice = { kind: 'builtin' } | { kind: 'ollama'; model: string; host: string; dim?: number }

/** Builds the chosen embedder (for Ollama, one probe call learns the vector length). */
export async function createEmbedder(choice: EmbedderChoice, signal?: AbortSignal): Promise<Embedder> {
  if (choice.kind === 'builtin') return new BuiltinEmbedder()
  return createOllamaEmbedder({ host: choice.host, model: choice.model, dim: choice.dim, signal })
}

/**
 * Embedders built once per choice: an Ollama embedder probes its model once, not at every use.
 * A build that fails (Ollama down, an aborted probe) is forgotten, so the next use tries again.
 */
export function embedderCache(): (choice: EmbedderChoice, signal?: AbortSignal) => Promise<Embedder> {
  const built = new Map<string, Promise<Embedder>>()
  return (choice, signal) => {
    const key = JSON.stringify(choice)
    let embedder = built.get(key)
    if (!embedder) {
      embedder = createEmbedder(choice, signal)
      embedder.catch(() => built.delete(key))
      built.set(key, embedder)
    }
    return embedder
  }
}

/**
 * The choice that reproduces an embedder recorded in a library (Ollama needs a host to reach it).
 * The recorded length saves the probe call; a model that now gives other lengths is refused.
 */
export function choiceForSpec(spec: EmbedderSpec, ollamaHost: string): EmbedderChoice {
  return spec.kind === 'builtin' ? { kind: 'builtin' } : { kind: 'ollama', model: spec.model, host: ollamaHost, dim: spec.dim }
}

/** The spec of the built-in embedder, known without building it. */
export { BUILTIN_SPEC }
