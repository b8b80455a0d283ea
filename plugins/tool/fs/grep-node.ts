import { basename, join } from 'node:path'
import { abortError } from './errors.js'
import type { GrepMatch, GrepOutcome, GrepQuery } from './grep-engine.js'
import { cutLine } from './grep-engine.js'
import { isSensitiveName } from './paths.js'
import { readLines, sniffFile } from './text.js'
import { IGNORED_GLOBS, anchorGlob, comparePaths, walkFiles } from './walk.js'

/** Longest line kept whole for matching; the rest of a longer line is not searched. */
const SCAN_LINE_CHARS = 1024 * 1024
const PROGRESS_EVERY = 100

/** Absolute paths of the files to search, in `rg --sort path` order. */
async function filesToSearch(query: GrepQuery): Promise<string[]> {
  if (query.isFile) return [query.root]
  const patterns = query.include.length > 0 ? query.include.map(anchorGlob) : ['**/*']
  const ignore = [...IGNORED_GLOBS, ...query.exclude.flatMap((glob) => [anchorGlob(glob), `${anchorGlob(glob)}/**`])]
  const paths: string[] = []
  for await (const file of walkFiles(patterns, { cwd: query.root, ignore, signal: query.signal })) paths.push(file.path)
  return paths.sort(comparePaths).map((path) => join(query.root, path))
}

/** Matches in one file, at most `room` + 1 of them; binary files (NUL bytes) are skipped. */
async function searchFile(file: string, query: GrepQuery, room: number): Promise<GrepMatch[]> {
  const found: GrepMatch[] = []
  if ((await sniffFile(file)).nul) return found
  let line = 0
  for await (const { text } of readLines(file, { maxChars: SCAN_LINE_CHARS, signal: query.signal })) {
    line++
    if (!query.regex.test(text)) continue
    found.push({ file, line, text: cutLine(text, query.maxLineChars) })
    if (found.length > room) break
  }
  return found
}

/** grep without ripgrep: walk with fast-glob, stream each file line by line. */
export async function grepWithNode(query: GrepQuery): Promise<GrepOutcome> {
  const files = await filesToSearch(query)
  const matches: GrepMatch[] = []
  let searched = 0
  for (const file of files) {
    if (query.signal.aborted) throw abortError(query.signal)
    if (!query.allowEnvFiles && isSensitiveName(basename(file))) continue
    const found = await searchFile(file, query, query.limit - matches.length).catch(() => {
      if (query.signal.aborted) throw abortError(query.signal)
      return [] as GrepMatch[] // unreadable file (permissions, vanished): skipped, as rg does
    })
    matches.push(...found)
    if (++searched % PROGRESS_EVERY === 0) query.onProgress?.(searched)
    if (matches.length > query.limit) return { matches: matches.slice(0, query.limit), truncated: true, engine: 'node' }
  }
  return { matches, truncated: false, engine: 'node' }
}
