import type { z } from 'zod'

export type ToolKind = 'read' | 'search' | 'fetch' | 'edit' | 'delete' | 'execute' | 'agent' | 'other'

/** A permission a tool asks for in the middle of its work (e.g. a path outside the workspace). */
export interface PermissionRequest {
  /** What the user is asked, e.g. "Read /etc/hosts (outside the workspace)". */
  title: string
  /** Globs an "always" answer remembers, e.g. ['/etc/**']. */
  patterns: string[]
  /** Why: 'outside_workspace', 'sensitive_file', ... */
  reason: string
}

export interface ToolContext {
  sessionId: string
  turnId: string
  callId: string
  /** Aborts on turn abort and on the tool's timeout: stop work and kill child processes. */
  abortSignal: AbortSignal
  /** The session's workspace (absolute). */
  workdir: string
  reportProgress(progress: { message?: string; fraction?: number; title?: string; output?: string }): void
  /**
   * Ask the user for an extra permission; resolves when allowed, rejects with a PlatformError
   * coded PERMISSION_REJECTED (message says why) when refused or unanswered.
   */
  ask(request: PermissionRequest): Promise<void>
  /**
   * Run another configured agent as a child session of this one (parent_id) and wait for its answer.
   * Its events are relayed on this session's stream as `subagent.event`; aborting this call aborts it.
   */
  delegate?(request: import('./turn.js').DelegateRequest): Promise<import('./turn.js').DelegateResult>
  /** Called before a file is written or edited, with its path, so the turn can be reverted. */
  recordFileChange?(path: string): Promise<void>
  logger: import('./ports/types.js').Logger
}

export interface ToolResult {
  /** What the model sees (the kernel may truncate it; the full text stays retrievable). */
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
  /**
   * The JSON Schema the model sees, for tools whose schema comes as JSON Schema (MCP servers). Without
   * it the kernel converts `inputSchema`; with it, `inputSchema` still validates every call.
   */
  jsonSchema?: Record<string, unknown>
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
