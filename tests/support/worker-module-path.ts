import { mkdirSync } from 'node:fs'
import { basename, resolve } from 'node:path'
import { build, type Plugin } from 'vite'

const SUFFIX = '?modulePath'

/**
 * Under vitest, resolves `import p from './x.worker?modulePath'` the way electron-vite does in the
 * real build: the worker is bundled on its own into a file and the import gives that file's path.
 * Without this, Piscina would be handed a TypeScript file that Node cannot load.
 */
export function workerModulePath(): Plugin {
  const outDir = resolve('node_modules/.documind-test-workers')
  const builds = new Map<string, Promise<string>>()

  function bundle(entry: string): Promise<string> {
    let pending = builds.get(entry)
    if (!pending) {
      const name = basename(entry).replace(/\.ts$/, '')
      pending = (async () => {
        mkdirSync(outDir, { recursive: true })
        await build({
          configFile: false,
          logLevel: 'warn',
          build: {
            ssr: entry,
            outDir,
            emptyOutDir: false,
            minify: false,
            rollupOptions: { output: { format: 'es', entryFileNames: `${name}-${process.pid}.mjs` } }
          }
        })
        return resolve(outDir, `${name}-${process.pid}.mjs`)
      })()
      builds.set(entry, pending)
    }
    return pending
  }

  return {
    name: 'documind:test-worker-module-path',
    enforce: 'pre',
    async resolveId(id, importer) {
      if (!id.endsWith(SUFFIX)) return null
      const resolved = await this.resolve(id.slice(0, -SUFFIX.length), importer, { skipSelf: true })
      return resolved ? resolved.id + SUFFIX : null
    },
    async load(id) {
      if (!id.endsWith(SUFFIX)) return null
      const file = await bundle(id.slice(0, -SUFFIX.length))
      return `export default ${JSON.stringify(file)}`
    }
  }
}
