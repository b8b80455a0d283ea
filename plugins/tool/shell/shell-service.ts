import { lstat, mkdir, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { PlatformError } from '../../../kernel/index.js'
import type { ShellOptions } from './config.js'
import { detectLauncher, type Launcher } from './launcher.js'

export interface ToolShellService {
  /** How commands start here: shell path and network isolation (probed once). */
  launcher(): Promise<Launcher>
  /** Where the full output of a call is kept: `<logDir>/<sessionId>/<callId>.log`. */
  logPath(sessionId: string, callId: string): string
  /** Creates the session's log folder (mode 0700) and returns the call's log path. */
  prepareLog(sessionId: string, callId: string): Promise<string>
  /** Deletes the kept outputs of a session. */
  removeSessionLogs(sessionId: string): Promise<void>
  /** Tracks a running command; returns the function that forgets it. */
  track(stop: () => Promise<void>): () => void
  /** Commands running now. */
  running(): number
  /** Stops every running command's process group (SIGTERM, SIGKILL after the grace). */
  stopAll(): Promise<void>
}

/** Ids come from providers and clients: keep them to one harmless path segment. */
export function safeSegment(id: string): string {
  const cleaned = id.replace(/[^A-Za-z0-9._-]/g, '_').slice(0, 128)
  return /^\.*$/.test(cleaned) ? `_${cleaned}` : cleaned
}

async function ensurePrivateDir(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true, mode: 0o700 })
  const info = await lstat(dir)
  const ownedByUs = process.getuid === undefined || info.uid === process.getuid()
  if (!info.isDirectory() || !ownedByUs) {
    throw new PlatformError(
      'TOOL_SHELL_LOG_DIR_UNSAFE',
      `The command log folder ${dir} is not a directory owned by this server's user; remove it or set tool-shell.logDir to a private folder.`,
      { details: { dir } },
    )
  }
}

export function createShellService(options: ShellOptions): ToolShellService {
  const root = options.logDir ?? join(tmpdir(), 'platform-tool-shell')
  const running = new Set<() => Promise<void>>()
  let launcher: Promise<Launcher> | undefined
  const logPath = (sessionId: string, callId: string) => join(root, safeSegment(sessionId), `${safeSegment(callId)}.log`)

  return {
    launcher: () => (launcher ??= detectLauncher(options)),
    logPath,
    async prepareLog(sessionId, callId) {
      try {
        await ensurePrivateDir(root)
        await ensurePrivateDir(join(root, safeSegment(sessionId)))
      } catch (error) {
        if (error instanceof PlatformError) throw error
        throw new PlatformError('TOOL_SHELL_LOG_FAILED', `Could not create the command log folder under ${root}: ${(error as Error).message}. Set tool-shell.logDir to a writable folder.`, {
          cause: error,
        })
      }
      return logPath(sessionId, callId)
    },
    async removeSessionLogs(sessionId) {
      await rm(join(root, safeSegment(sessionId)), { recursive: true, force: true })
    },
    track(stop) {
      running.add(stop)
      return () => running.delete(stop)
    },
    running: () => running.size,
    async stopAll() {
      await Promise.all([...running].map((stop) => stop()))
    },
  }
}
