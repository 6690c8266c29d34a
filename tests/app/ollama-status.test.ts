/**
 * The banner's source: the service watches Ollama on its own and tells every session when it goes
 * away and when it comes back, without the UI asking.
 */
import { afterAll, beforeAll, expect, it } from 'vitest'
import { startFakeOllama, type FakeOllama } from '../support/fake-ollama'
import { openService, removeDir, tempDir } from './helpers'

let fake: FakeOllama
let dir: string
beforeAll(async () => {
  fake = await startFakeOllama()
  dir = await tempDir()
})
afterAll(async () => {
  await fake.close()
  await removeDir(dir)
})

it('publishes ollama.status when Ollama dies and again when it comes back', async () => {
  const { service, session } = await openService(dir, fake.url)
  try {
    const up = await session.waitFor((s) => s.of('ollama.status').find((st) => st.reachable), 'the first status')
    expect(up).toMatchObject({ host: fake.url, error: null })
    await fake.stop()
    const down = await session.waitFor((s) => s.of('ollama.status').find((st) => !st.reachable), 'Ollama gone', 8_000)
    expect(down).toMatchObject({ host: fake.url, models: [], error: { code: 'unreachable', message: expect.stringContaining('start Ollama') } })
    await fake.restart()
    await session.waitFor((s) => (s.of('ollama.status').at(-1)?.reachable ? true : undefined), 'Ollama back', 8_000)
    // Only changes are published: three statuses, not one per check.
    expect(session.of('ollama.status').map((st) => st.reachable)).toEqual([true, false, true])
  } finally {
    await service.close()
  }
}, 30_000)
