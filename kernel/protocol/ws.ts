/**
 * The WebSocket protocol of `GET /api/ws`: JSON text messages both ways. Event frames are the very
 * envelopes SSE sends (`EventEnvelope`, `StreamResetEnvelope`); control frames carry an `op`.
 * Imports nothing but zod (this folder ships to browsers).
 */
import { z } from 'zod'
import type { StreamFrame } from './events.js'
import { streamFrameSchema } from './schemas.js'

export const WS_PATH = '/api/ws'

/** `global`, or `session:<id>`. */
export const wsStreamName = z
  .string()
  .max(256)
  .regex(/^(global|session:[^\s]+)$/, 'must be "global" or "session:<session id>"')

export const wsSubscribeMessage = z
  .object({
    op: z.literal('subscribe'),
    stream: wsStreamName,
    /** Replay every event after this sequence first (as SSE's Last-Event-ID); absent = live only. */
    since: z.number().int().min(0).optional(),
  })
  .strict()

export const wsUnsubscribeMessage = z.object({ op: z.literal('unsubscribe'), stream: wsStreamName }).strict()
export const wsPingMessage = z.object({ op: z.literal('ping') }).strict()

/** What a client may send. */
export const wsClientMessage = z.discriminatedUnion('op', [wsSubscribeMessage, wsUnsubscribeMessage, wsPingMessage])
export type WsClientMessage = z.infer<typeof wsClientMessage>

/** Control frames the server sends besides event envelopes. */
export type WsControlFrame =
  /** The subscription is live; replayed events (seq <= head) follow when `since` was given. */
  | { op: 'subscribed'; stream: string; head: number }
  | { op: 'unsubscribed'; stream: string }
  /** A message was refused (`REQUEST_INVALID`, `SESSION_NOT_FOUND`, ...); the socket stays open. */
  | { op: 'error'; code: string; message: string; stream?: string }
  | { op: 'pong' }

/** Everything the server sends on the socket. */
export type WsServerFrame = StreamFrame | WsControlFrame

export const isWsControlFrame = (frame: WsServerFrame): frame is WsControlFrame => 'op' in frame

/** Close codes the server uses (besides 1000/1001). */
export const WsCloseCode = {
  /** Going away: the server is shutting down; reconnect and resubscribe with `since`. */
  GOING_AWAY: 1001,
  /** The client fell too far behind (its unsent output passed the limit); reconnect with `since`. */
  TRY_AGAIN_LATER: 1013,
} as const

/** zod descriptions of the server's frames, for the OpenAPI document and tests (the server builds them as typed objects). */
export const wsControlFrameSchema = z.union([
  z.object({ op: z.literal('subscribed'), stream: z.string(), head: z.number().int().min(0) }).strict(),
  z.object({ op: z.literal('unsubscribed'), stream: z.string() }).strict(),
  z.object({ op: z.literal('error'), code: z.string(), message: z.string(), stream: z.string().optional() }).strict(),
  z.object({ op: z.literal('pong') }).strict(),
])
export const wsServerFrameSchema = z.union([streamFrameSchema, wsControlFrameSchema])
