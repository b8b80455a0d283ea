import type { FastifyInstance } from 'fastify'

/** The `serverHttp` service: the HTTP server's address, its open event streams and the fastify app. */
export interface ServerHttpService {
  /** `http://host:port` once listening; null before start and after shutdown. */
  address(): string | null
  /** Event streams currently open: SSE streams plus WebSocket subscriptions (the openStreams gauge). */
  openStreams(): number
  /** Every route mounted (`{method, url}`, HEAD twins aside); the OpenAPI tests check each one is documented. */
  mountedRoutes(): Array<{ method: string; url: string }>
  /** The fastify instance (tests use `app.inject`; plugins add routes through the routes registry instead). */
  app: FastifyInstance
}

declare module '../../../kernel/services.js' {
  interface KernelServices {
    serverHttp: ServerHttpService
  }
}
