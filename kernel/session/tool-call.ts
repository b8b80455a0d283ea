import { z } from 'zod'
import { KernelErrorCode, PlatformError } from '../errors.js'
import type { ParsedCall } from '../hooks/index.js'
import type { ToolDefinition, ToolResult } from '../tool.js'
import { toToolSpec } from './history.js'

/** Kinds that change nothing: several run at once within one step; the rest run one by one. */
export const READ_ONLY_KINDS: ReadonlySet<string> = new Set(['read', 'search', 'fetch', 'agent'])

/** Kinds the kernel allows when no rule decided; everything else asks the user. */
export const ALLOWED_BY_DEFAULT: ReadonlySet<string> = new Set(['read', 'search', 'agent'])

/** Validate a model's arguments; the error tells the model exactly what to fix. */
export function parseCall(tool: ToolDefinition, callId: string, input: unknown): ParsedCall {
  const parsed = tool.inputSchema.safeParse(input ?? {})
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.length ? issue.path.join('.') : '(arguments)'}: ${issue.message}`).join('; ')
    const schema = JSON.stringify(toToolSpec(tool).inputSchema)
    throw new PlatformError(KernelErrorCode.TOOL_ARGS_INVALID, `Invalid arguments for ${tool.name}: ${problems}. Call it again with arguments matching this JSON schema: ${schema}`, {
      details: { tool: tool.name, issues: z.treeifyError(parsed.error) },
    })
  }
  const args = parsed.data as Record<string, unknown>
  let subject = tool.name
  try {
    subject = tool.subject ? tool.subject(args as never) : tool.name
  } catch {
    subject = tool.name
  }
  return { callId, tool: tool.name, kind: tool.kind, args, subject }
}

/** Cut model-facing output to `limit` characters, keeping the head and the tail. */
export function truncateOutput(output: string, limit: number): { output: string; truncated: boolean } {
  if (output.length <= limit) return { output, truncated: false }
  const head = Math.floor(limit * 0.6)
  const tail = limit - head
  const cut = output.length - head - tail
  return { output: `${output.slice(0, head)}\n… [${cut} characters cut; the full output is kept with the tool call] …\n${output.slice(-tail)}`, truncated: true }
}

/** A thrown error as the result the model sees (no stack traces). */
export function errorResult(error: unknown): ToolResult & { code: string } {
  if (error instanceof PlatformError) return { output: error.message, isError: true, code: error.code }
  const message = error instanceof Error ? error.message : String(error)
  return { output: `The tool failed: ${message}`, isError: true, code: KernelErrorCode.TOOL_FAILED }
}

/** A stable key of a call (tool + arguments) to notice the same call repeated. */
export function callKey(tool: string, input: unknown): string {
  return `${tool}\u0000${JSON.stringify(input ?? null)}`
}
