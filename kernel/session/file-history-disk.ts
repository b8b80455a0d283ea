import { createHash, randomBytes } from 'node:crypto'
import { appendFile, mkdir, open, readdir, readFile, rename, rm, stat } from 'node:fs/promises'
import { isAbsolute, join } from 'node:path'

/**
 * The on-disk layout of one session's file history (see file-history.ts):
 *   <sessionDir>/index.jsonl      one JSON entry per line, appended on record, rewritten (temp + rename) on drop
 *   <sessionDir>/blobs/<sha256>   the content of a snapshot, stored once per distinct content
 * A blob is complete on disk (temp file + rename) before the index line that names it is appended, so a
 * crash leaves at worst an orphan blob or a torn last line, both cleaned up by `loadSession`.
 */
export interface Entry {
  turnId: string
  /** Absolute path of the file. */
  path: string
  /** sha256 (hex) of the content before the turn's first change, or null when the file did not exist. */
  blob: string | null
  bytes: number
  /** Permission bits (e.g. 0o755) the file had, or null when it did not exist. */
  mode: number | null
  /** Milliseconds since the epoch, strictly increasing within a FileHistory (orders turns across sessions). */
  at: number
}

const INDEX = 'index.jsonl'
const BLOBS = 'blobs'
const BLOB_NAME = /^[0-9a-f]{64}$/
export const SAFE_ID = /^[A-Za-z0-9_-]{1,128}$/

/** A line of the index is trusted only as far as this check goes: its blob name becomes a path. */
function isEntry(value: unknown): value is Entry {
  const e = value as Entry
  return typeof e === 'object' && e !== null &&
    typeof e.turnId === 'string' && SAFE_ID.test(e.turnId) &&
    typeof e.path === 'string' && isAbsolute(e.path) &&
    (e.blob === null || (typeof e.blob === 'string' && BLOB_NAME.test(e.blob))) &&
    Number.isSafeInteger(e.bytes) && e.bytes >= 0 &&
    (e.mode === null || (Number.isSafeInteger(e.mode) && e.mode >= 0)) &&
    Number.isFinite(e.at)
}

function missing(error: unknown): boolean {
  return (error as NodeJS.ErrnoException).code === 'ENOENT'
}

/** Write `content` to `file` so readers see either the old file or the whole new one, never a part. */
async function writeAtomic(file: string, content: string | Buffer): Promise<void> {
  const temp = `${file}.${randomBytes(6).toString('hex')}.tmp`
  const handle = await open(temp, 'wx')
  try {
    await handle.writeFile(content)
    await handle.datasync()
  } finally {
    await handle.close()
  }
  await rename(temp, file).catch(async (error) => {
    await rm(temp, { force: true })
    throw error
  })
}

/**
 * Read a session's entries, repairing what a crash can leave behind: a torn or unreadable line, an entry
 * whose blob never made it, blobs (or temp files) no entry names. Returns [] when the session has none.
 */
export async function loadSession(sessionDir: string): Promise<Entry[]> {
  const text = await readFile(join(sessionDir, INDEX), 'utf8').catch((error) => {
    if (missing(error)) return null
    throw error
  })
  if (text === null) return []
  const blobs = new Set(await readdir(join(sessionDir, BLOBS)).catch((error) => {
    if (missing(error)) return [] as string[]
    throw error
  }))
  const lines = text.split('\n')
  // A well-formed index ends with a newline, so the last piece is empty; anything else there is torn.
  let dirty = lines.pop() !== ''
  const entries: Entry[] = []
  for (const line of lines) {
    let parsed: unknown
    try {
      parsed = JSON.parse(line)
    } catch {
      parsed = undefined
    }
    if (isEntry(parsed) && (parsed.blob === null || blobs.has(parsed.blob))) entries.push(parsed)
    else dirty = true
  }
  // Rewrite before anything is appended, so a new line never continues a torn one.
  if (dirty) await writeIndex(sessionDir, entries)
  await removeUnusedBlobs(sessionDir, entries)
  return entries
}

export async function writeIndex(sessionDir: string, entries: Entry[]): Promise<void> {
  await writeAtomic(join(sessionDir, INDEX), entries.map((e) => `${JSON.stringify(e)}\n`).join(''))
}

export async function appendEntry(sessionDir: string, entry: Entry): Promise<void> {
  await appendFile(join(sessionDir, INDEX), `${JSON.stringify(entry)}\n`)
}

/** Store content under its sha256 (once: identical content is already there) and return the hash. */
export async function writeBlob(sessionDir: string, content: Buffer): Promise<string> {
  const hash = createHash('sha256').update(content).digest('hex')
  const file = join(sessionDir, BLOBS, hash)
  const exists = await stat(file).then(() => true, (error) => {
    if (missing(error)) return false
    throw error
  })
  if (!exists) {
    await mkdir(join(sessionDir, BLOBS), { recursive: true })
    await writeAtomic(file, content)
  }
  return hash
}

export async function readBlob(sessionDir: string, hash: string): Promise<Buffer> {
  return readFile(join(sessionDir, BLOBS, hash))
}

/** Delete every file in blobs/ that no entry names (dropped snapshots, leftovers of a crash). */
export async function removeUnusedBlobs(sessionDir: string, entries: Entry[]): Promise<void> {
  const used = new Set(entries.map((e) => e.blob))
  const names = await readdir(join(sessionDir, BLOBS)).catch((error) => {
    if (missing(error)) return [] as string[]
    throw error
  })
  for (const name of names) if (!used.has(name)) await rm(join(sessionDir, BLOBS, name), { force: true })
}

/** Bytes on disk for these entries: each distinct blob counted once. */
export function blobBytes(entries: Entry[]): number {
  const sizes = new Map<string, number>()
  for (const e of entries) if (e.blob !== null) sizes.set(e.blob, e.bytes)
  let total = 0
  for (const size of sizes.values()) total += size
  return total
}
