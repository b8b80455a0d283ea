import { z } from 'zod'
import { PlatformError } from '../../../kernel/index.js'

export const configSchema = z
  .object({
    /** Interface to bind. Loopback by default; the HOST environment variable (or --host) overrides it. */
    host: z.string().min(1).default('127.0.0.1'),
    /** TCP port; 0 picks any free port. The PORT environment variable (or --port) overrides it. */
    port: z.number().int().min(0).max(65_535).default(8787),
    /** Interval of the `: ping` comment line on open SSE streams, in ms. */
    heartbeatMs: z.number().int().min(10).max(600_000).default(15_000),
    /** Largest accepted request body, in bytes (larger bodies get 413 REQUEST_BODY_TOO_LARGE). */
    bodyLimitBytes: z.number().int().min(1).default(1_048_576),
    /** Log one line per request (method, url, status, ms). */
    logRequests: z.boolean().default(false),
    /** WebSocket endpoint `GET /api/ws`. */
    ws: z
      .object({
        /** Interval of ws ping frames; a client that misses two pongs in a row is terminated. */
        heartbeatMs: z.number().int().min(10).max(600_000).default(15_000),
        /** A client whose unsent output passes this many bytes is closed with 1013 (it reconnects with `since`). */
        maxBufferedBytes: z.number().int().min(1024).default(1_048_576),
        /** Largest message a client may send, in bytes (control messages are tiny). */
        maxMessageBytes: z.number().int().min(256).max(1_048_576).default(65_536),
        /** Streams one socket may follow at once. */
        maxSubscriptions: z.number().int().min(1).max(10_000).default(256),
      })
      .strict()
      .prefault({}),
  })
  .strict()
export type ServerHttpOptions = z.output<typeof configSchema>

export interface ListenTarget {
  host: string
  port: number
}

/** Where to listen: HOST / PORT from the environment win over the config file; empty values are ignored. */
export function listenTarget(options: ServerHttpOptions, env: Record<string, string | undefined>): ListenTarget {
  const host = env.HOST?.trim() ? env.HOST.trim() : options.host
  const rawPort = env.PORT?.trim()
  if (!rawPort) return { host, port: options.port }
  const port = Number(rawPort)
  if (!/^\d+$/.test(rawPort) || port > 65_535) {
    throw new PlatformError(
      'SERVER_HTTP_PORT_INVALID',
      `PORT must be a whole number from 0 to 65535, got "${rawPort}". Set PORT (or --port) to a valid port, or unset it to use plugins.server-http.port (${options.port}).`,
      { details: { port: rawPort } },
    )
  }
  return { host, port }
}
