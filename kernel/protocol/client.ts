/**
 * The typed API client the web UI and the TUI share: one method per route, errors as `ApiError`, and
 * `subscribe()` over SSE (fetch streaming) or WebSocket with replay and reconnect. Runs in browsers
 * and Node 20; Node 20 has no global WebSocket, so pass one (`ws`) as `WebSocket` to use that transport.
 * Imports only this folder (and zod types).
 */
import type { z } from 'zod'
import { GLOBAL_STREAM, type EventEnvelope, type StreamFrame, type StreamResetEnvelope } from './events.js'
import type { ApiErrorBody, SessionDetail, SessionInfo } from './records.js'
import {
  ApiPaths,
  type CompactResponse,
  type createSessionBody,
  type EditMessageResponse,
  type HealthResponse,
  type patchSessionBody,
  type permissionReplyBody,
  type postMessageBody,
  type PostMessageResponse,
  type RegenerateResponse,
  type revertBody,
} from './routes.js'
import type { DeleteSessionResponse, ProviderInfo, RevertResponse, SessionTool, ToolCallDetail } from './schemas.js'
import type { SystemMetrics } from './system.js'
import { WS_PATH, type WsServerFrame } from './ws.js'

/** A failed request: the HTTP status and the server's `{error: {code, message, details}}`. */
export class ApiError extends Error {
  readonly status: number
  readonly code: string
  readonly details: Record<string, unknown> | undefined

  constructor(status: number, body: ApiErrorBody['error']) {
    super(body.message)
    this.name = 'ApiError'
    this.status = status
    this.code = body.code
    this.details = body.details
  }
}

/** What the client needs of a WebSocket: the browser's and `ws`'s both fit. */
export interface WebSocketLike {
  readonly readyState: number
  send(data: string): void
  close(code?: number, reason?: string): void
  onopen: ((event: unknown) => void) | null
  onmessage: ((event: { data: unknown }) => void) | null
  onclose: ((event: { code: number; reason: string }) => void) | null
  onerror: ((event: unknown) => void) | null
}
/** Browsers ignore the third argument; `ws` sends its headers (the token). */
export type WebSocketConstructor = new (url: string, protocols?: string | string[], options?: { headers?: Record<string, string> }) => WebSocketLike

export interface ClientOptions {
  /** `http://127.0.0.1:8787`; no trailing slash needed. */
  baseUrl: string
  /** Sent as `Authorization: Bearer <token>`. */
  token?: string
  fetch?: (input: string, init?: RequestInit) => Promise<Response>
  WebSocket?: WebSocketConstructor
}

export interface SubscribeOptions {
  /** Replay every event after this sequence first; absent = live only. */
  since?: number
  /** Each event, once, in order (replay and reconnects included). */
  onEvent(event: EventEnvelope): void
  /** The cursor was older than retention: refetch the session, then events after `head` follow. */
  onReset?(reset: StreamResetEnvelope): void
  /** A failure; with `reconnect` the client retries unless the error is final (4xx). */
  onError?(error: Error): void
  /** `sse` (default) or `ws` (needs a WebSocket constructor in Node 20). */
  transport?: 'sse' | 'ws'
  /** Reconnect with the last seen sequence after a drop (default true), waiting this long first. */
  reconnect?: boolean
  reconnectDelayMs?: number
}

export interface Subscription {
  /** Resolves once the stream is open (SSE headers / WS `subscribed`); rejects if the first attempt failed for good. */
  readonly ready: Promise<void>
  /** Sequence of the last event delivered (or the head after a reset). */
  readonly lastSeq: number | null
  close(): void
}

/** `agent-personas` answers (typed loosely: the plugin owns the shape). */
export interface AgentSummary {
  id: string
  name?: string
  description?: string
  [key: string]: unknown
}
/** An item of `GET /api/tools` (mcp-client). */
export interface ToolSummary {
  name: string
  kind: string
  description: string
  source: 'mcp' | 'plugin'
  server?: string
}

type Query = Record<string, string | number | boolean | undefined>

/** Where SSE of a stream name lives. */
export function ssePathOf(stream: string): string {
  if (stream === GLOBAL_STREAM) return ApiPaths.globalEvents
  if (/^session:\S+$/.test(stream)) return ApiPaths.events(stream.slice('session:'.length))
  throw new Error(`Unknown stream "${stream}": use "global" or "session:<id>".`)
}

export function createClient(options: ClientOptions) {
  const base = options.baseUrl.replace(/\/+$/, '')
  const doFetch = options.fetch ?? ((input: string, init?: RequestInit) => fetch(input, init))
  const auth: Record<string, string> = options.token ? { authorization: `Bearer ${options.token}` } : {}

  const url = (path: string, query?: Query): string => {
    const search = new URLSearchParams()
    for (const [key, value] of Object.entries(query ?? {})) if (value !== undefined) search.set(key, String(value))
    const text = search.toString()
    return `${base}${path}${text ? `?${text}` : ''}`
  }

  /** One JSON request; a non-2xx answer throws ApiError (bodies that are not ApiErrorBody get code HTTP_<status>). */
  async function request<T>(method: string, path: string, init: { body?: unknown; query?: Query } = {}): Promise<T> {
    const headers: Record<string, string> = { accept: 'application/json', ...auth }
    if (init.body !== undefined) headers['content-type'] = 'application/json'
    const response = await doFetch(url(path, init.query), { method, headers, body: init.body === undefined ? undefined : JSON.stringify(init.body) })
    const text = await response.text()
    const json = text ? safeJson(text) : undefined
    if (!response.ok) throw toApiError(response.status, json, text)
    return json as T
  }

  const get = <T>(path: string, query?: Query) => request<T>('GET', path, { query })
  const post = <T>(path: string, body?: unknown) => request<T>('POST', path, { body })

  return {
    request,
    health: () => get<HealthResponse>(ApiPaths.health),
    openapi: () => get<Record<string, unknown>>('/api/openapi.json'),

    listSessions: (query: { limit?: number; status?: SessionInfo['status']; agent?: string; parentId?: string } = {}) => get<SessionInfo[]>(ApiPaths.sessions, query),
    deleteSession: (id: string) => request<DeleteSessionResponse>('DELETE', ApiPaths.session(id)),
    sessionTools: (id: string) => get<SessionTool[]>(ApiPaths.sessionTools(id)),
    listProviders: () => get<ProviderInfo[]>(ApiPaths.providers),
    createSession: (body: z.input<typeof createSessionBody> = {}) => post<SessionInfo>(ApiPaths.sessions, body),
    getSession: (id: string) => get<SessionDetail>(ApiPaths.session(id)),
    patchSession: (id: string, body: z.input<typeof patchSessionBody>) => request<SessionInfo>('PATCH', ApiPaths.session(id), { body }),
    listChildren: (id: string, query: { limit?: number } = {}) => get<SessionInfo[]>(ApiPaths.children(id), query),
    postMessage: (id: string, body: z.input<typeof postMessageBody>) => post<PostMessageResponse>(ApiPaths.messages(id), body),
    abort: (id: string) => post<{ aborted: boolean }>(ApiPaths.abort(id)),
    replyPermission: (id: string, askId: string, body: z.input<typeof permissionReplyBody>) => post<void>(ApiPaths.permission(id, askId), body),
    revert: (id: string, body: z.input<typeof revertBody>) => post<RevertResponse>(ApiPaths.revert(id), body),
    getToolCall: (id: string, callId: string) => get<ToolCallDetail>(ApiPaths.toolCall(id, callId)),
    regenerate: (id: string) => post<RegenerateResponse>(ApiPaths.regenerate(id)),
    editMessage: (id: string, messageId: string, body: z.input<typeof postMessageBody>) => post<EditMessageResponse>(ApiPaths.editMessage(id, messageId), body),
    compact: (id: string) => post<CompactResponse>(ApiPaths.compact(id)),

    listAgents: () => get<AgentSummary[]>('/api/agents'),
    getAgent: (id: string) => get<AgentSummary>(`/api/agents/${encodeURIComponent(id)}`),
    createAgent: (body: Record<string, unknown> & { id: string }) => post<AgentSummary>('/api/agents', body),
    listTools: () => get<ToolSummary[]>('/api/tools'),
    getSystem: () => get<SystemMetrics>('/api/system'),

    /** Follow `global` or `session:<id>`: replay after `since`, then live; reconnects resume after the last event. */
    subscribe(stream: string, subscribeOptions: SubscribeOptions): Subscription {
      ssePathOf(stream) // throws now for a bad stream name, rather than in every reconnect attempt
      const transport = subscribeOptions.transport ?? 'sse'
      if (transport === 'ws' && !options.WebSocket && typeof (globalThis as { WebSocket?: unknown }).WebSocket !== 'function') {
        throw new Error('No WebSocket implementation: pass createClient({WebSocket}) (in Node 20, the `ws` package).')
      }
      const WebSocketImpl = options.WebSocket ?? ((globalThis as { WebSocket?: WebSocketConstructor }).WebSocket as WebSocketConstructor)
      return follow(stream, subscribeOptions, transport === 'ws' ? wsConnector(WebSocketImpl) : sseConnector())
    },
  }

  // ---------- subscriptions ----------

  /** One attempt to stream: calls `frame` per frame, resolves `opened` once live, `ended` when it stops. */
  type Connector = (stream: string, cursor: number | null, handlers: { frame(frame: StreamFrame): void; opened(): void }) => { ended: Promise<void>; stop(): void }

  function follow(stream: string, opts: SubscribeOptions, connect: Connector): Subscription {
    let lastSeq: number | null = opts.since ?? null
    let closed = false
    let stop: (() => void) | undefined
    let timer: ReturnType<typeof setTimeout> | undefined
    let settle: { resolve(): void; reject(error: Error): void } | undefined
    const ready = new Promise<void>((resolve, reject) => (settle = { resolve, reject }))
    ready.catch(() => undefined)

    const onFrame = (frame: StreamFrame) => {
      if (closed) return
      if (frame.type === 'stream.reset') {
        lastSeq = Math.max(lastSeq ?? 0, (frame as StreamResetEnvelope).data.head)
        opts.onReset?.(frame as StreamResetEnvelope)
        return
      }
      const event = frame as EventEnvelope
      if (lastSeq !== null && event.seq <= lastSeq) return
      lastSeq = event.seq
      opts.onEvent(event)
    }

    const attempt = () => {
      if (closed) return
      const connection = connect(stream, lastSeq, {
        frame: onFrame,
        opened: () => {
          settle?.resolve()
          settle = undefined
        },
      })
      stop = connection.stop
      connection.ended.then(
        () => retry(new Error(`The event stream ${stream} ended.`), false),
        (error: Error) => retry(error, error instanceof ApiError && error.status >= 400 && error.status < 500),
      )
    }

    /** After a drop: report it, then reconnect from the last seq, unless the server refused for good (4xx) or reconnect is off. */
    const retry = (error: Error, final: boolean) => {
      if (closed) return
      opts.onError?.(error)
      if (final || opts.reconnect === false) {
        closed = true
        settle?.reject(error)
        settle = undefined
        return
      }
      timer = setTimeout(attempt, opts.reconnectDelayMs ?? 1000)
    }

    attempt()
    return {
      ready,
      get lastSeq() {
        return lastSeq
      },
      close() {
        closed = true
        clearTimeout(timer)
        stop?.()
        settle?.reject(new Error('The subscription was closed before it opened.'))
        settle = undefined
      },
    }
  }

  function sseConnector(): Connector {
    return (stream, cursor, handlers) => {
      const controller = new AbortController()
      const ended = (async () => {
        const headers: Record<string, string> = { accept: 'text/event-stream', ...auth }
        if (cursor !== null) headers['last-event-id'] = String(cursor)
        const response = await doFetch(url(ssePathOf(stream)), { headers, signal: controller.signal })
        if (!response.ok || !response.body) {
          const text = await response.text()
          throw toApiError(response.status, text ? safeJson(text) : undefined, text)
        }
        handlers.opened()
        const reader = response.body.getReader()
        const decoder = new TextDecoder()
        let buffer = ''
        for (;;) {
          const chunk = await reader.read()
          if (chunk.done) return
          buffer += decoder.decode(chunk.value, { stream: true }).replace(/\r\n?/g, '\n')
          let cut: number
          while ((cut = buffer.indexOf('\n\n')) >= 0) {
            const data = dataOf(buffer.slice(0, cut))
            buffer = buffer.slice(cut + 2)
            if (data !== null) handlers.frame(JSON.parse(data) as StreamFrame)
          }
        }
      })().catch((error: unknown) => {
        if (controller.signal.aborted) return
        throw error instanceof Error ? error : new Error(String(error))
      })
      return { ended, stop: () => controller.abort() }
    }
  }

  function wsConnector(WebSocketImpl: WebSocketConstructor): Connector {
    return (stream, cursor, handlers) => {
      const wsUrl = url(WS_PATH).replace(/^http/, 'ws')
      const socket = new WebSocketImpl(wsUrl, undefined, Object.keys(auth).length ? { headers: auth } : undefined)
      let stopped = false
      const ended = new Promise<void>((resolve, reject) => {
        socket.onopen = () => socket.send(JSON.stringify(cursor === null ? { op: 'subscribe', stream } : { op: 'subscribe', stream, since: cursor }))
        socket.onmessage = (message) => {
          const frame = safeJson(String(message.data)) as WsServerFrame | undefined
          if (!frame || typeof frame !== 'object') return
          if (!('op' in frame)) return handlers.frame(frame)
          if (frame.op === 'subscribed') handlers.opened()
          else if (frame.op === 'error') {
            // A refused subscription is final (unknown session, bad stream name): 404/400 like over HTTP.
            reject(new ApiError(frame.code === 'SESSION_NOT_FOUND' ? 404 : frame.code === 'INTERNAL_ERROR' ? 500 : 400, { code: frame.code, message: frame.message }))
            socket.close(1000)
          }
        }
        socket.onerror = () => undefined
        socket.onclose = (event) => {
          if (stopped) return resolve()
          reject(new Error(`The WebSocket closed (${event.code}${event.reason ? `: ${event.reason}` : ''}).`))
        }
      })
      return {
        ended,
        stop: () => {
          stopped = true
          socket.close(1000)
        },
      }
    }
  }
}

export type ApiClient = ReturnType<typeof createClient>

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text)
  } catch {
    return undefined
  }
}

function toApiError(status: number, json: unknown, text: string): ApiError {
  const body = (json as Partial<ApiErrorBody> | undefined)?.error
  if (body && typeof body.code === 'string' && typeof body.message === 'string') return new ApiError(status, body)
  return new ApiError(status, { code: `HTTP_${status}`, message: text.slice(0, 200) || `HTTP ${status}` })
}

/** The `data:` of one SSE block (lines joined), or null for comments and blocks without data. */
function dataOf(block: string): string | null {
  const lines = block.split('\n').filter((line) => line.startsWith('data:'))
  return lines.length ? lines.map((line) => line.slice(5).replace(/^ /, '')).join('\n') : null
}
