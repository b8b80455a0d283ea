import fg from 'fast-glob'
import { abortError } from './errors.js'

/** Globs (relative to the walked directory) that glob and grep skip unless asked. */
export const IGNORED_GLOBS = ['**/.git', '**/.git/**', '**/node_modules', '**/node_modules/**']

export interface WalkOptions {
  /** Directory the patterns are relative to. */
  cwd: string
  ignore: string[]
  signal: AbortSignal
}

export interface WalkedFile {
  /** Path relative to `cwd`, with `/` separators. */
  path: string
  mtimeMs: number
}

/**
 * Regular files under `cwd` matching the patterns (hidden ones included; symbolic links are not
 * followed nor listed, so a link cannot lead the walk out of the workspace). Stops when aborted.
 */
export async function* walkFiles(patterns: string[], options: WalkOptions): AsyncGenerator<WalkedFile> {
  if (options.signal.aborted) throw abortError(options.signal)
  const stream = fg.stream(patterns, {
    cwd: options.cwd,
    ignore: options.ignore,
    dot: true,
    onlyFiles: true,
    followSymbolicLinks: false,
    stats: true,
    suppressErrors: true,
    unique: true,
  }) as NodeJS.ReadableStream & { destroy(error?: Error): void }
  const onAbort = () => stream.destroy(abortError(options.signal))
  options.signal.addEventListener('abort', onAbort, { once: true })
  try {
    for await (const entry of stream as AsyncIterable<fg.Entry>) {
      yield { path: entry.path, mtimeMs: entry.stats?.mtimeMs ?? 0 }
    }
  } finally {
    options.signal.removeEventListener('abort', onAbort)
    stream.destroy()
  }
}

/**
 * A search glob as ripgrep reads it: one without a slash matches a name at any depth (`*.ts`), one
 * with a slash is relative to the searched directory (`src/**\/*.ts`, a leading `/` allowed).
 */
export function anchorGlob(glob: string): string {
  if (glob.startsWith('/')) return glob.slice(1)
  return glob.includes('/') ? glob : `**/${glob}`
}

/** Compare paths directory by directory, the order `rg --sort path` prints them in. */
export function comparePaths(a: string, b: string): number {
  const left = a.split('/')
  const right = b.split('/')
  for (let i = 0; i < Math.min(left.length, right.length); i++) {
    if (left[i] !== right[i]) return left[i] < right[i] ? -1 : 1
  }
  return left.length - right.length
}
