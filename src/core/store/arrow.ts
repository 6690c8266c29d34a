import { createRequire } from 'node:module'

/**
 * apache-arrow, loaded the way LanceDB loads it. LanceDB `require`s the CommonJS build; an ESM
 * `import` would load the package's second build, whose classes fail LanceDB's `instanceof Table`
 * checks (the dual-package hazard), so batches would be rejected as foreign.
 */
export const arrow: typeof import('apache-arrow') = createRequire(import.meta.url)('apache-arrow')
