import { z } from 'zod'
import { defineTool } from '../../../kernel/index.js'
import type { CodeExecService } from './code-runner.js'
import type { CodeExecOptions } from './config.js'
import { EXECUTE_CODE_PROMPT } from './execute-code.prompt.js'
import { formatRun, isFailure } from './format.js'

/** How long the kernel waits beyond our own time limit before it gives up on the call. */
const KERNEL_GRACE_MS = 10_000

export function inputSchemaFor(options: CodeExecOptions) {
  return z
    .object({
      language: z.enum(['javascript', 'python']).describe('Language of the snippet: "javascript" (Node.js) or "python" (Python 3).'),
      code: z.string().min(1).describe('The source code to run. Its last expression (or a global `result`) is returned as JSON.'),
      timeout_ms: z
        .number()
        .int()
        .min(100)
        .max(options.maxTimeoutMs)
        .optional()
        .describe(`Time limit in milliseconds (default ${options.timeoutMs}, at most ${options.maxTimeoutMs}).`),
    })
    .strict()
}

/** The `execute_code` tool: runs a snippet through the code-exec service and reports it for the model. */
export function createExecuteCodeTool(options: CodeExecOptions, service: CodeExecService) {
  return defineTool({
    name: 'execute_code',
    description: EXECUTE_CODE_PROMPT,
    kind: 'execute',
    inputSchema: inputSchemaFor(options),
    subject: (args) => args.language,
    timeoutMs: options.maxTimeoutMs + KERNEL_GRACE_MS,
    async execute(args, ctx) {
      ctx.reportProgress({ title: `Run ${args.language} snippet`, message: 'running' })
      const run = await service.run({ language: args.language, code: args.code, timeoutMs: args.timeout_ms, signal: ctx.abortSignal })
      return {
        output: formatRun(run),
        title: `${args.language} snippet`,
        isError: isFailure(run),
        metadata: {
          language: run.language,
          exitCode: run.exitCode,
          exitSignal: run.exitSignal,
          timedOut: run.timedOut,
          aborted: run.aborted,
          memoryExceeded: run.memoryExceeded,
          durationMs: run.durationMs,
          result: run.result,
          stdoutTruncated: run.stdoutTruncated,
          stderrTruncated: run.stderrTruncated,
        },
      }
    },
  })
}
