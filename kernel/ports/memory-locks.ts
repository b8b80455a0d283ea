import type { KeyValue, LockHandle, Locks } from './types.js'

/** Default locks: in-process, expiring after their TTL unless released. */
export function createMemoryLocks(): Locks {
  const held = new Map<string, { token: symbol; expiresAt: number }>()
  return {
    async tryAcquire(key, ttlMs): Promise<LockHandle | null> {
      const current = held.get(key)
      if (current && current.expiresAt > Date.now()) return null
      const token = Symbol(key)
      held.set(key, { token, expiresAt: Date.now() + ttlMs })
      return {
        key,
        async refresh(nextTtlMs) {
          const entry = held.get(key)
          if (entry?.token !== token) return false
          entry.expiresAt = Date.now() + nextTtlMs
          return true
        },
        async release() {
          if (held.get(key)?.token === token) held.delete(key)
        },
      }
    },
  }
}

/** Default key-value store: in-process map with TTL. */
export function createMemoryKeyValue(): KeyValue {
  const values = new Map<string, { value: string; expiresAt: number | null }>()
  return {
    async get(key) {
      const found = values.get(key)
      if (!found) return null
      if (found.expiresAt !== null && found.expiresAt <= Date.now()) {
        values.delete(key)
        return null
      }
      return found.value
    },
    async set(key, value, options = {}) {
      values.set(key, { value, expiresAt: options.ttlMs === undefined ? null : Date.now() + options.ttlMs })
    },
    async delete(key) {
      values.delete(key)
    },
  }
}
