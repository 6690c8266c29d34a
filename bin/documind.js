#!/usr/bin/env node
// DocuMind's command line. The CLI is bundled with the app (electron-vite builds it into out/);
// this launcher only checks that the build exists and hands over to it.
import { existsSync } from 'node:fs'

const cli = new URL('../out/main/cli.js', import.meta.url)
if (!existsSync(cli)) {
  console.error('documind: the app is not built yet. Run `npm run build` in the DocuMind folder first.')
  process.exit(1)
}
await import(cli.href)
