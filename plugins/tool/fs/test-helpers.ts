/** Shared fixtures of the tool-fs tests: real temp directories and a recording ToolContext. */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { PlatformError, type PermissionRequest, type ToolContext, type ToolResult } from '../../../kernel/index.js'
import { configSchema, type FsOptions } from './config.js'
import { silentLogger as silent } from '../../../kernel/testing/index.js'

export interface RecordedChange {
  path: string
  /** The file's content when recordFileChange was called (undefined: it did not exist yet). */
  contentBefore: string | undefined
}

export interface Harness {
  /** Real path of the temp root holding `ws` (the workspace) and `outside`. */
  root: string
  workspace: string
  outside: string
  ctx: ToolContext
  controller: AbortController
  asks: PermissionRequest[]
  changes: RecordedChange[]
  progress: string[]
  /** What ctx.ask answers: 'allow' resolves, 'reject' rejects with PERMISSION_REJECTED. */
  answer: 'allow' | 'reject'
  options(overrides?: Partial<FsOptions>): FsOptions
  /** Write a file under the workspace (parents created). */
  file(relative: string, content: string | Buffer): string
}


export function harness(t: { teardown(fn: () => unknown): void }, overrides: Partial<Harness> = {}): Harness {
  const root = realpathSync(mkdtempSync(join(tmpdir(), 'tool-fs-')))
  t.teardown(() => rmSync(root, { recursive: true, force: true }))
  const workspace = join(root, 'ws')
  const outside = join(root, 'outside')
  mkdirSync(workspace)
  mkdirSync(outside)
  const controller = new AbortController()
  const h: Harness = {
    root,
    workspace,
    outside,
    controller,
    asks: [],
    changes: [],
    progress: [],
    answer: 'allow',
    options: (extra = {}) => configSchema.parse(extra),
    file(relative, content) {
      const path = join(workspace, relative)
      mkdirSync(dirname(path), { recursive: true })
      writeFileSync(path, content)
      return path
    },
    ctx: {
      sessionId: 'ses_test',
      turnId: 'trn_test',
      callId: 'call_test',
      abortSignal: controller.signal,
      workdir: workspace,
      logger: silent,
      reportProgress: (progress) => h.progress.push(progress.message ?? ''),
      async ask(request) {
        h.asks.push(request)
        if (h.answer === 'reject') throw new PlatformError('PERMISSION_REJECTED', 'The user refused.')
      },
      async recordFileChange(path) {
        h.changes.push({ path, contentBefore: existsSync(path) ? readFileSync(path, 'utf8') : undefined })
      },
    },
    ...overrides,
  }
  return h
}

/** The rejection of a tool call. */
export async function failure(promise: Promise<ToolResult>): Promise<PlatformError> {
  try {
    const result = await promise
    throw new Error(`expected a failure, got: ${result.output}`)
  } catch (error) {
    if (error instanceof PlatformError) return error
    throw error
  }
}
