import { MikroORM, type MigrationObject } from '@mikro-orm/core'
import { Migrator } from '@mikro-orm/migrations'
import { PostgreSqlDriver } from '@mikro-orm/postgresql'
import { PlatformError, type Logger } from '../../../kernel/index.js'
import { withoutPassword } from './connection-url.js'
import { ENTITIES } from './entities.js'
import { PersistenceErrorCode } from './errors.js'
import { MIGRATIONS } from './migrations/index.js'

export const MIGRATIONS_TABLE = 'mikro_orm_migrations'
export const CONNECT_TIMEOUT_MS = 10_000

export interface OrmOptions {
  url: string
  /** Printable form of the URL (no password), for messages. */
  safeUrl: string
  password: string
  schema: string
  poolSize: number
  debug: boolean
  logger: Logger
  /** The ordered migrations list (default: this plugin's own); plugin migrations are appended by the runtime. */
  migrations?: MigrationObject[]
}

/** One MikroORM instance (PostgreSqlDriver) for both modes; the connection is checked before it is returned. */
export async function openOrm(options: OrmOptions): Promise<MikroORM<PostgreSqlDriver>> {
  const orm = await MikroORM.init<PostgreSqlDriver>({
    driver: PostgreSqlDriver,
    clientUrl: options.url,
    schema: options.schema,
    entities: ENTITIES,
    extensions: [Migrator],
    connect: false,
    ensureDatabase: false,
    allowGlobalContext: false,
    pool: { min: 0, max: options.poolSize, afterCreate: searchPath(options.schema) },
    // pg parses the whole URL itself (sslmode, options, ...); MikroORM reads only host, user and database.
    driverOptions: { acquireConnectionTimeout: CONNECT_TIMEOUT_MS, connection: { connectionString: options.url, connectionTimeoutMillis: CONNECT_TIMEOUT_MS } },
    debug: options.debug,
    colors: false,
    logger: (message) => options.logger.info(message),
    migrations: {
      migrationsList: options.migrations ?? MIGRATIONS,
      tableName: MIGRATIONS_TABLE,
      transactional: true,
      allOrNothing: true,
      disableForeignKeys: false,
      snapshot: false,
      silent: true,
    },
  })
  const check = await orm.checkConnection()
  if (!check.ok) {
    await orm.close(true).catch(() => undefined)
    throw connectError(check.error, options)
  }
  return orm
}

type AfterCreate = (connection: { query(sql: string, cb: (error: Error | null) => void): void }, done: (error: Error | null, connection: unknown) => void) => void

/** Unqualified names in query() resolve to the configured schema first (the ORM qualifies its own). */
function searchPath(schema: string): AfterCreate | undefined {
  if (schema === 'public') return undefined
  return (connection, done) => connection.query(`set search_path to "${schema}", public`, (error) => done(error, connection))
}

function connectError(error: unknown, options: OrmOptions): PlatformError {
  const err = error as (Error & { code?: string; errors?: { code?: string }[] }) | undefined
  const code = err?.code ?? err?.errors?.[0]?.code
  const hints: Record<string, string> = {
    ECONNREFUSED: 'nothing accepts connections there; start PostgreSQL or correct host and port',
    ENOTFOUND: 'the host name does not resolve; correct the host',
    EAI_AGAIN: 'the host name does not resolve; correct the host',
    '28P01': 'the password was rejected; correct the user or password',
    '28000': 'the server refused this user; correct the user or the server\'s pg_hba.conf',
    '3D000': 'the database does not exist; create it (createdb) or correct the database name',
  }
  const reason = withoutPassword(err?.message || String(error), options.password)
  const hint = (code && hints[code]) || 'check that the server runs and that the URL is right'
  return new PlatformError(
    PersistenceErrorCode.CONNECT_FAILED,
    `persistence-postgres could not connect to ${options.safeUrl}: ${reason} (${hint}). ` +
      'Fix DATABASE_URL, or unset it to use the embedded database.',
    { details: { url: options.safeUrl, reason, ...(code ? { errorCode: code } : {}) }, retryable: true },
  )
}

/**
 * Create the schema if missing and apply pending migrations (the migrations table lives in the
 * same schema). A session advisory lock keyed on the schema keeps two starting servers from
 * migrating at once. Returns the names applied by this call.
 */
export async function migrate(orm: MikroORM<PostgreSqlDriver>, schema: string): Promise<string[]> {
  const knex = orm.em.getConnection().getKnex()
  const lockConnection = await knex.client.acquireConnection()
  const key = `persistence-postgres:migrate:${schema}`
  try {
    await lockConnection.query('select pg_advisory_lock(hashtext($1))', [key])
    await orm.em.getConnection().execute(`create schema if not exists "${schema}"`)
    const applied = await orm.getMigrator().up()
    return applied.map((migration) => migration.name)
  } catch (error) {
    throw new PlatformError(
      PersistenceErrorCode.MIGRATION_FAILED,
      `Migrating schema "${schema}" failed: ${(error as Error).message}. The failed batch was rolled back; fix the cause and restart.`,
      { details: { schema } },
    )
  } finally {
    await lockConnection.query('select pg_advisory_unlock(hashtext($1))', [key]).catch(() => undefined)
    await knex.client.releaseConnection(lockConnection)
  }
}
