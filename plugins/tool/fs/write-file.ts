import { mkdir, stat, writeFile } from 'node:fs/promises'
import { dirname } from 'node:path'
import { z } from 'zod'
import { PlatformError, defineTool, type ToolContext, type ToolResult } from '../../../kernel/index.js'
import type { FsOptions } from './config.js'
import { FsErrorCode, guarded, isMissing, specialFileError, throwIfAborted } from './errors.js'
import { resolveToolPath } from './paths.js'
import { formatBytes } from './text.js'
import { WRITE_FILE_PROMPT } from './write-file.prompt.js'

export const writeFileSchema = z
  .object({
    path: z.string().min(1).describe('Path of the file to create or overwrite, relative to the workspace or absolute.'),
    content: z.string().describe('The complete content to write.'),
  })
  .strict()

type WriteArgs = z.output<typeof writeFileSchema>

/** Size of the existing file, or undefined when there is none. */
async function existingSize(path: string, display: string): Promise<number | undefined> {
  try {
    const info = await stat(path)
    if (info.isDirectory()) throw new PlatformError(FsErrorCode.IS_DIRECTORY, `${display} is a directory; give the path of a file inside it.`)
    if (!info.isFile()) throw specialFileError(display)
    return info.size
  } catch (error) {
    if (isMissing(error)) return undefined
    throw error
  }
}

async function run(args: WriteArgs, ctx: ToolContext, options: FsOptions): Promise<ToolResult> {
  const target = await resolveToolPath(args.path, ctx, { action: 'Write', allowEnvFiles: options.allowEnvFiles })
  const before = await existingSize(target.path, target.display)
  throwIfAborted(ctx.abortSignal)
  await ctx.recordFileChange?.(target.path)
  await mkdir(dirname(target.path), { recursive: true })
  const bytes = Buffer.byteLength(args.content)
  await writeFile(target.path, args.content)
  const created = before === undefined
  const output = created
    ? `Created ${target.display} (${formatBytes(bytes)}).`
    : `Overwrote ${target.display} (${formatBytes(bytes)}; it had ${formatBytes(before)}).`
  return { output, title: target.display, metadata: { path: target.path, bytes, created, previousBytes: before ?? null } }
}

export function createWriteFileTool(options: FsOptions) {
  return defineTool({
    name: 'write_file',
    description: WRITE_FILE_PROMPT,
    kind: 'edit',
    inputSchema: writeFileSchema,
    subject: (args) => args.path,
    timeoutMs: options.fileTimeoutMs,
    execute: (args, ctx) => guarded(ctx.abortSignal, args.path, () => run(args, ctx, options)),
  })
}
