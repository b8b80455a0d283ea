import { Redis } from 'ioredis'
import { PlatformError, type Logger } from '../../../kernel/index.js'

export const RealtimeRedisErrorCode = {
  CONNECT_FAILED: 'REALTIME_REDIS_CONNECT_FAILED',
  URL_INVALID: 'REALTIME_REDIS_URL_INVALID',
  NOT_STARTED: 'REALTIME_REDIS_NOT_STARTED',
} as const

/** The two connections one process needs: commands, and a subscriber-mode connection for pub/sub. */
export interface RedisLink {
  readonly command: Redis
  readonly subscriber: Redis
}

export interface RedisConnections extends RedisLink {
  /** QUIT both connections (falls back to a hard disconnect after a second). */
  close(): Promise<void>
}

export interface OpenOptions {
  url: string
  connectTimeoutMs: number
  logger: Logger
  /** Connection name shown by CLIENT LIST. */
  name?: string
}

/** `host:port` of a Redis URL, for messages (never the password). */
export function describeTarget(url: string): string {
  let parsed: URL
  try {
    parsed = new URL(url)
  } catch {
    throw new PlatformError(RealtimeRedisErrorCode.URL_INVALID, 'The realtime-redis url is not a valid URL. Fix: set REDIS_URL to redis://[user:password@]host:port[/db].')
  }
  if (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:') {
    throw new PlatformError(RealtimeRedisErrorCode.URL_INVALID, `The realtime-redis url has the scheme "${parsed.protocol}", expected redis: or rediss:. Fix: set REDIS_URL to redis://host:port.`)
  }
  return `${parsed.hostname || 'localhost'}:${parsed.port || '6379'}`
}

/** Remove the URL's password (and the URL itself) from a message. */
function scrub(message: string, url: string): string {
  let out = message.split(url).join('[redis url]')
  const password = (() => {
    try {
      return decodeURIComponent(new URL(url).password)
    } catch {
      return ''
    }
  })()
  if (password) out = out.split(password).join('[redacted]')
  return out
}

function createClient(options: OpenOptions, role: string, state: { connected: boolean }, lastError: { message?: string }): Redis {
  const client = new Redis(options.url, {
    lazyConnect: true,
    connectTimeout: options.connectTimeoutMs,
    connectionName: `${options.name ?? 'platform'}:${role}`,
    // Commands issued in one tick go out in one write (a turn's burst of event appends), still in call order.
    enableAutoPipelining: role === 'command',
    // No retry while booting (fail fast with a clear error); bounded backoff once connected.
    retryStrategy: (times) => (state.connected ? Math.min(times * 200, 2_000) : null),
  })
  client.on('error', (error: Error) => {
    const message = scrub(error.message, options.url)
    if (state.connected && message !== lastError.message) options.logger.warn(`redis ${role} connection error`, { error: message })
    lastError.message = message
  })
  return client
}

async function quit(client: Redis): Promise<void> {
  if (client.status === 'end') return
  let timer: NodeJS.Timeout | undefined
  const fallback = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, 1_000)
  })
  try {
    await Promise.race([client.quit().then(() => undefined), fallback])
  } catch {
    // already closing or broken: disconnect below
  } finally {
    clearTimeout(timer)
    client.disconnect()
  }
}

/** Open both connections; throws REALTIME_REDIS_CONNECT_FAILED (naming host:port only) when unreachable. */
export async function openRedisConnections(options: OpenOptions): Promise<RedisConnections> {
  const target = describeTarget(options.url)
  const state = { connected: false }
  const errors = { command: {} as { message?: string }, subscriber: {} as { message?: string } }
  const command = createClient(options, 'command', state, errors.command)
  const subscriber = createClient(options, 'subscriber', state, errors.subscriber)
  const close = async () => {
    state.connected = false
    await Promise.all([quit(command), quit(subscriber)])
  }
  try {
    await Promise.all([command.connect(), subscriber.connect()])
  } catch (error) {
    await close()
    const reason = errors.command.message ?? errors.subscriber.message ?? scrub((error as Error).message, options.url)
    throw new PlatformError(
      RealtimeRedisErrorCode.CONNECT_FAILED,
      `Cannot connect to Redis at ${target} (${reason}). Fix: start Redis there or correct REDIS_URL; unset REDIS_URL to use the in-memory event bus, locks and key-value store (one server instance only).`,
      { details: { target, reason } },
    )
  }
  state.connected = true
  return { command, subscriber, close }
}
