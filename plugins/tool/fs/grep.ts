import { z } from 'zod'
import { PlatformError, defineTool, type ToolContext, type ToolResult } from '../../../kernel/index.js'
import type { FsOptions } from './config.js'
import { FsErrorCode, guarded } from './errors.js'
import type { GrepOutcome, GrepQuery } from './grep-engine.js'
import { grepWithNode } from './grep-node.js'
import { findOnPath, grepWithRipgrep } from './grep-rg.js'
import { GREP_PROMPT } from './grep.prompt.js'
import { displayPath, searchRoot } from './paths.js'

const globs = z.union([z.string().min(1), z.array(z.string().min(1))])

export const grepSchema = z
  .object({
    pattern: z.string().min(1).describe('Regular expression to search for, e.g. "class\\s+\\w+Service".'),
    path: z.string().min(1).optional().describe('Directory or file to search, relative to the workspace or absolute (default: the workspace).'),
    include: globs.optional().describe('Only search files matching these globs, e.g. "*.ts" or ["src/**/*.ts", "*.md"].'),
    exclude: globs.optional().describe('Skip files matching these globs, e.g. "*.min.js" or "dist/**".'),
    case_insensitive: z.boolean().optional().describe('Ignore case (default false).'),
  })
  .strict()

type GrepArgs = z.output<typeof grepSchema>

const list = (value: string | string[] | undefined) => (value === undefined ? [] : Array.isArray(value) ? value : [value])

function compile(pattern: string, ignoreCase: boolean): RegExp {
  try {
    return new RegExp(pattern, ignoreCase ? 'i' : '')
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error)
    throw new PlatformError(
      FsErrorCode.INVALID_PATTERN,
      `"${pattern}" is not a valid regular expression (${reason}). Escape special characters such as ( [ { . * + ? with a backslash to match them literally.`,
    )
  }
}

/** Chooses the engine: rg from PATH when allowed and present (looked up once), else Node. */
function engine(options: FsOptions): (query: GrepQuery) => Promise<GrepOutcome> {
  let ripgrep: Promise<string | undefined> | undefined
  return async (query) => {
    if (options.ripgrep === 'never') return grepWithNode(query)
    ripgrep ??= findOnPath('rg')
    const rg = await ripgrep
    const outcome = rg === undefined ? 'fallback' : await grepWithRipgrep(rg, query)
    return outcome === 'fallback' ? grepWithNode(query) : outcome
  }
}

async function run(args: GrepArgs, ctx: ToolContext, options: FsOptions, search: (query: GrepQuery) => Promise<GrepOutcome>): Promise<ToolResult> {
  const ignoreCase = args.case_insensitive === true
  const regex = compile(args.pattern, ignoreCase)
  const root = await searchRoot(args.path ?? '.', ctx, options, true)
  const outcome = await search({
    pattern: args.pattern,
    regex,
    ignoreCase,
    root: root.path,
    isFile: root.isFile,
    include: list(args.include),
    exclude: list(args.exclude),
    limit: options.grepLimit,
    maxLineChars: options.grepLineChars,
    allowEnvFiles: options.allowEnvFiles,
    signal: ctx.abortSignal,
    onProgress: (files) => ctx.reportProgress({ message: `Searched ${files} files` }),
  })
  const lines = outcome.matches.map((match) => `${displayPath(match.file, root.workspace)}:${match.line}: ${match.text}`)
  const where = root.display === '.' ? 'the workspace' : root.display
  let output = lines.join('\n')
  if (lines.length === 0) output = `No matches for /${args.pattern}/ in ${where}.`
  if (outcome.truncated) output += `\n\n(Showing the first ${lines.length} matches; there are more. Narrow the pattern, the path or the include globs to see the rest.)`
  const metadata = { path: root.path, matches: lines.length, truncated: outcome.truncated, engine: outcome.engine }
  return { output, title: args.pattern, metadata }
}

export function createGrepTool(options: FsOptions) {
  const search = engine(options)
  return defineTool({
    name: 'grep',
    description: GREP_PROMPT,
    kind: 'search',
    inputSchema: grepSchema,
    subject: (args) => args.path ?? '.',
    timeoutMs: options.searchTimeoutMs,
    execute: (args, ctx) => guarded(ctx.abortSignal, args.path ?? '.', () => run(args, ctx, options, search)),
  })
}
