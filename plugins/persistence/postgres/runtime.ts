import type { MikroORM } from '@mikro-orm/core'
import type { PostgreSqlDriver } from '@mikro-orm/postgresql'
import { resolve } from 'node:path'
import { PlatformError, type KernelConfig, type Logger, type SessionStore } from '../../../kernel/index.js'
import { MEMORY_DIR, type PersistencePostgresOptions } from './config.js'
import { parseDatabaseUrl } from './connection-url.js'
import { collectInitdbGarbage, startEmbedded, type EmbeddedDatabase } from './embedded.js'
import { PersistenceErrorCode } from './errors.js'
import { MIGRATIONS } from './migrations/index.js'
import { CONNECT_TIMEOUT_MS, migrate, openOrm } from './orm.js'
import { createPluginMigrations } from './plugin-migrations.js'
import { RawPool } from './raw-query.js'
import { createPostgresSessionStore } from './session-store.js'
import type { PersistencePostgresService } from './services.js'

export interface RuntimeDeps {
  options: PersistencePostgresOptions
  kernelConfig: KernelConfig
  logger: Logger
}

/** Everything the plugin owns between lifecycle.start and lifecycle.shutdown. */
export interface PersistenceRuntime {
  readonly service: PersistencePostgresService
  readonly sessionStore: SessionStore
  start(): Promise<void>
  stop(): Promise<void>
}

/** The embedded directory the options select (absolute), or `memory://`. */
export function embeddedDirFor(options: PersistencePostgresOptions, kernelConfig: KernelConfig): string {
  if (options.embeddedDir === MEMORY_DIR) return MEMORY_DIR
  return resolve(options.embeddedDir ?? resolve(kernelConfig.dataDir, 'pglite'))
}

const notOpen = () =>
  new PlatformError(PersistenceErrorCode.NOT_STARTED, 'The database is not open: persistence-postgres has not started yet, or has shut down.', { retryable: true, httpStatus: 503 })

export function createPersistenceRuntime(deps: RuntimeDeps): PersistenceRuntime {
  const { options, logger } = deps
  const rawUrl = options.url?.reveal() ?? ''
  const mode = rawUrl === '' ? 'embedded' : 'external'
  let orm: MikroORM<PostgreSqlDriver> | null = null
  let embedded: EmbeddedDatabase | null = null
  let raw: RawPool | null = null
  let url = ''
  const pluginMigrations = createPluginMigrations()
  const requireOrm = (): MikroORM<PostgreSqlDriver> => {
    if (orm) return orm
    throw notOpen()
  }
  const requireRaw = (): RawPool => {
    if (raw) return raw
    throw notOpen()
  }

  async function stop(): Promise<void> {
    const openOrm = orm
    const openEmbedded = embedded
    const openRaw = raw
    orm = null
    embedded = null
    raw = null
    await openRaw?.close().catch((error: unknown) => logger.error('closing the database pool failed', { error: (error as Error).message }))
    await openOrm?.close().catch((error: unknown) => logger.error('closing the ORM failed', { error: (error as Error).message }))
    await openEmbedded?.close().catch((error: unknown) => logger.error('closing the embedded database failed', { error: (error as Error).message }))
  }

  async function start(): Promise<void> {
    const started = performance.now()
    pluginMigrations.close()
    const target = mode === 'external' ? parseDatabaseUrl(rawUrl) : null
    try {
      if (!target) {
        const dir = embeddedDirFor(options, deps.kernelConfig)
        embedded = await startEmbedded({ dir, maxConnections: Math.max(20, 2 * options.poolSize + 10), logger })
        url = embedded.url
      } else url = target.url
      const safeUrl = target?.safe ?? url
      const migrations = [...MIGRATIONS, ...pluginMigrations.objects()]
      orm = await openOrm({ url, safeUrl, password: target?.password ?? '', schema: options.schema, poolSize: options.poolSize, debug: options.debug, logger, migrations })
      const applied = await migrate(orm, options.schema)
      // The embedded database runs every statement on this thread, one at a time: one connection loses nothing,
      // and lets statements be named (PGlite has one session for all connections; a fresh connection clears its names).
      const own = embedded !== null
      raw = new RawPool({ url, max: own ? 1 : options.poolSize, schema: options.schema, connectTimeoutMs: CONNECT_TIMEOUT_MS, logger, setup: own ? ['deallocate all'] : [], ...(embedded ? { stream: embedded.connectInProcess } : {}) })
      const [{ version }] = await raw.query<{ version: string }>('select version() as version')
      // Named prepared statements on a PostgreSQL server and on the PGlite this process runs; not on a PGlite reached
      // through another instance's socket (its owner names statements in the same session).
      raw.prepared = own || !/PGlite/i.test(version)
      if (embedded?.fresh) collectInitdbGarbage()
      const ms = Math.round(performance.now() - started)
      logger.info('database ready', { mode, url: safeUrl, schema: options.schema, startMs: ms, ...(embedded ? { embeddedOpenMs: embedded.openMs } : {}), migrationsApplied: applied })
    } catch (error) {
      await stop()
      throw error
    }
  }

  const service: PersistencePostgresService = {
    mode,
    schema: options.schema,
    connectionString() {
      if (!url) throw new PlatformError(PersistenceErrorCode.NOT_STARTED, 'connectionString() is valid only after persistence-postgres has started (depend on it and read it in your lifecycle.start).')
      return url
    },
    query: async (sql, params) => requireRaw().query(sql, params),
    addMigration: (migration) => pluginMigrations.add(migration),
  }
  return { service, sessionStore: createPostgresSessionStore(requireOrm, requireRaw, options.schema), start, stop }
}
