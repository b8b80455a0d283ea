/**
 * The public surface of persistence-postgres for plugins that list it in dependsOn
 * (import type only).
 */
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
}

declare module '../../../kernel/services.js' {
  interface KernelServices {
    persistencePostgres: PersistencePostgresService
  }
}
