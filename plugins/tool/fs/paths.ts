import { readlink, realpath, stat } from 'node:fs/promises'
import { homedir } from 'node:os'
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path'
import { PlatformError, type ToolContext } from '../../../kernel/index.js'
import { FsErrorCode, isMissing, notFoundError, specialFileError, toFsError } from './errors.js'

/** A tool path after resolving `..`, `~` and symlinks, checked against the workspace. */
export interface ResolvedPath {
  /** Real absolute path: what the tool reads or writes. */
  path: string
  /** Real path of the session workspace. */
  workspace: string
  inside: boolean
  /** For output: relative to the workspace when inside (`.` for the workspace itself), else absolute. */
  display: string
}

export interface ResolveOptions {
  /** Verb for the permission question: 'Read', 'Write', 'Edit', 'List', 'Search'. */
  action: string
  allowEnvFiles: boolean
  /** The path names a directory: an "always" answer then covers everything below it. */
  directory?: boolean
}

const ENV_FILE = /^\.env(\..+)?$/

/** `.env` and `.env.*` hold secrets; `.env.example` is the documented exception. */
export function isSensitiveName(name: string): boolean {
  return ENV_FILE.test(name) && name !== '.env.example'
}

/** realpath of the path, or of its nearest existing ancestor plus the rest (dangling links followed). */
export async function realPathOf(path: string, depth = 0): Promise<string> {
  try {
    return await realpath(path)
  } catch (error) {
    if (!isMissing(error)) throw error
  }
  const parent = dirname(path)
  if (parent === path) return path
  const realParent = await realPathOf(parent, depth)
  const link = await readlink(path).catch(() => undefined)
  if (link !== undefined && depth < 40) return realPathOf(resolve(realParent, link), depth + 1)
  return join(realParent, basename(path))
}

export function displayPath(path: string, workspace: string): string {
  const rel = relative(workspace, path)
  if (rel === '') return '.'
  if (rel.startsWith('..') || isAbsolute(rel)) return path
  return rel.split(sep).join('/')
}

export function isInside(path: string, workspace: string): boolean {
  return path === workspace || path.startsWith(workspace.endsWith(sep) ? workspace : workspace + sep)
}

async function workspaceRoot(workdir: string): Promise<string> {
  try {
    return await realpath(workdir)
  } catch {
    throw new PlatformError(FsErrorCode.WORKSPACE_MISSING, `The session workspace ${workdir} does not exist; file tools cannot run.`)
  }
}

function expandHome(input: string): string {
  if (input === '~') return homedir()
  if (input.startsWith('~/')) return join(homedir(), input.slice(2))
  return input
}

/**
 * Resolve a path given by the model against the session workspace. Refuses `.env` files (unless
 * allowed) and asks the user (ctx.ask, which rejects when refused) for anything outside the workspace.
 */
export async function resolveToolPath(input: string, ctx: ToolContext, options: ResolveOptions): Promise<ResolvedPath> {
  const workspace = await workspaceRoot(ctx.workdir)
  const lexical = resolve(workspace, expandHome(input))
  const path = await realPathOf(lexical)
  if (!options.allowEnvFiles && (isSensitiveName(basename(lexical)) || isSensitiveName(basename(path)))) {
    throw new PlatformError(
      FsErrorCode.SENSITIVE_FILE,
      `${input} is a .env file, which holds secrets, so file tools do not open it. Read .env.example for the variable names, or ask the user (the tool-fs option allowEnvFiles enables .env access).`,
      { httpStatus: 403, details: { path } },
    )
  }
  const inside = isInside(path, workspace)
  if (!inside) {
    const patterns = options.directory ? [path, join(path, '**')] : [join(dirname(path), '*')]
    await ctx.ask({ title: `${options.action} ${path} (outside the workspace)`, patterns, reason: 'outside_workspace' })
  }
  return { path, workspace, inside, display: displayPath(path, workspace) }
}

/** Resolve the `path` of a search: a directory, or (when `allowFile`) a single file. */
export async function searchRoot(input: string, ctx: ToolContext, options: { allowEnvFiles: boolean }, allowFile: boolean): Promise<ResolvedPath & { isFile: boolean }> {
  const root = await resolveToolPath(input, ctx, { action: 'Search', allowEnvFiles: options.allowEnvFiles, directory: true })
  const info = await stat(root.path).catch(async (error: unknown) => {
    throw isMissing(error) ? await notFoundError(root.path, root.display, 'Use list_dir to see which directories exist.') : toFsError(error, root.display)
  })
  if (!info.isDirectory() && !allowFile) {
    throw new PlatformError(FsErrorCode.NOT_A_DIRECTORY, `${root.display} is a file, not a directory. Set path to a directory.`)
  }
  if (!info.isDirectory() && !info.isFile()) throw specialFileError(root.display)
  return { ...root, isFile: info.isFile() }
}
