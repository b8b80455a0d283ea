/** Error codes of persistence-postgres (listed in README.md; never renamed or reused). */
export const PersistenceErrorCode = {
  /** The `url` option is not a postgres:// or postgresql:// URL. */
  URL_INVALID: 'PERSISTENCE_POSTGRES_URL_INVALID',
  /** The server could not be reached, refused the login, or the database does not exist. */
  CONNECT_FAILED: 'PERSISTENCE_POSTGRES_CONNECT_FAILED',
  /** The embedded PGlite database or its socket server failed to start. */
  EMBEDDED_FAILED: 'PERSISTENCE_POSTGRES_EMBEDDED_FAILED',
  /** A migration failed; nothing of the failed batch was applied. */
  MIGRATION_FAILED: 'PERSISTENCE_POSTGRES_MIGRATION_FAILED',
  /** The service or the session store was used before lifecycle.start finished (or after shutdown). */
  NOT_STARTED: 'PERSISTENCE_POSTGRES_NOT_STARTED',
  /** addMigration got a bad or duplicate name, or was called after lifecycle.start. */
  MIGRATION_INVALID: 'PERSISTENCE_POSTGRES_MIGRATION_INVALID',
} as const
