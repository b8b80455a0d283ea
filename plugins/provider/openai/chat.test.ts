import t from 'tap'
import { createCaptureServer, sseBody, type CapturedRequest, type CaptureServer, type CapturedResponse } from '../../../kernel/testing/capture-server.js'
import { apiKey, call, clientFor, drain, fakeCredentials, firstTurn, followUp, SSE_HEADERS } from './test-support.js'

for (const name of ['OPENAI_ORG_ID', 'OPENAI_PROJECT_ID', 'OPENAI_BASE_URL']) delete process.env[name]

const RUNTIME_HEADERS = new Set(['host', 'connection', 'content-length', 'accept-language', 'sec-fetch-mode', 'accept-encoding'])
const withoutRuntime = (r: CapturedRequest) => Object.fromEntries(Object.entries(r.headers).filter(([k]) => !RUNTIME_HEADERS.has(k)))
const OS: Record<string, string> = { linux: 'Linux', darwin: 'MacOS', win32: 'Windows', freebsd: 'FreeBSD', openbsd: 'OpenBSD' }

/** The openai SDK 5.23.2 header set (§2.2) plus the Bearer key. */
const sdkHeaders = (key: string) => ({
  accept: 'application/json',
  'user-agent': 'OpenAI/JS 5.23.2',
  'x-stainless-retry-count': '0',
  'x-stainless-lang': 'js',
  'x-stainless-package-version': '5.23.2',
  'x-stainless-os': OS[process.platform] ?? `Other:${process.platform}`,
  'x-stainless-arch': process.arch,
  'x-stainless-runtime': 'node',
  'x-stainless-runtime-version': process.version,
  authorization: `Bearer ${key}`,
  'content-type': 'application/json',
})

const DONE: Array<[null, unknown]> = [
  [null, { choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] }],
  [null, { choices: [], usage: { prompt_tokens: 10, completion_tokens: 2, total_tokens: 12 } }],
  [null, '[DONE]'],
]
const okText = (): CapturedResponse => ({ headers: SSE_HEADERS, chunks: sseBody([[null, { choices: [{ index: 0, delta: { role: 'assistant', content: 'ok' } }] }], ...DONE]) })

async function serve(t: Tap.Test, respond: (r: CapturedRequest, i: number) => CapturedResponse): Promise<CaptureServer> {
  const server = await createCaptureServer(respond)
  t.teardown(() => server.close())
  return server
}
declare namespace Tap {
  type Test = import('tap').Test
}

const creds = () => fakeCredentials({ openai: apiKey('openai') })

t.test('first turn: exact URL, SDK headers and body', async (t) => {
  const server = await serve(t, okText)
  const chunks = await drain(clientFor('openai', { openai: { baseUrl: `${server.url}/v1` } }, creds()).stream(firstTurn('openai', 'gpt-4.1'), call()))
  t.same(chunks.map((c) => c.type), ['text', 'usage', 'finish'])
  const [request] = server.requests
  t.equal(request.method, 'POST')
  t.equal(request.url, '/v1/chat/completions')
  t.same(withoutRuntime(request), sdkHeaders('test-key-0000'))
  t.equal(
    request.body,
    JSON.stringify({
      model: 'gpt-4.1',
      messages: [
        { role: 'system', content: 'You are terse.' },
        { role: 'user', content: 'Find my notes on tea.' },
      ],
      stream: true,
      stream_options: { include_usage: true },
    }),
    'the body, key order included',
  )
})

t.test('follow-up: assistant tool_calls, tool message, tools with tool_choice auto; configured max_tokens and reasoning_effort', async (t) => {
  const server = await serve(t, okText)
  const options = { openai: { baseUrl: `${server.url}/v1`, maxTokens: 4096, reasoningEffort: 'low', headers: { 'X-Team': 'blue' } } }
  await drain(clientFor('openai', options, creds()).stream(followUp('openai', 'o4-mini'), call()))
  const [request] = server.requests
  t.equal(request.headers['x-team'], 'blue', 'configured headers are sent')
  t.same(request.json, {
    model: 'o4-mini',
    messages: [
      { role: 'system', content: 'You are terse.' },
      { role: 'user', content: 'Find my notes on tea.' },
      { role: 'assistant', tool_calls: [{ id: 'call_abc123', type: 'function', function: { name: 'search_notes', arguments: '{"query":"tea"}' } }] },
      { role: 'tool', content: 'status:\nsuccess\n\ntoolName:\nsearch_notes\n\nerror:\n\n\noutput:\ngreen tea; oolong', tool_call_id: 'call_abc123' },
    ],
    stream: true,
    tools: [
      {
        type: 'function',
        function: {
          name: 'search_notes',
          description: 'Search the notes.',
          parameters: { type: 'object', properties: { query: { type: 'string', description: 'Words to find' }, limit: { type: 'integer', minimum: 1 } }, required: ['query'], additionalProperties: false },
        },
      },
    ],
    tool_choice: 'auto',
    reasoning_effort: 'low',
    max_tokens: 4096,
    stream_options: { include_usage: true },
  })
})

t.test('OPENAI_BASE_URL is used when no baseUrl is configured', async (t) => {
  const server = await serve(t, okText)
  process.env.OPENAI_BASE_URL = `${server.url}/proxy/v1`
  t.teardown(() => delete process.env.OPENAI_BASE_URL)
  await drain(clientFor('openai', {}, creds()).stream(firstTurn('openai', 'gpt-4.1'), call()))
  t.equal(server.requests[0].url, '/proxy/v1/chat/completions')
})

t.test('stream: reasoning, text, tool calls split across chunks (and one event split across writes), usage, finish', async (t) => {
  const events = sseBody([
    [null, { choices: [{ index: 0, delta: { role: 'assistant', reasoning_content: 'Let me ' } }] }],
    [null, { choices: [{ index: 0, delta: { reasoning_content: 'think.' } }] }],
    [null, { choices: [{ index: 0, delta: { content: 'Hel' } }] }],
    [null, { choices: [{ index: 0, delta: { content: 'lo' } }] }],
    [null, { choices: [{ index: 0, delta: { tool_calls: [{ index: 0, id: 'call_1', type: 'function', function: { name: 'search_notes', arguments: '{"que' } }] } }] }],
    [null, { choices: [{ index: 0, delta: { tool_calls: [{ index: 0, function: { arguments: 'ry":"tea"}' } }] } }] }],
    [null, { choices: [{ index: 0, delta: { tool_calls: [{ index: 1, id: 'call_2', type: 'function', function: { name: 'search_notes', arguments: '{"query":"milk"}' } }] } }] }],
    [null, { choices: [{ index: 0, delta: {}, finish_reason: 'tool_calls' }] }],
    [null, { choices: [], usage: { prompt_tokens: 120, completion_tokens: 40, total_tokens: 160, prompt_tokens_details: { cached_tokens: 100 }, completion_tokens_details: { reasoning_tokens: 12 } } }],
    [null, '[DONE]'],
  ])
  const split = events[5]
  const chunks = [...events.slice(0, 5), split.slice(0, 17), { pauseMs: 10 }, split.slice(17), ...events.slice(6)]
  const server = await serve(t, () => ({ headers: SSE_HEADERS, chunks }))
  const out = await drain(clientFor('openai', { openai: { baseUrl: server.url } }, creds()).stream(firstTurn('openai', 'gpt-4.1'), call()))
  t.same(out, [
    { type: 'thought', delta: 'Let me ' },
    { type: 'thought', delta: 'think.' },
    { type: 'text', delta: 'Hel' },
    { type: 'text', delta: 'lo' },
    { type: 'tool-call', callId: 'call_1', tool: 'search_notes', input: { query: 'tea' } },
    { type: 'tool-call', callId: 'call_2', tool: 'search_notes', input: { query: 'milk' } },
    {
      type: 'usage',
      usage: { input: 20, output: 40, reasoning: 12, cacheRead: 100, raw: { prompt_tokens: 120, completion_tokens: 40, total_tokens: 160, prompt_tokens_details: { cached_tokens: 100 }, completion_tokens_details: { reasoning_tokens: 12 } } },
    },
    { type: 'finish', reason: 'tool_calls' },
  ])
})

t.test('malformed tool-call JSON ends with a clear error after the text', async (t) => {
  const server = await serve(t, () => ({
    headers: SSE_HEADERS,
    chunks: sseBody([
      [null, { choices: [{ index: 0, delta: { content: 'Calling' } }] }],
      [null, { choices: [{ index: 0, delta: { tool_calls: [{ index: 0, id: 'call_1', function: { name: 'search_notes', arguments: '{"query": tea}' } }] } }] }],
      ...DONE,
    ]),
  }))
  const out = await drain(clientFor('openai', { openai: { baseUrl: server.url } }, creds()).stream(firstTurn('openai', 'gpt-4.1'), call()))
  t.same(out.map((c) => c.type), ['text', 'error'])
  t.match(out[1], { code: 'PROVIDER_OPENAI_TOOL_ARGUMENTS_INVALID', message: /search_notes/ })
})

t.test('a malformed event, a broken stream and a stream without finish are typed errors', async (t) => {
  const cases: Array<[string, CapturedResponse, string]> = [
    ['malformed', { headers: SSE_HEADERS, chunks: ['data: {"choices": [\n\n'] }, 'PROVIDER_OPENAI_STREAM_MALFORMED'],
    ['destroyed', { headers: SSE_HEADERS, chunks: [...sseBody([[null, { choices: [{ index: 0, delta: { content: 'par' } }] }]]), { pauseMs: 30 }], destroy: true }, 'PROVIDER_OPENAI_STREAM_TRUNCATED'],
    ['no finish', { headers: SSE_HEADERS, chunks: sseBody([[null, { choices: [{ index: 0, delta: { content: 'par' } }] }], [null, '[DONE]']]) }, 'PROVIDER_OPENAI_STREAM_TRUNCATED'],
  ]
  for (const [name, response, code] of cases) {
    const server = await serve(t, () => response)
    const out = await drain(clientFor('openai', { openai: { baseUrl: server.url } }, creds()).stream(firstTurn('openai', 'gpt-4.1'), call()))
    t.equal(out.at(-1)?.type, 'error', name)
    t.equal((out.at(-1) as { code: string }).code, code, name)
  }
})

t.test('an error object inside the stream fails the call with its message; events after [DONE] are ignored', async (t) => {
  const failing = await serve(t, () => ({
    headers: SSE_HEADERS,
    chunks: sseBody([[null, { choices: [{ index: 0, delta: { content: 'so far' } }] }], [null, { error: { message: 'The server is overloaded', type: 'server_error' } }]]),
  }))
  const out = await drain(clientFor('openai', { openai: { baseUrl: failing.url } }, creds()).stream(firstTurn('openai', 'gpt-4.1'), call()))
  t.same(out.map((c) => c.type), ['text', 'error'])
  t.match(out[1], { code: 'PROVIDER_OPENAI_RESPONSE_FAILED', message: /The server is overloaded/ })
  const trailing = await serve(t, () => ({ headers: SSE_HEADERS, chunks: sseBody([[null, { choices: [{ index: 0, delta: { content: 'ok' } }] }], ...DONE, [null, { choices: [{ index: 0, delta: { content: 'late' } }] }]]) }))
  const ok = await drain(clientFor('openai', { openai: { baseUrl: trailing.url } }, creds()).stream(firstTurn('openai', 'gpt-4.1'), call()))
  t.same(ok.map((c) => c.type), ['text', 'usage', 'finish'])
  t.notMatch(JSON.stringify(ok), /late/)
})

t.test('an idle stall ends with PROVIDER_OPENAI_STREAM_IDLE within the configured timeout', async (t) => {
  const server = await serve(t, () => ({ headers: SSE_HEADERS, chunks: sseBody([[null, { choices: [{ index: 0, delta: { content: 'so far' } }] }]]), hang: true }))
  const started = Date.now()
  const out = await drain(clientFor('openai', { openai: { baseUrl: server.url }, idleTimeoutMs: 150 }, creds()).stream(firstTurn('openai', 'gpt-4.1'), call()))
  t.same(out.map((c) => c.type), ['text', 'error'])
  t.equal((out[1] as { code: string }).code, 'PROVIDER_OPENAI_STREAM_IDLE')
  t.ok(Date.now() - started < 2_000, 'never hangs')
})

t.test('429 honours Retry-After, 5xx retries with backoff, 400 is never retried', async (t) => {
  const slowBackoff = { attempts: 3, initialDelayMs: 20_000, maxDelayMs: 20_000, jitter: 0, maxRetryAfterMs: 5_000 }
  const limited = await serve(t, (_, i) => (i === 0 ? { status: 429, headers: { 'retry-after': '0.2', 'content-type': 'application/json' }, body: '{"error":{"message":"slow down"}}' } : okText()))
  const started = Date.now()
  const out = await drain(clientFor('openai', { openai: { baseUrl: limited.url }, retry: slowBackoff }, creds()).stream(firstTurn('openai', 'gpt-4.1'), call()))
  const elapsed = Date.now() - started
  t.equal(limited.requests.length, 2)
  t.ok(elapsed >= 180 && elapsed < 5_000, `waited the server's 200 ms, not the 20 s backoff (${elapsed} ms)`)
  t.same(out.map((c) => c.type), ['text', 'usage', 'finish'])

  const failing = await serve(t, () => ({ status: 503, body: '{"error":{"message":"overloaded"}}' }))
  const failed = await drain(clientFor('openai', { openai: { baseUrl: failing.url } }, creds()).stream(firstTurn('openai', 'gpt-4.1'), call()))
  t.equal(failing.requests.length, 3, 'all attempts used')
  t.match(failed, [{ type: 'error', code: 'PROVIDER_OPENAI_SERVER_ERROR', message: /503.*overloaded/, retryable: true }])

  const rejected = await serve(t, () => ({ status: 400, body: '{"error":{"message":"Unknown parameter"}}' }))
  const bad = await drain(clientFor('openai', { openai: { baseUrl: rejected.url } }, creds()).stream(firstTurn('openai', 'gpt-4.1'), call()))
  t.equal(rejected.requests.length, 1)
  t.match(bad, [{ type: 'error', code: 'PROVIDER_OPENAI_REQUEST_REJECTED', message: /Unknown parameter/ }])

  const quota = await serve(t, () => ({ status: 429, body: '{"error":{"message":"You exceeded your quota","code":"insufficient_quota"}}' }))
  const spent = await drain(clientFor('openai', { openai: { baseUrl: quota.url } }, creds()).stream(firstTurn('openai', 'gpt-4.1'), call()))
  t.equal(quota.requests.length, 1, 'quota exhaustion is not retried')
  t.match(spent, [{ type: 'error', code: 'PROVIDER_OPENAI_QUOTA_EXHAUSTED' }])
})

t.test('401 asks the credential source to refresh once; an API key cannot be renewed', async (t) => {
  const server = await serve(t, () => ({ status: 401, body: '{"error":{"message":"Incorrect API key provided: test-key-0000"}}' }))
  const credentials = creds()
  const out = await drain(clientFor('openai', { openai: { baseUrl: server.url } }, credentials).stream(firstTurn('openai', 'gpt-4.1'), call()))
  t.same(credentials.refreshes, ['openai:rejected'])
  t.equal(server.requests.length, 1)
  t.match(out, [{ type: 'error', code: 'PROVIDER_OPENAI_AUTH_FAILED', message: /OPENAI_API_KEY/ }])
  t.notMatch((out[0] as { message: string }).message, /test-key-0000/, 'the key never appears')
})

t.test('no credential: AUTH_CREDENTIAL_MISSING naming OPENAI_API_KEY, and nothing is sent', async (t) => {
  const server = await serve(t, okText)
  const out = await drain(clientFor('openai', { openai: { baseUrl: server.url } }, fakeCredentials({})).stream(firstTurn('openai', 'gpt-4.1'), call()))
  t.match(out, [{ type: 'error', code: 'AUTH_CREDENTIAL_MISSING', message: /OPENAI_API_KEY/ }])
  t.equal(server.requests.length, 0)
})
