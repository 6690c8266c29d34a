import { execFileSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'

const LANCE = fileURLToPath(new URL('../../src/core/store/lance.ts', import.meta.url))
const NAMES = ['LANCE_CPU_THREADS', 'LANCE_DEFAULT_IO_BUFFER_SIZE', 'LANCE_DEFAULT_BATCH_SIZE']

/** The Lance variables a fresh Node process has after loading LanceDB through `loadLance`, from `env`. */
function environmentAfterLoad(env: Record<string, string>): Record<string, string | undefined> {
  const script = `const { loadLance } = await import(${JSON.stringify(LANCE)}); await loadLance(); console.log(JSON.stringify(Object.fromEntries(${JSON.stringify(NAMES)}.map((n) => [n, process.env[n]]))))`
  const base = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('LANCE_')))
  return JSON.parse(execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { env: { ...base, ...env }, encoding: 'utf8' }))
}

describe('LanceDB environment', () => {
  it('bounds scan buffers and gives LanceDB two threads when the user set nothing', () => {
    expect(environmentAfterLoad({})).toEqual({ LANCE_CPU_THREADS: '2', LANCE_DEFAULT_IO_BUFFER_SIZE: String(64 * 1024 * 1024), LANCE_DEFAULT_BATCH_SIZE: '1024' })
  })

  it("keeps the user's values, raising only a thread count under 2", () => {
    expect(environmentAfterLoad({ LANCE_CPU_THREADS: '1', LANCE_DEFAULT_IO_BUFFER_SIZE: '268435456', LANCE_DEFAULT_BATCH_SIZE: '4096' })).toEqual({
      LANCE_CPU_THREADS: '2',
      LANCE_DEFAULT_IO_BUFFER_SIZE: '268435456',
      LANCE_DEFAULT_BATCH_SIZE: '4096'
    })
    expect(environmentAfterLoad({ LANCE_CPU_THREADS: '6' }).LANCE_CPU_THREADS).toBe('6')
  })
})
