import { PlatformError, type Logger, type Secret } from '../../../kernel/index.js'
import { openRedisConnections, RealtimeRedisErrorCode, type RedisConnections, type RedisLink } from './connection.js'
import type { RealtimeRedisService } from './services.js'

export interface RealtimeRuntime {
  /** The connections, read at call time: using a port before start or after shutdown is a clear error. */
  readonly link: RedisLink
  readonly service: RealtimeRedisService
  start(): Promise<void>
  stop(): Promise<void>
}

/** Owns the process's two Redis connections: opened at lifecycle.start, closed at lifecycle.shutdown. */
export function createRealtimeRuntime(options: { url: Secret; connectTimeoutMs: number; logger: Logger }): RealtimeRuntime {
  let connections: RedisConnections | null = null
  const current = (): RedisConnections => {
    if (connections) return connections
    throw new PlatformError(
      RealtimeRedisErrorCode.NOT_STARTED,
      'realtime-redis is not connected: its ports are usable between lifecycle.start and lifecycle.shutdown. Fix: use eventBus, locks and kv from a lifecycle.start tap of a plugin that depends on realtime-redis, or later.',
    )
  }
  const link: RedisLink = {
    get command() {
      return current().command
    },
    get subscriber() {
      return current().subscriber
    },
  }
  return {
    link,
    service: {
      mode: 'redis',
      async ping() {
        const started = performance.now()
        await current().command.ping()
        return performance.now() - started
      },
    },
    async start() {
      connections = await openRedisConnections({ url: options.url.reveal().trim(), connectTimeoutMs: options.connectTimeoutMs, logger: options.logger })
      options.logger.info('connected to Redis: eventBus, locks and kv use it')
    },
    async stop() {
      const closing = connections
      connections = null
      await closing?.close()
    },
  }
}

/** The service when no URL is set: the kernel's in-memory ports stay in place. */
export const memoryModeService: RealtimeRedisService = {
  mode: 'memory',
  async ping() {
    return 0
  },
}
