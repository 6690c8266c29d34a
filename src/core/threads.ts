import { Piscina } from 'piscina'

export type PoolOptions = NonNullable<ConstructorParameters<typeof Piscina>[0]>

const NO_REQUIRE_ESM = '--no-experimental-require-module'

/**
 * A Piscina pool whose threads load their ES module with `import()`, never with `require()`.
 *
 * Piscina tries `require(file)` first. Since Node 20.19 that loads an ES module synchronously, and
 * if the thread is terminated while `require()` links the module's graph (the pool destroyed, or
 * an import let go, while a thread is still starting), Node aborts the whole process: "FATAL ERROR:
 * v8::Module::IsGraphAsync must be used on an instantiated module" (ModuleWrap::InstantiateSync
 * asks a module whose instantiation was cut short). With `require(esm)` turned off in the thread,
 * `require()` refuses the file at once and Piscina falls back to `import()`, which a termination
 * simply ends. Node then leaves open the module files that thread was reading (72 descriptors for
 * 200 threads terminated mid-load in a test), a small price for a rare event.
 */
export function threadPool(options: PoolOptions): Piscina {
  return new Piscina({ ...options, execArgv: threadExecArgv(options.execArgv) })
}

function threadExecArgv(execArgv: string[] = process.execArgv): string[] {
  // A Node without require(esm) has no such flag, and a worker refuses flags it does not know.
  if (!process.allowedNodeEnvironmentFlags.has(NO_REQUIRE_ESM) || execArgv.includes(NO_REQUIRE_ESM)) return execArgv
  return [...execArgv, NO_REQUIRE_ESM]
}
