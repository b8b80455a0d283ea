import { open, realpath, stat } from 'node:fs/promises'
import { dirname, join, relative, resolve } from 'node:path'
import type { InstructionFile } from './services.js'

/**
 * Project instruction files (AGENTS.md, LLXPRT.md, GEMINI.md, CLAUDE.md) as gemini-cli and llxprt
 * find them upward: the workspace folder and each parent up to the project root (the nearest folder
 * holding `.git`) or the filesystem root; every file found, outermost folder first, so the most
 * specific file comes last. Not taken over: their global `~/.gemini` file (the server's home is not
 * the user's), the downward scan of sub-folders and `@file` imports.
 */
export interface InstructionReaderOptions {
  files: string[]
  /** Total bytes added per prompt, shared fairly between the files found (see shareBudget). */
  maxBytes: number
  /** Files whose content stays cached (re-read when mtime, ctime or size change). */
  cacheEntries?: number
}

interface Found {
  path: string
  label: string
  size: number
  /** Changes when the file does (mtime, ctime, size): the cache key. */
  version: string
  depth: number
  order: number
}

interface CacheEntry {
  key: string
  head: Buffer
}

export interface InstructionReader {
  instructionsFor(workspace: string): Promise<InstructionFile[]>
}

export function createInstructionReader(options: InstructionReaderOptions): InstructionReader {
  const cache = new Map<string, CacheEntry>()
  const limit = options.cacheEntries ?? 256

  async function head(path: string, key: string, size: number): Promise<Buffer> {
    const hit = cache.get(path)
    if (hit?.key === key) return hit.head
    const length = Math.min(size, options.maxBytes)
    const handle = await open(path, 'r')
    try {
      const buffer = Buffer.alloc(length)
      const { bytesRead } = await handle.read(buffer, 0, length, 0)
      const entry = { key, head: buffer.subarray(0, bytesRead) }
      cache.delete(path)
      cache.set(path, entry)
      if (cache.size > limit) cache.delete(cache.keys().next().value as string)
      return entry.head
    } finally {
      await handle.close()
    }
  }

  return {
    async instructionsFor(workspace) {
      if (options.files.length === 0) return []
      const found = await discover(resolve(workspace), options.files)
      const shares = shareBudget(found, options.maxBytes)
      const result: Array<InstructionFile & { depth: number; order: number }> = []
      for (const [i, file] of found.entries()) {
        const take = shares[i]
        const bytes = take > 0 ? await head(file.path, file.version, file.size).catch(() => null) : Buffer.alloc(0)
        if (!bytes) continue
        const truncated = take < file.size
        const text = decode(bytes.subarray(0, take), truncated)
        if (!truncated && text.trim() === '') continue
        result.push({ path: file.path, label: file.label, size: file.size, text, truncated, depth: file.depth, order: file.order })
      }
      result.sort((a, b) => b.depth - a.depth || a.order - b.order)
      return result.map(({ depth: _depth, order: _order, ...file }) => file)
    },
  }
}

/** Candidate files nearest the workspace first; each real file once (AGENTS.md -> CLAUDE.md symlinks). */
async function discover(workspace: string, names: string[]): Promise<Found[]> {
  const dirs: string[] = []
  for (let dir = workspace; ; dir = dirname(dir)) {
    dirs.push(dir)
    if (await exists(join(dir, '.git')) || dirname(dir) === dir) break
  }
  const candidates = dirs.flatMap((dir, depth) => names.map((name, order) => ({ path: join(dir, name), depth, order })))
  const checked = await Promise.all(
    candidates.map(async (c) => {
      const stats = await stat(c.path).catch(() => null)
      if (!stats?.isFile()) return null
      const version = `${stats.mtimeMs}:${stats.ctimeMs}:${stats.size}`
      return { ...c, size: stats.size, version, real: await realpath(c.path).catch(() => c.path), label: relative(workspace, c.path) }
    }),
  )
  const seen = new Set<string>()
  const found: Found[] = []
  for (const file of checked) {
    if (!file || seen.has(file.real)) continue
    seen.add(file.real)
    const { real: _real, ...rest } = file
    found.push(rest)
  }
  return found
}

/**
 * Bytes per file under the cap, shared fairly: files smaller than an equal share are kept whole,
 * the rest is split evenly among the larger ones (so one huge file cannot crowd out the others).
 */
export function shareBudget(files: Array<{ size: number }>, maxBytes: number): number[] {
  const shares = new Array<number>(files.length).fill(0)
  const bySize = files.map((file, i) => ({ size: file.size, i })).sort((a, b) => a.size - b.size || a.i - b.i)
  let remaining = maxBytes
  bySize.forEach((file, k) => {
    shares[file.i] = Math.min(file.size, Math.floor(remaining / (bySize.length - k)))
    remaining -= shares[file.i]
  })
  return shares
}

const exists = (path: string) => stat(path).then(() => true, () => false)

/** UTF-8 text of the bytes; a cut multi-byte character at the end of a truncated file is dropped. */
function decode(bytes: Buffer, truncated: boolean): string {
  const text = bytes.toString('utf8')
  return truncated ? text.replace(/\uFFFD+$/, '') : text
}

/** The system prompt with the instruction files appended, each between named markers (gemini-cli's format). */
export function appendInstructions(system: string, files: InstructionFile[]): string {
  if (files.length === 0) return system
  const blocks = files.map((file) => {
    let text = file.text.trim()
    if (file.truncated) {
      const shown = Buffer.byteLength(file.text)
      text = shown === 0
        ? '[omitted: the size cap for project instructions (instructionMaxBytes) was reached]'
        : `${text}\n[truncated: ${shown} of ${file.size} bytes shown; the size cap for project instructions is instructionMaxBytes]`
    }
    return `--- Context from: ${file.label} ---\n${text}\n--- End of Context from: ${file.label} ---`
  })
  const intro =
    '# Project instructions\n\nThese files from the workspace and its parent folders hold instructions for this project. ' +
    'Files of outer folders come first; where they disagree, the file nearest the workspace wins.'
  const instructions = `${intro}\n\n${blocks.join('\n\n')}`
  return system.trim() ? `${system.trimEnd()}\n\n---\n\n${instructions}` : instructions
}
