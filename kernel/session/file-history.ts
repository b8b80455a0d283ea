import { readFile, rm, writeFile, mkdir } from 'node:fs/promises'
import { dirname } from 'node:path'

interface Snapshot {
  turnId: string
  path: string
  /** The content before the turn's first change, or null when the file did not exist. */
  before: Buffer | null
}

export interface RevertResult {
  /** Files put back as they were before the turn (absolute paths). */
  restored: string[]
  /** Files the turn created, removed again. */
  removed: string[]
}

/**
 * What tools changed, per session and turn, so a turn can be undone: before a tool writes a file it
 * calls `record`, which keeps the file's content as it was before that turn (once per turn and path).
 * Kept in this process's memory, bounded by `maxBytes` (oldest snapshots dropped first).
 */
export class FileHistory {
  readonly #sessions = new Map<string, Snapshot[]>()
  #bytes = 0

  constructor(private readonly maxBytes = 64 * 1024 * 1024) {}

  async record(sessionId: string, turnId: string, path: string): Promise<void> {
    const list = this.#sessions.get(sessionId) ?? []
    if (list.some((s) => s.turnId === turnId && s.path === path)) return
    const before = await readFile(path).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return null
      throw error
    })
    list.push({ turnId, path, before })
    this.#sessions.set(sessionId, list)
    this.#bytes += before?.length ?? 0
    this.#trim()
  }

  /** Turn ids (ascending) that changed files, for a session. */
  turns(sessionId: string): string[] {
    return [...new Set((this.#sessions.get(sessionId) ?? []).map((s) => s.turnId))].sort()
  }

  /** Undo every recorded change of `turnId` and later turns (turn ids are time-ordered ULIDs). */
  async revert(sessionId: string, turnId: string): Promise<RevertResult> {
    const list = this.#sessions.get(sessionId) ?? []
    const undone = list.filter((s) => s.turnId >= turnId)
    const earliest = new Map<string, Snapshot>()
    for (const snapshot of undone) if (!earliest.has(snapshot.path)) earliest.set(snapshot.path, snapshot)
    const result: RevertResult = { restored: [], removed: [] }
    for (const snapshot of earliest.values()) {
      if (snapshot.before === null) {
        await rm(snapshot.path, { force: true })
        result.removed.push(snapshot.path)
      } else {
        await mkdir(dirname(snapshot.path), { recursive: true })
        await writeFile(snapshot.path, snapshot.before)
        result.restored.push(snapshot.path)
      }
    }
    const kept = list.filter((s) => s.turnId < turnId)
    for (const snapshot of undone) this.#bytes -= snapshot.before?.length ?? 0
    this.#sessions.set(sessionId, kept)
    return result
  }

  forget(sessionId: string): void {
    for (const snapshot of this.#sessions.get(sessionId) ?? []) this.#bytes -= snapshot.before?.length ?? 0
    this.#sessions.delete(sessionId)
  }

  #trim(): void {
    while (this.#bytes > this.maxBytes) {
      const oldest = [...this.#sessions.values()].flat().sort((a, b) => (a.turnId < b.turnId ? -1 : 1))[0]
      if (!oldest) return
      const list = this.#sessions.get([...this.#sessions.entries()].find(([, l]) => l.includes(oldest))![0])!
      list.splice(list.indexOf(oldest), 1)
      this.#bytes -= oldest.before?.length ?? 0
    }
  }
}
