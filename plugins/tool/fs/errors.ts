import { readdir } from 'node:fs/promises'
import { basename, dirname, extname } from 'node:path'
import { PlatformError } from '../../../kernel/index.js'

/** Error codes of tool-fs (stable; listed in the README). */
export const FsErrorCode = {
  NOT_FOUND: 'TOOL_FS_NOT_FOUND',
  IS_DIRECTORY: 'TOOL_FS_IS_DIRECTORY',
  SPECIAL_FILE: 'TOOL_FS_SPECIAL_FILE',
  NOT_A_DIRECTORY: 'TOOL_FS_NOT_A_DIRECTORY',
  SENSITIVE_FILE: 'TOOL_FS_SENSITIVE_FILE',
  BINARY_FILE: 'TOOL_FS_BINARY_FILE',
  FILE_TOO_LARGE: 'TOOL_FS_FILE_TOO_LARGE',
  OFFSET_PAST_END: 'TOOL_FS_OFFSET_PAST_END',
  EDIT_NOT_FOUND: 'TOOL_FS_EDIT_NOT_FOUND',
  EDIT_NOT_UNIQUE: 'TOOL_FS_EDIT_NOT_UNIQUE',
  EDIT_NO_CHANGE: 'TOOL_FS_EDIT_NO_CHANGE',
  INVALID_PATTERN: 'TOOL_FS_INVALID_PATTERN',
  ACCESS_DENIED: 'TOOL_FS_ACCESS_DENIED',
  WORKSPACE_MISSING: 'TOOL_FS_WORKSPACE_MISSING',
  IO_FAILED: 'TOOL_FS_IO_FAILED',
  ABORTED: 'TOOL_FS_ABORTED',
} as const

export function errnoCode(error: unknown): string | undefined {
  return typeof error === 'object' && error !== null ? ((error as { code?: unknown }).code as string | undefined) : undefined
}

export function isMissing(error: unknown): boolean {
  const code = errnoCode(error)
  return code === 'ENOENT' || code === 'ENOTDIR'
}

/** The error to throw once the tool's signal fired: the kernel's reason when it gave one. */
export function abortError(signal: AbortSignal): Error {
  if (signal.reason instanceof PlatformError) return signal.reason
  return new PlatformError(FsErrorCode.ABORTED, 'The tool call was aborted before it finished.')
}

export function throwIfAborted(signal: AbortSignal): void {
  if (signal.aborted) throw abortError(signal)
}

/** Up to three names in the file's directory that look like the one asked for. */
async function similarNames(path: string): Promise<string[]> {
  const wanted = basename(path, extname(path)).toLowerCase()
  if (wanted.length === 0) return []
  const names = await readdir(dirname(path)).catch(() => [] as string[])
  return names.filter((name) => {
    const lower = name.toLowerCase()
    return lower.includes(wanted) || wanted.includes(basename(lower, extname(lower)))
  }).slice(0, 3)
}

export async function notFoundError(path: string, display: string, hint: string): Promise<PlatformError> {
  const similar = await similarNames(path)
  const suggestion = similar.length > 0 ? ` Similar names in that directory: ${similar.join(', ')}.` : ''
  return new PlatformError(FsErrorCode.NOT_FOUND, `${display} does not exist.${suggestion} ${hint}`, { httpStatus: 404, details: { path } })
}

/** For FIFOs, sockets and devices: opening them could block forever. */
export function specialFileError(display: string): PlatformError {
  return new PlatformError(FsErrorCode.SPECIAL_FILE, `${display} is not a regular file (a FIFO, socket or device); file tools only open regular files.`)
}

/** Turns a Node fs error into a PlatformError the model can act on (no stack, no errno noise). */
export function toFsError(error: unknown, display: string): unknown {
  if (error instanceof PlatformError) return error
  const code = errnoCode(error)
  if (code === 'EACCES' || code === 'EPERM') {
    return new PlatformError(FsErrorCode.ACCESS_DENIED, `Permission denied by the operating system for ${display}.`, { httpStatus: 403 })
  }
  if (code === 'EISDIR') return new PlatformError(FsErrorCode.IS_DIRECTORY, `${display} is a directory. Use list_dir to see its entries.`)
  if (code === 'ENOTDIR' || code === 'EEXIST') {
    return new PlatformError(FsErrorCode.NOT_A_DIRECTORY, `A part of ${display} is an existing file, not a directory. Check the path with list_dir.`)
  }
  if (code === 'ENOENT') return new PlatformError(FsErrorCode.NOT_FOUND, `${display} does not exist. Use list_dir or glob to find the right path.`)
  if (code === 'ELOOP') return new PlatformError(FsErrorCode.IO_FAILED, `${display} is a symbolic link loop.`)
  if (code === 'ABORT_ERR') return error
  const reason = error instanceof Error ? error.message : String(error)
  return new PlatformError(FsErrorCode.IO_FAILED, `Could not access ${display}: ${reason}`, { cause: error })
}

/** Runs a tool's work; an abort surfaces as the abort reason, any other failure as a PlatformError. */
export async function guarded<T>(signal: AbortSignal, display: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work()
  } catch (error) {
    if (signal.aborted) throw abortError(signal)
    throw toFsError(error, display)
  }
}
