import t from 'tap'
import { createCaptureServer, sseBody, type CapturedRequest, type CapturedResponse, type CaptureServer } from '../../../kernel/testing/capture-server.js'
import { apiKey, call, clientFor, drain, fakeCredentials, firstTurn, followUp, SSE_HEADERS } from './test-support.js'

delete process.env.OPENAI_BASE_URL

const RUNTIME_HEADERS = new Set(['host', 'connection', 'content-length', 'accept-language', 'sec-fetch-mode', 'accept-encoding'])
const withoutRuntime = (r: CapturedRequest) => Object.fromEntries(Object.entries(r.headers).filter(([k]) => !RUNTIME_HEADERS.has(k)))

const ev = (type: string, data: Record<string, unknown>): [string, unknown] => [type, { type, ...data }]
const COMPLETED = ev('response.completed', { response: { id: 'resp_1', status: 'completed', usage: { input_tokens: 12, output_tokens: 3, total_tokens: 15 } } })
const okText = (): CapturedResponse => ({ headers: SSE_HEADERS, chunks: sseBody([ev('response.output_text.delta', { item_id: 'msg_1', delta: 'ok' }), COMPLETED]) })

async function serve(t: Tap.Test, respond: (r: CapturedRequest, i: number) => CapturedResponse): Promise<CaptureServer> {
  const server = await createCaptureServer(respond)
  t.teardown(() => server.close())
  return server
}
declare namespace Tap {
  type Test = import('tap').Test
}

const creds = () => fakeCredentials({ openai: apiKey('openai') })
const responsesClient = (baseUrl: string, extra: Record<string, unknown> = {}, credentials = creds()) => clientFor('openai-responses', { responses: { baseUrl: `${baseUrl}/v1`, ...extra } }, credentials)

t.test('first turn: POST {base}/responses over fetch, Bearer + charset content type + AgentPlatform UA, no SDK headers', async (t) => {
  const server = await serve(t, okText)
  const out = await drain(responsesClient(server.url).stream(firstTurn('openai-responses', 'gpt-4.1'), call()))
  t.same(out.map((c) => c.type), ['text', 'usage', 'finish'])
  const [request] = server.requests
  t.equal(request.method, 'POST')
  t.equal(request.url, '/v1/responses')
  t.same(withoutRuntime(request), {
    authorization: 'Bearer test-key-0000',
    'content-type': 'application/json; charset=utf-8',
    'user-agent': 'AgentPlatform/0.1.0',
    accept: '*/*',
  })
  t.equal(
    request.body,
    JSON.stringify({
      model: 'gpt-4.1',
      input: [{ role: 'user', content: 'Find my notes on tea.' }],
      stream: true,
      instructions: 'You are terse.',
      prompt_cache_key: 'ses_test_0001',
      prompt_cache_retention: '24h',
    }),
  )
})

t.test('follow-up: reasoning replayed with its encrypted content, function_call + output, tools, reasoning/include/text/max_output_tokens', async (t) => {
  const server = await serve(t, okText)
  const signature = JSON.stringify({ id: 'rs_1', encrypted_content: 'enc-0001' })
  const options = { reasoningEffort: 'medium', reasoningSummary: 'auto', maxOutputTokens: 2048, textVerbosity: 'low', promptCaching: false }
  await drain(responsesClient(server.url, options).stream(followUp('openai-responses', 'o3', { text: 'Need a search.', signature, providerId: 'openai-responses' }), call()))
  t.same(server.requests[0].json, {
    model: 'o3',
    input: [
      { role: 'user', content: 'Find my notes on tea.' },
      { type: 'reasoning', id: 'rs_1', summary: [{ type: 'summary_text', text: 'Need a search.' }], encrypted_content: 'enc-0001' },
      { role: 'assistant', content: 'Searching.' },
      { type: 'function_call', call_id: 'call_abc123', name: 'search_notes', arguments: '{"query":"tea"}' },
      { type: 'function_call_output', call_id: 'call_abc123', output: 'green tea; oolong' },
    ],
    stream: true,
    max_output_tokens: 2048,
    instructions: 'You are terse.',
    tools: [
      {
        type: 'function',
        name: 'search_notes',
        description: 'Search the notes.',
        parameters: { type: 'object', properties: { query: { type: 'string', description: 'Words to find' }, limit: { type: 'integer', minimum: 1 } }, required: ['query'] },
        strict: null,
      },
    ],
    tool_choice: 'auto',
    parallel_tool_calls: true,
    reasoning: { effort: 'medium', summary: 'auto' },
    include: ['reasoning.encrypted_content'],
    text: { verbosity: 'low' },
  })
})

t.test("another provider's reasoning is not replayed; a long session id becomes an rk: cache key", async (t) => {
  const server = await serve(t, okText)
  const request = followUp('openai-responses', 'o3', { text: 'x', signature: 'sig-from-elsewhere', providerId: 'anthropic' })
  await drain(responsesClient(server.url).stream(request, call(undefined, 's'.repeat(80))))
  const body = server.requests[0].json as { input: Array<{ type?: string }>; prompt_cache_key: string }
  t.notOk(body.input.some((i) => i.type === 'reasoning'))
  t.match(body.prompt_cache_key, /^rk:[0-9a-f]{61}$/)
})

t.test('a key stored for openai serves openai-responses', async (t) => {
  const server = await serve(t, okText)
  const credentials = creds()
  await drain(responsesClient(server.url, {}, credentials).stream(firstTurn('openai-responses', 'gpt-4.1'), call()))
  t.same(credentials.queries.map((q) => q.providerId), ['openai-responses', 'openai'])
  t.equal(server.requests[0].headers.authorization, 'Bearer test-key-0000')
})

t.test('stream: reasoning summaries, encrypted reasoning as signature, text, a function call split across deltas, usage', async (t) => {
  const usage = { input_tokens: 200, input_tokens_details: { cached_tokens: 150 }, output_tokens: 60, output_tokens_details: { reasoning_tokens: 25 }, total_tokens: 260 }
  const fc = { id: 'fc_1', type: 'function_call', call_id: 'call_9', name: 'search_notes' }
  const events = sseBody([
    ev('response.created', { response: { id: 'resp_1', status: 'in_progress' } }),
    ev('response.output_item.added', { item: { id: 'rs_1', type: 'reasoning', summary: [] } }),
    ev('response.reasoning_summary_text.delta', { item_id: 'rs_1', summary_index: 0, delta: 'Think' }),
    ev('response.reasoning_summary_text.delta', { item_id: 'rs_1', summary_index: 0, delta: 'ing.' }),
    ev('response.reasoning_summary_text.delta', { item_id: 'rs_1', summary_index: 1, delta: 'More.' }),
    ev('response.output_item.done', { item: { id: 'rs_1', type: 'reasoning', summary: [{ type: 'summary_text', text: 'Thinking.' }], encrypted_content: 'enc-xyz' } }),
    ev('response.output_text.delta', { item_id: 'msg_1', delta: 'Hel' }),
    ev('response.output_text.delta', { item_id: 'msg_1', delta: 'lo' }),
    ev('response.output_item.added', { item: { ...fc, arguments: '' } }),
    ev('response.function_call_arguments.delta', { item_id: 'fc_1', delta: '{"query":' }),
    ev('response.function_call_arguments.delta', { item_id: 'fc_1', delta: '"tea"}' }),
    ev('response.output_item.done', { item: { ...fc, arguments: '{"query":"tea"}' } }),
    ev('response.completed', { response: { id: 'resp_1', status: 'completed', usage } }),
  ])
  const split = events[9]
  const server = await serve(t, () => ({ headers: SSE_HEADERS, chunks: [...events.slice(0, 9), split.slice(0, 30), { pauseMs: 10 }, split.slice(30), ...events.slice(10)] }))
  const out = await drain(responsesClient(server.url).stream(firstTurn('openai-responses', 'o3'), call()))
  t.same(out, [
    { type: 'thought', delta: 'Think' },
    { type: 'thought', delta: 'ing.' },
    { type: 'thought', delta: '\n\nMore.' },
    { type: 'thought', delta: '', signature: JSON.stringify({ id: 'rs_1', encrypted_content: 'enc-xyz' }) },
    { type: 'text', delta: 'Hel' },
    { type: 'text', delta: 'lo' },
    { type: 'tool-call', callId: 'call_9', tool: 'search_notes', input: { query: 'tea' } },
    { type: 'usage', usage: { input: 50, output: 60, reasoning: 25, cacheRead: 150, raw: usage } },
    { type: 'finish', reason: 'tool_calls' },
  ])
})

t.test('incomplete response finishes with length; failed and error events, malformed JSON and a missing terminal event are typed errors', async (t) => {
  const incomplete = await serve(t, () => ({ headers: SSE_HEADERS, chunks: sseBody([ev('response.output_text.delta', { delta: 'cut' }), ev('response.incomplete', { response: { status: 'incomplete', incomplete_details: { reason: 'max_output_tokens' } } })]) }))
  t.same((await drain(responsesClient(incomplete.url).stream(firstTurn('openai-responses', 'o3'), call()))).at(-1), { type: 'finish', reason: 'length' })

  const cases: Array<[string, string[], string, RegExp]> = [
    ['failed', sseBody([ev('response.failed', { response: { status: 'failed', error: { code: 'server_error', message: 'The model crashed' } } })]), 'PROVIDER_OPENAI_RESPONSE_FAILED', /The model crashed/],
    ['error event', sseBody([ev('error', { code: 'rate_limit_exceeded', message: 'Too many tokens' })]), 'PROVIDER_OPENAI_RESPONSE_FAILED', /Too many tokens \(rate_limit_exceeded\)/],
    ['malformed', ['event: response.output_text.delta\ndata: {"type":\n\n'], 'PROVIDER_OPENAI_STREAM_MALFORMED', /not valid JSON/],
    ['no terminal', sseBody([ev('response.output_text.delta', { delta: 'part' })]), 'PROVIDER_OPENAI_STREAM_TRUNCATED', /ended before/],
    ['destroyed', [...sseBody([ev('response.output_text.delta', { delta: 'part' })]), 'data: {"type":"respo'], 'PROVIDER_OPENAI_STREAM_TRUNCATED', /ended before/],
  ]
  for (const [name, chunks, code, message] of cases) {
    const server = await serve(t, () => ({ headers: SSE_HEADERS, chunks: [...chunks, { pauseMs: 20 }], destroy: name === 'destroyed' }))
    const out = await drain(responsesClient(server.url).stream(firstTurn('openai-responses', 'o3'), call()))
    t.match(out.at(-1), { type: 'error', code, message }, name)
  }
})

t.test('an idle stall ends with PROVIDER_OPENAI_STREAM_IDLE; a 429 waits for Retry-After', async (t) => {
  const stalled = await serve(t, () => ({ headers: SSE_HEADERS, chunks: sseBody([ev('response.output_text.delta', { delta: 'so far' })]), hang: true }))
  const started = Date.now()
  const out = await drain(clientFor('openai-responses', { responses: { baseUrl: stalled.url }, idleTimeoutMs: 150 }, creds()).stream(firstTurn('openai-responses', 'o3'), call()))
  t.match(out, [{ type: 'text' }, { type: 'error', code: 'PROVIDER_OPENAI_STREAM_IDLE' }])
  t.ok(Date.now() - started < 2_000)

  const limited = await serve(t, (_, i) => (i === 0 ? { status: 429, headers: { 'retry-after': '0.1' }, body: '{"error":{"message":"slow down"}}' } : okText()))
  const retry = { attempts: 2, initialDelayMs: 20_000, maxDelayMs: 20_000, jitter: 0, maxRetryAfterMs: 5_000 }
  const begun = Date.now()
  const done = await drain(clientFor('openai-responses', { responses: { baseUrl: limited.url }, retry }, creds()).stream(firstTurn('openai-responses', 'o3'), call()))
  t.equal(limited.requests.length, 2)
  t.ok(Date.now() - begun < 5_000, 'Retry-After used, not the 20 s backoff')
  t.same(done.map((c) => c.type), ['text', 'usage', 'finish'])
})
