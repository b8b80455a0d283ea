import { randomUUID } from 'node:crypto'
import pg from 'pg'
import { Redis } from 'ioredis'
import { env, type PluginEntry } from '../config.js'

/**
 * Plugin entries for the back ends under test: real PostgreSQL / Redis when DATABASE_URL / REDIS_URL
 * are set (a schema and a key prefix of the test's own), else in-memory PGlite and the kernel's
 * in-memory ports. `cleanup()` drops what the test created on the real servers.
 */
export interface TestBackends {
  plugins: Record<string, PluginEntry>
  schema: string
  keyPrefix: string
  external: { database: boolean; redis: boolean }
  cleanup(): Promise<void>
}

/** Drop a test schema on DATABASE_URL's server, or on `url` when given (no-op when neither is set). */
export async function dropTestSchema(schema: string, url?: string): Promise<void> {
  const databaseUrl = url || process.env.DATABASE_URL || ''
  if (!databaseUrl) return
  const client = new pg.Client({ connectionString: databaseUrl })
  await client.connect()
  await client.query(`drop schema if exists "${schema}" cascade`).finally(() => client.end())
}

export function testBackends(options: { jobs?: boolean } = {}): TestBackends {
  const databaseUrl = process.env.DATABASE_URL || ''
  const redisUrl = process.env.REDIS_URL || ''
  const id = randomUUID().replaceAll('-', '').slice(0, 10)
  const schema = `t_${id}`
  const keyPrefix = `test:${id}:`
  const plugins: Record<string, PluginEntry> = {
    'persistence-postgres': databaseUrl ? { url: env('DATABASE_URL', { optional: true }), schema } : { embeddedDir: 'memory://', schema },
    'realtime-redis': redisUrl ? { url: env('REDIS_URL', { optional: true }), keyPrefix } : { url: env('REDIS_URL', { optional: true }) },
  }
  if (options.jobs !== false) plugins['jobs-agenda'] = { processEveryMs: 500, lockLifetimeMs: 2000 }
  return {
    plugins,
    schema,
    keyPrefix,
    external: { database: Boolean(databaseUrl), redis: Boolean(redisUrl) },
    async cleanup() {
      await dropTestSchema(schema)
      if (redisUrl) {
        const redis = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 })
        await redis.connect()
        try {
          let cursor = '0'
          do {
            const [next, keys] = await redis.scan(cursor, 'MATCH', `${keyPrefix}*`, 'COUNT', 500)
            cursor = next
            if (keys.length) await redis.del(...keys)
          } while (cursor !== '0')
        } finally {
          redis.disconnect()
        }
      }
    },
  }
}
