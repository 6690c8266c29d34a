/**
 * `documind serve`: the app in a browser. Runs the app service behind the web host on 127.0.0.1
 * and prints the address to open (token included) as its first line, so a script or a test can
 * read it; then serves until SIGINT or SIGTERM and closes cleanly.
 */
import { dirname } from 'node:path'
import { fileURLToPath } from 'node:url'
import { createAppService, defaultSettingsPath } from '../core/app'
import { startWebHost } from '../server/web-host'
import { builtRendererDir } from '../server/static-files'
import type { CommandLine } from './args'

export async function runServe(line: CommandLine): Promise<number> {
  // --ollama (else $OLLAMA_HOST) is the host Settings starts with for a library that has none saved.
  process.env.OLLAMA_HOST = line.ollamaHost
  const service = await createAppService({ libraryDir: line.libraryDir, settingsPath: defaultSettingsPath(line.libraryDir), host: 'web' })
  let host
  try {
    host = await startWebHost({ service, libraryDir: line.libraryDir, rendererDir: builtRendererDir(dirname(fileURLToPath(import.meta.url))), port: line.port ?? 0 })
  } catch (error) {
    await service.close()
    throw (error as NodeJS.ErrnoException).code === 'EADDRINUSE' ? new Error(`port ${line.port} is in use; choose another with --port, or --port 0 for any free port`) : error
  }
  process.stdout.write(`${host.url}\n`)
  process.stdout.write(`DocuMind is serving the library in ${line.libraryDir}.\nOpen the address above in a browser on this computer. Press Ctrl+C to stop.\n`)
  const signal = await new Promise<NodeJS.Signals>((resolve) => {
    process.once('SIGINT', resolve)
    process.once('SIGTERM', resolve)
  })
  process.stderr.write(`Stopping (${signal})…\n`)
  await host.close()
  await service.close()
  return 0
}
