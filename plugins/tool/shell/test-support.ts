import { mkdtempSync, readFileSync, realpathSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { ToolContext, ToolResult } from '../../../kernel/index.js'
import { configSchema, type ShellOptions } from './config.js'
import { createRunCommandTool, type RunCommandArgs } from './run-command.js'
import { createShellService, type ToolShellService } from './shell-service.js'
import { silentLogger as silent } from '../../../kernel/testing/index.js'

/** Test helpers only (imported by *.test.ts): a run_command bound to temp folders. */
export interface ShellFixture {
  workdir: string
  logDir: string
  options: ShellOptions
  shell: ToolShellService
  progress: Array<{ at: number; output?: string; message?: string }>
  run(args: RunCommandArgs, extra?: Partial<ToolContext>): Promise<ToolResult>
  cleanup(): void
}

let calls = 0

export function shellFixture(input: Record<string, unknown> = {}): ShellFixture {
  const workdir = realpathSync(mkdtempSync(join(tmpdir(), 'tool-shell-work-')))
  const logDir = mkdtempSync(join(tmpdir(), 'tool-shell-logs-'))
  const options = configSchema.parse({ logDir, ...input })
  const shell = createShellService(options)
  const tool = createRunCommandTool({ options, shell })
  const progress: ShellFixture['progress'] = []
  const run = (args: RunCommandArgs, extra: Partial<ToolContext> = {}) =>
    tool.execute(args, {
      sessionId: 'ses_test',
      turnId: 'trn_test',
      callId: `call_${++calls}`,
      abortSignal: new AbortController().signal,
      workdir,
      reportProgress: (p) => progress.push({ at: Date.now(), ...p }),
      ask: async () => undefined,
      logger: silent,
      ...extra,
    })
  const cleanup = () => {
    rmSync(workdir, { recursive: true, force: true })
    rmSync(logDir, { recursive: true, force: true })
  }
  return { workdir, logDir, options, shell, progress, run, cleanup }
}

/** Whether a process runs (a zombie waiting to be reaped counts as gone). */
export function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    return !/^[ZX]$/.test(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0])
  } catch {
    return false
  }
}

/** Numbers printed as `name=123` in a command's output. */
export function pidsIn(output: string): Record<string, number> {
  return Object.fromEntries([...output.matchAll(/(\w+)=(\d+)/g)].map((m) => [m[1], Number(m[2])]))
}
