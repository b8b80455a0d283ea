import { z } from 'zod'
import { secretSchema } from '../../../kernel/index.js'

/** In-memory PGlite (tests): nothing is written to disk and no data-dir lock is taken. */
export const MEMORY_DIR = 'memory://'

export const configSchema = z
  .object({
    /**
     * postgres:// URL of an external server, written as env('DATABASE_URL', { optional: true }).
     * Unset (or empty) = embedded PGlite.
     */
    url: secretSchema.optional(),
    /** Schema holding the tables and the migrations table; created when missing. */
    schema: z
      .string()
      .regex(/^[a-z_][a-z0-9_]{0,62}$/, 'a lowercase SQL identifier (letters, digits, underscores)')
      .default('public'),
    /** Maximum connections of each pool, the ORM's and the plain pg one (at least 2: migrations hold one for their lock). */
    poolSize: z.number().int().min(2).max(100).default(10),
    /** Embedded data directory; default <kernel.dataDir>/pglite. `memory://` = in-memory (tests). */
    embeddedDir: z.string().min(1).optional(),
    /** Log every SQL statement (at info level). */
    debug: z.boolean().default(false),
  })
  .strict()

export type PersistencePostgresOptions = z.output<typeof configSchema>
