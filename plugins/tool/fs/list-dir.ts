import { lstat, readdir, readlink, stat } from 'node:fs/promises'
import { join } from 'node:path'
import { z } from 'zod'
import { PlatformError, defineTool, type ToolContext, type ToolResult } from '../../../kernel/index.js'
import type { FsOptions } from './config.js'
import { FsErrorCode, guarded, isMissing, notFoundError, toFsError } from './errors.js'
import { LIST_DIR_PROMPT } from './list-dir.prompt.js'
import { resolveToolPath } from './paths.js'
import { formatBytes } from './text.js'

/** Directory names list_dir, glob and grep skip unless asked. */
export const IGNORED_NAMES = ['.git', 'node_modules']

export const listDirSchema = z
  .object({
    path: z.string().min(1).optional().describe('Directory to list, relative to the workspace or absolute (default: the workspace).'),
    include_ignored: z.boolean().optional().describe('Also list .git and node_modules (default false).'),
  })
  .strict()

type ListArgs = z.output<typeof listDirSchema>
type Kind = 'dir' | 'file' | 'link' | 'other'

interface Entry {
  name: string
  kind: Kind
}

function kindOf(entry: { isDirectory(): boolean; isFile(): boolean; isSymbolicLink(): boolean }): Kind {
  if (entry.isDirectory()) return 'dir'
  if (entry.isFile()) return 'file'
  if (entry.isSymbolicLink()) return 'link'
  return 'other'
}

function byKindThenName(a: Entry, b: Entry): number {
  if ((a.kind === 'dir') !== (b.kind === 'dir')) return a.kind === 'dir' ? -1 : 1
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0
}

async function describeEntry(dir: string, entry: Entry): Promise<string> {
  const path = join(dir, entry.name)
  const label = entry.kind.padEnd(5)
  if (entry.kind === 'dir') return `${label} ${entry.name}/`
  if (entry.kind === 'link') return `${label} ${entry.name} -> ${await readlink(path).catch(() => '?')}`
  const size = await lstat(path).then((info) => formatBytes(info.size)).catch(() => '?')
  return `${label} ${entry.name}  ${size}`
}

async function run(args: ListArgs, ctx: ToolContext, options: FsOptions): Promise<ToolResult> {
  const target = await resolveToolPath(args.path ?? '.', ctx, { action: 'List', allowEnvFiles: true, directory: true })
  const info = await stat(target.path).catch(async (error: unknown) => {
    throw isMissing(error) ? await notFoundError(target.path, target.display, 'List a parent directory to see what exists.') : toFsError(error, target.display)
  })
  if (!info.isDirectory()) throw new PlatformError(FsErrorCode.NOT_A_DIRECTORY, `${target.display} is a file, not a directory. Use read_file to read it.`)
  const all = (await readdir(target.path, { withFileTypes: true })).map((dirent) => ({ name: dirent.name, kind: kindOf(dirent) }))
  const ignored = args.include_ignored === true ? [] : all.filter((entry) => IGNORED_NAMES.includes(entry.name))
  const entries = all.filter((entry) => !ignored.includes(entry)).sort(byKindThenName)
  const shown = entries.slice(0, options.listLimit)
  const lines = await Promise.all(shown.map((entry) => describeEntry(target.path, entry)))
  const notes: string[] = []
  if (entries.length === 0) notes.push('(empty directory)')
  if (shown.length < entries.length) {
    notes.push(`(Showing ${shown.length} of ${entries.length} entries. List a subdirectory, or use glob with a narrower pattern, to see the rest.)`)
  }
  if (ignored.length > 0) notes.push(`(Not listed: ${ignored.map((entry) => entry.name).join(', ')}; set include_ignored to true to list them.)`)
  const header = `${target.display}/ (${entries.length} ${entries.length === 1 ? 'entry' : 'entries'})`
  const output = [header, ...lines, ...notes].join('\n')
  return { output, title: target.display, metadata: { path: target.path, entries: entries.length, shown: shown.length } }
}

export function createListDirTool(options: FsOptions) {
  return defineTool({
    name: 'list_dir',
    description: LIST_DIR_PROMPT,
    kind: 'read',
    inputSchema: listDirSchema,
    subject: (args) => args.path ?? '.',
    timeoutMs: options.fileTimeoutMs,
    execute: (args, ctx) => guarded(ctx.abortSignal, args.path ?? '.', () => run(args, ctx, options)),
  })
}
