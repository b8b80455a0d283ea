import type { FastifyInstance } from 'fastify'

/** The `serverHttp` service: the HTTP server's address, its open SSE streams and the fastify app. */
export interface ServerHttpService {
  /** `http://host:port` once listening; null before start and after shutdown. */
  address(): string | null
  /** SSE streams currently open (the openStreams gauge). */
  openStreams(): number
  /** The fastify instance (tests use `app.inject`; plugins add routes through the routes registry instead). */
  app: FastifyInstance
}

declare module '../../../kernel/services.js' {
  interface KernelServices {
    serverHttp: ServerHttpService
  }
}
