/**
 * Golden usage payloads, one per provider (the fixtures of the providers' own stream tests), through
 * each provider's normalisation into the ledger: exact rows, exact costs, attribution summing exactly.
 */
import t from 'tap'
import type { UsageReport } from '../../../kernel/index.js'
import { toUsageReport } from '../../provider/anthropic/usage.js'
import { toUsage } from '../../provider/gemini/usage.js'
import { chatUsage, responsesUsage } from '../../provider/openai/usage.js'
import { bootMetering, ledgerRows } from './test-support.js'

const b = await bootMetering(t)
const meter = b.tk.kernel.resolve('usageMetering')
const session = await b.tk.kernel.engine.createSession({})

interface Golden {
  name: string
  provider: string
  model: string
  usage: UsageReport
  row: Record<string, unknown>
}

const anthropicRaw = { input_tokens: 10, cache_creation_input_tokens: 200, cache_read_input_tokens: 3000, output_tokens: 55, service_tier: 'standard' }
const geminiRaw = { promptTokenCount: 120, cachedContentTokenCount: 100, candidatesTokenCount: 7, thoughtsTokenCount: 30, totalTokenCount: 157 }
const chatRaw = { prompt_tokens: 120, completion_tokens: 40, total_tokens: 160, prompt_tokens_details: { cached_tokens: 100 }, completion_tokens_details: { reasoning_tokens: 12 } }
const responsesRaw = { input_tokens: 200, input_tokens_details: { cached_tokens: 150 }, output_tokens: 60, output_tokens_details: { reasoning_tokens: 25 }, total_tokens: 260 }
const dashscopeRaw = { prompt_tokens: 100, completion_tokens: 10, prompt_cache_hit_tokens: 60, prompt_cache_miss_tokens: 40 }

const GOLDEN: Golden[] = [
  {
    // 10 x 3.00 + 200 x 3.75 + 3000 x 0.30 + 55 x 15.00 (USD per million) = 0.002505 USD
    name: 'anthropic (Messages API): input excludes the cache; cache reads and writes at their rates',
    provider: 'anthropic', model: 'claude-sonnet-4-5-20250929', usage: toUsageReport(anthropicRaw),
    row: { input: 10, output: 55, reasoning: 0, cache_read: 3000, cache_write: 200, cost_pico: '2505000000', price_source: 'catalogue', raw: anthropicRaw },
  },
  {
    // prompt 120 incl. 100 cached -> input 20; output 7 + 30 thoughts. 20 x 0.30 + 100 x 0.03 + 37 x 2.50 = 0.0001015 USD
    name: 'gemini: promptTokenCount includes the cached tokens; thoughts are output',
    provider: 'gemini', model: 'gemini-2.5-flash', usage: toUsage(geminiRaw),
    row: { input: 20, output: 37, reasoning: 30, cache_read: 100, cache_write: 0, cost_pico: '101500000', price_source: 'catalogue', raw: geminiRaw },
  },
  {
    // 20 x 2.00 + 100 x 0.50 + 40 x 8.00 = 0.00041 USD
    name: 'openai (Chat Completions): prompt_tokens includes cached_tokens; reasoning inside completion_tokens',
    provider: 'openai', model: 'gpt-4.1', usage: chatUsage(chatRaw),
    row: { input: 20, output: 40, reasoning: 12, cache_read: 100, cache_write: 0, cost_pico: '410000000', price_source: 'catalogue', raw: chatRaw },
  },
  {
    // 50 x 1.25 + 150 x 0.125 + 60 x 10.00 = 0.00068125 USD
    name: 'openai-responses: input_tokens includes cached_tokens; output_tokens includes reasoning',
    provider: 'openai-responses', model: 'gpt-5', usage: responsesUsage(responsesRaw),
    row: { input: 50, output: 60, reasoning: 25, cache_read: 150, cache_write: 0, cost_pico: '681250000', price_source: 'catalogue', raw: responsesRaw },
  },
  {
    // No cache read price for Qwen: cache hits at the input rate. 100 x 1.00 + 10 x 5.00 = 0.00015 USD
    name: 'openai-compatible (qwen): prompt_cache_hit_tokens read as cache; priced at the first tier',
    provider: 'qwen', model: 'qwen3-coder-plus', usage: chatUsage(dashscopeRaw),
    row: { input: 40, output: 10, reasoning: 0, cache_read: 60, cache_write: 0, cost_pico: '150000000', price_source: 'catalogue', raw: dashscopeRaw },
  },
  {
    name: 'codex (ChatGPT login): paid by subscription, so the cost is unknown (null), never 0',
    provider: 'codex', model: 'gpt-5.4', usage: responsesUsage(responsesRaw),
    row: { input: 50, output: 60, reasoning: 25, cache_read: 150, cache_write: 0, cost_pico: null, price_source: null },
  },
  {
    name: 'scripted, model without a price: cost null',
    provider: 'scripted', model: 'demo', usage: { input: 24, output: 48, reasoning: 16, raw: { type: 'usage', input: 24, output: 48, reasoning: 16 } },
    row: { input: 24, output: 48, reasoning: 16, cache_read: 0, cache_write: 0, cost_pico: null, price_source: null },
  },
]

let step = 0
for (const golden of GOLDEN) {
  t.test(golden.name, async (t) => {
    step += 1
    const written = await meter.record({
      sessionId: session.id, turnId: 'turn-golden', messageId: `msg-${step}`, step, provider: golden.provider, model: golden.model,
      activity: 'conversation', usage: golden.usage, request: null, toolCalls: [], startedAt: 1_000, endedAt: 1_250,
    })
    const [row] = await ledgerRows(b, `"id" = $1`, [written.id])
    t.match(row, {
      session_id: session.id, root_session_id: session.id, parent_session_id: null, message_id: `msg-${step}`, turn_id: 'turn-golden', step,
      provider: golden.provider, model: golden.model, activity: 'conversation', latency_ms: 250, ...golden.row,
    })
    t.equal(row.cost_pico, golden.row.cost_pico, 'exact cost (null stays null)')
    const parts = await b.query<{ tokens: string; cost_pico: string | null }>(`select "tokens"::text, "cost_pico"::text from "${b.schema}"."usage_attribution" where "ledger_id" = $1`, [written.id])
    const tokens = Number(row.input) + Number(row.output) + Number(row.cache_read) + Number(row.cache_write)
    t.equal(parts.reduce((s, p) => s + Number(p.tokens), 0), tokens, 'attribution tokens sum to the call')
    if (row.cost_pico === null) t.ok(parts.every((p) => p.cost_pico === null), 'unpriced parts have no cost')
    else t.equal(parts.reduce((s, p) => s + BigInt(p.cost_pico!), 0n).toString(), row.cost_pico, 'attribution costs sum to the call')
  })
}

t.test('totals: the session counts every call; unpriced calls are counted apart, not as 0 cost', async (t) => {
  const usage = await meter.sessionUsage(session.id)
  const priced = ['2505000000', '101500000', '410000000', '681250000', '150000000'].reduce((s, v) => s + BigInt(v), 0n)
  t.match(usage.own, { calls: 7, unpricedCalls: 2, costPico: priced.toString() })
  t.same(usage.total, usage.own, 'no children')
  t.equal(usage.messages.length, 7)
  t.same(usage.byModel.map((m) => `${m.provider}/${m.model}`), ['anthropic/claude-sonnet-4-5-20250929', 'codex/gpt-5.4', 'gemini/gemini-2.5-flash', 'openai/gpt-4.1', 'openai-responses/gpt-5', 'qwen/qwen3-coder-plus', 'scripted/demo'])
  t.equal(usage.byModel.find((m) => m.provider === 'codex')?.costPico, null)
})
