/**
 * Wire records shared by the server, the web UI and the TUI. This folder imports nothing but zod:
 * it ships to the browser.
 */
export type SessionStatus = 'idle' | 'busy' | 'retrying' | 'waiting_permission' | 'blocked' | 'error'

export interface SessionInfo {
  id: string
  parentId: string | null
  title: string | null
  agent: string
  provider: string
  model: string
  tools: string[]
  workspace: string
  /** This session's permission rules (last match wins), consulted after the admin, agent and project lists. "always" answers are added here. */
  permissions: PermissionRule[]
  /** Set on a session made by editing a past message of another one: where it branched off. */
  forkedFrom: { sessionId: string; messageId: string } | null
  /** The user who created the session (null: made without an API user, e.g. on loopback or by the kernel). */
  ownerId: string | null
  status: SessionStatus
  /** Sequence of the last event of this session's stream reflected in this snapshot. */
  seq: number
  createdAt: string
  updatedAt: string
}

/** A permission rule: globs over the tool name and the call's subject (path, command line, URL). */
export interface PermissionRule {
  tool: string
  match?: string
  action: 'allow' | 'ask' | 'deny'
}

export type PartKind = 'text' | 'reasoning' | 'tool' | 'file' | 'step' | 'compaction' | 'subtask'

export interface PartInfo {
  id: string
  messageId: string
  ordinal: number
  kind: PartKind
  /** text/reasoning: `{text}`; tool: `{callId, tool, input, state, output?, error?}` */
  data: Record<string, unknown>
  createdAt: string
  updatedAt: string
}

export type MessageRole = 'user' | 'assistant'
export type FinishReason = 'stop' | 'length' | 'tool_calls' | 'max_steps' | 'aborted' | 'error'

export interface MessageInfo {
  id: string
  sessionId: string
  turnId: string
  role: MessageRole
  agent: string
  provider: string
  model: string
  finish: FinishReason | null
  error: { code: string; message: string } | null
  createdAt: string
  completedAt: string | null
  /** Assistant messages: the tools offered to the model for this message. */
  tools?: string[]
  /** Set when the answer was replaced by a regenerated one: kept in history, no longer sent to the model. */
  supersededAt?: string
  parts: PartInfo[]
}

export interface SessionDetail extends SessionInfo {
  messages: MessageInfo[]
}

export interface ApiErrorBody {
  error: { code: string; message: string; details?: Record<string, unknown> }
}
