import { resolve } from 'node:path'
import { defineConfig } from 'electron-vite'

export default defineConfig({
  main: {
    build: {
      rollupOptions: {
        input: {
          cli: resolve(__dirname, 'src/cli/index.ts')
        }
      }
    }
  }
})
