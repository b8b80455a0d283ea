import type { z } from 'zod'

export type ToolKind = 'read' | 'search' | 'fetch' | 'edit' | 'delete' | 'execute' | 'agent' | 'other'

export interface ToolContext {
  sessionId: string
  turnId: string
  callId: string
  abortSignal: AbortSignal
  workdir: string
  reportProgress(progress: { message?: string; fraction?: number; title?: string }): void
}

export interface ToolResult {
  output: string
  title?: string
  metadata?: Record<string, unknown>
  isError?: boolean
}

export interface ToolDefinition<S extends z.ZodType = z.ZodType> {
  /** snake_case, stable, unique. */
  name: string
  /** Model-facing description (kept in a sibling *.prompt.ts file). */
  description: string
  kind: ToolKind
  inputSchema: S
  /** What permission rules match against (a path, a command). */
  subject?: (args: z.output<S>) => string
  timeoutMs?: number
  execute(args: z.output<S>, ctx: ToolContext): Promise<ToolResult>
}

const TOOL_NAME = /^[a-z][a-z0-9_]*$/

/** Identity helper that types a tool; execution by the kernel comes with the agent loop. */
export function defineTool<S extends z.ZodType>(tool: ToolDefinition<S>): ToolDefinition<S> {
  if (!TOOL_NAME.test(tool.name)) throw new TypeError(`Tool name "${tool.name}" must be snake_case (${TOOL_NAME}).`)
  return tool
}
