import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { ToolResult } from '../../../kernel/index.js'
import { createTestToolContext, silentLogger as silent, type TestToolContext } from '../../../kernel/testing/index.js'
import { createCodeExecService } from './code-runner.js'
import { configSchema } from './config.js'
import { createExecuteCodeTool } from './execute-code.js'

export { silent }

/** A ToolContext for direct execute() calls (the kernel's test helper). */
export const toolContext = (): TestToolContext => createTestToolContext()

export interface Harness {
  /** Parses the args with the tool's schema (as the kernel does) and runs the tool. */
  run(args: Record<string, unknown>, ctx?: TestToolContext): Promise<ToolResult>
  tool: ReturnType<typeof createExecuteCodeTool>
  /** The parent of every temp dir the tool creates in this harness. */
  tempRoot: string
  /** Entries left in tempRoot. */
  leftovers(): string[]
  close(): void
}

/** The tool with its own temp root (so tests can see that every temp dir is removed). */
export function harness(options: Record<string, unknown> = {}): Harness {
  const tempRoot = mkdtempSync(join(tmpdir(), 'code-exec-test-'))
  const parsed = configSchema.parse({ tempRoot, ...options })
  const tool = createExecuteCodeTool(parsed, createCodeExecService(parsed, silent))
  return {
    tool,
    tempRoot,
    run: (args, ctx = toolContext()) => tool.execute(tool.inputSchema.parse(args), ctx),
    leftovers: () => readdirSync(tempRoot),
    close: () => rmSync(tempRoot, { recursive: true, force: true }),
  }
}

/** Whether a process is still running (a zombie waiting for its reaper counts as gone). */
export function isRunning(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    return !/^\d+ \(.*\) [ZX] /.test(stat)
  } catch {
    return false
  }
}
