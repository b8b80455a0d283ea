import t from 'tap'
import { env } from '../../../kernel/index.js'
import type { EventEnvelope } from '../../../kernel/protocol/index.js'
import { createCaptureServer, sseBody, type CapturedRequest, type CapturedResponse, type CaptureServer } from '../../../kernel/testing/capture-server.js'
import { createTestKernel, type TestKernel } from '../../../kernel/testing/index.js'

for (const name of ['OPENAI_ORG_ID', 'OPENAI_PROJECT_ID', 'DASHSCOPE_API_KEY', 'LOCAL_TEST_KEY']) delete process.env[name]

const SSE = { 'content-type': 'text/event-stream' }
const FAST_RETRY = { attempts: 3, initialDelayMs: 5, maxDelayMs: 20, jitter: 0, maxRetryAfterMs: 5_000 }
const RUNTIME_HEADERS = new Set(['host', 'connection', 'content-length', 'accept-language', 'sec-fetch-mode', 'accept-encoding'])
const withoutRuntime = (r: CapturedRequest) => Object.fromEntries(Object.entries(r.headers).filter(([k]) => !RUNTIME_HEADERS.has(k)))
const OS: Record<string, string> = { linux: 'Linux', darwin: 'MacOS', win32: 'Windows' }
const okText = (): CapturedResponse => ({
  headers: SSE,
  chunks: sseBody([
    [null, { choices: [{ index: 0, delta: { reasoning_content: 'Hmm.' } }] }],
    [null, { choices: [{ index: 0, delta: { content: 'Hi.' }, finish_reason: 'stop' }] }],
    [null, { choices: [], usage: { prompt_tokens: 30, completion_tokens: 5, prompt_tokens_details: { cached_tokens: 10 } } }],
    [null, '[DONE]'],
  ]),
})

async function serve(t: Tap.Test, respond: (r: CapturedRequest, i: number) => CapturedResponse = okText): Promise<CaptureServer> {
  const server = await createCaptureServer(respond)
  t.teardown(() => server.close())
  return server
}
async function boot(t: Tap.Test, options: Record<string, unknown>): Promise<TestKernel> {
  const tk = await createTestKernel({ plugins: { 'provider-scripted': { chunkDelayMs: 0 }, 'provider-openai': { providers: [] }, 'provider-openai-compatible': { retry: FAST_RETRY, ...options } } as never })
  t.teardown(tk.close)
  return tk
}
declare namespace Tap {
  type Test = import('tap').Test
}

async function turn(tk: TestKernel, provider: string, model: string, text = 'hello'): Promise<EventEnvelope[]> {
  const engine = tk.kernel.engine
  const session = await engine.createSession({ provider, model })
  const seen: EventEnvelope[] = []
  const done = new Promise<EventEnvelope[]>((resolve) => {
    void tk.kernel.resolve('eventBus').subscribe(`session:${session.id}`, (e) => {
      seen.push(e)
      if (e.type === 'turn.completed') resolve(seen)
    })
  })
  await engine.prompt(session.id, { text })
  return done
}

const qwenAt = (server: CaptureServer, extra: Record<string, unknown> = {}) => ({
  endpoints: { qwen: { baseUrl: `${server.url}/compatible-mode/v1`, displayName: 'Qwen (DashScope)', apiKeyEnv: 'DASHSCOPE_API_KEY', models: ['qwen3-coder-plus'], acceptUnknownModels: true, maxTokens: 65536, ...extra } },
})

t.test('qwen by default: DashScope base URL, DASHSCOPE_API_KEY, one static model', async (t) => {
  const tk = await boot(t, {})
  t.same(tk.kernel.resolve('providerOpenaiCompatible').endpoints(), [
    { id: 'qwen', displayName: 'Qwen (DashScope)', baseUrl: 'https://dashscope.aliyuncs.com/compatible-mode/v1', apiKeyEnv: 'DASHSCOPE_API_KEY', requiresAuth: true, models: ['qwen3-coder-plus'] },
  ])
  const qwen = tk.kernel.resolve('registries').providers.get('qwen')!
  t.same(qwen.listModels(), [{ id: 'qwen3-coder-plus', displayName: 'Qwen3 Coder Plus', contextWindow: 1_000_000 }])
  t.same(qwen.apiKeyEnv, ['DASHSCOPE_API_KEY'], 'the variable is named to auth-api-key')
  t.match(await qwen.checkCredential!(), { ok: false, code: 'AUTH_CREDENTIAL_MISSING', message: /DASHSCOPE_API_KEY/ })
  process.env.DASHSCOPE_API_KEY = 'test-key-0000'
  t.teardown(() => delete process.env.DASHSCOPE_API_KEY)
  t.same(await qwen.checkCredential!(), { ok: true })
})

t.test('qwen end to end: the key from DASHSCOPE_API_KEY, the SDK headers, max_tokens 65536, usage normalised', async (t) => {
  process.env.DASHSCOPE_API_KEY = 'test-key-0000'
  t.teardown(() => delete process.env.DASHSCOPE_API_KEY)
  const server = await serve(t)
  const tk = await boot(t, qwenAt(server))
  const seen = await turn(tk, 'qwen', 'qwen3-coder-plus')
  t.notOk(seen.some((e) => e.type === 'error'))
  const [request] = server.requests
  t.equal(request.url, '/compatible-mode/v1/chat/completions')
  t.same(withoutRuntime(request), {
    accept: 'application/json',
    'user-agent': 'OpenAI/JS 5.23.2',
    'x-stainless-retry-count': '0',
    'x-stainless-lang': 'js',
    'x-stainless-package-version': '5.23.2',
    'x-stainless-os': OS[process.platform] ?? `Other:${process.platform}`,
    'x-stainless-arch': process.arch,
    'x-stainless-runtime': 'node',
    'x-stainless-runtime-version': process.version,
    authorization: 'Bearer test-key-0000',
    'content-type': 'application/json',
  })
  t.same(request.json, {
    model: 'qwen3-coder-plus',
    messages: [
      { role: 'system', content: 'You are a test agent.' },
      { role: 'user', content: 'hello' },
    ],
    stream: true,
    max_tokens: 65536,
    stream_options: { include_usage: true },
  })
  const tokens = seen.map((e) => (e.data as { tokens?: unknown }).tokens).find(Boolean)
  t.same(tokens, { input: 20, output: 5, cacheRead: 10 })
})

t.test('a config apiKey wins over the environment; headers and reasoning_effort are sent', async (t) => {
  process.env.DASHSCOPE_API_KEY = 'test-key-env-0000'
  process.env.LOCAL_TEST_KEY = 'test-key-config-0000'
  t.teardown(() => {
    delete process.env.DASHSCOPE_API_KEY
    delete process.env.LOCAL_TEST_KEY
  })
  const server = await serve(t)
  const tk = await boot(t, qwenAt(server, { apiKey: env('LOCAL_TEST_KEY'), headers: { 'X-DashScope-Trace': 'on' }, reasoningEffort: 'high' }))
  await turn(tk, 'qwen', 'qwen-max')
  const [request] = server.requests
  t.equal(request.headers.authorization, 'Bearer test-key-config-0000')
  t.equal(request.headers['x-dashscope-trace'], 'on')
  t.equal((request.json as { reasoning_effort: string }).reasoning_effort, 'high')
})

t.test('a keyless local endpoint with no model list; qwen: false removes the default', async (t) => {
  const server = await serve(t)
  const tk = await boot(t, { endpoints: { qwen: false, local: { baseUrl: `${server.url}/v1` } } })
  const providers = tk.kernel.resolve('registries').providers
  t.notOk(providers.get('qwen'))
  t.equal(providers.get('local')!.acceptsUnknownModels, true)
  t.same(await providers.get('local')!.checkCredential!(), { ok: true })
  const seen = await turn(tk, 'local', 'llama3.3:70b')
  t.notOk(seen.some((e) => e.type === 'error'))
  t.equal(server.requests[0].url, '/v1/chat/completions')
  t.match(server.requests[0].headers.authorization, /^Bearer\s*$/, 'an empty Bearer, as llxprt sends for local servers')
})

t.test('errors carry the plugin prefix: 429 retried then reported, a missing key fails the turn', async (t) => {
  process.env.DASHSCOPE_API_KEY = 'test-key-0000'
  const server = await serve(t, () => ({ status: 429, headers: { 'retry-after': '0' }, body: '{"error":{"message":"Throttling"}}' }))
  const tk = await boot(t, qwenAt(server))
  const seen = await turn(tk, 'qwen', 'qwen3-coder-plus')
  t.equal(server.requests.length, 3)
  t.match(seen.find((e) => e.type === 'error')?.data, { code: 'PROVIDER_OPENAI_COMPATIBLE_RATE_LIMITED', message: /Throttling/ })
  delete process.env.DASHSCOPE_API_KEY
  const missing = await turn(tk, 'qwen', 'qwen3-coder-plus')
  t.match(missing.find((e) => e.type === 'error')?.data, { code: 'AUTH_CREDENTIAL_MISSING', message: /DASHSCOPE_API_KEY/ })
  t.equal(server.requests.length, 3, 'nothing sent without a key')
})

t.test('stream: tool calls split across chunks, malformed arguments and an idle stall, with the compatible prefix', async (t) => {
  process.env.DASHSCOPE_API_KEY = 'test-key-0000'
  t.teardown(() => delete process.env.DASHSCOPE_API_KEY)
  const server = await serve(t, (_, i) =>
    i === 0
      ? {
          headers: SSE,
          chunks: sseBody([
            [null, { choices: [{ index: 0, delta: { tool_calls: [{ index: 0, id: 'call_q1', function: { name: 'read_', arguments: '{"ti' } }] } }] }],
            [null, { choices: [{ index: 0, delta: { tool_calls: [{ index: 0, function: { name: 'note', arguments: 'tle": oops' } }] } }] }],
            [null, { choices: [{ index: 0, delta: {}, finish_reason: 'tool_calls' }] }],
          ]),
        }
      : { headers: SSE, chunks: sseBody([[null, { choices: [{ index: 0, delta: { content: 'wait' } }] }]]), hang: true },
  )
  const tk = await boot(t, { ...qwenAt(server), idleTimeoutMs: 150 })
  const first = await turn(tk, 'qwen', 'qwen3-coder-plus')
  t.match(first.find((e) => e.type === 'error')?.data, { code: 'PROVIDER_OPENAI_COMPATIBLE_TOOL_ARGUMENTS_INVALID', message: /read_note/ })
  const second = await turn(tk, 'qwen', 'qwen3-coder-plus')
  t.match(second.find((e) => e.type === 'error')?.data, { code: 'PROVIDER_OPENAI_COMPATIBLE_STREAM_IDLE' })
})

t.test('follow-up with a tool call and its result: the exact Chat body to the endpoint', async (t) => {
  process.env.DASHSCOPE_API_KEY = 'test-key-0000'
  t.teardown(() => delete process.env.DASHSCOPE_API_KEY)
  const server = await serve(t)
  const tk = await boot(t, qwenAt(server))
  const client = tk.kernel.resolve('registries').providers.get('qwen')!.createClient({ logger: tk.logger })
  const request = {
    provider: 'qwen',
    model: 'qwen3-coder-plus',
    activity: 'conversation' as const,
    system: 'Be brief.',
    messages: [
      { role: 'user' as const, content: [{ type: 'text' as const, text: 'Read the note "tea".' }] },
      { role: 'assistant' as const, content: [{ type: 'tool-call' as const, callId: 'call_q1', tool: 'read_note', input: { title: 'tea' } }] },
      { role: 'tool' as const, content: [{ type: 'tool-result' as const, callId: 'call_q1', tool: 'read_note', output: 'oolong' }] },
    ],
    tools: [{ name: 'read_note', description: 'Reads a note.', inputSchema: { type: 'object', properties: { title: { type: 'string' } }, required: ['title'] } }],
    extra: {},
  }
  const chunks = []
  for await (const chunk of client.stream(request, { signal: new AbortController().signal, session: { id: 'ses_x' } as never, turnId: 'trn_x' })) chunks.push(chunk)
  t.same(chunks.map((c) => c.type), ['thought', 'text', 'usage', 'finish'])
  t.same(server.requests[0].json, {
    model: 'qwen3-coder-plus',
    messages: [
      { role: 'system', content: 'Be brief.' },
      { role: 'user', content: 'Read the note "tea".' },
      { role: 'assistant', tool_calls: [{ id: 'call_q1', type: 'function', function: { name: 'read_note', arguments: '{"title":"tea"}' } }] },
      { role: 'tool', content: 'status:\nsuccess\n\ntoolName:\nread_note\n\nerror:\n\n\noutput:\noolong', tool_call_id: 'call_q1' },
    ],
    stream: true,
    tools: [{ type: 'function', function: { name: 'read_note', description: 'Reads a note.', parameters: { type: 'object', properties: { title: { type: 'string' } }, required: ['title'] } } }],
    tool_choice: 'auto',
    max_tokens: 65536,
    stream_options: { include_usage: true },
  })
})

t.test('config: endpoint ids, env var names and unknown keys are checked', async (t) => {
  const { configSchema } = await import('./config.js')
  t.ok(configSchema.safeParse({ endpoints: { 'my-gateway': { baseUrl: 'https://gw.example.com/v1', apiKeyEnv: 'GW_KEY' } } }).success)
  t.notOk(configSchema.safeParse({ endpoints: { My_Gateway: { baseUrl: 'https://gw.example.com/v1' } } }).success, 'upper case id')
  t.notOk(configSchema.safeParse({ endpoints: { gw: { baseUrl: 'not a url' } } }).success, 'bad URL')
  t.notOk(configSchema.safeParse({ endpoints: { gw: { baseUrl: 'https://gw.example.com/v1', apiKeyEnv: 'BAD-NAME' } } }).success, 'bad env name')
  t.notOk(configSchema.safeParse({ endpoints: { gw: { baseUrl: 'https://gw.example.com/v1', base_url: 'x' } } }).success, 'unknown key')
})
