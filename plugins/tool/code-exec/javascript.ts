import { join } from 'node:path'
import { PlatformError } from '../../../kernel/index.js'

/** Node 20 names the permission model `--experimental-permission`; later versions `--permission`. */
export function permissionFlag(): string | undefined {
  const flags = process.allowedNodeEnvironmentFlags
  if (flags.has('--permission')) return '--permission'
  if (flags.has('--experimental-permission')) return '--experimental-permission'
  return undefined
}

export interface NodeCommandInput {
  /** Temp dir of the call: readable by the snippet. */
  baseDir: string
  /** Its working dir (inside baseDir): the only writable place. */
  workDir: string
  /** Where the runner and the snippet were written (inside baseDir). */
  runDir: string
  heapLimitMb: number
}

/**
 * `node` with a heap limit and the permission model: reads only inside the temp dir, writes only in
 * its work dir, no child processes, no worker threads, no native addons, no WASI, no inspector.
 */
export function nodeCommand(input: NodeCommandInput): { command: string; args: string[] } {
  const permission = permissionFlag()
  if (!permission) {
    throw new PlatformError('TOOL_CODE_EXEC_NO_PERMISSION_MODEL', `Node.js ${process.version} has no permission model, so JavaScript snippets cannot be isolated: run the server on Node.js 20.20.2 or newer.`)
  }
  return {
    command: process.execPath,
    args: [
      `--max-old-space-size=${input.heapLimitMb}`,
      permission,
      `--allow-fs-read=${input.baseDir}`,
      `--allow-fs-write=${input.workDir}`,
      '--disable-warning=ExperimentalWarning',
      join(input.runDir, 'runner.cjs'),
      join(input.runDir, 'snippet.js'),
      input.workDir,
    ],
  }
}

/** Extra data segment the Node process gets beyond its heap (code, buffers, threads). */
export const NODE_DATA_HEADROOM_MB = 192
