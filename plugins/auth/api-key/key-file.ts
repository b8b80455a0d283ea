import { readFile, stat } from 'node:fs/promises'
import { homedir } from 'node:os'
import { isAbsolute, join, resolve } from 'node:path'
import type { Logger } from '../../../kernel/index.js'

/** `~` (leading) is the home directory; a relative path resolves against the working directory. */
export function keyFilePath(configured: string): string {
  const expanded = configured.startsWith('~') ? join(homedir(), configured.slice(1)) : configured
  return isAbsolute(expanded) ? expanded : resolve(process.cwd(), expanded)
}

export interface KeyFileReader {
  /** The key in the file (trimmed), or null when it is missing, unreadable or empty. */
  read(configured: string): Promise<{ key: string | null; path: string }>
}

/**
 * Reads key files at call time, as llxprt does: the whole content trimmed, an empty file is no key,
 * a file that cannot be read is no key. Warns once per file and problem (never with the content).
 */
export function createKeyFileReader(logger: Logger): KeyFileReader {
  const warned = new Set<string>()
  const warnOnce = (path: string, kind: string, message: string, fields: Record<string, unknown>) => {
    if (warned.has(`${path}\0${kind}`)) return
    warned.add(`${path}\0${kind}`)
    logger.warn(message, { path, ...fields })
  }
  return {
    async read(configured) {
      const path = keyFilePath(configured)
      let content: string
      try {
        const mode = (await stat(path)).mode & 0o777
        if (process.platform !== 'win32' && (mode & 0o044) !== 0) {
          warnOnce(path, 'mode', `key file is readable by group or others; run chmod 600 ${path}`, { mode: mode.toString(8).padStart(4, '0') })
        }
        content = await readFile(path, 'utf8')
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code ?? 'EUNKNOWN'
        warnOnce(path, code, 'key file cannot be read; it is skipped', { errorCode: code })
        return { key: null, path }
      }
      const key = content.trim() || null
      if (key === null) warnOnce(path, 'empty', 'key file is empty; it is skipped', {})
      return { key, path }
    },
  }
}
