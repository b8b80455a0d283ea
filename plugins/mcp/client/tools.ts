import type { Tool } from '@modelcontextprotocol/sdk/types.js'
import { AjvJsonSchemaValidator } from '@modelcontextprotocol/sdk/validation/ajv'
import { z } from 'zod'
import { matchesGlob, type Logger, type ToolDefinition, type ToolKind } from '../../../kernel/index.js'
import type { McpConnection } from './connection.js'
import { toolOutput, type ContentBlock } from './content.js'

/** `<server>__<tool>`: the separator server names cannot contain. */
export const SEPARATOR = '__'
/** What every provider accepts as a function name. */
export const PROVIDER_SAFE_NAME = /^[a-zA-Z0-9_-]{1,64}$/

export const kernelToolName = (server: string, tool: string) => `${server}${SEPARATOR}${tool}`

/** Whether the server's tool passes its include / exclude globs (over the server's own tool name). */
export function selected(name: string, filter: { include?: string[]; exclude: string[] }): boolean {
  if (filter.include && !filter.include.some((glob) => matchesGlob(name, glob))) return false
  return !filter.exclude.some((glob) => matchesGlob(name, glob))
}

/**
 * Annotations to a kernel kind (which decides concurrency and the permission default):
 * readOnlyHint → `read` (or `fetch` when it also says openWorldHint: it reaches outside systems),
 * destructiveHint: true → `delete`, anything else → `other`. Hints are the server's claims, so only
 * an explicit `true` counts (the spec's defaults would make every unannotated tool destructive).
 */
export function kindOf(tool: Pick<Tool, 'annotations'>): ToolKind {
  const hints = tool.annotations ?? {}
  if (hints.readOnlyHint === true) return hints.openWorldHint === true ? 'fetch' : 'read'
  if (hints.destructiveHint === true) return 'delete'
  return 'other'
}

const SUBJECT_MAX = 200

/** What permission rules match: the arguments as compact JSON, cut to 200 characters (the rule's `tool` glob matches the name). */
export function subjectOf(args: unknown): string {
  const json = JSON.stringify(args ?? {})
  return json.length <= SUBJECT_MAX ? json : `${json.slice(0, SUBJECT_MAX - 1)}…`
}

const validators = new AjvJsonSchemaValidator()

/**
 * Arguments are checked against the server's JSON schema (ajv, as the SDK does). A schema ajv
 * cannot compile is not a reason to lose the tool: the server validates anyway.
 */
export function argsSchema(jsonSchema: Record<string, unknown>, warn: (message: string) => void): z.ZodType<Record<string, unknown>> {
  const { $schema: _ignored, ...schema } = jsonSchema
  let validate: ((input: unknown) => { valid: boolean; errorMessage?: string }) | undefined
  try {
    validate = validators.getValidator(schema as never)
  } catch (error) {
    warn(`its input schema cannot be compiled (${(error as Error).message}); arguments are passed unchecked`)
  }
  return z.record(z.string(), z.unknown()).superRefine((value, ctx) => {
    const result = validate?.(value)
    if (result && !result.valid) ctx.addIssue({ code: 'custom', message: result.errorMessage ?? 'does not match the schema' })
  })
}

interface ToolDeps {
  logger: Logger
}

/** An MCP tool as a kernel tool: the JSON schema goes to the model as is, the call goes through the connection. */
export function toKernelTool(connection: McpConnection, tool: Tool, deps: ToolDeps): ToolDefinition<z.ZodType<Record<string, unknown>>> {
  const name = kernelToolName(connection.name, tool.name)
  const warn = (message: string) => deps.logger.warn(`mcp tool ${name}: ${message}`, { server: connection.name, tool: tool.name })
  const jsonSchema = { ...(tool.inputSchema as Record<string, unknown>) }
  const { callMs } = connection.config.timeouts
  return {
    name,
    description: tool.description?.trim() || tool.title || tool.annotations?.title || `Tool "${tool.name}" of the MCP server "${connection.name}".`,
    kind: kindOf(tool),
    inputSchema: argsSchema(jsonSchema, warn),
    jsonSchema,
    subject: subjectOf,
    // The MCP call has its own timeout (callMs, a clear message); the kernel's stops it only if that one fails to.
    timeoutMs: callMs + 5_000,
    async execute(args, ctx) {
      const result = await connection.request(
        `tool ${tool.name}`,
        (client, timeout) =>
          client.callTool({ name: tool.name, arguments: args }, undefined, {
            signal: ctx.abortSignal,
            timeout,
            onprogress: (progress) => {
              const fraction = progress.total ? Math.min(1, progress.progress / progress.total) : undefined
              ctx.reportProgress({ message: progress.message ?? (progress.total ? `${progress.progress}/${progress.total}` : String(progress.progress)), ...(fraction === undefined ? {} : { fraction }) })
            },
          }),
        ctx.abortSignal,
      )
      const content = (Array.isArray(result.content) ? result.content : []) as ContentBlock[]
      const structured = 'structuredContent' in result ? result.structuredContent : undefined
      return {
        output: toolOutput(content, 'toolResult' in result && content.length === 0 ? result.toolResult : structured),
        ...(result.isError === true ? { isError: true } : {}),
        metadata: { server: connection.name, tool: tool.name, ...(structured === undefined ? {} : { structuredContent: structured }) },
      }
    },
  }
}
