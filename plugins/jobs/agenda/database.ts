import { PostgresBackend } from '@agendajs/postgres-backend'
import type { AgendaBackend } from 'agenda'
import pg from 'pg'
import { PlatformError, type Logger } from '../../../kernel/index.js'

export const JobsAgendaErrorCode = {
  START_FAILED: 'JOBS_AGENDA_START_FAILED',
  STOPPED: 'JOBS_AGENDA_STOPPED',
  JOB_UNDEFINED: 'JOBS_AGENDA_JOB_UNDEFINED',
} as const

/** The pool and the (already connected) agenda backend of one process. */
export interface JobsDatabase {
  readonly pool: pg.Pool
  readonly backend: AgendaBackend
  /** Whether LISTEN/NOTIFY is used (false: polling only). */
  readonly notifications: boolean
  close(): Promise<void>
}

export interface JobsDatabaseOptions {
  connectionString: string
  /** Schema that holds agenda_jobs (the persistence schema). */
  schema: string
  /** LISTEN/NOTIFY on a real server; off on the embedded socket, where it is misrouted. */
  notifications: boolean
  logger: Logger
}

/** `host:port/db` of a postgres URL, for messages (never the password). */
function describeTarget(url: string): string {
  try {
    const parsed = new URL(url)
    return `${parsed.hostname}:${parsed.port || '5432'}${parsed.pathname}`
  } catch {
    return 'the configured database'
  }
}

function scrub(text: string, url: string): string {
  let password = ''
  try {
    password = decodeURIComponent(new URL(url).password)
  } catch {
    // not a URL: nothing to hide beyond the URL itself
  }
  const out = text.split(url).join('[database url]')
  return password ? out.split(password).join('[redacted]') : out
}

/** A view of a connected backend whose connect() is a no-op: agenda's constructor calls it unguarded. */
function connected(backend: PostgresBackend): AgendaBackend {
  return {
    name: backend.name,
    repository: backend.repository,
    notificationChannel: backend.notificationChannel,
    logger: backend.logger,
    ownsConnection: false,
    connect: async () => undefined,
    disconnect: () => backend.disconnect(),
  }
}

/**
 * A pg Client that sets search_path before the pool hands it out. (The embedded socket ignores the
 * startup `options` parameter, and a query sent from the pool's connect event would overlap the first one.)
 */
function clientInSchema(schema: string): typeof pg.Client {
  if (schema === 'public') return pg.Client
  return class SchemaClient extends pg.Client {
    override connect(): Promise<pg.Client>
    override connect(callback: ((error: Error) => void) | ((error: null, client: pg.Client) => void)): void
    override connect(callback?: ((error: Error) => void) | ((error: null, client: pg.Client) => void)): Promise<pg.Client> | void {
      const ready = super.connect().then(async () => {
        await this.query(`set search_path to "${schema}", public`)
        return this
      })
      if (!callback) return ready
      const done = callback as (error: Error | null, client?: pg.Client) => void
      ready.then((client) => done(null, client), (error: Error) => done(error))
    }
  }
}

/**
 * Open a small pool whose connections resolve unqualified names in `schema`, then let the backend
 * create or migrate agenda_jobs there (under an advisory lock, so two starting servers do not race).
 */
export async function openJobsDatabase(options: JobsDatabaseOptions): Promise<JobsDatabase> {
  const { schema } = options
  const pool = new pg.Pool({ connectionString: options.connectionString, max: 3, connectionTimeoutMillis: 10_000, Client: clientInSchema(schema) })
  pool.on('error', (error) => options.logger.warn('idle database connection failed', { error: scrub(error.message, options.connectionString) }))
  const backend = new PostgresBackend({
    pool,
    channelName: schema === 'public' ? 'agenda_jobs' : `agenda_jobs_${schema}`,
    disableNotifications: !options.notifications,
  })
  try {
    const lock = await pool.connect()
    try {
      await lock.query('select pg_advisory_lock(hashtext($1))', [`jobs-agenda:schema:${schema}`])
      await backend.connect()
    } finally {
      await lock.query('select pg_advisory_unlock(hashtext($1))', [`jobs-agenda:schema:${schema}`]).catch(() => undefined)
      lock.release()
    }
  } catch (error) {
    await pool.end().catch(() => undefined)
    const reason = scrub((error as Error).message, options.connectionString)
    throw new PlatformError(
      JobsAgendaErrorCode.START_FAILED,
      `jobs-agenda could not prepare its tables at ${describeTarget(options.connectionString)} (schema "${schema}"): ${reason}. Fix: check that persistence-postgres started and the database user may create tables in that schema.`,
      { details: { schema, reason } },
    )
  }
  return {
    pool,
    backend: connected(backend),
    notifications: options.notifications,
    close: () => pool.end(),
  }
}
