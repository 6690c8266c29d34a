import { defineConfig } from 'vitest/config'
import { workerModulePath } from './tests/support/worker-module-path.ts'

export default defineConfig({
  plugins: [workerModulePath()],
  test: {
    include: ['tests/**/*.test.ts'],
    environment: 'node',
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks'
  }
})
