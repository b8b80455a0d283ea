import t from 'tap'
import type { ChatMessage, ToolSpec } from '../../../kernel/index.js'
import { createCaptureServer, type CapturedRequest } from '../../../kernel/testing/capture-server.js'
import { configSchema } from './config.js'
import { createAnthropicService } from './service.js'
import { callOptions, credential, drain, fakeCredentials, makeClient, modelRequest, OAUTH_TOKEN, quietLogger, redirectFetch, streamResponse, textReply } from './test-support.js'

/** Spec §2.1, §3, §4.2: what goes on the wire for each auth mode, first turn and follow-up. */

const TRANSPORT = new Set(['host', 'connection', 'content-length', 'accept-language', 'sec-fetch-mode', 'accept-encoding'])
const OS: Record<string, string> = { linux: 'Linux', darwin: 'MacOS', win32: 'Windows', freebsd: 'FreeBSD', openbsd: 'OpenBSD' }

/** The headers @anthropic-ai/sdk 0.55.1 adds to every call made as llxprt makes it (spec §2.1). */
const SDK_HEADERS = {
  accept: 'application/json',
  'user-agent': 'Anthropic/JS 0.55.1',
  'x-stainless-retry-count': '0',
  'x-stainless-timeout': '600',
  'x-stainless-lang': 'js',
  'x-stainless-package-version': '0.55.1',
  'x-stainless-os': OS[process.platform] ?? `Other:${process.platform}`,
  'x-stainless-arch': process.arch === 'ia32' ? 'x32' : process.arch,
  'x-stainless-runtime': 'node',
  'x-stainless-runtime-version': process.version,
  'anthropic-dangerous-direct-browser-access': 'true',
  'anthropic-version': '2023-06-01',
}

const headersOf = (r: CapturedRequest) => Object.fromEntries(Object.entries(r.headers).filter(([name]) => !TRANSPORT.has(name)))

const TOOLS: ToolSpec[] = [
  {
    name: 'write_file',
    description: 'Write a file.',
    inputSchema: { type: 'object', properties: { path: { type: 'string', description: 'Where.' }, content: { type: 'string' } }, required: ['path', 'content'], additionalProperties: false },
  },
  {
    name: 'read_file',
    description: 'Read a file.',
    inputSchema: { type: 'object', properties: { path: { type: 'string' }, limit: { type: 'integer', minimum: 1 } }, required: ['path'], additionalProperties: false },
  },
]

const wireTools = (prefix = '') => [
  { name: `${prefix}read_file`, description: 'Read a file.', input_schema: { type: 'object', properties: { limit: { type: 'integer', minimum: 1 }, path: { type: 'string' } }, required: ['path'] } },
  { name: `${prefix}write_file`, description: 'Write a file.', input_schema: { type: 'object', properties: { content: { type: 'string' }, path: { type: 'string', description: 'Where.' } }, required: ['path', 'content'] } },
]

const FOLLOW_UP: ChatMessage[] = [
  { role: 'user', content: [{ type: 'text', text: 'Read a.txt' }] },
  {
    role: 'assistant',
    content: [
      { type: 'reasoning', text: 'I should read it.', signature: 'sig-abc', providerId: 'anthropic' },
      { type: 'text', text: 'Reading.' },
      { type: 'tool-call', callId: 'toolu_01A', tool: 'read_file', input: { path: 'a.txt' } },
    ],
  },
  { role: 'tool', content: [{ type: 'tool-result', callId: 'toolu_01A', tool: 'read_file', output: 'hello world' }] },
]

const h1 = { type: 'ephemeral', ttl: '1h' }

async function capture(t: import('tap').Test) {
  const server = await createCaptureServer(() => streamResponse(textReply()))
  t.teardown(() => server.close())
  return server
}

t.test('API key, first turn on api.anthropic.com: exact URL, headers and body', async (t) => {
  const server = await capture(t)
  const { client } = makeClient(server)
  const chunks = await drain(client.stream(modelRequest({ tools: TOOLS }), callOptions()))
  t.same(chunks.map((c) => c.type), ['text', 'usage', 'finish'])
  const [req] = server.requests
  t.equal(req.method, 'POST')
  t.equal(req.url, '/v1/messages', 'no query string')
  t.same(headersOf(req), { ...SDK_HEADERS, 'x-api-key': 'test-key-0000', 'content-type': 'application/json', 'anthropic-beta': 'extended-cache-ttl-2025-04-11' })
  t.notOk(req.headers.authorization, 'no Authorization in API-key mode')
  const expected = {
    model: 'claude-sonnet-4-20250514',
    messages: [{ role: 'user', content: [{ type: 'text', text: 'Hello', cache_control: h1 }] }],
    max_tokens: 64000,
    stream: true,
    system: [{ type: 'text', text: 'You are a test agent.', cache_control: h1 }],
    tools: wireTools(),
    thinking: { type: 'enabled', budget_tokens: 10000 },
  }
  t.equal(req.body, JSON.stringify(expected), 'body fields, values and key order (tools sorted, properties sorted)')
})

t.test('API key, follow-up with thinking signature, tool_use and tool_result', async (t) => {
  const server = await capture(t)
  const { client } = makeClient(server)
  await drain(client.stream(modelRequest({ messages: FOLLOW_UP, tools: TOOLS }), callOptions()))
  const body = server.requests[0].json as Record<string, unknown>
  t.same(body.messages, [
    { role: 'user', content: 'Read a.txt' },
    {
      role: 'assistant',
      content: [
        { type: 'thinking', thinking: 'I should read it.', signature: 'sig-abc' },
        { type: 'text', text: 'Reading.' },
        { type: 'tool_use', id: 'toolu_01A', name: 'read_file', input: { path: 'a.txt' } },
      ],
    },
    { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_01A', content: 'hello world', cache_control: h1 }] },
  ])
  t.same(Object.keys(body), ['model', 'messages', 'max_tokens', 'stream', 'system', 'tools', 'thinking'])
})

t.test('OAuth (Claude subscription), first turn: Bearer, OAuth betas, claude-cli UA, Claude Code system, prefixed tools', async (t) => {
  const server = await capture(t)
  const { client } = makeClient(server, {}, fakeCredentials(credential('oauth')).resolver)
  await drain(client.stream(modelRequest({ tools: TOOLS }), callOptions()))
  const [req] = server.requests
  t.equal(req.url, '/v1/messages')
  t.same(headersOf(req), {
    ...SDK_HEADERS,
    'user-agent': 'claude-cli/2.1.2 (external, cli)',
    authorization: `Bearer ${OAUTH_TOKEN}`,
    'anthropic-beta': 'oauth-2025-04-20, interleaved-thinking-2025-05-14, extended-cache-ttl-2025-04-11',
    'content-type': 'application/json',
  })
  t.notOk(req.headers['x-api-key'], 'no X-Api-Key with an OAuth token')
  const expected = {
    model: 'claude-sonnet-4-20250514',
    messages: [
      { role: 'user', content: [{ type: 'text', text: '<system>\nYou are a test agent.\n</system>\n\nUser provided conversation begins here:', cache_control: h1 }] },
      { role: 'user', content: [{ type: 'text', text: 'Hello', cache_control: h1 }] },
    ],
    max_tokens: 64000,
    stream: true,
    system: "You are Claude Code, Anthropic's official CLI for Claude.",
    tools: wireTools('llxprt_'),
    thinking: { type: 'enabled', budget_tokens: 10000 },
  }
  t.equal(req.body, JSON.stringify(expected))
})

t.test('OAuth follow-up: history tool_use keeps the bare name; results follow; the prefix is stripped from streamed calls', async (t) => {
  const { ev } = await import('./test-support.js')
  const server = await createCaptureServer(() =>
    streamResponse([ev.start(), ev.blockStart(0, { type: 'tool_use', id: 'toolu_02B', name: 'llxprt_write_file', input: {} }), ev.json(0, '{"path":"b.txt","content":"x"}'), ev.blockStop(0), ev.delta('tool_use'), ev.stop()]),
  )
  t.teardown(() => server.close())
  const { client } = makeClient(server, {}, fakeCredentials(credential('oauth')).resolver)
  const chunks = await drain(client.stream(modelRequest({ messages: FOLLOW_UP, tools: TOOLS }), callOptions()))
  t.same(chunks.find((c) => c.type === 'tool-call'), { type: 'tool-call', callId: 'toolu_02B', tool: 'write_file', input: { path: 'b.txt', content: 'x' } })
  t.same(chunks.at(-1), { type: 'finish', reason: 'tool_calls' })
  const body = server.requests[0].json as { messages: unknown[]; system: unknown }
  t.equal(body.system, "You are Claude Code, Anthropic's official CLI for Claude.")
  t.same(body.messages, [
    { role: 'user', content: [{ type: 'text', text: '<system>\nYou are a test agent.\n</system>\n\nUser provided conversation begins here:', cache_control: h1 }] },
    { role: 'user', content: 'Read a.txt' },
    {
      role: 'assistant',
      content: [
        { type: 'thinking', thinking: 'I should read it.', signature: 'sig-abc' },
        { type: 'text', text: 'Reading.' },
        { type: 'tool_use', id: 'toolu_01A', name: 'read_file', input: { path: 'a.txt' } },
      ],
    },
    { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_01A', content: 'hello world', cache_control: h1 }] },
  ])
})

t.test('beta header and cache markers only on anthropic.com hosts; 5m has no beta; off has neither', async (t) => {
  const server = await capture(t)
  const saved = process.env.ANTHROPIC_BASE_URL
  t.teardown(() => (saved === undefined ? delete process.env.ANTHROPIC_BASE_URL : (process.env.ANTHROPIC_BASE_URL = saved)))
  process.env.ANTHROPIC_BASE_URL = server.url
  const creds = fakeCredentials(credential())
  const loopback = makeClient(server, { baseUrl: undefined }, creds.resolver)
  await drain(loopback.client.stream(modelRequest(), callOptions()))
  let req = server.requests.at(-1)!
  t.equal(req.url, '/v1/messages', 'ANTHROPIC_BASE_URL is used when no baseUrl option is set')
  t.notOk(req.headers['anthropic-beta'], 'no extended-cache-ttl beta for a non-Anthropic host')
  t.same((req.json as Record<string, unknown>).system, 'You are a test agent.', 'plain string system')
  t.same((req.json as Record<string, unknown>).messages, [{ role: 'user', content: 'Hello' }], 'no cache_control')
  t.same(creds.calls.resolve.at(-1), { providerId: 'anthropic', modes: ['api_key'] }, 'OAuth tokens are not asked for a third-party host')

  await drain(makeClient(server, { promptCaching: '5m' }).client.stream(modelRequest(), callOptions()))
  req = server.requests.at(-1)!
  t.notOk(req.headers['anthropic-beta'], '5m caching needs no beta')
  t.same((req.json as Record<string, unknown>).system, [{ type: 'text', text: 'You are a test agent.', cache_control: { type: 'ephemeral', ttl: '5m' } }])

  await drain(makeClient(server, { promptCaching: 'off' }).client.stream(modelRequest({ extra: { headers: { 'anthropic-beta': 'custom-beta-1' } } }), callOptions()))
  req = server.requests.at(-1)!
  t.equal(req.headers['anthropic-beta'], 'custom-beta-1', 'a custom beta passes alone when caching is off')
  t.same((req.json as Record<string, unknown>).system, 'You are a test agent.')

  await drain(makeClient(server, {}, fakeCredentials(credential('oauth')).resolver).client.stream(modelRequest({ extra: { headers: { 'anthropic-beta': 'custom-beta-1, oauth-2025-04-20' } } }), callOptions()))
  t.equal(server.requests.at(-1)!.headers['anthropic-beta'], 'custom-beta-1, oauth-2025-04-20, interleaved-thinking-2025-05-14, extended-cache-ttl-2025-04-11', 'merged without duplicates, custom first')
})

t.test('model list: beta.models.list() (GET /v1/models) with the same auth headers, merged into the static list', async (t) => {
  const server = await createCaptureServer(() => ({
    status: 200,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ data: [{ type: 'model', id: 'claude-new-9', display_name: 'Claude New 9', created_at: '2026-01-01T00:00:00Z' }], has_more: false, first_id: 'claude-new-9', last_id: 'claude-new-9' }),
  }))
  t.teardown(() => server.close())
  const service = createAnthropicService({ options: configSchema.parse({}), credentials: () => fakeCredentials(credential()).resolver, logger: quietLogger, fetch: redirectFetch(server) })
  const models = await service.refreshModels()
  const [req] = server.requests
  t.equal(req.method, 'GET')
  // The SDK's path is '/v1/models?beta=true', but @anthropic-ai/sdk 0.55.1 replaces the query with the
  // (empty) params, so llxprt's `beta.models.list()` really sends GET /v1/models: mirrored as is.
  t.equal(req.url, '/v1/models')
  const { 'x-stainless-timeout': _timeout, ...getHeaders } = SDK_HEADERS
  t.same(headersOf(req), { ...getHeaders, 'x-api-key': 'test-key-0000' }, 'no X-Stainless-Timeout on the SDK GET')
  t.ok(models.some((m) => m.id === 'claude-sonnet-4-20250514'), 'static models kept')
  t.same(models.at(-1), { id: 'claude-new-9', displayName: 'Claude New 9', contextWindow: 200000 })
  const none = createAnthropicService({ options: configSchema.parse({}), credentials: () => fakeCredentials(null).resolver, logger: quietLogger, fetch: redirectFetch(server) })
  t.equal((await none.refreshModels()).length, service.listModels().length - 1, 'no credential: static list, no request')
  t.equal(server.requests.length, 1)
})
