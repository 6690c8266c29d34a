/**
 * One e2e suite's session: a fake Ollama server, `documind serve` against it, headless Chromium
 * with one page open on the app, torn down after the suite; a failing test saves screenshots,
 * console logs and the server's output under test-results/e2e.
 */
import type { Browser } from 'playwright-core'
import { afterAll, beforeAll, beforeEach } from 'vitest'
import { startFakeOllama, type FakeOllama, type FakeOllamaOptions } from '../../support/fake-ollama'
import { launchBrowser, openPage, saveArtifacts, type LoggedPage } from './browser'
import { startServe, type ServedApp } from './serve'

export interface E2eSession {
  fake: FakeOllama
  app: ServedApp
  browser: Browser
  /** The first is opened on the app before the tests; tests may add more. */
  pages: LoggedPage[]
}

/** Registers the suite's set-up and tear-down; the returned object is filled in before the tests. */
export function useServedApp(name: string, options: { fake?: FakeOllamaOptions; libraryDir?: string } = {}): E2eSession {
  const session = { pages: [] as LoggedPage[] } as E2eSession
  beforeAll(async () => {
    session.fake = await startFakeOllama(options.fake)
    session.app = await startServe({ ollamaUrl: session.fake.url, libraryDir: options.libraryDir })
    session.browser = await launchBrowser()
    session.pages.push(await openPage(session.browser, session.app.url))
  })
  afterAll(async () => {
    await session.browser?.close()
    await session.app?.stop()
    await session.fake?.close()
  })
  beforeEach(({ onTestFailed, task }) => {
    onTestFailed(() => saveArtifacts(`${name}-${task.name}`, session.pages, session.app.output()).then(() => undefined))
  })
  return session
}
