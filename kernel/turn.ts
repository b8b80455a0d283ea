import type { PermissionRule, SessionInfo } from './protocol/index.js'

/** What hooks on the turn path receive about the running turn. Read-only. */
export interface TurnContext {
  readonly sessionId: string
  readonly turnId: string
  readonly session: Readonly<SessionInfo>
  /** Model call index within the turn, from 1. */
  readonly step: number
  readonly signal: AbortSignal
}

/** Where a streamed chunk belongs. */
export interface StreamContext {
  readonly sessionId: string
  readonly turnId: string
  readonly messageId: string
  readonly partId?: string
}

/** A session about to be created; session.create taps may refine it. */
export interface SessionDraft {
  agent: string
  provider: string
  model: string
  title: string | null
  tools: string[]
  workspace: string
  parentId: string | null
  permissions: PermissionRule[]
  forkedFrom: { sessionId: string; messageId: string } | null
}

/** A request.admit tap's refusal of a model call. */
export interface Rejection {
  code: string
  message: string
}
