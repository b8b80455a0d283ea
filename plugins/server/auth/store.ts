import type { PersistencePostgresService, PluginMigration } from '../../persistence/postgres/services.js'

const t = (schema: string, name: string) => `"${schema}"."${name}"`

/** server-auth 0001: users (admin or member) and their API tokens (hashed). */
export const AUTH_MIGRATION: PluginMigration = {
  name: 'server-auth-0001-users-tokens',
  up: (schema) => [
    `create table ${t(schema, 'api_user')} ("id" text not null, "name" text not null, "role" text not null, "created_at" timestamptz not null, ` +
      `constraint "api_user_pkey" primary key ("id"), constraint "api_user_name_unique" unique ("name"))`,
    `create table ${t(schema, 'api_token')} ("id" text not null, "user_id" text not null, "label" text not null default '', "hint" text not null, ` +
      `"hash" text not null, "created_at" timestamptz not null, "last_used_at" timestamptz null, "revoked_at" timestamptz null, ` +
      `constraint "api_token_pkey" primary key ("id"), constraint "api_token_hash_unique" unique ("hash"))`,
  ],
  down: (schema) => [`drop table if exists ${t(schema, 'api_token')}`, `drop table if exists ${t(schema, 'api_user')}`],
}

export type Role = 'admin' | 'member'

export interface ApiUser {
  id: string
  name: string
  role: Role
  createdAt: string
}

export interface TokenRecord {
  id: string
  userId: string
  userName: string
  role: Role
  label: string
  hint: string
  createdAt: string
  lastUsedAt: string | null
  revokedAt: string | null
}

type Db = Pick<PersistencePostgresService, 'query' | 'schema'>
const iso = (v: unknown) => (v === null || v === undefined ? null : new Date(v as string).toISOString())

/** Users and tokens in PostgreSQL; every statement is one round trip. */
export function createAuthStore(db: Db) {
  const users = t(db.schema, 'api_user')
  const tokens = t(db.schema, 'api_token')
  const toToken = (row: Record<string, unknown>): TokenRecord => ({
    id: String(row.id), userId: String(row.user_id), userName: String(row.name), role: row.role as Role, label: String(row.label), hint: String(row.hint),
    createdAt: iso(row.created_at)!, lastUsedAt: iso(row.last_used_at), revokedAt: iso(row.revoked_at),
  })
  return {
    /** The user of that name, created with `role` when missing (an existing user keeps their role). */
    async ensureUser(user: { id: string; name: string; role: Role; createdAt: string }): Promise<ApiUser> {
      await db.query(`insert into ${users} ("id", "name", "role", "created_at") values ($1, $2, $3, $4) on conflict ("name") do nothing`, [user.id, user.name, user.role, user.createdAt])
      const [row] = await db.query<Record<string, unknown>>(`select * from ${users} where "name" = $1`, [user.name])
      return { id: String(row.id), name: String(row.name), role: row.role as Role, createdAt: iso(row.created_at)! }
    },
    async addToken(token: { id: string; userId: string; label: string; hint: string; hash: string; createdAt: string }): Promise<void> {
      await db.query(`insert into ${tokens} ("id", "user_id", "label", "hint", "hash", "created_at") values ($1, $2, $3, $4, $5, $6)`, [token.id, token.userId, token.label, token.hint, token.hash, token.createdAt])
    },
    /** The live (not revoked) token with this hash, with its user. */
    async findByHash(hash: string): Promise<(TokenRecord & { hash: string }) | null> {
      const [row] = await db.query<Record<string, unknown>>(
        `select k.*, u."name", u."role" from ${tokens} k join ${users} u on u."id" = k."user_id" where k."hash" = $1 and k."revoked_at" is null`,
        [hash],
      )
      return row ? { ...toToken(row), hash: String(row.hash) } : null
    },
    async list(): Promise<TokenRecord[]> {
      const rows = await db.query<Record<string, unknown>>(`select k.*, u."name", u."role" from ${tokens} k join ${users} u on u."id" = k."user_id" order by k."created_at", k."id"`)
      return rows.map(toToken)
    },
    /** Revoke by token id; false when there is no such live token. */
    async revoke(id: string, at: string): Promise<boolean> {
      const rows = await db.query(`update ${tokens} set "revoked_at" = $2 where "id" = $1 and "revoked_at" is null returning "id"`, [id, at])
      return rows.length > 0
    },
    async touch(id: string, at: string): Promise<void> {
      await db.query(`update ${tokens} set "last_used_at" = $2 where "id" = $1`, [id, at])
    },
  }
}
export type AuthStore = ReturnType<typeof createAuthStore>
