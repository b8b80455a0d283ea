import { closeSync, mkdirSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs'
import { join } from 'node:path'
import { KernelErrorCode, PlatformError } from './errors.js'

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'
  }
}

/**
 * Take `<dir>/<name>.lock` for this process, so a second server cannot open the same embedded data.
 * A lock left by a dead process is taken over. Returns the release function.
 */
export function acquireDirLock(dir: string, name = 'server'): () => void {
  mkdirSync(dir, { recursive: true })
  const file = join(dir, `${name}.lock`)
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(file, 'wx', 0o600)
      writeSync(fd, JSON.stringify({ pid: process.pid, startedAt: new Date().toISOString() }))
      closeSync(fd)
      return () => {
        try {
          const owner = JSON.parse(readFileSync(file, 'utf8')) as { pid: number }
          if (owner.pid === process.pid) rmSync(file, { force: true })
        } catch {
          /* already gone */
        }
      }
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error
      let pid = 0
      try {
        pid = (JSON.parse(readFileSync(file, 'utf8')) as { pid: number }).pid
      } catch {
        /* unreadable lock: treat as stale */
      }
      if (pid && pid !== process.pid && alive(pid)) {
        throw new PlatformError(
          KernelErrorCode.DATA_DIR_LOCKED,
          `The data directory ${dir} is in use by another server (pid ${pid}). Stop that server, or start this one with another kernel.dataDir or a DATABASE_URL.`,
          { details: { dir, pid } },
        )
      }
      rmSync(file, { force: true })
    }
  }
  throw new PlatformError(KernelErrorCode.DATA_DIR_LOCKED, `Could not take the lock ${file}.`, { details: { dir } })
}
