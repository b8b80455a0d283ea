/**
 * zod schemas of what the API answers: the records of records.ts and the response bodies of
 * routes.ts. server-http turns them into the OpenAPI document's response schemas, and the contract
 * tests validate real responses against them. The type checks at the bottom keep each schema and its
 * TypeScript interface in step: changing one without the other fails `npm run typecheck`.
 * Imports nothing but zod (this folder ships to browsers).
 */
import { z } from 'zod'
import type { StreamResetEnvelope } from './events.js'
import type { ApiErrorBody, MessageInfo, PartInfo, SessionDetail, SessionInfo } from './records.js'
import { permissionRuleSchema, type CompactResponse, type EditMessageResponse, type HealthResponse, type PostMessageResponse, type RegenerateResponse } from './routes.js'

const iso = () => z.string().describe('ISO 8601 timestamp')

export const sessionStatusSchema = z.enum(['idle', 'busy', 'retrying', 'waiting_permission', 'blocked', 'error'])
export const finishReasonSchema = z.enum(['stop', 'length', 'tool_calls', 'max_steps', 'aborted', 'error'])
export const partKindSchema = z.enum(['text', 'reasoning', 'tool', 'file', 'step', 'compaction', 'subtask'])

export const sessionInfoSchema = z
  .object({
    id: z.string(),
    parentId: z.string().nullable(),
    title: z.string().nullable(),
    agent: z.string(),
    provider: z.string(),
    model: z.string(),
    tools: z.array(z.string()),
    workspace: z.string(),
    permissions: z.array(permissionRuleSchema),
    forkedFrom: z.object({ sessionId: z.string(), messageId: z.string() }).strict().nullable(),
    ownerId: z.string().nullable(),
    status: sessionStatusSchema,
    seq: z.number().int().min(0),
    createdAt: iso(),
    updatedAt: iso(),
  })
  .strict()

export const partInfoSchema = z
  .object({
    id: z.string(),
    messageId: z.string(),
    ordinal: z.number().int(),
    kind: partKindSchema,
    data: z.record(z.string(), z.unknown()),
    createdAt: iso(),
    updatedAt: iso(),
  })
  .strict()

const errorSummarySchema = z.object({ code: z.string(), message: z.string() }).strict()

export const messageInfoSchema = z
  .object({
    id: z.string(),
    sessionId: z.string(),
    turnId: z.string(),
    role: z.enum(['user', 'assistant']),
    agent: z.string(),
    provider: z.string(),
    model: z.string(),
    finish: finishReasonSchema.nullable(),
    error: errorSummarySchema.nullable(),
    createdAt: iso(),
    completedAt: iso().nullable(),
    tools: z.array(z.string()).optional(),
    supersededAt: iso().optional(),
    parts: z.array(partInfoSchema),
  })
  .strict()

export const sessionDetailSchema = sessionInfoSchema.extend({ messages: z.array(messageInfoSchema) }).strict()

/** Every error response: `{error: {code, message, details?}}`. */
export const apiErrorBodySchema = z
  .object({
    error: z
      .object({ code: z.string().min(1), message: z.string().min(1), details: z.record(z.string(), z.unknown()).optional() })
      .strict(),
  })
  .strict()

export const healthResponseSchema = z.object({ healthy: z.boolean(), version: z.string() }).strict()
export const postMessageResponseSchema = z.object({ turnId: z.string(), messageId: z.string() }).strict()
export const abortResponseSchema = z.object({ aborted: z.boolean() }).strict()
export const regenerateResponseSchema = z.object({ turnId: z.string(), superseded: z.array(z.string()) }).strict()
export const editMessageResponseSchema = postMessageResponseSchema.extend({ session: sessionInfoSchema }).strict()
export const compactResponseSchema = z.object({ turnId: z.string(), compacted: z.boolean(), messageId: z.string().optional() }).strict()
/** `DELETE /api/sessions/:id`: the ids deleted (the session and the sessions it delegated to). */
export const deleteSessionResponseSchema = z.object({ deleted: z.array(z.string()) }).strict()
export type DeleteSessionResponse = z.infer<typeof deleteSessionResponseSchema>

/** `GET /api/providers`: every enabled provider with the models it knows (no network). */
export const providerInfoSchema = z
  .object({
    id: z.string(),
    displayName: z.string(),
    acceptsUnknownModels: z.boolean(),
    models: z.array(z.object({ id: z.string(), displayName: z.string().optional(), contextWindow: z.number().int().optional() }).strict()),
  })
  .strict()
export type ProviderInfo = z.infer<typeof providerInfoSchema>

/** `GET /api/sessions/:id/tools`: every registered tool and whether the session's tool set covers it (the toggles). */
export const sessionToolSchema = z.object({ name: z.string(), kind: z.string(), description: z.string(), enabled: z.boolean() }).strict()
export type SessionTool = z.infer<typeof sessionToolSchema>

/** `POST /api/sessions/:id/revert`: absolute paths put back or removed, and calls a revert cannot undo. */
export const revertResponseSchema = z
  .object({
    restored: z.array(z.string()),
    removed: z.array(z.string()),
    notCovered: z.array(z.object({ turnId: z.string(), tool: z.string(), subject: z.string() }).strict()),
  })
  .strict()
export type RevertResponse = z.infer<typeof revertResponseSchema>

/** `GET /api/sessions/:id/tool-calls/:callId`: the tool part's data with the full output. */
export const toolCallDetailSchema = z
  .object({
    callId: z.string(),
    tool: z.string(),
    state: z.enum(['pending', 'running', 'completed', 'error']),
    input: z.unknown().optional(),
    output: z.string().optional(),
    truncated: z.boolean(),
    messageId: z.string(),
    partId: z.string(),
  })
  .loose()
export type ToolCallDetail = z.infer<typeof toolCallDetailSchema>

/** One sequenced event as SSE `data:` lines and WebSocket frames carry it. */
export const eventEnvelopeSchema = z
  .object({
    v: z.literal(1),
    stream: z.string(),
    seq: z.number().int().min(1),
    at: iso(),
    type: z.string().min(1),
    sessionId: z.string().optional(),
    data: z.unknown(),
  })
  .strict()

export const streamResetEnvelopeSchema = z
  .object({
    v: z.literal(1),
    stream: z.string(),
    at: iso(),
    type: z.literal('stream.reset'),
    data: z.object({ reason: z.enum(['cursor_expired', 'store_restarted']), head: z.number().int().min(0) }).strict(),
  })
  .strict()

export const streamFrameSchema = z.union([eventEnvelopeSchema, streamResetEnvelopeSchema])

// ---- compile-time checks: each schema describes exactly its interface ----
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false
const checks: {
  session: Same<z.infer<typeof sessionInfoSchema>, SessionInfo>
  part: Same<z.infer<typeof partInfoSchema>, PartInfo>
  message: Same<z.infer<typeof messageInfoSchema>, MessageInfo>
  detail: Same<z.infer<typeof sessionDetailSchema>, SessionDetail>
  error: Same<z.infer<typeof apiErrorBodySchema>, ApiErrorBody>
  health: Same<z.infer<typeof healthResponseSchema>, HealthResponse>
  posted: Same<z.infer<typeof postMessageResponseSchema>, PostMessageResponse>
  regenerated: Same<z.infer<typeof regenerateResponseSchema>, RegenerateResponse>
  edited: Same<z.infer<typeof editMessageResponseSchema>, EditMessageResponse>
  compacted: Same<z.infer<typeof compactResponseSchema>, CompactResponse>
  reset: Same<z.infer<typeof streamResetEnvelopeSchema>, StreamResetEnvelope>
} = { session: true, part: true, message: true, detail: true, error: true, health: true, posted: true, regenerated: true, edited: true, compacted: true, reset: true }
void checks
