import cors from '@fastify/cors'
import helmet from '@fastify/helmet'
import rateLimit from '@fastify/rate-limit'
import type { FastifyInstance } from 'fastify'
import { PlatformError } from '../../../kernel/index.js'

/**
 * With server-auth on: security headers (helmet), per-token rate limits (429 AUTH_RATE_LIMITED, with
 * Retry-After) and CORS only for the configured origins.
 */
export async function installProtections(app: FastifyInstance, options: { rateLimitPerMinute: number; corsOrigins: string[] }): Promise<void> {
  // The API serves JSON (and one small HTML page): the strict default policy fits.
  await app.register(helmet, { global: true })
  if (options.corsOrigins.length > 0) {
    await app.register(cors, { origin: options.corsOrigins.includes('*') ? true : options.corsOrigins, credentials: false, allowedHeaders: ['authorization', 'content-type', 'last-event-id'] })
  }
  if (options.rateLimitPerMinute > 0) {
    await app.register(rateLimit, {
      global: true,
      hook: 'preHandler',
      max: options.rateLimitPerMinute,
      timeWindow: 60_000,
      keyGenerator: (request) => `token:${request.caller.tokenId}`,
      // Per token: the local admin (loopback, no token) is not limited.
      allowList: (request) => !request.caller?.tokenId,
      // Thrown by the plugin: the error handler turns it into the usual error body.
      errorResponseBuilder: (_request, context) =>
        new PlatformError('AUTH_RATE_LIMITED', `Too many requests: at most ${context.max} a minute per token. Try again in ${Math.ceil(context.ttl / 1000)} s.`, {
          httpStatus: 429,
          retryable: true,
          details: { limit: context.max, retryAfterSeconds: Math.ceil(context.ttl / 1000) },
        }),
    })
  }
}
