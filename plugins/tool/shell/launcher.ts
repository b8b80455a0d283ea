import { execFile } from 'node:child_process'
import { accessSync, constants } from 'node:fs'
import { delimiter, join } from 'node:path'

/** How commands are started: which shell, and the network namespace prefix when isolated. */
export interface Launcher {
  shell: string
  /** `unshare` arguments that give the command a network namespace of its own, or null. */
  isolation: string[] | null
  /** false when allowNetwork is off but no isolation works here (then it is advisory). */
  networkIsolated: boolean
}

/**
 * Makes stderr the same pipe as stdout (so the two interleave exactly as produced), then replaces
 * itself with a fresh shell running the command: same pid and process group, correct line numbers.
 */
const MERGE_STDERR = 'exec 2>&1; exec "$0" -c "$1"'

/** unshare variants, most direct first: as root, then through a user namespace. */
const UNSHARE_VARIANTS = [['--net'], ['--user', '--map-current-user', '--net'], ['--user', '--map-root-user', '--net']]

function onPath(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (!dir) continue
    const file = join(dir, name)
    try {
      accessSync(file, constants.X_OK)
      return file
    } catch {
      // not here
    }
  }
  return undefined
}

/** The configured shell, else bash from PATH, else /bin/sh. */
export function findShell(configured?: string): string {
  return configured ?? onPath('bash') ?? onPath('sh') ?? '/bin/sh'
}

function runs(file: string, args: string[]): Promise<boolean> {
  return new Promise((resolve) => {
    execFile(file, args, { timeout: 5_000 }, (error) => resolve(!error))
  })
}

/** The first unshare variant that works on this machine, or null. */
export async function probeIsolation(): Promise<string[] | null> {
  const unshare = onPath('unshare')
  if (!unshare) return null
  for (const variant of UNSHARE_VARIANTS) {
    if (await runs(unshare, [...variant, 'true'])) return [unshare, ...variant]
  }
  return null
}

export async function detectLauncher(options: { shell?: string; allowNetwork: boolean }): Promise<Launcher> {
  const shell = findShell(options.shell)
  const isolation = options.allowNetwork ? null : await probeIsolation()
  return { shell, isolation, networkIsolated: isolation !== null }
}

/** The file and arguments that run `command` with the launcher. */
export function launchArgs(launcher: Launcher, command: string): { file: string; args: string[] } {
  const shellArgs = [launcher.shell, '-c', MERGE_STDERR, launcher.shell, command]
  if (!launcher.isolation) return { file: launcher.shell, args: shellArgs.slice(1) }
  const [unshare, ...variant] = launcher.isolation
  return { file: unshare, args: [...variant, '--', ...shellArgs] }
}
