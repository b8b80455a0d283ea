import { isAbsolute, join } from 'node:path'
import { z } from 'zod'
import { PlatformError, defineTool, type ToolContext, type ToolResult } from '../../../kernel/index.js'
import type { FsOptions } from './config.js'
import { FsErrorCode, guarded } from './errors.js'
import { GLOB_PROMPT } from './glob.prompt.js'
import { displayPath, searchRoot } from './paths.js'
import { IGNORED_GLOBS, walkFiles, type WalkedFile } from './walk.js'

export const globSchema = z
  .object({
    pattern: z.string().min(1).describe('Glob relative to the search directory, e.g. "**/*.ts" or "src/**/*.test.ts".'),
    path: z.string().min(1).optional().describe('Directory to search, relative to the workspace or absolute (default: the workspace).'),
  })
  .strict()

type GlobArgs = z.output<typeof globSchema>

const NAMES_IGNORED_DIR = /(^|\/)(\.git|node_modules)(\/|$)/

function checkPattern(pattern: string): void {
  if (isAbsolute(pattern) || pattern.split('/').includes('..')) {
    throw new PlatformError(
      FsErrorCode.INVALID_PATTERN,
      `The pattern "${pattern}" leaves the search directory. Patterns are relative: put the directory in \`path\` (e.g. path "../other", pattern "**/*.md").`,
    )
  }
}

async function run(args: GlobArgs, ctx: ToolContext, options: FsOptions): Promise<ToolResult> {
  checkPattern(args.pattern)
  const root = await searchRoot(args.path ?? '.', ctx, options, false)
  const ignore = NAMES_IGNORED_DIR.test(args.pattern) ? [] : IGNORED_GLOBS
  const found: WalkedFile[] = []
  for await (const file of walkFiles([args.pattern], { cwd: root.path, ignore, signal: ctx.abortSignal })) found.push(file)
  found.sort((a, b) => b.mtimeMs - a.mtimeMs || (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))
  const shown = found.slice(0, options.globLimit).map((file) => displayPath(join(root.path, file.path), root.workspace))
  const where = root.display === '.' ? 'the workspace' : root.display
  let output: string
  if (found.length === 0) output = `No files match "${args.pattern}" in ${where}.`
  else if (shown.length < found.length) {
    output = `${shown.join('\n')}\n\n(Showing the ${shown.length} most recently modified of ${found.length} matches. Narrow the pattern or the path to see the rest.)`
  } else output = shown.join('\n')
  return { output, title: args.pattern, metadata: { path: root.path, matches: found.length, shown: shown.length } }
}

export function createGlobTool(options: FsOptions) {
  return defineTool({
    name: 'glob',
    description: GLOB_PROMPT,
    kind: 'search',
    inputSchema: globSchema,
    subject: (args) => (args.path === undefined ? args.pattern : `${args.path.replace(/\/+$/, '')}/${args.pattern}`),
    timeoutMs: options.searchTimeoutMs,
    execute: (args, ctx) => guarded(ctx.abortSignal, args.path ?? '.', () => run(args, ctx, options)),
  })
}
