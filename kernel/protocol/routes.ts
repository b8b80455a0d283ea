import { z } from 'zod'

/** REST paths. Clients build URLs from these, never from string literals of their own. */
export const ApiPaths = {
  health: '/health',
  sessions: '/api/sessions',
  session: (id: string) => `/api/sessions/${encodeURIComponent(id)}`,
  messages: (id: string) => `/api/sessions/${encodeURIComponent(id)}/messages`,
  events: (id: string) => `/api/sessions/${encodeURIComponent(id)}/events`,
  abort: (id: string) => `/api/sessions/${encodeURIComponent(id)}/abort`,
  globalEvents: '/api/events',
  permission: (id: string, askId: string) => `/api/sessions/${encodeURIComponent(id)}/permissions/${encodeURIComponent(askId)}`,
  revert: (id: string) => `/api/sessions/${encodeURIComponent(id)}/revert`,
  toolCall: (id: string, callId: string) => `/api/sessions/${encodeURIComponent(id)}/tool-calls/${encodeURIComponent(callId)}`,
  regenerate: (id: string) => `/api/sessions/${encodeURIComponent(id)}/regenerate`,
  editMessage: (id: string, messageId: string) => `/api/sessions/${encodeURIComponent(id)}/messages/${encodeURIComponent(messageId)}/edit`,
  compact: (id: string) => `/api/sessions/${encodeURIComponent(id)}/compact`,
  children: (id: string) => `/api/sessions/${encodeURIComponent(id)}/children`,
  sessionTools: (id: string) => `/api/sessions/${encodeURIComponent(id)}/tools`,
  providers: '/api/providers',
  /** usage-metering: a session's usage (own and with its children). */
  sessionUsage: (id: string) => `/api/sessions/${encodeURIComponent(id)}/usage`,
  /** usage-metering: usage over a time range, grouped (`?from&to&groupBy=`). */
  usage: '/api/usage',
} as const

/** Undo the files tools changed in a turn and every later one. */
export const revertBody = z.object({ turnId: z.string().min(1) }).strict()

/** The answer to a `permission.asked` event. */
export const permissionReplyBody = z
  .object({ reply: z.enum(['once', 'always', 'reject']), message: z.string().max(2000).optional() })
  .strict()
export type PermissionReplyBody = z.infer<typeof permissionReplyBody>

/** A permission rule: `tool` and `match` are globs over the tool name and the call's subject. */
export const permissionRuleSchema = z
  .object({
    tool: z.string().min(1),
    match: z.string().min(1).optional(),
    action: z.enum(['allow', 'ask', 'deny']),
  })
  .strict()

export const createSessionBody = z
  .object({
    agent: z.string().min(1).optional(),
    provider: z.string().min(1).optional(),
    model: z.string().min(1).optional(),
    title: z.string().max(200).optional(),
    workspace: z.string().min(1).optional(),
    permissions: z.array(permissionRuleSchema).max(500).optional(),
  })
  .strict()
export type CreateSessionBody = z.infer<typeof createSessionBody>

/** Switch agent, model or tools (from the next turn on), or rename. */
export const patchSessionBody = z
  .object({
    agent: z.string().min(1).optional(),
    provider: z.string().min(1).optional(),
    model: z.string().min(1).optional(),
    tools: z.array(z.string().min(1)).optional(),
    title: z.string().max(200).nullable().optional(),
    /** Replaces the session's permission rules. */
    permissions: z.array(permissionRuleSchema).max(500).optional(),
  })
  .strict()
  .refine((body) => Object.keys(body).length > 0, { message: 'give at least one of agent, provider, model, tools, title, permissions' })
export type PatchSessionBody = z.infer<typeof patchSessionBody>

/** A file sent with a message: `data` is the content in base64. Textual types reach the model as text. */
export const attachmentSchema = z
  .object({ name: z.string().min(1), mimeType: z.string().min(1), data: z.string().regex(/^[A-Za-z0-9+/]*={0,2}$/, 'must be base64') })
  .strict()

export const postMessageBody = z
  .object({ text: z.string().min(1, 'text must not be empty'), attachments: z.array(attachmentSchema).max(20).optional() })
  .strict()
export type PostMessageBody = z.infer<typeof postMessageBody>

export interface PostMessageResponse {
  turnId: string
  messageId: string
}

/** `POST regenerate`: the turn that runs again and the answers it superseded. */
export interface RegenerateResponse {
  turnId: string
  superseded: string[]
}

/** `POST messages/:messageId/edit`: the new session the conversation forked into, and the sent message. */
export interface EditMessageResponse extends PostMessageResponse {
  session: import('./records.js').SessionInfo
}

/** `POST compact`: the compaction message stored (its `compaction` part lists what it replaced). */
export interface CompactResponse {
  turnId: string
  compacted: boolean
  messageId?: string
}

export interface HealthResponse {
  healthy: boolean
  version: string
}

/**
 * Usage of a set of model calls (usage-metering). Tokens are normalised (`input` excludes cache reads
 * and writes, `output` includes reasoning); `tokens` = input + output + cacheRead + cacheWrite. Money is
 * integer pico-USD (10^-12 USD) as a decimal string; `costPico` is null when no call of the set had a
 * known price, and `unpricedCalls` counts the calls left out of it.
 */
export interface UsageAmounts {
  calls: number
  unpricedCalls: number
  input: number
  output: number
  reasoning: number
  cacheRead: number
  cacheWrite: number
  tokens: number
  costPico: string | null
}

/** A share of usage attributed to an activity or a tool (from the attribution table). */
export interface UsageShare {
  tokens: number
  costPico: string | null
}

/** `GET /api/sessions/:id/usage`. `total` and the breakdowns cover the session and all its descendants. */
export interface SessionUsageResponse {
  sessionId: string
  rootSessionId: string
  own: UsageAmounts
  total: UsageAmounts
  /** conversation, tool_use, system, compaction, title, and subagent (every call of a descendant session). */
  byActivity: Record<string, UsageShare>
  byModel: Array<{ provider: string; model: string } & UsageAmounts>
  /** tool_use shares by tool name (tool results in prompts, and output of calls that requested the tool). */
  byTool: Record<string, UsageShare>
  /** Direct children, each with its own descendants. */
  children: Array<{ sessionId: string; agent: string | null; title: string | null; total: UsageAmounts }>
  /** The session's own assistant messages that made model calls. */
  messages: Array<{ messageId: string } & UsageAmounts>
}

export type UsageGroupBy = 'day' | 'provider' | 'model' | 'activity' | 'session' | 'tool'

/** `GET /api/usage?from&to&groupBy`: rows by key; activity and tool rows carry only tokens and cost. */
export interface UsageReportResponse {
  from: string
  to: string
  groupBy: UsageGroupBy
  rows: Array<{ key: string } & UsageShare & Partial<UsageAmounts>>
  total: UsageAmounts
}

/** `usage.updated` event data: one metered call and the new totals of the session whose stream carries it. */
export interface UsageUpdatedData {
  /** The session whose stream carries this event, and its totals after the call. */
  sessionId: string
  own: UsageAmounts
  total: UsageAmounts
  call: {
    ledgerId: string
    sessionId: string
    messageId: string | null
    turnId: string
    step: number
    provider: string
    model: string
    activity: string
    input: number
    output: number
    reasoning: number
    cacheRead: number
    cacheWrite: number
    costPico: string | null
    latencyMs: number | null
  }
}
