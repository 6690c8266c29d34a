import { createRequire } from 'node:module'

/**
 * apache-arrow, loaded the way LanceDB loads it. LanceDB `require`s the CommonJS build; an ESM
 * `import` would load the package's second build, whose classes fail LanceDB's `instanceof Table`
 * checks (the dual-package hazard), so batches would be rejected as foreign.
 */
export const arrow: typeof import('apache-arrow') = createRequire(import.meta.url)('apache-arrow')

/**
 * The rows of an Arrow table (a LanceDB query's `toArrow()`) as plain objects. LanceDB's
 * `toArray()` gives row proxies that look each field up through the table on every access:
 * copying the 34,725 document rows of a 400,000-chunk library out of them took 1.1-1.3 s, against
 * 0.23-0.27 s reading each column's values by index, as here. Values are those the proxies give.
 */
export function plainRows<T>(table: import('apache-arrow').Table): T[] {
  const names = table.schema.fields.map((field) => field.name)
  const columns = names.map((name) => table.getChild(name)!)
  const rows = new Array<T>(table.numRows)
  for (let i = 0; i < table.numRows; i++) {
    const row: Record<string, unknown> = {}
    for (let c = 0; c < names.length; c++) row[names[c]] = columns[c].get(i)
    rows[i] = row as T
  }
  return rows
}
