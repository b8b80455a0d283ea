import type { FinishReason, MessageRole, PartInfo, PartKind, SessionInfo, SessionStatus } from './records.js'

/** Every event, on SSE and WebSocket alike, travels in this envelope. */
export interface EventEnvelope<T extends PlatformEvent['type'] = PlatformEvent['type']> {
  v: 1
  stream: string
  seq: number
  at: string
  type: T
  sessionId?: string
  data: Extract<PlatformEvent, { type: T }>['data']
}

export type PlatformEvent =
  | { type: 'session.created'; data: SessionInfo }
  | { type: 'session.updated'; data: { id: string; changes: Partial<Pick<SessionInfo, 'agent' | 'provider' | 'model' | 'tools' | 'title' | 'permissions'>> } }
  | { type: 'session.status'; data: { sessionId: string; status: SessionStatus; attempt?: number; message?: string } }
  | { type: 'turn.started'; data: { turnId: string } }
  | { type: 'turn.completed'; data: { turnId: string; finish: FinishReason; error?: { code: string; message: string } } }
  | {
      type: 'message.created'
      data: { id: string; turnId: string; role: MessageRole; agent: string; provider: string; model: string }
    }
  | { type: 'message.completed'; data: { id: string; finish: FinishReason | null; tokens?: TokenCounts } }
  /** Answers replaced by a regenerated one: kept in history (with `supersededAt`), no longer sent to the model. */
  | { type: 'message.superseded'; data: { turnId: string; messageIds: string[]; at: string } }
  | { type: 'part.started'; data: { messageId: string; part: { id: string; kind: PartKind; ordinal: number } & Record<string, unknown> } }
  | { type: 'part.delta'; data: { messageId: string; partId: string; field: 'text'; delta: string } }
  | { type: 'part.completed'; data: { messageId: string; part: PartInfo } }
  | { type: 'error'; data: { code: string; message: string; turnId?: string; retryable?: boolean } }
  | { type: 'tool.updated'; data: ToolUpdate }
  | {
      type: 'permission.asked'
      data: { askId: string; callId: string; tool: string; kind: string; summary: string; patterns: string[]; reason: string; options: PermissionReply[] }
    }
  /** An answer given through another server instance, for the instance whose turn asked (it then emits permission.replied). */
  | { type: 'permission.answer'; data: { askId: string; reply: PermissionReply; message?: string } }
  | { type: 'permission.replied'; data: { askId: string; callId: string; reply: PermissionReply; message?: string; by: 'user' | 'timeout' | 'abort' } }

  /**
   * A child session's event, relayed live on its parent's stream (and, nested, up to the root): the
   * child's own stream carries the original.
   */
  | { type: 'subagent.event'; data: { sessionId: string; parentSessionId: string; callId: string; agent: string; depth: number; event: { type: string; data: unknown } } }
  /** Global stream: sessions were deleted (the session and the sessions it delegated to). */
  | { type: 'session.deleted'; data: { ids: string[] } }
  /** Global stream: an MCP server's connection state or its lists changed. */
  | { type: 'mcp.server.updated'; data: McpServerStatus }
  /** Global stream: tools were added to or removed from the tools registry at runtime (MCP). */
  | { type: 'tools.changed'; data: { added: string[]; removed: string[]; source: string } }
  /** Global stream: one server instance's system metrics (monitor-system), every `intervalMs`; same shape as GET /api/system. */
  | { type: 'system.metrics'; data: import('./system.js').SystemMetrics }
  /** A model call was metered (usage-metering): on the call's session stream, each ancestor's stream, and the global one. */
  | { type: 'usage.updated'; data: import('./routes.js').UsageUpdatedData }

export type EventType = PlatformEvent['type']

/** What the API and events say about one MCP server. */
export interface McpServerStatus {
  name: string
  transport: 'stdio' | 'http' | 'sse'
  state: 'connecting' | 'connected' | 'failed' | 'needs-auth' | 'disabled'
  /** Why it failed or needs auth (no secrets). */
  reason?: string
  /** `config` servers come from the config file (cannot be removed through the API); `api` ones were added at runtime. */
  origin: 'config' | 'api'
  tools: number
  prompts: number
  resources: number
  /** When the state last changed (ISO). */
  since: string
}

export type PermissionReply = 'once' | 'always' | 'reject'

/** A tool call's state machine: pending -> running -> completed | error, only forward. */
export interface ToolUpdate {
  callId: string
  partId: string
  messageId: string
  tool: string
  state: 'pending' | 'running' | 'completed' | 'error'
  input?: unknown
  /** Model-facing output (may be truncated; the full text is at GET /api/sessions/:id/tool-calls/:callId). */
  output?: string
  error?: { code: string; message: string }
  title?: string
  progress?: { message?: string; fraction?: number; output?: string }
  timing?: { startedAt?: string; endedAt?: string; durationMs?: number }
}

/**
 * Control frame sent instead of a replay when the cursor is older than retention or ahead of head:
 * refetch the session (its `seq`) and resume from `head`. It has no sequence of its own.
 */
export interface StreamResetEnvelope {
  v: 1
  stream: string
  at: string
  type: 'stream.reset'
  data: { reason: 'cursor_expired' | 'store_restarted'; head: number }
}

/** Everything an event stream carries. */
export type StreamFrame = EventEnvelope | StreamResetEnvelope

export interface TokenCounts {
  input: number
  output: number
  reasoning?: number
  cacheRead?: number
  cacheWrite?: number
}

/** Stream names: one per session plus the global one. */
export const sessionStream = (sessionId: string): string => `session:${sessionId}`
export const GLOBAL_STREAM = 'global'
