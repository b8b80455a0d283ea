/** Test helpers of auth-vault (not used at runtime). */
import { randomBytes } from 'node:crypto'
import { env, Secret, type PluginEntry } from '../../../kernel/index.js'
import { dropTestSchema } from '../../../kernel/testing/backends.js'
import { createTestKernel, type TestKernel } from '../../../kernel/testing/index.js'
import type {} from '../../persistence/postgres/services.js'
import type {} from './services.js'

export const EXTERNAL_URL = process.env.DATABASE_URL || ''

/** A fresh random key (base64 of 32 bytes): test keys are never written in the repository. */
export const newKey = (): string => randomBytes(32).toString('base64')

/** A key ring Secret as env('PLATFORM_VAULT_KEYS') would give it. */
export const keyRing = (keys: Record<number, string>): Secret =>
  new Secret(Object.entries(keys).map(([version, key]) => `v${version}:${key}`).join(','), 'PLATFORM_VAULT_KEYS')

/**
 * One database per test file: the real server (DATABASE_URL) or one in-memory PGlite that every
 * test kernel of the file reaches through its socket; each test takes a schema of its own.
 */
export interface TestDatabase {
  newSchema(): string
  options(schema: string): Record<string, unknown>
  close(): Promise<void>
}

export async function openTestDatabase(): Promise<TestDatabase> {
  const schemas: string[] = []
  const host = EXTERNAL_URL ? null : await createTestKernel({ plugins: { 'persistence-postgres': { embeddedDir: 'memory://' } } })
  const url = host?.kernel.resolve('persistencePostgres').connectionString()
  return {
    newSchema() {
      const schema = `t_${randomBytes(5).toString('hex')}`
      schemas.push(schema)
      return schema
    },
    options: (schema) => (url ? { url: new Secret(url, 'DATABASE_URL'), schema } : { url: env('DATABASE_URL', { optional: true }), schema }),
    async close() {
      await host?.close()
      for (const schema of schemas) await dropTestSchema(schema)
    },
  }
}

export interface VaultKernelOptions {
  db: TestDatabase
  schema: string
  keys?: Secret
  dataDir?: string
  logLines?: string[]
  /** Extra plugin entries (server-http, provider-scripted, ...). */
  plugins?: Record<string, PluginEntry>
}

/** A kernel with persistence-postgres on the test database and auth-vault. */
export function bootVault(options: VaultKernelOptions): Promise<TestKernel> {
  return createTestKernel({
    plugins: { 'persistence-postgres': options.db.options(options.schema), 'auth-vault': options.keys ? { keys: options.keys } : {}, ...options.plugins },
    ...(options.dataDir ? { kernel: { dataDir: options.dataDir } } : {}),
    logLines: options.logLines ?? [],
  })
}

/** Every column of every auth_credential row as text, the way a pg_dump would show it. */
export async function rawDump(kernel: TestKernel['kernel']): Promise<string> {
  const db = kernel.resolve('persistencePostgres')
  const rows = await db.query<{ row: string }>(`select t::text as "row" from "${db.schema}"."auth_credential" t`)
  const columns = await db.query<Record<string, string | null>>(
    `select "id"::text, "provider_id"::text, "mode"::text, "label"::text, "hint"::text, "ciphertext"::text, "iv"::text, "auth_tag"::text, ` +
      `"key_version"::text, "expires_at"::text, "scopes"::text, "meta"::text, "status"::text, "last_used_at"::text, "created_at"::text, ` +
      `"updated_at"::text, "rotated_at"::text, encode("ciphertext", 'base64') as "ciphertext_b64" ` +
      `from "${db.schema}"."auth_credential"`,
  )
  return JSON.stringify({ rows: rows.map((r) => r.row), columns })
}
