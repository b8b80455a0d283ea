import fastify, { type FastifyInstance } from 'fastify'
import type { Socket } from 'node:net'
import { PlatformError, type Logger } from '../../../kernel/index.js'
import type { ListenTarget, ServerHttpOptions } from './config.js'
import { frameworkErrorHandler, HttpErrorCode, installErrorHandlers } from './errors.js'
import type { ServerHttpService } from './services.js'
import { RECONNECT_HINT_MS, SseHub } from './sse.js'
import { WsHub } from './websocket.js'

const MAX_SSE_BUFFER_BYTES = 1_048_576
/** After this long in drain, connections still open (requests in flight) are cut so shutdown stays bounded. */
const CLOSE_GRACE_MS = 3000

/** Builds the fastify app at register time (no I/O); listens and drains in lifecycle taps. */
export class HttpServer {
  readonly app: FastifyInstance
  readonly hub: SseHub
  readonly ws: WsHub
  readonly service: ServerHttpService
  /** Every route mounted (method, url), HEAD twins aside: the docs test checks each one is documented. */
  readonly mounted: Array<{ method: string; url: string }> = []
  #address: string | null = null
  #closing = false
  /** Connections that never carried a request (client pre-connects): nothing to drain, closed at once on shutdown. */
  readonly #unused = new Set<Socket>()

  constructor(
    readonly options: ServerHttpOptions,
    private readonly logger: Logger,
  ) {
    this.app = fastify({ logger: false, bodyLimit: options.bodyLimitBytes, return503OnClosing: false, frameworkErrors: frameworkErrorHandler(options.bodyLimitBytes) })
    this.hub = new SseHub({ heartbeatMs: options.heartbeatMs, maxBufferedBytes: MAX_SSE_BUFFER_BYTES, logger })
    const { heartbeatMs, maxBufferedBytes, maxSubscriptions } = options.ws
    this.ws = new WsHub({ heartbeatMs, maxBufferedBytes, maxSubscriptions, logger })
    this.service = { address: () => this.#address, openStreams: () => this.hub.count() + this.ws.subscriptions(), mountedRoutes: () => [...this.mounted], app: this.app }
    this.app.addHook('onRoute', (route) => {
      for (const method of [route.method].flat()) if (method !== 'HEAD') this.mounted.push({ method, url: route.url })
    })
    this.#installParsers()
    this.#installHooks()
    this.#trackConnections()
    installErrorHandlers(this.app, { logger, bodyLimitBytes: options.bodyLimitBytes })
  }

  get closing(): boolean {
    return this.#closing
  }

  async listen(target: ListenTarget): Promise<string> {
    if (!['127.0.0.1', 'localhost', '::1'].includes(target.host)) {
      this.logger.info('listening beyond loopback: every request needs an API token (server-auth)', { host: target.host })
    }
    try {
      this.#address = await this.app.listen({ host: target.host, port: target.port })
    } catch (error) {
      throw new PlatformError(
        HttpErrorCode.LISTEN_FAILED,
        `Cannot listen on ${target.host}:${target.port}: ${(error as Error).message}. Pick another port (PORT, --port or plugins.server-http.port; 0 = any free port) or stop the process using it.`,
        { cause: error, details: { host: target.host, port: target.port, reason: (error as { code?: string }).code } },
      )
    }
    this.logger.info('listening', { address: this.#address })
    return this.#address
  }

  /** Drain: refuse new requests, end open SSE streams with a `retry:` hint, then close fastify. */
  async close(): Promise<void> {
    const started = performance.now()
    this.#closing = true
    this.hub.endAll(RECONNECT_HINT_MS)
    this.ws.endAll()
    const closed = this.app.close()
    for (const socket of this.#unused) socket.destroy()
    const cut = setTimeout(() => {
      this.app.server.closeAllConnections()
      this.ws.terminateAll()
    }, CLOSE_GRACE_MS)
    cut.unref()
    await closed.finally(() => clearTimeout(cut))
    this.#address = null
    this.logger.info('closed', { ms: Math.round(performance.now() - started) })
  }

  #trackConnections(): void {
    this.app.server.on('connection', (socket: Socket) => {
      this.#unused.add(socket)
      socket.once('close', () => this.#unused.delete(socket))
    })
    this.app.server.on('request', (request: { socket: Socket }) => this.#unused.delete(request.socket))
  }

  /** JSON bodies as fastify parses them (prototype-poisoning safe), except that an empty body is no body. */
  #installParsers(): void {
    const parseJson = this.app.getDefaultJsonParser('error', 'error')
    this.app.removeContentTypeParser('application/json')
    this.app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
      if (typeof body === 'string' && body.trim() === '') return done(null, undefined)
      parseJson(request, body as string, done)
    })
  }

  #installHooks(): void {
    this.app.addHook('onRequest', async (_request, reply) => {
      if (!this.#closing) return
      void reply.header('connection', 'close')
      throw new PlatformError(HttpErrorCode.CLOSING, 'The server is shutting down; retry shortly.', { httpStatus: 503, retryable: true })
    })
    if (!this.options.logRequests) return
    this.app.addHook('onResponse', async (request, reply) => {
      this.logger.info('request', { method: request.method, url: request.url, status: reply.statusCode, ms: Math.round(reply.elapsedTime) })
    })
  }
}
