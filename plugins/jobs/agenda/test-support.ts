import { env } from '../../../kernel/index.js'
import { waitFor as poll } from '../../../kernel/testing/wait.js'

/** Test helpers (not a test file). Real PostgreSQL when DATABASE_URL is set, else embedded PGlite. */

export const EXTERNAL_URL = process.env.DATABASE_URL?.trim() ?? ''

export const JOBS_TEST_OPTIONS = { processEveryMs: 200, maintenanceEveryMs: 300, lockLifetimeMs: 2_000 }

export const uniqueSchema = (): string => `jobs_${process.pid}_${Math.random().toString(36).slice(2, 8)}`

/** persistence-postgres options: DATABASE_URL + a schema of its own, or in-memory PGlite. */
export function persistenceOptions(schema: string): Record<string, unknown> {
  return EXTERNAL_URL ? { url: env('DATABASE_URL', { optional: true }), schema } : { embeddedDir: 'memory://' }
}

/** Plugin entries for a test kernel with persistence-postgres and jobs-agenda. */
export function jobsPlugins(schema: string, jobs: Record<string, unknown> = JOBS_TEST_OPTIONS): Record<string, Record<string, unknown>> {
  return { 'persistence-postgres': persistenceOptions(schema), 'jobs-agenda': jobs }
}

/** Drop a test schema on the external server (no-op when embedded). */
export { dropTestSchema as dropSchema } from '../../../kernel/testing/backends.js'

/** Poll `check` until it returns true; throws after `timeoutMs` (15 s: agenda polls). */
export const waitFor = (check: () => boolean | Promise<boolean>, what: string, timeoutMs = 15_000): Promise<void> => poll(check, what, timeoutMs, 25)
