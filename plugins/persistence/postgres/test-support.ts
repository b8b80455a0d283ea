import { env } from '../../../kernel/index.js'

/** The external server the tests use when DATABASE_URL is set; otherwise they run embedded. */
export const EXTERNAL_URL = process.env.DATABASE_URL || ''

/** A schema of its own for one test file. */
export const uniqueSchema = (): string => `t_${Math.random().toString(36).slice(2, 10)}`

/** Plugin options for the back end under test: DATABASE_URL, or in-memory PGlite; a schema of its own either way. */
export function backendOptions(schema: string): Record<string, unknown> {
  return EXTERNAL_URL ? { url: env('DATABASE_URL', { optional: true }), schema } : { embeddedDir: 'memory://', schema }
}

/** Drop a test schema on the external server (teardown). */
export { dropTestSchema as dropSchema } from '../../../kernel/testing/backends.js'
