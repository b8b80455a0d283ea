/** Test helpers of agent-personas (not used at runtime). */
import { randomBytes } from 'node:crypto'
import { fileURLToPath } from 'node:url'
import { env, Secret, type PluginEntry } from '../../../kernel/index.js'
import { dropTestSchema } from '../../../kernel/testing/backends.js'
import { createTestKernel, type TestKernel } from '../../../kernel/testing/index.js'
import type {} from '../../persistence/postgres/services.js'
import type {} from '../../provider/scripted/services.js'

export const FIXTURES = fileURLToPath(new URL('./fixtures/', import.meta.url))
export const AGENT_DIR = `${FIXTURES}agents`
/** tool-fixture: registers read_file, grep and list_dir (fakes). */
export const TOOLS_PLUGIN: PluginEntry = { resolve: `${FIXTURES}tools-plugin.ts` }

export interface Booted {
  tk: TestKernel
  call(method: string, path: string, body?: unknown): Promise<{ status: number; json: any }>
}

/** A test kernel with scripted (models demo + review-model), server-http on port 0, the fixture tools and agent-personas. */
export async function bootPersonas(t: { teardown(fn: () => unknown): void }, personas: Record<string, unknown> = {}, plugins: Record<string, PluginEntry> = {}): Promise<Booted> {
  const tk = await createTestKernel({
    plugins: {
      'provider-scripted': { chunkDelayMs: 0, models: ['demo', 'review-model'] },
      'server-http': { port: 0 },
      'tool-fixture': TOOLS_PLUGIN,
      'agent-personas': { dir: AGENT_DIR, ...personas },
      ...plugins,
    },
  })
  t.teardown(tk.close)
  const base = tk.kernel.addresses[0]
  return {
    tk,
    async call(method, path, body) {
      const response = await fetch(base + path, {
        method,
        ...(body === undefined ? {} : { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }),
      })
      const text = await response.text()
      return { status: response.status, json: text ? JSON.parse(text) : undefined }
    },
  }
}

/**
 * One database for a test file that outlives its kernels (restarts): DATABASE_URL's server, or an
 * in-memory PGlite served by a host kernel; each test takes a schema of its own.
 */
export interface SharedDatabase {
  newSchema(): string
  entry(schema: string): PluginEntry
  close(): Promise<void>
}

export async function sharedDatabase(): Promise<SharedDatabase> {
  const external = process.env.DATABASE_URL || ''
  const host = external ? null : await createTestKernel({ plugins: { 'persistence-postgres': { embeddedDir: 'memory://' } } })
  const url = host?.kernel.resolve('persistencePostgres').connectionString()
  const schemas: string[] = []
  return {
    newSchema() {
      const schema = `t_${randomBytes(5).toString('hex')}`
      schemas.push(schema)
      return schema
    },
    entry: (schema) => (url ? { url: new Secret(url, 'DATABASE_URL'), schema } : { url: env('DATABASE_URL', { optional: true }), schema }),
    async close() {
      await host?.close()
      for (const schema of schemas) await dropTestSchema(schema)
    },
  }
}
