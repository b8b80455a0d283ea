import { tmpdir } from 'node:os'
import { createLogger } from '../ports/basics.js'
import type { Logger } from '../ports/types.js'
import type { ToolContext } from '../tool.js'

/** A logger that writes nothing. */
export const silentLogger: Logger = createLogger({ level: 'silent' })

export interface TestToolContext extends ToolContext {
  /** Aborts `abortSignal` (unless the overrides bring their own signal). */
  controller: AbortController
  /** Everything the tool reported through reportProgress, in order. */
  progress: Array<Parameters<ToolContext['reportProgress']>[0]>
}

/**
 * A ToolContext for calling a tool's `execute` directly in a test: fixed ids, the OS temp dir as
 * workspace, asks allowed, progress collected. Any field can be overridden.
 */
export function createTestToolContext(overrides: Partial<ToolContext> = {}): TestToolContext {
  const controller = new AbortController()
  const progress: TestToolContext['progress'] = []
  return {
    sessionId: 'ses_test',
    turnId: 'trn_test',
    callId: 'call_test',
    abortSignal: controller.signal,
    workdir: tmpdir(),
    reportProgress: (p) => progress.push(p),
    ask: async () => undefined,
    logger: silentLogger,
    ...overrides,
    controller,
    progress,
  }
}
