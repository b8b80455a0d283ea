/**
 * The public surface of persistence-postgres for plugins that list it in dependsOn
 * (import type only).
 */

/**
 * A migration contributed by a dependent plugin (see addMigration). `up(schema)` returns the SQL
 * statements to run, with table names qualified by the schema it receives.
 */
export interface PluginMigration {
  /** `<plugin-id>-NNNN-<what>`, e.g. `auth-vault-0001-credential`; the key stored in the migrations table, never changed once released. */
  name: string
  up(schema: string): string[]
  /** Statements that undo `up` (optional: without it the migration cannot be reverted). */
  down?(schema: string): string[]
}

export interface PersistencePostgresService {
  /** 'external' when DATABASE_URL (the `url` option) is set, else 'embedded' (PGlite + socket). */
  readonly mode: 'external' | 'embedded'
  /** Schema holding this instance's tables (default 'public'; tests use one per file). */
  readonly schema: string
  /**
   * postgres:// URL of the database in use: the real server, or the embedded socket server.
   * Valid after this plugin's lifecycle.start; hand it to other clients (agenda, pg pools) as is.
   */
  connectionString(): string
  /**
   * Run one SQL statement on the shared pool (health checks, tests). Parameters are `$1`-style and
   * bound by the server; unqualified table names resolve to `schema` first. Timestamp columns come
   * back as strings. Throws PERSISTENCE_POSTGRES_NOT_STARTED before lifecycle.start.
   */
  query<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>
  /**
   * Add a migration for a dependent plugin's tables. Call it during your `register` (dependsOn
   * persistence-postgres guarantees this plugin registered first): the migrations run at this
   * plugin's lifecycle.start, after its own, in the order they were added (= dependency order),
   * in the same transaction and migrations table. Throws PERSISTENCE_POSTGRES_MIGRATION_INVALID
   * for a bad or duplicate name, or when called after start.
   */
  addMigration(migration: PluginMigration): void
}

declare module '../../../kernel/services.js' {
  interface KernelServices {
    persistencePostgres: PersistencePostgresService
  }
}
