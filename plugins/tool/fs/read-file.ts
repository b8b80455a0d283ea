import { stat } from 'node:fs/promises'
import { z } from 'zod'
import { PlatformError, defineTool, type ToolContext, type ToolResult } from '../../../kernel/index.js'
import type { FsOptions } from './config.js'
import { FsErrorCode, guarded, isMissing, notFoundError, specialFileError, toFsError } from './errors.js'
import { resolveToolPath, type ResolvedPath } from './paths.js'
import { READ_FILE_PROMPT } from './read-file.prompt.js'
import { formatBytes, numberedLine, readLines, sniffFile } from './text.js'

export function readFileSchema(options: FsOptions) {
  return z
    .object({
      path: z.string().min(1).describe('Path of the file, relative to the workspace or absolute.'),
      offset: z.number().int().min(1).optional().describe('1-based line number to start reading at (default 1).'),
      limit: z.number().int().min(1).optional().describe(`How many lines to read at most (default ${options.defaultReadLines}).`),
    })
    .strict()
}

type ReadArgs = z.output<ReturnType<typeof readFileSchema>>

interface Window {
  lines: string[]
  /** Number of the last line read (the last line of the file when the file ended). */
  lastLine: number
  ended: boolean
  windowFull: boolean
}

async function readWindow(target: ResolvedPath, start: number, limit: number, options: FsOptions, signal: AbortSignal): Promise<Window> {
  const lines: string[] = []
  let bytes = 0
  let lineNumber = 0
  for await (const line of readLines(target.path, { maxChars: options.maxLineChars, signal })) {
    lineNumber++
    if (lineNumber < start) continue
    if (lines.length >= limit) return { lines, lastLine: lineNumber - 1, ended: false, windowFull: false }
    const text = numberedLine(lineNumber, line)
    bytes += Buffer.byteLength(text) + 1
    if (bytes > options.maxReadBytes && lines.length > 0) return { lines, lastLine: lineNumber - 1, ended: false, windowFull: true }
    lines.push(text)
  }
  return { lines, lastLine: lineNumber, ended: true, windowFull: false }
}

async function checkReadable(target: ResolvedPath, size: number): Promise<void> {
  const sniff = await sniffFile(target.path)
  if (!sniff.nul && !sniff.invalidUtf8) return
  const why = sniff.nul ? 'contains NUL bytes' : 'is not valid UTF-8'
  throw new PlatformError(
    FsErrorCode.BINARY_FILE,
    `${target.display} looks like a binary file (its start ${why}; ${formatBytes(size)}). read_file only returns text; inspect it with a command if a shell tool is available.`,
    { details: { path: target.path } },
  )
}

function footer(target: ResolvedPath, start: number, window: Window, size: number, options: FsOptions): string {
  if (window.ended) return `(End of file: ${window.lastLine} lines, ${formatBytes(size)}.)`
  const reason = window.windowFull ? `the ${formatBytes(options.maxReadBytes)} read window is full` : 'the line limit was reached'
  return `(Showing lines ${start}-${window.lastLine} of ${target.display} (${formatBytes(size)}); ${reason} and the file continues. Call read_file with offset=${window.lastLine + 1} to read on.)`
}

async function run(args: ReadArgs, ctx: ToolContext, options: FsOptions): Promise<ToolResult> {
  const target = await resolveToolPath(args.path, ctx, { action: 'Read', allowEnvFiles: options.allowEnvFiles })
  const info = await stat(target.path).catch(async (error: unknown) => {
    throw isMissing(error) ? await notFoundError(target.path, target.display, 'Use list_dir or glob to find the right path.') : toFsError(error, target.display)
  })
  if (info.isDirectory()) throw new PlatformError(FsErrorCode.IS_DIRECTORY, `${target.display} is a directory. Use list_dir to see its entries.`)
  if (!info.isFile()) throw specialFileError(target.display)
  const title = target.display
  if (info.size === 0) return { output: `(${target.display} is empty.)`, title, metadata: { path: target.path, lines: 0 } }
  await checkReadable(target, info.size)
  const start = args.offset ?? 1
  const window = await readWindow(target, start, args.limit ?? options.defaultReadLines, options, ctx.abortSignal)
  if (window.lines.length === 0) {
    throw new PlatformError(FsErrorCode.OFFSET_PAST_END, `offset ${start} is past the end of ${target.display}, which has ${window.lastLine} lines. Use a smaller offset.`)
  }
  const output = `${window.lines.join('\n')}\n\n${footer(target, start, window, info.size, options)}`
  const metadata = { path: target.path, startLine: start, endLine: window.lastLine, bytes: info.size, truncated: !window.ended }
  return { output, title, metadata }
}

export function createReadFileTool(options: FsOptions) {
  return defineTool({
    name: 'read_file',
    description: READ_FILE_PROMPT,
    kind: 'read',
    inputSchema: readFileSchema(options),
    subject: (args) => args.path,
    timeoutMs: options.fileTimeoutMs,
    execute: (args, ctx) => guarded(ctx.abortSignal, args.path, () => run(args, ctx, options)),
  })
}
