import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { z } from 'zod'
import { PlatformError, protocol, type EventBus, type SessionEngine } from '../../../kernel/index.js'
import { HttpErrorCode, invalidRequest, parsePart } from './errors.js'
import { mount, type RouteDoc } from './route-docs.js'
import type { SseHub } from './sse.js'
import type { ReplayTarget } from './replay.js'
import { ownEventsOnly, type OwnerCache } from './owner-filter.js'

export interface EventRouteDeps {
  engine: SessionEngine
  eventBus: EventBus
  hub: SseHub
  isClosing: () => boolean
  /** Session owners, for members' view of the global stream (server-auth on). */
  owners?: OwnerCache
}

export const SSE_HEADERS = {
  'content-type': 'text/event-stream; charset=utf-8',
  'cache-control': 'no-cache',
  'x-accel-buffering': 'no',
  connection: 'keep-alive',
} as const

const eventsQuery = z.object({ since: z.string().regex(/^\d+$/, 'must be a whole number (a sequence number)').optional() })
const idParams = z.object({ id: z.string().min(1) }).strict()

const lastEventIdHeader = [
  { name: 'Last-Event-ID', description: 'Resume after this sequence (what browsers resend on reconnect); wins over `since`.', schema: { type: 'string', pattern: '^\\d+$' } },
]
const sse = (stream: string) => ({
  status: 200,
  contentType: 'text/event-stream',
  description: `SSE of stream \`${stream}\`: \`id: <seq>\`, \`event: <type>\`, \`data: <envelope JSON>\` per event (x-event-frame); \`stream.reset\` (no id) when the cursor cannot be served; \`: ping\` heartbeats.`,
})
const frameExtension = { 'x-event-frame': protocol.streamFrameSchema }

/** Docs (and the schemas the handlers validate with) of the SSE routes. */
export const eventRouteDocs = {
  session: {
    id: 'sessions.events', method: 'GET', path: `${protocol.ApiPaths.sessions}/:id/events`, tags: ['events'],
    summary: 'Follow one session\'s events over SSE, replaying after a cursor first.',
    params: idParams, querystring: eventsQuery, headers: lastEventIdHeader,
    success: sse('session:<id>'), errors: { 400: ['REQUEST_INVALID'], 404: ['SESSION_NOT_FOUND'], 503: ['SERVER_HTTP_CLOSING'] }, extensions: frameExtension,
  },
  global: {
    id: 'events.global', method: 'GET', path: protocol.ApiPaths.globalEvents, tags: ['events'],
    summary: 'Follow the global stream (every session\'s status, system metrics, MCP and tool changes) over SSE.',
    querystring: eventsQuery, headers: lastEventIdHeader,
    success: sse('global'), errors: { 400: ['REQUEST_INVALID'], 503: ['SERVER_HTTP_CLOSING'] }, extensions: frameExtension,
  },
} satisfies Record<string, RouteDoc>

/** The replay cursor: the Last-Event-ID header (what browsers resend) wins over `?since=`; null = live only. */
export function cursorOf(request: FastifyRequest): number | null {
  const header = request.headers['last-event-id']
  const { since } = parsePart(eventsQuery, request.query, 'querystring')
  if (typeof header === 'string' && header.trim() !== '') {
    const value = header.trim()
    if (!/^\d+$/.test(value)) {
      throw invalidRequest([{ location: 'headers', path: 'last-event-id', message: 'must be a whole number (the id of the last event received)' }])
    }
    return Number(value)
  }
  return since === undefined ? null : Number(since)
}

/** Take the response over from fastify and write the SSE headers; the hub writes frames from here on. */
async function stream(reply: FastifyReply, deps: EventRouteDeps, streamName: string, cursor: number | null, filter?: (target: ReplayTarget) => ReplayTarget): Promise<void> {
  if (deps.isClosing()) throw new PlatformError(HttpErrorCode.CLOSING, 'The server is shutting down; reconnect shortly.', { httpStatus: 503, retryable: true })
  reply.hijack()
  const res = reply.raw
  res.writeHead(200, SSE_HEADERS)
  res.flushHeaders()
  await deps.hub.open(res, { eventBus: deps.eventBus, streamName, cursor, ...(filter ? { filter } : {}) })
}

/** `GET /api/sessions/:id/events` and `GET /api/events` (global): replay after a cursor, then live. */
export function registerEventRoutes(app: FastifyInstance, deps: EventRouteDeps): void {
  mount(app, eventRouteDocs.session, async (request, reply) => {
    const { id } = parsePart(eventRouteDocs.session.params, request.params, 'params')
    const cursor = cursorOf(request)
    await deps.engine.openStream(id)
    await stream(reply, deps, protocol.sessionStream(id), cursor)
  })

  mount(app, eventRouteDocs.global, async (request, reply) => {
    // A member sees the events of their own sessions (and the ones of no session, such as system metrics).
    const caller = request.caller
    const filter = caller && caller.role !== 'admin' && deps.owners ? (target: ReplayTarget) => ownEventsOnly(target, caller.userId, deps.owners!) : undefined
    await stream(reply, deps, protocol.GLOBAL_STREAM, cursorOf(request), filter)
  })
}
