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
  /** The call's provider and model, its step in the turn (0 for side calls) and when it was sent (epoch ms). */
  readonly provider?: string
  readonly model?: string
  readonly step?: number
  readonly startedAt?: number
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
  ownerId: string | null
}

/** A request.admit tap's refusal of a model call. */
export interface Rejection {
  code: string
  message: string
  /**
   * Ask the user instead of refusing outright (e.g. a budget would be exceeded): the kernel emits a
   * `permission.asked` (tool `model_call`, kind `budget`, summary = `message`) outside any hook
   * timeout. On `once` / `always` the call goes ahead and `onAllowed` hears the reply; on `reject`,
   * a timeout or an abort the call is refused with this rejection.
   */
  askUser?: boolean
  onAllowed?(reply: 'once' | 'always'): void
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

/** What a tool asks for when it delegates to another agent (ToolContext.delegate). */
export interface DelegateRequest {
  /** Id of a configured agent. */
  agent: string
  /** The child's first (and only) user message. */
  prompt: string
  /** Shown as the child session's title. */
  title?: string
  /** Narrow the child's tools to these (only tools its agent has are kept). */
  tools?: string[]
  provider?: string
  model?: string
  /** Step limit of the child's turn (at most the kernel's `limits.maxSteps`). */
  maxSteps?: number
}

/** subagent.spawn's context: who delegates, and how deep the child will be (a root session is depth 0). */
export interface SpawnContext {
  readonly parent: Readonly<SessionInfo>
  readonly turnId: string
  readonly callId: string
  readonly depth: number
}

/** The outcome of a child run: its session, how its turn ended and its final answer (text). */
export interface DelegateResult {
  sessionId: string
  finish: import('./protocol/index.js').FinishReason
  answer: string
  error?: { code: string; message: string }
}
