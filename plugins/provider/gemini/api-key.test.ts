import t from 'tap'
import { createCaptureServer, type CaptureServer, type CapturedResponse } from '../../../kernel/testing/capture-server.js'
import {
  callOptions, clearGeminiEnv, credential, drain, fakeCredentials, FIRST_CONTENTS, firstTurn, followUp, FOLLOW_UP_CONTENTS, GENERATION_25,
  geminiSse, SSE_HEADERS, stallServer, SYSTEM_INSTRUCTION, TEXT_ANSWER, testClient, TOOL_ANSWER, TOOLS, UA_TAIL,
} from './test-support.js'

clearGeminiEnv()

const KEY = 'test-key-0000'
const STREAM_PATH = '/v1beta/models/gemini-2.5-pro:streamGenerateContent?alt=sse'

async function server(t: Tap.Test, respond: (index: number) => CapturedResponse): Promise<CaptureServer> {
  const capture = await createCaptureServer((_req, index) => respond(index))
  t.teardown(() => capture.close())
  return capture
}
declare namespace Tap {
  type Test = import('tap').Test
}

const apiKeyClient = (url: string, env: Record<string, string> = {}, options: Record<string, unknown> = {}) =>
  testClient({ baseUrl: url, ...options }, env, fakeCredentials({ api_key: credential('api_key', KEY) }).resolver)

t.test('first turn: URL, headers (names and values) and body as gemini-cli sends them with a key', async (t) => {
  const capture = await server(t, () => ({ headers: SSE_HEADERS, chunks: geminiSse(TOOL_ANSWER) }))
  const chunks = await drain(apiKeyClient(capture.url).stream(firstTurn, callOptions()))
  const [req] = capture.requests
  t.equal(capture.requests.length, 1)
  t.equal(req.method, 'POST')
  t.equal(req.url, STREAM_PATH)
  t.same(Object.keys(req.headers).sort(), ['accept', 'accept-encoding', 'accept-language', 'connection', 'content-length', 'content-type', 'host', 'sec-fetch-mode', 'user-agent', 'x-goog-api-client', 'x-goog-api-key'])
  t.equal(req.headers['user-agent'], `AgentPlatform/0.1.0/gemini-2.5-pro ${UA_TAIL}`)
  t.equal(req.headers['x-goog-api-client'], `google-genai-sdk/1.30.0 gl-node/${process.version}`)
  t.equal(req.headers['x-goog-api-key'], KEY)
  t.equal(req.headers['content-type'], 'application/json')
  t.equal(req.headers.accept, '*/*')
  t.same(req.json, { contents: FIRST_CONTENTS, systemInstruction: SYSTEM_INSTRUCTION, tools: TOOLS, generationConfig: GENERATION_25 })
  t.same(chunks, [
    { type: 'thought', delta: 'I will read the note.' },
    { type: 'tool-call', callId: (chunks[1] as { callId: string }).callId, tool: 'read_note', input: { title: 'groceries' }, meta: { thoughtSignature: 'c2lnLWNhbGw=' } },
    { type: 'usage', usage: { input: 50, output: 30, reasoning: 20, cacheRead: 0, raw: TOOL_ANSWER[1].usageMetadata } },
    { type: 'finish', reason: 'tool_calls' },
  ])
  t.match((chunks[1] as { callId: string }).callId, /^read_note_\d+_0$/, 'gemini-cli style id when the model gave none')
})

t.test('follow-up carries the functionCall (with its signature) and the functionResponse', async (t) => {
  const capture = await server(t, () => ({ headers: SSE_HEADERS, chunks: geminiSse(TEXT_ANSWER) }))
  const chunks = await drain(apiKeyClient(capture.url).stream(followUp, callOptions()))
  t.equal(capture.requests[0].url, STREAM_PATH)
  t.same(capture.requests[0].json, { contents: FOLLOW_UP_CONTENTS, systemInstruction: SYSTEM_INSTRUCTION, tools: TOOLS, generationConfig: GENERATION_25 })
  t.same(chunks, [
    { type: 'text', delta: 'You need milk' },
    { type: 'thought', delta: '', signature: 'c2lnLXRleHQ=' },
    { type: 'text', delta: ' and eggs.' },
    { type: 'usage', usage: { input: 30, output: 6, reasoning: 0, cacheRead: 40, raw: TEXT_ANSWER[1].usageMetadata } },
    { type: 'finish', reason: 'stop' },
  ])
})

t.test('gateway (GOOGLE_GEMINI_BASE_URL), bearer mechanism, custom headers, surface and API version', async (t) => {
  const capture = await server(t, () => ({ headers: SSE_HEADERS, chunks: geminiSse(TEXT_ANSWER) }))
  const env = { GOOGLE_GEMINI_BASE_URL: capture.url, GEMINI_CLI_CUSTOM_HEADERS: 'X-Team: blue', GEMINI_API_KEY_AUTH_MECHANISM: 'bearer', GEMINI_CLI_SURFACE: 'server', GOOGLE_GENAI_API_VERSION: 'v1' }
  const keyless = testClient({}, env, fakeCredentials({}).resolver)
  await drain(keyless.stream(firstTurn, callOptions()))
  const [noKey] = capture.requests
  t.equal(noKey.url, '/v1/models/gemini-2.5-pro:streamGenerateContent?alt=sse')
  t.equal(noKey.headers['x-goog-api-key'], '', 'the gateway gets an empty key header when no key resolves')
  t.equal(noKey.headers.authorization, undefined)
  t.equal(noKey.headers['x-team'], 'blue')
  t.equal(noKey.headers['user-agent'], `AgentPlatform/0.1.0/gemini-2.5-pro (${process.platform}; ${process.arch}; server)`)
  await drain(testClient({}, env, fakeCredentials({ api_key: credential('api_key', KEY) }).resolver).stream(firstTurn, callOptions()))
  t.equal(capture.requests[1].headers['x-goog-api-key'], KEY)
  t.equal(capture.requests[1].headers.authorization, `Bearer ${KEY}`)
})

t.test('no key: AUTH_CREDENTIAL_MISSING naming the variables, and nothing is sent', async (t) => {
  const capture = await server(t, () => ({ status: 500 }))
  const chunks = await drain(testClient({ baseUrl: capture.url }, {}, fakeCredentials({}).resolver).stream(firstTurn, callOptions()))
  t.equal(chunks.length, 1)
  t.match(chunks[0], { type: 'error', code: 'AUTH_CREDENTIAL_MISSING', message: /GEMINI_API_KEY/ })
  t.equal(capture.requests.length, 0)
})

const googleError = (code: number, status: string, message: string, details: unknown[] = []) => JSON.stringify({ error: { code, message, status, details } })

t.test('429 with RetryInfo waits the given delay, then succeeds', async (t) => {
  const capture = await server(t, (i) =>
    i === 0
      ? { status: 429, headers: { 'content-type': 'application/json' }, body: googleError(429, 'RESOURCE_EXHAUSTED', 'Resource exhausted.', [{ '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: '0.3s' }]) }
      : { headers: SSE_HEADERS, chunks: geminiSse(TEXT_ANSWER) },
  )
  const started = Date.now()
  const chunks = await drain(apiKeyClient(capture.url).stream(firstTurn, callOptions()))
  t.equal(capture.requests.length, 2)
  t.ok(Date.now() - started >= 300, 'waited the RetryInfo delay')
  t.equal(chunks.at(-1)?.type, 'finish')
})

t.test('429 with Retry-After text is honoured too; a spent daily quota is not retried', async (t) => {
  const capture = await server(t, (i) =>
    i === 0
      ? { status: 429, headers: { 'content-type': 'application/json' }, body: googleError(429, 'RESOURCE_EXHAUSTED', 'Please retry in 250ms.') }
      : i === 1
        ? { headers: SSE_HEADERS, chunks: geminiSse(TEXT_ANSWER) }
        : { status: 429, headers: { 'content-type': 'application/json' }, body: googleError(429, 'RESOURCE_EXHAUSTED', 'Quota exceeded.', [{ '@type': 'type.googleapis.com/google.rpc.QuotaFailure', violations: [{ quotaId: 'GenerateRequestsPerDayPerProjectPerModel-FreeTier' }] }]) },
  )
  const started = Date.now()
  t.equal((await drain(apiKeyClient(capture.url).stream(firstTurn, callOptions()))).at(-1)?.type, 'finish')
  t.ok(Date.now() - started >= 250)
  const spent = await drain(apiKeyClient(capture.url).stream(firstTurn, callOptions()))
  t.match(spent, [{ type: 'error', code: 'PROVIDER_GEMINI_QUOTA_EXHAUSTED' }])
  t.equal(capture.requests.length, 3, 'no retry after a spent quota')
})

t.test('5xx: bounded retries with backoff, then a typed error; 400 is never retried', async (t) => {
  const capture = await server(t, (i) => (i < 3 ? { status: 503, headers: { 'content-type': 'application/json' }, body: googleError(503, 'UNAVAILABLE', 'The model is overloaded.') } : { status: 400, headers: { 'content-type': 'application/json' }, body: googleError(400, 'INVALID_ARGUMENT', 'Bad schema.') }))
  const failed = await drain(apiKeyClient(capture.url).stream(firstTurn, callOptions()))
  t.equal(capture.requests.length, 3, 'attempts: 3')
  t.match(failed, [{ type: 'error', code: 'PROVIDER_GEMINI_SERVER_ERROR', message: /overloaded/, retryable: true }])
  const bad = await drain(apiKeyClient(capture.url).stream(firstTurn, callOptions()))
  t.match(bad, [{ type: 'error', code: 'PROVIDER_GEMINI_BAD_REQUEST', message: /Bad schema/ }])
  t.equal(capture.requests.length, 4)
})

t.test('a malformed event after some text ends with a typed error', async (t) => {
  const capture = await server(t, () => ({ headers: SSE_HEADERS, chunks: [...geminiSse([TEXT_ANSWER[0]]), 'data: {"candidates": [\r\n\r\n'] }))
  const chunks = await drain(apiKeyClient(capture.url).stream(firstTurn, callOptions()))
  t.same(chunks.slice(0, 2), [{ type: 'text', delta: 'You need milk' }, { type: 'thought', delta: '', signature: 'c2lnLXRleHQ=' }])
  t.match(chunks.at(-1), { type: 'error', code: 'PROVIDER_GEMINI_MALFORMED_CHUNK' })
})

t.test('a stream cut off mid-way (socket destroyed, or clean end without finish) ends with STREAM_TRUNCATED', async (t) => {
  const capture = await server(t, (i) => ({ headers: SSE_HEADERS, chunks: [...geminiSse([TEXT_ANSWER[0]]), ...(i === 0 ? ['data: {"candi'] : [])], destroy: i === 0 }))
  const broken = await drain(apiKeyClient(capture.url).stream(firstTurn, callOptions()))
  t.equal(broken[0].type, 'text')
  t.match(broken.at(-1), { type: 'error', code: 'PROVIDER_GEMINI_STREAM_TRUNCATED' })
  const ended = await drain(apiKeyClient(capture.url).stream(firstTurn, callOptions()))
  t.match(ended.at(-1), { type: 'error', code: 'PROVIDER_GEMINI_STREAM_TRUNCATED' })
})

t.test('an idle stall ends with STREAM_IDLE within the configured timeout', async (t) => {
  const capture = await server(t, () => ({ headers: SSE_HEADERS, chunks: geminiSse([TEXT_ANSWER[0]]), hang: true }))
  const started = Date.now()
  const chunks = await drain(apiKeyClient(capture.url, {}, { idleTimeoutMs: 300 }).stream(firstTurn, callOptions()))
  t.equal(chunks[0].type, 'text')
  t.match(chunks.at(-1), { type: 'error', code: 'PROVIDER_GEMINI_STREAM_IDLE', retryable: true })
  t.ok(Date.now() - started < 2_000)
})

t.test('a server that never answers is an idle stall too', async (t) => {
  const capture = await server(t, () => ({ headers: SSE_HEADERS, chunks: [], hang: true }))
  const chunks = await drain(apiKeyClient(capture.url, {}, { idleTimeoutMs: 300 }).stream(firstTurn, callOptions()))
  t.match(chunks, [{ type: 'error', code: 'PROVIDER_GEMINI_STREAM_IDLE' }])
})

t.test('aborting the turn closes the HTTP request and ends the stream without an error', async (t) => {
  const stall = await stallServer(geminiSse([TEXT_ANSWER[0]])[0])
  t.teardown(() => stall.close())
  const controller = new AbortController()
  const seen: string[] = []
  for await (const chunk of apiKeyClient(stall.url).stream(firstTurn, callOptions(controller.signal))) {
    seen.push(chunk.type)
    controller.abort()
  }
  t.same(seen, ['text'])
  await stall.closed
  t.pass('the server saw the connection close')
})
