/**
 * Run by scratch-folder.test.ts in a process of its own: builds a vector index the way the writer
 * does and one by calling LanceDB directly, and prints what each left in the temporary folder.
 */
import { readdirSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { loadLance } from '../../src/core/store/lance'
import { ownScratchFolder } from '../../src/core/store/scratch'
import { maintainVectorIndex, VECTOR_INDEX } from '../../src/core/store/vector-index'

const lancedb = await loadLance()
const folder = ownScratchFolder()
const db = await lancedb.connect(join(folder, 'library'))
const rows = VECTOR_INDEX.minRows
const vector = (i: number): number[] => Array.from({ length: 16 }, (_, j) => Math.sin(i * 0.37 + j * 1.3 + (i % 7)))
const table = (name: string) => db.createTable(name, Array.from({ length: rows }, (_, i) => ({ id: i, vector: vector(i) })))
const shuffleFolders = (): string[] => readdirSync(folder).filter((name) => name.startsWith('.tmp'))

const shipped = await table('shipped')
const record = await maintainVectorIndex(shipped, rows, undefined)
const afterShipped = shuffleFolders()
const direct = await table('direct')
await direct.createIndex('vector', { config: lancedb.Index.ivfRq({ distanceType: 'cosine', numPartitions: 8 }) })
const afterDirect = shuffleFolders()
console.log(JSON.stringify({ tmpdir: tmpdir(), folder, indexed: record !== undefined, afterShipped, afterDirect }))
