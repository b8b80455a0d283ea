import { createHash } from 'node:crypto'
import type { Duplex } from 'node:stream'
import pg from 'pg'
import type { Logger } from '../../../kernel/index.js'

const names = new Map<string, string>()
/** Statements beyond this many distinct texts run unnamed, so a caller building SQL text per call cannot grow every connection's statement cache. */
const MAX_NAMED = 1000

/** A stable name per statement text: the driver parses it once per connection, the server plans it as a prepared statement. */
function statementName(sql: string): string | undefined {
  let name = names.get(sql)
  if (name === undefined) {
    if (names.size >= MAX_NAMED) return undefined
    name = `platform_${createHash('sha256').update(sql).digest('hex').slice(0, 24)}`
    names.set(sql, name)
  }
  return name
}

/** Dates, timestamps and intervals stay the server's text (as on the ORM's connections); the records turn them into ISO strings. */
function textTimestamps(): pg.CustomTypesConfig {
  const types = new pg.TypeOverrides()
  for (const oid of [1082, 1114, 1184, 1186]) types.setTypeParser(oid, (text: string) => text)
  return types
}

export interface RawPoolOptions {
  url: string
  max: number
  /** Unqualified names resolve here first (as on the ORM's connections). */
  schema: string
  connectTimeoutMs: number
  logger: Logger
  /** Statements run first on every new connection (after the search_path). */
  setup?: string[]
  /** Open each connection on this stream instead of a TCP socket to `url` (the embedded database's in-process connection). */
  stream?: () => Duplex
}

/**
 * The pool for the statements the platform runs on every turn (session get/update, message save) and
 * for `query()`: plain pg, beside the ORM's own pool. Going through the ORM's knex pool cost about as much
 * CPU per statement (acquire with its timeout, release, debug hooks) as the statement's own round trip.
 *
 * With `prepared` statements run named: parsed and planned once per connection. PGlite's socket server
 * gives every connection the same single session, so there a statement name would collide across
 * connections: named statements only from a pool of one connection, which clears the session's
 * statements when it connects (see runtime.ts).
 */
export class RawPool {
  readonly #pool: pg.Pool
  prepared = false

  constructor(options: RawPoolOptions) {
    const setup = [...(options.schema === 'public' ? [] : [`set search_path to "${options.schema}", public`]), ...(options.setup ?? [])]
    this.#pool = new pg.Pool({
      connectionString: options.url, max: options.max, connectionTimeoutMillis: options.connectTimeoutMs, types: textTimestamps(),
      ...(options.stream ? { stream: options.stream } : {}),
      // Run on each new connection before it is handed out; a failure fails the statement that opened it.
      onConnect: async (client: pg.ClientBase) => {
        for (const sql of setup) await client.query(sql)
      },
    })
    // A connection that breaks while idle is dropped by the pool; the next statement opens a new one.
    this.#pool.on('error', (error) => options.logger.warn('an idle database connection failed', { error: error.message }))
  }

  /** One statement with `$1`-style parameters; resolves with its rows. */
  async query<T>(sql: string, params: unknown[] = []): Promise<T[]> {
    const name = this.prepared ? statementName(sql) : undefined
    const result = await this.#pool.query(name ? { name, text: sql, values: params } : { text: sql, values: params })
    return result.rows as T[]
  }

  close(): Promise<void> {
    return this.#pool.end()
  }
}
