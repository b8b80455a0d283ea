import { createHash } from 'node:crypto'
import type { MikroORM } from '@mikro-orm/core'
import type { PostgreSqlDriver } from '@mikro-orm/postgresql'

interface PgClient {
  query(config: { name?: string; text: string; values: unknown[] }): Promise<{ rows: unknown[] }>
}

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

/**
 * One statement with server-side `$1`-style parameters on a connection of the ORM's pool. With
 * `prepared` (a real PostgreSQL server) it runs as a named prepared statement: the per-turn statements
 * skip parsing and planning after their first runs. Not on PGlite, whose socket server gives every
 * pool connection the same single session (a statement name would collide across connections).
 * Timestamps come back as strings: the pool's type parsers leave them unparsed.
 */
export async function rawQuery<T>(orm: MikroORM<PostgreSqlDriver>, sql: string, params: unknown[] = [], options: { prepared?: boolean } = {}): Promise<T[]> {
  const client = orm.em.getConnection().getKnex().client
  const connection = (await client.acquireConnection()) as PgClient
  try {
    const name = options.prepared ? statementName(sql) : undefined
    const result = await connection.query(name ? { name, text: sql, values: params } : { text: sql, values: params })
    return result.rows as T[]
  } finally {
    await client.releaseConnection(connection)
  }
}
