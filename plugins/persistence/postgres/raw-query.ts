import type { MikroORM } from '@mikro-orm/core'
import type { PostgreSqlDriver } from '@mikro-orm/postgresql'

interface PgClient {
  query(sql: string, params?: unknown[]): Promise<{ rows: unknown[] }>
}

/**
 * One statement with server-side `$1`-style parameters on a connection of the ORM's pool
 * (timestamps come back as strings: the pool's type parsers leave them unparsed).
 */
export async function rawQuery<T>(orm: MikroORM<PostgreSqlDriver>, sql: string, params: unknown[] = []): Promise<T[]> {
  const client = orm.em.getConnection().getKnex().client
  const connection = (await client.acquireConnection()) as PgClient
  try {
    const result = await connection.query(sql, params)
    return result.rows as T[]
  } finally {
    await client.releaseConnection(connection)
  }
}
