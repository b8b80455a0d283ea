import { definePlugin } from '../../../kernel/index.js'
import { configSchema } from './config.js'
import { createRedisEventBus } from './redis-event-bus.js'
import { createRedisKeyValue, createRedisLocks } from './redis-locks.js'
import { createRealtimeRuntime, memoryModeService } from './runtime.js'
import './services.js'

/** eventBus, locks and kv on Redis when a URL is set; otherwise the kernel's in-memory ports stay. */
export default definePlugin({
  name: 'realtime-redis',
  version: '0.1.0',
  description: 'Redis-backed event bus (sequence, bounded replay log, pub/sub fan-out), locks and key-value store.',
  configSchema,
  register(ctx) {
    const url = ctx.options.url
    if (!url || url.reveal().trim() === '') {
      ctx.logger.info('REDIS_URL is not set: eventBus, locks and kv stay in memory (one server instance only)')
      ctx.provide('realtimeRedis', () => memoryModeService)
      return
    }
    const prefix = ctx.options.keyPrefix
    const retention = ctx.options.retention ?? ctx.kernelConfig.limits.eventRetention
    const runtime = createRealtimeRuntime({ url, connectTimeoutMs: ctx.options.connectTimeoutMs, logger: ctx.logger })
    const redis = runtime.link

    ctx.replacePort('eventBus', ({ clock }) => createRedisEventBus({ redis, prefix, retention, clock, logger: ctx.logger }), { deps: ['clock'] })
    ctx.replacePort('locks', () => createRedisLocks({ redis, prefix }))
    ctx.replacePort('kv', () => createRedisKeyValue({ redis, prefix }))
    ctx.provide('realtimeRedis', () => runtime.service)

    ctx.hooks.lifecycle.start.tapPromise({}, () => runtime.start())
    ctx.hooks.lifecycle.shutdown.tapPromise({}, () => runtime.stop())
  },
})
