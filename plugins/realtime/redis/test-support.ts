import { randomUUID } from 'node:crypto'
import type { Clock, EventBus, KeyValue, Locks } from '../../../kernel/index.js'
import { openRedisConnections, type RedisConnections } from './connection.js'
import { createRedisEventBus } from './redis-event-bus.js'
import { createRedisKeyValue, createRedisLocks } from './redis-locks.js'
import { silentLogger } from '../../../kernel/testing/index.js'

/** Test helpers (not a test file): polling, a silent logger, Redis-backed port sets. */

export { silentLogger }

export const systemClock: Clock = { now: () => new Date() }

export { waitFor } from '../../../kernel/testing/wait.js'

export function uniquePrefix(): string {
  return `test:${process.pid}:${randomUUID().slice(0, 8)}:`
}

export interface PortSet {
  eventBus: EventBus
  locks: Locks
  kv: KeyValue
}

/** One "server instance": its own command + subscriber connections, sharing Redis through `prefix`. */
export async function openRedisPorts(url: string, prefix: string, retention: number): Promise<PortSet & { connections: RedisConnections }> {
  const connections = await openRedisConnections({ url, connectTimeoutMs: 2_000, logger: silentLogger, name: 'test' })
  return {
    connections,
    eventBus: createRedisEventBus({ redis: connections, prefix, retention, clock: systemClock, logger: silentLogger }),
    locks: createRedisLocks({ redis: connections, prefix }),
    kv: createRedisKeyValue({ redis: connections, prefix }),
  }
}

/** Delete every key under `prefix` (tests clean up after themselves). */
export async function deletePrefix(connections: RedisConnections, prefix: string): Promise<void> {
  let cursor = '0'
  do {
    const [next, keys] = await connections.command.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500)
    if (keys.length > 0) await connections.command.del(...keys)
    cursor = next
  } while (cursor !== '0')
}
