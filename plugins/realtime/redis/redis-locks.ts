import { randomUUID } from 'node:crypto'
import type { KeyValue, LockHandle, Locks } from '../../../kernel/index.js'
import type { RedisLink } from './connection.js'

/** KEYS: lock. ARGV: token, ttl ms. Extends only the holder's own lock. */
const REFRESH = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 0
`

/** KEYS: lock. ARGV: token. Deletes only the holder's own lock. */
const RELEASE = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`

/** PX takes a positive integer. */
const px = (ttlMs: number) => Math.max(1, Math.ceil(ttlMs))

export interface RedisLocksDeps {
  redis: RedisLink
  prefix: string
}

/** Locks on Redis: SET NX PX with a random token; refresh and release check the token atomically. */
export function createRedisLocks(deps: RedisLocksDeps): Locks {
  return {
    async tryAcquire(key, ttlMs): Promise<LockHandle | null> {
      const redisKey = `${deps.prefix}lock:${key}`
      const token = randomUUID()
      const taken = await deps.redis.command.set(redisKey, token, 'PX', px(ttlMs), 'NX')
      if (taken !== 'OK') return null
      return {
        key,
        async refresh(nextTtlMs) {
          return Number(await deps.redis.command.eval(REFRESH, 1, redisKey, token, px(nextTtlMs))) === 1
        },
        async release() {
          await deps.redis.command.eval(RELEASE, 1, redisKey, token)
        },
      }
    },
  }
}

/** Key-value store on Redis; a TTL becomes PX, a set without TTL clears any previous one. */
export function createRedisKeyValue(deps: RedisLocksDeps): KeyValue {
  const keyOf = (key: string) => `${deps.prefix}kv:${key}`
  return {
    async get(key) {
      return deps.redis.command.get(keyOf(key))
    },
    async set(key, value, options = {}) {
      if (options.ttlMs === undefined) {
        await deps.redis.command.set(keyOf(key), value)
      } else if (options.ttlMs <= 0) {
        await deps.redis.command.del(keyOf(key))
      } else {
        await deps.redis.command.set(keyOf(key), value, 'PX', px(options.ttlMs))
      }
    },
    async delete(key) {
      await deps.redis.command.del(keyOf(key))
    },
  }
}
