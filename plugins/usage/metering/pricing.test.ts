import t from 'tap'
import { STATIC_MODELS } from '../../provider/anthropic/models.js'
import { GEMINI_MODELS } from '../../provider/gemini/models.js'
import { staticModels } from '../../provider/openai/models.js'
import { QWEN_DEFAULT } from '../../provider/openai-compatible/config.js'
import { CATALOGUE } from './catalogue.data.js'
import { configSchema } from './config.js'
import { formatUsd, usdPerMillionToPicoPerToken, usdToPico } from './money.js'
import { normaliseUsage } from './normalise.js'
import { invalidRate, lookupKeys, lookupPrice, priceCall } from './pricing.js'

const usage = (u: Partial<Record<'input' | 'output' | 'reasoning' | 'cacheRead' | 'cacheWrite', number>>, raw: unknown = {}) => normaliseUsage({ input: 0, output: 0, ...u, raw })

t.test('money: decimal USD per million tokens -> whole pico-USD per token, exactly', async (t) => {
  t.equal(usdPerMillionToPicoPerToken('3'), 3_000_000n)
  t.equal(usdPerMillionToPicoPerToken('3.75'), 3_750_000n)
  t.equal(usdPerMillionToPicoPerToken('0.005'), 5_000n)
  t.equal(usdPerMillionToPicoPerToken('0.000001'), 1n)
  t.equal(usdPerMillionToPicoPerToken('0.0000001'), null, 'finer than a pico-USD per token')
  t.equal(usdPerMillionToPicoPerToken('-1'), null)
  t.equal(usdToPico('5.00'), 5_000_000_000_000n)
  t.equal(formatUsd(1_234_567_890_123n), '$1.234567')
})

t.test('the catalogue covers every model the providers list (priced, or explicitly unknown), and every rate parses', async (t) => {
  const listed = [
    ...STATIC_MODELS.map((m) => ['anthropic', m.id]),
    ...GEMINI_MODELS.map((m) => ['gemini', m.id]),
    ...staticModels('openai').map((m) => ['openai', m.id]),
    ...QWEN_DEFAULT.models.map((m) => ['qwen', typeof m === 'string' ? m : m.id]),
  ]
  const missing = listed.filter(([provider, model]) => lookupPrice(provider, model, {}).source === null)
  t.same(missing, [], 'no listed model falls through the catalogue')
  for (const [key, spec] of Object.entries(CATALOGUE)) if (spec) t.equal(invalidRate(spec), null, `${key} rates parse`)
  t.ok(Object.values(CATALOGUE).filter(Boolean).length >= 25, 'most listed models are priced')
})

t.test('lookup: config (provider/model, model) before the catalogue; snapshot dates stripped; subscriptions unpriced', async (t) => {
  t.same(lookupKeys('anthropic', 'claude-sonnet-4-5-20250929'), ['anthropic/claude-sonnet-4-5-20250929', 'claude-sonnet-4-5-20250929', 'claude-sonnet-4-5'])
  t.match(lookupPrice('anthropic', 'claude-sonnet-4-5-20250929', {}), { source: 'catalogue', key: 'claude-sonnet-4-5', spec: { input: '3' } })
  const overrides = { 'openai/gpt-4o': { input: '1', output: '2' }, 'gpt-4o': { input: '9', output: '9' }, 'gpt-5': null }
  t.match(lookupPrice('openai', 'gpt-4o', overrides), { source: 'config', key: 'openai/gpt-4o', spec: { input: '1' } })
  t.match(lookupPrice('openai-responses', 'gpt-4o', overrides), { source: 'config', key: 'gpt-4o', spec: { input: '9' } })
  t.same(lookupPrice('openai', 'gpt-5', overrides), { spec: null, source: 'config', key: 'gpt-5' }, 'null override = unpriced')
  t.same(lookupPrice('codex', 'gpt-5', {}), { spec: null, source: null, key: null }, 'ChatGPT subscription calls are not priced per token')
  t.same(lookupPrice('scripted', 'demo', {}), { spec: null, source: null, key: null })
})

t.test('an unknown model costs null, never 0', async (t) => {
  t.equal(priceCall(lookupPrice('scripted', 'demo', {}).spec, usage({ input: 1000, output: 10 })), null)
})

t.test('a cache-heavy Anthropic call is priced with the cache rates (5-minute and 1-hour writes apart)', async (t) => {
  // Sonnet 4.5: input 3, output 15, cache write 3.75 (1h: 6), cache read 0.30 USD per million tokens.
  const raw = { input_tokens: 50, cache_read_input_tokens: 120_000, cache_creation_input_tokens: 8_000, cache_creation: { ephemeral_5m_input_tokens: 6_000, ephemeral_1h_input_tokens: 2_000 }, output_tokens: 900 }
  const cost = priceCall(lookupPrice('anthropic', 'claude-sonnet-4-5', {}).spec, usage({ input: 50, output: 900, cacheRead: 120_000, cacheWrite: 8_000 }, raw))!
  t.equal(cost.input, 50n * 3_000_000n)
  t.equal(cost.cacheRead, 120_000n * 300_000n, 'cache reads at 0.30, not the 3.00 input rate')
  t.equal(cost.cacheWrite, 6_000n * 3_750_000n + 2_000n * 6_000_000n)
  t.equal(cost.output, 900n * 15_000_000n)
  t.equal(cost.total, 150_000_000n + 36_000_000_000n + 34_500_000_000n + 13_500_000_000n)
  t.equal(formatUsd(cost.total), '$0.084150')
  t.equal(cost.tier, null, 'prompt 128,050 tokens: under the 200K tier')
})

t.test('long-context tiers price the whole call above the threshold (Sonnet 4.5, Gemini 2.5 Pro, Qwen)', async (t) => {
  const sonnet = lookupPrice('anthropic', 'claude-sonnet-4-5', {}).spec
  const long = priceCall(sonnet, usage({ input: 150_000, cacheRead: 60_000, output: 1_000 }))!
  t.equal(long.tier, 200_000)
  t.equal(long.total, 150_000n * 6_000_000n + 60_000n * 600_000n + 1_000n * 22_500_000n)
  const at = priceCall(sonnet, usage({ input: 200_000, output: 1 }))!
  t.equal(at.tier, null, 'exactly 200K is not above it')
  const pro = lookupPrice('gemini', 'gemini-2.5-pro', {}).spec
  t.equal(priceCall(pro, usage({ input: 250_000, output: 2_000, reasoning: 1_500 }))!.total, 250_000n * 2_500_000n + 2_000n * 15_000_000n)
  const qwen = lookupPrice('qwen', 'qwen3-coder-plus', {}).spec
  t.equal(priceCall(qwen, usage({ input: 130_000, output: 10 }))!.total, 130_000n * 3_000_000n + 10n * 15_000_000n, 'the highest tier passed applies')
})

t.test('reasoning priced apart when the spec says so; otherwise at the output rate', async (t) => {
  const u = usage({ input: 10, output: 100, reasoning: 60 })
  t.equal(priceCall({ input: '1', output: '2' }, u)!.output, 100n * 2_000_000n)
  t.equal(priceCall({ input: '1', output: '2', reasoning: '5' }, u)!.output, 40n * 2_000_000n + 60n * 5_000_000n)
})

t.test('normalise: providers already normalised; Gemini tool-use prompt tokens added once; bad numbers are 0', async (t) => {
  const raw = { promptTokenCount: 100, cachedContentTokenCount: 40, candidatesTokenCount: 5, thoughtsTokenCount: 7, toolUsePromptTokenCount: 30 }
  t.equal(normaliseUsage({ input: 60, output: 12, reasoning: 7, cacheRead: 40, raw }).input, 90, 'added when the provider left it out')
  t.equal(normaliseUsage({ input: 90, output: 12, reasoning: 7, cacheRead: 40, raw }).input, 90, 'not twice')
  t.same(normaliseUsage({ input: -3, output: Number.NaN, reasoning: 9 }), { input: 0, output: 0, reasoning: 0, cacheRead: 0, cacheWrite: 0, cacheWrite1h: 0, raw: null })
})

t.test('config: prices and budgets are checked at boot', async (t) => {
  t.ok(configSchema.safeParse({ pricing: { 'scripted/demo': { input: '1.5', output: '2', tiers: [{ above: 1000, input: '3' }] } }, budgets: { session: { usd: '0.50' }, day: { tokens: 1000 } } }).success)
  t.notOk(configSchema.safeParse({ pricing: { x: { input: 1.5, output: '2' } } }).success, 'numbers are refused: prices are decimal strings')
  t.notOk(configSchema.safeParse({ pricing: { x: { input: '1', output: '2', cached: '1' } } }).success, 'unknown keys')
  t.notOk(configSchema.safeParse({ budgets: { session: {} } }).success, 'an empty limit')
  t.notOk(configSchema.safeParse({ budgets: { session: { usd: '1', picoUsd: 5 } } }).success, 'two money units')
})
