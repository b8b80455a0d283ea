/** Test helpers of usage-metering (not used at runtime). */
import { testBackends } from '../../../kernel/testing/backends.js'
import { createTestKernel, type TestKernel } from '../../../kernel/testing/index.js'
import type { protocol } from '../../../kernel/index.js'
import type {} from '../../persistence/postgres/services.js'
import type {} from './services.js'

type Script = Array<Record<string, unknown>>
export const say = (text: string, usage?: { input: number; output: number; reasoning?: number }): Script => [{ type: 'text', text }, ...(usage ? [{ type: 'usage', ...usage }] : []), { type: 'finish', reason: 'stop' }]
export const usageStep = (input: number, output: number, reasoning?: number) => ({ type: 'usage', input, output, ...(reasoning ? { reasoning } : {}) })

export const AGENTS = {
  demo: { provider: 'scripted', model: 'lead', systemPrompt: 'You lead a small team. Delegate research and writing.', tools: '*' },
  researcher: { description: 'Finds facts.', provider: 'scripted', model: 'res', systemPrompt: 'You research.', tools: ['read_note'] },
  writer: { description: 'Writes prose.', provider: 'scripted', model: 'wri', systemPrompt: 'You write.', tools: [] },
}

/** Prices for the scripted models (USD per million tokens): the scenario's costs are real numbers. */
export const SCRIPTED_PRICES = {
  'scripted/lead': { input: '3', output: '15', cacheRead: '0.30' },
  'scripted/res': { input: '1', output: '5' },
  'scripted/wri': { input: '0.50', output: '2', tiers: [{ above: 100_000, input: '1', output: '4' }] },
}

export interface Booted {
  tk: TestKernel
  schema: string
  call(method: string, path: string, body?: unknown): Promise<{ status: number; json: any }>
  query<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>
  /** Collect a session's stream; `idle()` resolves at its next turn.completed. */
  watch(stream: string): { seen: protocol.EventEnvelope[]; until(match: (e: protocol.EventEnvelope) => boolean): Promise<protocol.EventEnvelope> }
}

/**
 * A test kernel with persistence-postgres (PGlite, or DATABASE_URL's server in a schema of its own),
 * provider-scripted (models lead, res, wri, demo), agent-subagents, server-http on port 0, `read_note` (tool-notes)
 * and usage-metering with `usage` options.
 */
export async function bootMetering(t: { teardown(fn: () => unknown): void }, options: { usage?: Record<string, unknown>; modelReplies?: Record<string, Script[]>; replies?: Script[]; kernel?: Record<string, unknown>; plugins?: Record<string, unknown> } = {}): Promise<Booted> {
  const backends = testBackends({ jobs: false })
  const tk = await createTestKernel({
    plugins: {
      'persistence-postgres': backends.plugins['persistence-postgres'],
      'provider-scripted': { chunkDelayMs: 0, models: ['demo', 'lead', 'res', 'wri'], modelReplies: options.modelReplies ?? {}, ...(options.replies ? { replies: options.replies } : {}) },
      'agent-subagents': {},
      'server-http': { port: 0 },
      'tool-notes': { resolve: new URL('./fixtures/tools-plugin.ts', import.meta.url).pathname },
      'usage-metering': { pricing: SCRIPTED_PRICES, ...options.usage },
      ...options.plugins,
    } as never,
    kernel: { agents: AGENTS, ...options.kernel } as never,
  })
  t.teardown(async () => {
    await tk.close()
    await backends.cleanup()
  })
  const base = tk.kernel.addresses[0]
  const db = tk.kernel.resolve('persistencePostgres')
  return {
    tk,
    schema: backends.schema,
    async call(method, path, body) {
      const response = await fetch(base + path, { method, ...(body === undefined ? {} : { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }) })
      const text = await response.text()
      return { status: response.status, json: text ? JSON.parse(text) : undefined }
    },
    query: (sql, params) => db.query(sql, params),
    watch(stream) {
      const seen: protocol.EventEnvelope[] = []
      const waiting: Array<{ match: (e: protocol.EventEnvelope) => boolean; resolve: (e: protocol.EventEnvelope) => void }> = []
      void tk.kernel.resolve('eventBus').subscribe(stream, (e) => {
        seen.push(e)
        for (const w of [...waiting]) if (w.match(e)) waiting.splice(waiting.indexOf(w), 1) && w.resolve(e)
      })
      return { seen, until: (match) => new Promise((resolve) => waiting.push({ match, resolve })) }
    },
  }
}

/** Send a prompt and wait for the turn's end (and for the metering writes). */
export async function runTurn(b: Booted, sessionId: string, text: string): Promise<protocol.EventEnvelope> {
  const stream = b.watch(`session:${sessionId}`)
  const done = stream.until((e) => e.type === 'turn.completed')
  await b.tk.kernel.engine.prompt(sessionId, { text })
  const completed = await done
  await b.tk.kernel.resolve('usageMetering').flush()
  return completed
}

/** Ledger rows of a session tree (or all), oldest first, numbers as numbers. */
export async function ledgerRows(b: Booted, where = 'true', params: unknown[] = []): Promise<Array<Record<string, any>>> {
  const rows = await b.query<Record<string, any>>(
    `select "id", "session_id", "root_session_id", "parent_session_id", "parent_turn_id", "message_id", "turn_id", "step", "provider", "model", "activity", ` +
      `"input"::int, "output"::int, "reasoning"::int, "cache_read"::int, "cache_write"::int, "cost_pico"::text, "price_source", "latency_ms", "raw" ` +
      `from "${b.schema}"."usage_ledger" where ${where} order by "created_at", "id"`,
    params,
  )
  return rows
}
