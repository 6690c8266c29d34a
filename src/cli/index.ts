/**
 * `documind`: the command line over the same engine and library folder as the app.
 * Each command is in its own module; this file only reads the command line and reports errors.
 */
import { ensureLanceEnvironment } from '../core/store/lance'
import { parseCommandLine, UsageError, USAGE } from './args'
import { runCommand } from './commands'

ensureLanceEnvironment()

// Output piped into a command that stops reading early (`documind search ... | head`) is closed
// under us. Like any Unix tool killed by SIGPIPE, the command then ends at once with status 141,
// not with a stack trace. (An import stopped this way resumes where it stopped, as after a crash.)
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code !== 'EPIPE') throw error
  process.exit(128 + 13)
})

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
