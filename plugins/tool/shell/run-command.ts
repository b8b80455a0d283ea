import { stat } from 'node:fs/promises'
import { z } from 'zod'
import { defineTool, PlatformError, type ToolContext, type ToolDefinition, type ToolResult } from '../../../kernel/index.js'
import type { ShellOptions } from './config.js'
import { commandEnv } from './env.js'
import { launchArgs } from './launcher.js'
import { OutputCapture, type CapturedOutput } from './output-capture.js'
import { runInGroup, type GroupRunOutcome } from './process-group.js'
import { createProgressStream } from './progress.js'
import { runCommandPrompt } from './run-command.prompt.js'
import type { ToolShellService } from './shell-service.js'

export interface RunCommandDeps {
  options: ShellOptions
  shell: ToolShellService
}

export function runCommandSchema(options: ShellOptions) {
  return z
    .object({
      command: z.string().min(1).describe('The command line to run with bash -c in the workspace, e.g. "npm test -- --reporter=dot".'),
      timeout_ms: z
        .number()
        .int()
        .min(100)
        .max(options.maxTimeoutMs)
        .optional()
        .describe(`Stop the command after this many milliseconds (default ${options.timeoutMs}, at most ${options.maxTimeoutMs}).`),
      description: z.string().max(200).optional().describe('A few words on what the command does, shown to the user, e.g. "Run the unit tests".'),
    })
    .strict()
}
export type RunCommandArgs = z.output<ReturnType<typeof runCommandSchema>>

const seconds = (ms: number) => `${Number((ms / 1000).toFixed(1))} s`

function headline(outcome: GroupRunOutcome, timeoutMs: number, graceMs: number): string {
  const stopped = `it was stopped (SIGTERM to its process group${outcome.stoppedWith === 'SIGKILL' ? `, then SIGKILL after ${seconds(graceMs)} because a process ignored SIGTERM` : ''})`
  if (outcome.timedOut) return `Timed out after ${seconds(timeoutMs)}: ${stopped}. Output until then:`
  if (outcome.aborted) return `Aborted after ${seconds(outcome.durationMs)}: ${stopped}. Output until then:`
  if (outcome.exitCode !== null) return `Exit code: ${outcome.exitCode}`
  return `Exit code: none (killed by signal ${outcome.signal})`
}

function toResult(args: RunCommandArgs, outcome: GroupRunOutcome, captured: CapturedOutput, logPath: string, deps: RunCommandDeps): ToolResult {
  const timeoutMs = args.timeout_ms ?? deps.options.timeoutMs
  const lines = [headline(outcome, timeoutMs, deps.options.killGraceMs)]
  if (outcome.leftoversStopped) lines.push('Note: processes still running in the background when the command ended were stopped.')
  lines.push('', captured.text === '' ? '(no output)' : captured.text)
  return {
    output: lines.join('\n'),
    title: args.description ?? `$ ${args.command.split('\n')[0].slice(0, 80)}`,
    isError: outcome.timedOut || outcome.aborted,
    metadata: {
      exitCode: outcome.exitCode,
      signal: outcome.signal,
      durationMs: outcome.durationMs,
      truncated: captured.truncated,
      outputChars: captured.totalChars,
      fullOutputPath: captured.logComplete ? logPath : undefined,
      timedOut: outcome.timedOut,
      aborted: outcome.aborted,
      leftoversStopped: outcome.leftoversStopped,
      stoppedWith: outcome.stoppedWith,
    },
  }
}

async function checkWorkdir(workdir: string): Promise<void> {
  const info = await stat(workdir).catch(() => undefined)
  if (!info?.isDirectory()) {
    throw new PlatformError('TOOL_SHELL_WORKDIR_MISSING', `The session workspace ${workdir} is not an existing directory, so no command can run in it; fix the session's workspace.`, {
      details: { workdir },
    })
  }
}

export async function runCommand(args: RunCommandArgs, ctx: ToolContext, deps: RunCommandDeps): Promise<ToolResult> {
  const { options, shell } = deps
  await checkWorkdir(ctx.workdir)
  const launcher = await shell.launcher()
  const logPath = await shell.prepareLog(ctx.sessionId, ctx.callId)
  const capture = await OutputCapture.open(logPath, options.outputChars).catch((error: Error) => {
    throw new PlatformError('TOOL_SHELL_LOG_FAILED', `Could not create the command log ${logPath}: ${error.message}. Set tool-shell.logDir to a writable folder.`, { cause: error })
  })
  const progress = createProgressStream(ctx.reportProgress, { intervalMs: options.progressIntervalMs, maxChars: options.progressChars })
  let untrack: () => unknown = () => undefined
  let outcome: GroupRunOutcome
  try {
    outcome = await runInGroup({
      ...launchArgs(launcher, args.command),
      cwd: ctx.workdir,
      env: commandEnv(process.env, options.env, ctx.workdir),
      timeoutMs: args.timeout_ms ?? options.timeoutMs,
      killGraceMs: options.killGraceMs,
      signal: ctx.abortSignal,
      onOutput: (chunk) => progress.push(capture.push(chunk)),
      onStart: (stop) => (untrack = shell.track(stop)),
    })
  } catch (error) {
    await capture.finish(logPath)
    throw new PlatformError('TOOL_SHELL_SPAWN_FAILED', `Could not start ${launcher.shell}: ${(error as Error).message}. Check the tool-shell.shell option and that the workspace is accessible.`, {
      cause: error,
    })
  } finally {
    untrack()
    progress.flush()
  }
  const captured = await capture.finish(logPath)
  return toResult(args, outcome, captured, logPath, deps)
}

/** The run_command tool, bound to the plugin's options and service. */
export function createRunCommandTool(deps: RunCommandDeps): ToolDefinition {
  const tool = defineTool({
    name: 'run_command',
    description: runCommandPrompt(deps.options),
    kind: 'execute',
    inputSchema: runCommandSchema(deps.options),
    subject: (args) => args.command,
    // The kernel's limit must leave room for the longest timeout plus the kill grace.
    timeoutMs: deps.options.maxTimeoutMs + deps.options.killGraceMs + 10_000,
    execute: (args, ctx) => runCommand(args, ctx, deps),
  })
  return tool as unknown as ToolDefinition
}
