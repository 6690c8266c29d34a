import { homedir } from 'node:os'
import { join } from 'node:path'

/** The application's name as Electron derives its user-data folder from it. */
export const APP_NAME = 'DocuMind'

/**
 * The per-user data folder Electron gives DocuMind (`app.getPath('userData')`): %APPDATA% on
 * Windows, ~/Library/Application Support on macOS, $XDG_CONFIG_HOME or ~/.config on Linux. The
 * CLI computes the same folder so that it and the app share one library.
 */
export function userDataDir(platform: NodeJS.Platform = process.platform, env: NodeJS.ProcessEnv = process.env): string {
  if (platform === 'win32') return join(env.APPDATA ?? join(homedir(), 'AppData', 'Roaming'), APP_NAME)
  if (platform === 'darwin') return join(homedir(), 'Library', 'Application Support', APP_NAME)
  return join(env.XDG_CONFIG_HOME || join(homedir(), '.config'), APP_NAME)
}

/** The library folder: `--db`, else $DOCUMIND_DB, else `library` in the user-data folder. */
export function defaultLibraryDir(env: NodeJS.ProcessEnv = process.env, base: string = userDataDir()): string {
  return env.DOCUMIND_DB || join(base, 'library')
}
