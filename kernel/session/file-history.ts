import { chmod, mkdir, open, readdir, rm, writeFile } from 'node:fs/promises'
import { dirname, join, resolve } from 'node:path'
import { PlatformError } from '../errors.js'
import { appendEntry, blobBytes, type Entry, loadSession, readBlob, removeUnusedBlobs, SAFE_ID, writeBlob, writeIndex } from './file-history-disk.js'

export interface RevertResult {
  /** Files put back as they were before the turn (absolute paths). */
  restored: string[]
  /** Files the turn created, removed again. */
  removed: string[]
}

export interface FileHistoryOptions {
  /** Where snapshots live, one sub-directory per session. Created on first use. */
  dir: string
  /** Bound on stored content across all sessions (default 256 MiB); the oldest turns are dropped first. */
  maxBytes?: number
}

const DEFAULT_MAX_BYTES = 256 * 1024 * 1024

/**
 * What tools changed, per session and turn, so a turn can be undone: before a tool writes a file it
 * calls `record`, which keeps the file's content (and permission bits) as it was before that turn,
 * once per turn and path. Kept on disk (layout in file-history-disk.ts), so a new instance on the same
 * directory, after a restart, can revert what an earlier one recorded.
 *
 * All operations run one at a time: a revert must not interleave with a record of the same session, and
 * trimming looks at every session. The index of every session is read once, on first use, so the size
 * bound covers sessions this process has not touched yet.
 */
export class FileHistory {
  readonly #dir: string
  readonly #maxBytes: number
  #sessions: Map<string, Entry[]> | null = null
  #queue: Promise<unknown> = Promise.resolve()
  #lastAt = 0

  constructor(options: FileHistoryOptions) {
    this.#dir = resolve(options.dir)
    this.#maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES
    if (!(this.#maxBytes > 0)) {
      throw new PlatformError('FILE_HISTORY_OPTIONS_INVALID', `FileHistory maxBytes must be a positive number of bytes, got ${options.maxBytes}.`, { details: { maxBytes: options.maxBytes } })
    }
  }

  /** Keep `path` as it is now, unless this turn already recorded it (the first record per turn wins). */
  async record(sessionId: string, turnId: string, path: string): Promise<void> {
    checkId('session', sessionId)
    checkId('turn', turnId)
    const file = resolve(path)
    await this.#exclusive(async () => {
      const sessions = await this.#load()
      const entries = sessions.get(sessionId) ?? []
      if (entries.some((e) => e.turnId === turnId && e.path === file)) return
      const before = await readCurrent(file)
      const sessionDir = this.#sessionDir(sessionId)
      await mkdir(sessionDir, { recursive: true })
      const blob = before ? await writeBlob(sessionDir, before.content) : null
      const entry: Entry = { turnId, path: file, blob, bytes: before?.content.length ?? 0, mode: before?.mode ?? null, at: this.#nextAt() }
      await appendEntry(sessionDir, entry)
      entries.push(entry)
      sessions.set(sessionId, entries)
      await this.#trim()
    })
  }

  /** Turn ids (ascending) that changed files, for a session. */
  async turns(sessionId: string): Promise<string[]> {
    checkId('session', sessionId)
    return this.#exclusive(async () => {
      const entries = (await this.#load()).get(sessionId) ?? []
      return [...new Set(entries.map((e) => e.turnId))].sort()
    })
  }

  /**
   * Undo every recorded change of `turnId` and later turns (turn ids are time-ordered ULIDs): each file
   * gets the content it had before the earliest of those turns touched it. The entries are dropped after
   * every file is back, so a revert that failed half-way can be retried.
   */
  async revert(sessionId: string, turnId: string): Promise<RevertResult> {
    checkId('session', sessionId)
    checkId('turn', turnId)
    return this.#exclusive(async () => {
      const sessions = await this.#load()
      const entries = sessions.get(sessionId) ?? []
      const undone = entries.filter((e) => e.turnId >= turnId).sort((a, b) => (a.turnId === b.turnId ? a.at - b.at : a.turnId < b.turnId ? -1 : 1))
      const earliest = new Map<string, Entry>()
      for (const entry of undone) if (!earliest.has(entry.path)) earliest.set(entry.path, entry)
      const sessionDir = this.#sessionDir(sessionId)
      const result: RevertResult = { restored: [], removed: [] }
      for (const entry of earliest.values()) {
        await restore(sessionDir, entry)
        ;(entry.blob === null ? result.removed : result.restored).push(entry.path)
      }
      if (undone.length > 0) await this.#keep(sessionId, entries.filter((e) => e.turnId < turnId))
      return result
    })
  }

  /** Delete everything kept for a session (the session itself was deleted). */
  async forget(sessionId: string): Promise<void> {
    checkId('session', sessionId)
    await this.#exclusive(async () => {
      const sessions = await this.#load()
      await rm(this.#sessionDir(sessionId), { recursive: true, force: true })
      sessions.delete(sessionId)
    })
  }

  #exclusive<T>(work: () => Promise<T>): Promise<T> {
    const run = this.#queue.then(work)
    this.#queue = run.catch(() => undefined)
    return run
  }

  /** Read every session's index once (this is what makes a restart see earlier records). */
  async #load(): Promise<Map<string, Entry[]>> {
    if (this.#sessions) return this.#sessions
    await mkdir(this.#dir, { recursive: true })
    const sessions = new Map<string, Entry[]>()
    for (const item of await readdir(this.#dir, { withFileTypes: true })) {
      // Only directories named like a session id were made by us; anything else is left alone.
      if (!item.isDirectory() || !SAFE_ID.test(item.name)) continue
      const entries = await loadSession(join(this.#dir, item.name))
      for (const entry of entries) this.#lastAt = Math.max(this.#lastAt, entry.at)
      sessions.set(item.name, entries)
    }
    this.#sessions = sessions
    return sessions
  }

  /** Replace a session's entries on disk (index first, then blobs no longer named) and in memory. */
  async #keep(sessionId: string, entries: Entry[]): Promise<void> {
    const sessionDir = this.#sessionDir(sessionId)
    await writeIndex(sessionDir, entries)
    await removeUnusedBlobs(sessionDir, entries)
    this.#sessions!.set(sessionId, entries)
  }

  /** Drop whole turns, oldest first (by their first record, across sessions), until under maxBytes. */
  async #trim(): Promise<void> {
    const sessions = this.#sessions!
    let total = 0
    for (const entries of sessions.values()) total += blobBytes(entries)
    while (total > this.#maxBytes) {
      let oldest: { sessionId: string; turnId: string; at: number } | null = null
      for (const [sessionId, entries] of sessions) {
        for (const e of entries) if (!oldest || e.at < oldest.at) oldest = { sessionId, turnId: e.turnId, at: e.at }
      }
      if (!oldest) return
      const entries = sessions.get(oldest.sessionId)!
      const kept = entries.filter((e) => e.turnId !== oldest.turnId)
      total += blobBytes(kept) - blobBytes(entries)
      await this.#keep(oldest.sessionId, kept)
    }
  }

  /** Ids were checked by the caller, so the name is a single safe path segment. */
  #sessionDir(sessionId: string): string {
    return join(this.#dir, sessionId)
  }

  /** Now, but strictly after the last record, so "oldest turn" has no ties (also across restarts). */
  #nextAt(): number {
    this.#lastAt = Math.max(Date.now(), this.#lastAt + 1)
    return this.#lastAt
  }
}

/** Ids arrive from the API and name directories: only a plain segment is accepted. */
function checkId(kind: 'session' | 'turn', id: string): void {
  if (typeof id === 'string' && SAFE_ID.test(id)) return
  const shown = JSON.stringify(String(id).slice(0, 80))
  throw new PlatformError('FILE_HISTORY_ID_INVALID', `The ${kind} id ${shown} is not valid here: use 1 to 128 letters, digits, "_" or "-".`, { httpStatus: 400, details: { kind } })
}

/** The file's content and permission bits, read from one open handle; null when it does not exist. */
async function readCurrent(file: string): Promise<{ content: Buffer; mode: number } | null> {
  const handle = await open(file, 'r').catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return null
    throw error
  })
  if (!handle) return null
  try {
    const { mode } = await handle.stat()
    return { content: await handle.readFile(), mode: mode & 0o7777 }
  } finally {
    await handle.close()
  }
}

async function restore(sessionDir: string, entry: Entry): Promise<void> {
  try {
    if (entry.blob === null) {
      await rm(entry.path, { force: true })
      return
    }
    const content = await readBlob(sessionDir, entry.blob)
    await mkdir(dirname(entry.path), { recursive: true })
    await writeFile(entry.path, content)
    if (entry.mode !== null) await chmod(entry.path, entry.mode)
  } catch (error) {
    throw new PlatformError('FILE_HISTORY_RESTORE_FAILED', `Could not restore ${entry.path} to its state before turn ${entry.turnId}: ${(error as Error).message}. Fix: check the file's permissions (or remove what is in its way) and revert again; nothing was dropped.`, { httpStatus: 500, cause: error, details: { path: entry.path, turnId: entry.turnId } })
  }
}
