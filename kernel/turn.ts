import type { MessageInfo, PermissionRule, SessionInfo } from './protocol/index.js'
import type { ModelActivity } from './provider.js'

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
  /** Empty for calls that make no message of their own (a title). */
  readonly messageId: string
  readonly partId?: string
  /** Why the model was called (usage is attributed to it); `conversation` when absent. */
  readonly activity?: ModelActivity
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

/**
 * What a compaction does with the conversation the model sees: `summarize` is replaced by one summary
 * (asked of the model), `keep` stays as it is. session.compact taps may move messages between the two.
 */
export interface CompactionPlan {
  keep: MessageInfo[]
  summarize: MessageInfo[]
}

export interface CompactionContext {
  readonly session: Readonly<SessionInfo>
  readonly turnId: string
  /** `auto`: the request neared the context window; `manual`: asked for through the API. */
  readonly reason: 'auto' | 'manual'
  /** Estimated tokens of the conversation as it stands, and the model's context window. */
  readonly estimatedTokens: number
  readonly contextTokens: number
}
