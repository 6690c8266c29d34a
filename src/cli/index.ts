/**
 * `documind`: the command line over the same engine and library folder as the app.
 * Each command is in its own module; this file only reads the command line and reports errors.
 */
import { ensureLanceEnvironment } from '../core/store/lance'
import { parseCommandLine, UsageError, USAGE } from './args'
import { runCommand } from './commands'

ensureLanceEnvironment()

async function main(argv: string[]): Promise<number> {
  let parsed
  try {
    parsed = parseCommandLine(argv)
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`documind: ${error.message}\n\n${USAGE}`)
      return 2
    }
    throw error
  }
  if (parsed.command === 'help') {
    process.stdout.write(USAGE)
    return 0
  }
  return runCommand(parsed)
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code
  },
  (error: unknown) => {
    const message = error instanceof Error ? error.message : String(error)
    process.stderr.write(`documind: ${message}\n`)
    if (process.env.DOCUMIND_DEBUG && error instanceof Error) process.stderr.write(`${error.stack}\n`)
    process.exitCode = 1
  }
)
