import type { PersistencePostgresService, PluginMigration } from '../../persistence/postgres/services.js'
import { apiServerSchema, type ApiServerBody } from './config.js'

export const TABLE = 'mcp_server'
const tableIn = (schema: string) => `"${schema}"."${TABLE}"`

/**
 * mcp-client 0001: servers added through the API, stored as their request body (secrets only as
 * `{env: NAME}` references, read from the environment when connecting). Config servers are never stored.
 */
export const MCP_MIGRATION: PluginMigration = {
  name: 'mcp-client-0001-server',
  up: (schema) => [
    `create table ${tableIn(schema)} ("name" text not null, "config" jsonb not null, "created_at" timestamptz not null, ` +
      `constraint "mcp_server_pkey" primary key ("name"))`,
  ],
  down: (schema) => [`drop table if exists ${tableIn(schema)}`],
}

export interface StoredServer {
  body: ApiServerBody
  createdAt: string
}

export interface ServerStore {
  /** Every stored server, oldest first; rows that no longer validate come back as problems. */
  load(): Promise<{ servers: StoredServer[]; invalid: Array<{ name: string; message: string }> }>
  /** false when the name is taken (another request or server instance). */
  insert(body: ApiServerBody, createdAt: string): Promise<boolean>
  remove(name: string): Promise<void>
}

export function createServerStore(db: Pick<PersistencePostgresService, 'query' | 'schema'>): ServerStore {
  const table = tableIn(db.schema)
  return {
    async load() {
      const rows = await db.query<{ name: string; config: unknown; created_at: string }>(`select "name", "config", "created_at" from ${table} order by "created_at", "name"`)
      const servers: StoredServer[] = []
      const invalid: Array<{ name: string; message: string }> = []
      for (const row of rows) {
        const parsed = apiServerSchema.safeParse({ ...(row.config as object), name: row.name })
        if (parsed.success) servers.push({ body: parsed.data, createdAt: new Date(row.created_at).toISOString() })
        else invalid.push({ name: row.name, message: parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ') })
      }
      return { servers, invalid }
    },
    async insert(body, createdAt) {
      const { name, ...config } = body
      const rows = await db.query(
        `insert into ${table} ("name", "config", "created_at") values ($1, $2::jsonb, $3) on conflict ("name") do nothing returning "name"`,
        [name, JSON.stringify(config), createdAt],
      )
      return rows.length === 1
    },
    async remove(name) {
      await db.query(`delete from ${table} where "name" = $1`, [name])
    },
  }
}
