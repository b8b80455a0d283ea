import t from 'tap'
import type { ChatMessage, ModelRequest } from '../../../kernel/index.js'
import { chatBody, toolResultText } from './chat-request.js'
import { decodeReasoningSignature, encodeReasoningSignature, responsesInput } from './responses-request.js'
import { chatUsage, responsesUsage } from './usage.js'
import { chatParameters, promptCacheKey, responsesParameters, toOpenAIToolId } from './wire.js'

t.test('tool ids become call_<suffix> the same way for calls and results', async (t) => {
  t.equal(toOpenAIToolId('call_abc-1'), 'call_abc-1')
  t.equal(toOpenAIToolId('toolu_01A'), 'call_01A')
  t.equal(toOpenAIToolId('chatcmpl-tool.9:x'), 'call_chatcmpl-tool9x')
  t.equal(promptCacheKey(' ses_1 '), 'ses_1')
  t.equal(promptCacheKey('x'.repeat(65)).length, 64)
})

t.test('schemas: Chat keeps extra keywords, Responses keeps only type/properties/required', async (t) => {
  const schema = {
    type: 'object',
    properties: { mode: { type: 'STRING', enum: ['a', 1], anyOf: [{ type: 'string' }] }, tags: { type: 'array', items: { type: 'object', properties: { n: { type: 'integer', maximum: '9' } } } } },
    additionalProperties: false,
    $defs: { x: 1 },
  }
  t.same(chatParameters(schema), {
    type: 'object',
    properties: {
      mode: { type: 'string', enum: ['a', '1'], anyOf: [{ type: 'string' }] },
      tags: { type: 'array', items: { type: 'object', properties: { n: { type: 'integer', maximum: 9 } }, required: [] } },
    },
    required: [],
    additionalProperties: false,
    $defs: { x: 1 },
  })
  t.same(responsesParameters(schema), {
    type: 'object',
    properties: { mode: { type: 'string', enum: ['a', '1'] }, tags: { type: 'array', items: { type: 'object', properties: { n: { type: 'integer', maximum: 9 } }, required: [] } } },
    required: [],
  })
})

t.test('tool results: the labelled llxprt text for Chat; errors say so', async (t) => {
  t.equal(toolResultText({ type: 'tool-result', callId: 'c', tool: 'grep', output: '' }), 'status:\nsuccess\n\ntoolName:\ngrep\n\nerror:\n\n\noutput:\n[no tool result]')
  t.equal(toolResultText({ type: 'tool-result', callId: 'c', tool: 'grep', output: 'denied', isError: true }), 'status:\nerror\n\ntoolName:\ngrep\n\nerror:\ndenied\n\noutput:\n[no tool result]')
})

t.test('dangling tool calls and orphan results are dropped; an answered call from another provider is remapped', async (t) => {
  const messages: ChatMessage[] = [
    { role: 'user', content: [{ type: 'text', text: 'go' }] },
    { role: 'assistant', content: [{ type: 'text', text: 'Trying.' }, { type: 'tool-call', callId: 'toolu_1', tool: 'a', input: {} }, { type: 'tool-call', callId: 'call_dangling', tool: 'b', input: {} }] },
    { role: 'tool', content: [{ type: 'tool-result', callId: 'toolu_1', tool: 'a', output: 'A' }, { type: 'tool-result', callId: 'call_orphan', tool: 'c', output: 'C' }] },
    { role: 'assistant', content: [{ type: 'tool-call', callId: 'call_never', tool: 'd', input: {} }] },
  ]
  const request: ModelRequest = { provider: 'openai', model: 'm', activity: 'conversation', system: '', messages, tools: [], extra: {} }
  t.same((chatBody(request, {}).messages as unknown[]).slice(1), [
    { role: 'user', content: 'go' },
    { role: 'assistant', tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'a', arguments: '{}' } }] },
    { role: 'tool', content: toolResultText({ type: 'tool-result', callId: 'toolu_1', tool: 'a', output: 'A' }), tool_call_id: 'call_1' },
  ])
  t.same(responsesInput(messages, { codex: false, providerId: 'openai-responses', promptCaching: false }), [
    { role: 'user', content: 'go' },
    { role: 'assistant', content: 'Trying.' },
    { type: 'function_call', call_id: 'call_1', name: 'a', arguments: '{}' },
    { type: 'function_call_output', call_id: 'call_1', output: 'A' },
  ])
})

t.test('extra.body fields from request.build taps are merged; configured values do not override them', async (t) => {
  const request: ModelRequest = { provider: 'openai', model: 'm', activity: 'conversation', system: 's', messages: [], tools: [], extra: { body: { max_tokens: 5, temperature: 0.2 } } }
  const body = chatBody(request, { maxTokens: 100 })
  t.equal(body.max_tokens, 5)
  t.equal(body.temperature, 0.2)
})

t.test('reasoning signatures round-trip; a foreign signature is the encrypted content itself', async (t) => {
  t.same(decodeReasoningSignature(encodeReasoningSignature('rs_1', 'enc')), { id: 'rs_1', encrypted: 'enc' })
  t.same(decodeReasoningSignature('opaque'), { encrypted: 'opaque' })
})

t.test('usage: cache and reasoning normalised, compatible-server fields read, raw kept', async (t) => {
  t.same(chatUsage({ prompt_tokens: 100, completion_tokens: 10, prompt_cache_hit_tokens: 60, prompt_cache_miss_tokens: 40 }), { input: 40, output: 10, cacheRead: 60, raw: { prompt_tokens: 100, completion_tokens: 10, prompt_cache_hit_tokens: 60, prompt_cache_miss_tokens: 40 } })
  t.same(chatUsage({ prompt_tokens: 100, completion_tokens: 10, cache_read_input_tokens: 30, cache_creation_input_tokens: 20 }), { input: 50, output: 10, cacheRead: 30, cacheWrite: 20, raw: { prompt_tokens: 100, completion_tokens: 10, cache_read_input_tokens: 30, cache_creation_input_tokens: 20 } })
  t.same(responsesUsage({ input_tokens: 10, output_tokens: 4 }), { input: 10, output: 4, raw: { input_tokens: 10, output_tokens: 4 } })
})
