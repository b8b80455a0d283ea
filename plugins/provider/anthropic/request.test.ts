import t from 'tap'
import type { ChatMessage } from '../../../kernel/index.js'
import { configSchema } from './config.js'
import { toWireMessages } from './messages.js'
import { contextWindowFor, maxTokensFor, mergeModels, STATIC_MODELS } from './models.js'
import { throttleDelay, readRateLimits } from './rate-limit.js'
import { buildRequest, isAnthropicHost, mergeBetas } from './request.js'
import { thinkingParams } from './thinking.js'
import { toAnthropicTools } from './tools.js'
import { modelRequest } from './test-support.js'

const defaults = configSchema.parse({})
const thinking = (model: string, over: Record<string, unknown> = {}) => thinkingParams(model, configSchema.parse({ thinking: over }).thinking)

t.test('thinking per model, as llxprt`s Anthropic alias defaults it', async (t) => {
  t.same(thinking('claude-sonnet-4-20250514'), { thinking: { type: 'enabled', budget_tokens: 10000 } }, 'budgeted on non-adaptive models')
  t.same(thinking('claude-opus-4-6'), { thinking: { type: 'adaptive', display: 'summarized' } }, 'adaptive, no default effort')
  t.same(thinking('claude-opus-4-8'), { thinking: { type: 'adaptive', display: 'summarized' }, output_config: { effort: 'high' } })
  t.same(thinking('claude-sonnet-4-6'), { thinking: { type: 'enabled', budget_tokens: 10000 }, output_config: { effort: 'high' } })
  t.same(thinking('claude-opus-4-8', { mode: 'budget', budgetTokens: 20000, effort: 'low' }), { thinking: { type: 'enabled', budget_tokens: 20000 }, output_config: { effort: 'low' } })
  t.same(thinking('claude-sonnet-4-20250514', { effort: 'max', display: 'omitted' }), { thinking: { type: 'enabled', budget_tokens: 10000, display: 'omitted' }, output_config: { effort: 'high' } }, 'max lowered to high')
  t.same(thinking('claude-sonnet-4-20250514', { enabled: false }), {}, 'off: no field')
  t.same(thinking('claude-opus-5', { enabled: false }), { thinking: { type: 'disabled' } }, 'Opus 5 takes an explicit disable')
  t.same(thinking('claude-fable-5', { enabled: false }), { thinking: { type: 'adaptive', display: 'summarized' }, output_config: { effort: 'high' } }, 'Fable 5 always thinks')
  t.same(thinking('glm-4.6'), {}, 'non-Claude ids on compatible hosts get none')
})

t.test('max_tokens: request override, then option, then the per-model table', async (t) => {
  t.equal(maxTokensFor('claude-sonnet-4-20250514'), 64000)
  t.equal(maxTokensFor('claude-opus-4-1-20250805'), 32000)
  t.equal(maxTokensFor('claude-sonnet-5'), 128000)
  t.equal(maxTokensFor('claude-fable-5'), 40000)
  t.equal(maxTokensFor('claude-3-5-haiku-20241022'), 8192)
  t.equal(maxTokensFor('claude-haiku-4-5-20251001'), 64000)
  t.equal(maxTokensFor('something-else'), 4096)
  t.equal(buildRequest(modelRequest(), { baseUrl: 'http://x', oauth: false, options: configSchema.parse({ maxTokens: 1000 }) }).body.max_tokens, 1000)
  t.equal(buildRequest(modelRequest({ extra: { max_tokens: 77 } }), { baseUrl: 'http://x', oauth: false, options: configSchema.parse({ maxTokens: 1000 }) }).body.max_tokens, 77)
})

t.test('only whitelisted model params pass through extra (no sampling params for Claude); custom headers go first', async (t) => {
  const extra = { temperature: 0.2, top_k: 5, stop_sequences: ['END'], top_q: 1, headers: { 'X-Custom': 'v' } }
  const built = buildRequest(modelRequest({ extra }), { baseUrl: 'http://x', oauth: false, options: defaults })
  t.same(Object.keys(built.body), ['model', 'messages', 'max_tokens', 'stream', 'stop_sequences', 'system', 'thinking'])
  t.same(built.headers, { 'X-Custom': 'v' })
  const compatible = buildRequest(modelRequest({ model: 'glm-4.6', extra }), { baseUrl: 'http://x', oauth: false, options: defaults })
  t.same(Object.keys(compatible.body), ['model', 'messages', 'max_tokens', 'stream', 'temperature', 'top_k', 'stop_sequences', 'system'])
})

t.test('hosts and betas', async (t) => {
  t.ok(isAnthropicHost('https://api.anthropic.com'))
  t.ok(isAnthropicHost('https://anthropic.com/v1'))
  t.notOk(isAnthropicHost('https://evil-anthropic.com'))
  t.notOk(isAnthropicHost('https://api.anthropic.com.evil.io'))
  t.notOk(isAnthropicHost('not a url'))
  t.equal(mergeBetas(undefined, 'a', 'b'), 'a, b')
  t.equal(mergeBetas('x,a ,', 'a', 'c'), 'x, a, c')
})

t.test('history mapping: only Anthropic-signed reasoning is replayed; ids normalised; results answered', async (t) => {
  const history: ChatMessage[] = [
    { role: 'assistant', content: [{ type: 'text', text: 'Earlier answer.' }] },
    { role: 'user', content: [{ type: 'text', text: 'Go' }] },
    {
      role: 'assistant',
      content: [
        { type: 'reasoning', text: 'other model', signature: 'gsig', providerId: 'gemini' },
        { type: 'reasoning', text: 'unsigned' },
        { type: 'reasoning', text: '', signature: 'redacted_thinking:DATA', providerId: 'anthropic' },
        { type: 'tool-call', callId: 'call_abc.1', tool: 'read_file', input: '{"path":"x"}' },
        { type: 'tool-call', callId: 'toolu_lost', tool: 'read_file', input: [1] },
      ],
    },
    { role: 'tool', content: [{ type: 'tool-result', callId: 'call_abc.1', tool: 'read_file', output: '', isError: true }, { type: 'tool-result', callId: 'toolu_orphan', tool: 'x', output: 'o' }] },
    { role: 'user', content: [{ type: 'text', text: 'and then?' }] },
    { role: 'assistant', content: [{ type: 'text', text: '   ' }] },
  ]
  t.same(toWireMessages(history, { thinking: true }), [
    { role: 'user', content: 'Continue the conversation' },
    { role: 'assistant', content: 'Earlier answer.' },
    { role: 'user', content: 'Go' },
    {
      role: 'assistant',
      content: [
        { type: 'redacted_thinking', data: 'DATA' },
        { type: 'tool_use', id: 'toolu_abc-1', name: 'read_file', input: { path: 'x' } },
        { type: 'tool_use', id: 'toolu_lost', name: 'read_file', input: {} },
      ],
    },
    {
      role: 'user',
      content: [
        { type: 'tool_result', tool_use_id: 'toolu_lost', content: '[tool execution interrupted]', is_error: true },
        { type: 'tool_result', tool_use_id: 'toolu_abc-1', content: '[empty tool result]', is_error: true },
        { type: 'text', text: 'and then?' },
      ],
    },
    { role: 'assistant', content: '[No content generated]' },
    { role: 'user', content: 'Continue the conversation' },
  ])
  t.same(toWireMessages([], { thinking: false }), [{ role: 'user', content: 'Hello' }])
})

t.test('the cache breakpoint skips thinking blocks and lands on the last real block', async (t) => {
  const messages: ChatMessage[] = [
    { role: 'user', content: [{ type: 'text', text: 'hi' }] },
    { role: 'assistant', content: [{ type: 'text', text: 'ok' }, { type: 'reasoning', text: 'later thought', signature: 's', providerId: 'anthropic' }] },
  ]
  const body = buildRequest(modelRequest({ messages }), { baseUrl: 'https://api.anthropic.com', oauth: false, options: configSchema.parse({ thinking: { enabled: false }, promptCaching: '5m' }) }).body
  t.same(body.messages, [
    { role: 'user', content: 'hi' },
    { role: 'assistant', content: [{ type: 'text', text: 'ok', cache_control: { type: 'ephemeral', ttl: '5m' } }, { type: 'thinking', thinking: 'later thought', signature: 's' }] },
  ])
  t.equal(buildRequest(modelRequest({ system: '' }), { baseUrl: 'https://api.anthropic.com', oauth: false, options: defaults }).body.system, undefined, 'no system field for an empty prompt')
})

t.test('tool schemas reduced as llxprt does; unions and nullable types survive', async (t) => {
  const [tool] = toAnthropicTools([
    {
      name: 'edit',
      description: 'Edit.',
      inputSchema: {
        type: 'object',
        additionalProperties: false,
        required: ['target'],
        properties: {
          target: { type: 'object', properties: { file: { type: 'string', minLength: '1' } }, additionalProperties: false },
          mode: { type: 'string', enum: ['a', 1], default: 'a' },
          count: { type: ['integer', 'null'], maximum: 9 },
          value: { anyOf: [{ type: 'string' }, { type: 'number' }], description: 'v' },
          tags: { type: 'array', items: { type: 'STRING' } },
        },
      },
    },
  ])
  t.same(tool.input_schema, {
    type: 'object',
    properties: {
      count: { type: 'integer', maximum: 9 },
      mode: { type: 'string', enum: ['a', '1'], default: 'a' },
      tags: { type: 'array', items: { type: 'string' } },
      target: { type: 'object', properties: { file: { type: 'string', minLength: 1 } }, required: [] },
      value: { anyOf: [{ type: 'string' }, { type: 'number' }], description: 'v' },
    },
    required: ['target'],
  })
  t.same(Object.keys(tool.input_schema.properties), ['count', 'mode', 'tags', 'target', 'value'], 'sorted')
})

t.test('models, rate limits', async (t) => {
  t.ok(STATIC_MODELS.some((m) => m.id === 'claude-sonnet-4-20250514'))
  t.ok(STATIC_MODELS.some((m) => m.id === 'claude-opus-4-1-20250805'))
  t.equal(contextWindowFor('claude-sonnet-4-20250514'), 400000)
  t.same(mergeModels([{ id: 'a', displayName: 'A', contextWindow: 5 }], [{ id: 'a', display_name: 'A2' }, { id: 'claude-opus-4-6' }]), [
    { id: 'a', displayName: 'A2', contextWindow: 5 },
    { id: 'claude-opus-4-6', displayName: 'claude-opus-4-6', contextWindow: 200000 },
  ])
  const now = Date.parse('2026-01-01T00:00:00Z')
  const info = readRateLimits(new Headers({ 'anthropic-ratelimit-tokens-limit': '1000', 'anthropic-ratelimit-tokens-remaining': '10', 'anthropic-ratelimit-tokens-reset': '2026-01-01T00:00:30Z' }))
  t.same(info, { tokens: { limit: 1000, remaining: 10, reset: '2026-01-01T00:00:30.000Z' } })
  t.same(throttleDelay(info, defaults.rateLimitThrottle, now), { waitMs: 30000, bucket: 'tokens' })
  t.same(throttleDelay(info, { ...defaults.rateLimitThrottle, maxWaitMs: 1000 }, now), { waitMs: 1000, bucket: 'tokens' })
  t.same(throttleDelay(info, { ...defaults.rateLimitThrottle, thresholdPercent: 1 }, now), { waitMs: 0 })
  t.equal(readRateLimits(new Headers()), null)
})
