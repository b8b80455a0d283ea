import { readFile, stat, writeFile } from 'node:fs/promises'
import { z } from 'zod'
import { PlatformError, defineTool, type ToolContext, type ToolResult } from '../../../kernel/index.js'
import type { FsOptions } from './config.js'
import { EDIT_FILE_PROMPT } from './edit-file.prompt.js'
import { linesAt, notFoundAdvice, occurrences } from './edit-match.js'
import { FsErrorCode, guarded, isMissing, notFoundError, specialFileError, throwIfAborted, toFsError } from './errors.js'
import { resolveToolPath, type ResolvedPath } from './paths.js'
import { formatBytes, sniffBuffer } from './text.js'

export const editFileSchema = z
  .object({
    path: z.string().min(1).describe('Path of the file to edit, relative to the workspace or absolute.'),
    old_string: z.string().min(1).describe('The exact text to replace, copied from the file (no line-number prefixes).'),
    new_string: z.string().describe('The text to put in its place (empty to delete).'),
    replace_all: z.boolean().optional().describe('Replace every occurrence instead of requiring exactly one (default false).'),
  })
  .strict()

type EditArgs = z.output<typeof editFileSchema>

async function readText(target: ResolvedPath, options: FsOptions): Promise<string> {
  const info = await stat(target.path).catch(async (error: unknown) => {
    throw isMissing(error) ? await notFoundError(target.path, target.display, 'Use write_file to create a new file, or list_dir/glob to find the right path.') : toFsError(error, target.display)
  })
  if (info.isDirectory()) throw new PlatformError(FsErrorCode.IS_DIRECTORY, `${target.display} is a directory, not a file.`)
  if (!info.isFile()) throw specialFileError(target.display)
  if (info.size > options.maxEditBytes) {
    throw new PlatformError(FsErrorCode.FILE_TOO_LARGE, `${target.display} is ${formatBytes(info.size)}, over the ${formatBytes(options.maxEditBytes)} edit_file limit. Edit it with a command if a shell tool is available.`)
  }
  const buffer = await readFile(target.path)
  const sniff = sniffBuffer(buffer)
  if (sniff.nul || sniff.invalidUtf8) throw new PlatformError(FsErrorCode.BINARY_FILE, `${target.display} is not a UTF-8 text file; edit_file only edits text.`)
  return buffer.toString('utf8')
}

/** Where old_string occurs; a file with CRLF line ends also matches an old_string written with LF. */
function locate(text: string, args: EditArgs): { from: string; to: string; at: number[] } {
  const at = occurrences(text, args.old_string)
  if (at.length > 0 || !text.includes('\r\n') || !args.old_string.includes('\n') || args.old_string.includes('\r\n')) {
    return { from: args.old_string, to: args.new_string, at }
  }
  const crlf = (value: string) => value.replace(/\r?\n/g, '\r\n')
  const from = crlf(args.old_string)
  return { from, to: crlf(args.new_string), at: occurrences(text, from) }
}

async function run(args: EditArgs, ctx: ToolContext, options: FsOptions): Promise<ToolResult> {
  if (args.old_string === args.new_string) {
    throw new PlatformError(FsErrorCode.EDIT_NO_CHANGE, 'old_string and new_string are identical, so the edit would change nothing. Give the new text in new_string.')
  }
  const target = await resolveToolPath(args.path, ctx, { action: 'Edit', allowEnvFiles: options.allowEnvFiles })
  const text = await readText(target, options)
  const { from, to, at } = locate(text, args)
  if (at.length === 0) {
    throw new PlatformError(FsErrorCode.EDIT_NOT_FOUND, `old_string was not found in ${target.display}.\n${notFoundAdvice(text, args.old_string)}`)
  }
  const lines = linesAt(text, at)
  if (at.length > 1 && args.replace_all !== true) {
    const shown = lines.slice(0, 10).join(', ') + (lines.length > 10 ? ', ...' : '')
    throw new PlatformError(
      FsErrorCode.EDIT_NOT_UNIQUE,
      `old_string occurs ${at.length} times in ${target.display} (lines ${shown}). Add surrounding lines to old_string so it matches exactly once, or set replace_all to true to replace every occurrence.`,
    )
  }
  throwIfAborted(ctx.abortSignal)
  await ctx.recordFileChange?.(target.path)
  await writeFile(target.path, text.split(from).join(to))
  const where = lines.length === 1 ? `line ${lines[0]}` : `lines ${lines.slice(0, 10).join(', ')}${lines.length > 10 ? ', ...' : ''}`
  const output = `Edited ${target.display}: replaced ${at.length} occurrence${at.length === 1 ? '' : 's'} (at ${where}).`
  return { output, title: target.display, metadata: { path: target.path, replacements: at.length, lines } }
}

export function createEditFileTool(options: FsOptions) {
  return defineTool({
    name: 'edit_file',
    description: EDIT_FILE_PROMPT,
    kind: 'edit',
    inputSchema: editFileSchema,
    subject: (args) => args.path,
    timeoutMs: options.fileTimeoutMs,
    execute: (args, ctx) => guarded(ctx.abortSignal, args.path, () => run(args, ctx, options)),
  })
}
