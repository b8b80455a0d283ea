import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { PlatformConfigInput, PluginEntry } from '../config.js'
import { REPO_ROOT } from '../config-file.js'
import { Kernel } from '../kernel.js'
import { createLogger } from '../ports/basics.js'
import type { Logger } from '../ports/types.js'
import { HookRecorder } from './hook-recorder.js'

export { HookRecorder, type RecordedHookCall } from './hook-recorder.js'

export interface TestKernelOptions {
  /** Plugin entries as in the config file. */
  plugins: Record<string, PluginEntry>
  kernel?: PlatformConfigInput['kernel']
  /** Collects log lines instead of printing them. */
  logLines?: string[]
  /** Config file path used for messages and relative `resolve` (defaults to the repository's). */
  configFile?: string
}

export interface TestKernel {
  kernel: Kernel
  recorder: HookRecorder
  logger: Logger
  logLines: string[]
  close(): Promise<void>
}

/** The demo agent every test kernel has unless the test passes its own agents. */
export const TEST_AGENT = { provider: 'scripted', model: 'demo', systemPrompt: 'You are a test agent.', tools: '*' as const }

/**
 * Boot the real kernel (loader, container, hooks) with the given plugins, a temporary data dir and a
 * hook recorder installed before any plugin registers. Always `t.teardown(close)`.
 */
export async function createTestKernel(options: TestKernelOptions): Promise<TestKernel> {
  const logLines = options.logLines ?? []
  const logger = createLogger({ level: 'debug', write: (line) => logLines.push(line) })
  let recorder: HookRecorder | undefined
  const dataDir = mkdtempSync(join(tmpdir(), 'platform-test-'))
  const removeDataDir = () => rmSync(dataDir, { recursive: true, force: true })
  const kernel = await Kernel.boot({
    configFile: options.configFile ?? join(REPO_ROOT, 'config', 'test.config.ts'),
    config: {
      // Tests make workspaces with mkdtemp under the temp dir or use the repository: both are roots unless the test says otherwise.
      // Titles are off unless a test turns them on: a title call would be one more recorded model request in every test.
      kernel: { dataDir, workspaceRoots: [tmpdir(), process.cwd()], autoTitle: false, defaultAgent: 'demo', agents: { demo: TEST_AGENT }, logLevel: 'debug', ...options.kernel },
      plugins: options.plugins,
    },
    logger,
    onHooks: (hooks) => {
      recorder = new HookRecorder(hooks)
    },
  }).catch((error: unknown) => {
    removeDataDir()
    throw error
  })
  const close = async () => {
    await kernel.close('test done')
    removeDataDir()
  }
  return { kernel, recorder: recorder!, logger, logLines, close }
}
export { createTestToolContext, silentLogger, type TestToolContext } from './tool-context.js'
export { createMemoryKeyValue, createMemoryLocks } from '../ports/memory-locks.js'
