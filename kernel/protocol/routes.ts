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

export const attachmentSchema = z
  .object({ name: z.string().min(1), mimeType: z.string().min(1), data: z.string() })
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
