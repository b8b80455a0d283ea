import t from 'tap'
import type { StreamChunk } from '../../../kernel/index.js'
import { createCaptureServer, type CapturedRequest, type CapturedResponse } from '../../../kernel/testing/capture-server.js'
import { callOptions, credential, drain, errorResponse, ev, fakeCredentials, makeClient, modelRequest, sse, streamResponse, textReply } from './test-support.js'

/** Spec §12.6-12.7: 429 honours Retry-After, 5xx/529 bounded retries, 401 refresh once, never 400/404. */

type T = import('tap').Test

async function serve(t: T, answers: CapturedResponse[]) {
  const server = await createCaptureServer((_req, index) => answers[Math.min(index, answers.length - 1)])
  t.teardown(() => server.close())
  return server
}

const ok = () => streamResponse(textReply('fine'))
const texts = (chunks: StreamChunk[]) => chunks.flatMap((c) => (c.type === 'text' ? [c.delta] : []))

t.test('429 with Retry-After: waits what the server says (not the backoff), then succeeds', async (t) => {
  const server = await serve(t, [errorResponse(429, 'rate_limit_error', 'Number of requests has exceeded your rate limit.', { 'retry-after': '0.3' }), ok()])
  const { client } = makeClient(server, { retry: { attempts: 3, initialDelayMs: 20_000, maxDelayMs: 20_000 } })
  const started = Date.now()
  const chunks = await drain(client.stream(modelRequest(), callOptions()))
  const elapsed = Date.now() - started
  t.same(texts(chunks), ['fine'])
  t.equal(server.requests.length, 2)
  t.ok(elapsed >= 280 && elapsed < 5_000, `waited ${elapsed} ms`)
})

t.test('429 on every attempt: RATE_LIMITED (retryable) after the configured attempts', async (t) => {
  const server = await serve(t, [errorResponse(429, 'rate_limit_error', 'Slow down.', { 'retry-after': '0' })])
  const { client } = makeClient(server, { retry: { attempts: 3, initialDelayMs: 1, maxDelayMs: 1 } })
  const chunks = await drain(client.stream(modelRequest(), callOptions()))
  t.equal(server.requests.length, 3)
  t.same(chunks, [{ type: 'error', code: 'PROVIDER_ANTHROPIC_RATE_LIMITED', message: 'Anthropic rate limit reached (429 rate_limit_error, after 3 attempts): Slow down. Wait and try again.', retryable: true }])
})

t.test('529 overloaded and 5xx are retried with backoff; exhausted 5xx is SERVER_ERROR', async (t) => {
  const overloaded = await serve(t, [errorResponse(529, 'overloaded_error', 'Overloaded'), errorResponse(500, 'api_error', 'Internal'), ok()])
  const first = await drain(makeClient(overloaded).client.stream(modelRequest(), callOptions()))
  t.same(texts(first), ['fine'])
  t.equal(overloaded.requests.length, 3)
  const failing = await serve(t, [errorResponse(503, 'api_error', 'Unavailable')])
  const second = await drain(makeClient(failing, { retry: { attempts: 2, initialDelayMs: 1, maxDelayMs: 1 } }).client.stream(modelRequest(), callOptions()))
  t.equal(failing.requests.length, 2)
  t.match(second, [{ type: 'error', code: 'PROVIDER_ANTHROPIC_SERVER_ERROR', retryable: true, message: /503 api_error, after 2 attempts\): Unavailable\. Try again shortly\./ }])
})

t.test('400 and 404 are not retried and carry the API message', async (t) => {
  const bad = await serve(t, [errorResponse(400, 'invalid_request_error', 'max_tokens: 128000 > 64000, which is the maximum allowed')])
  t.same(await drain(makeClient(bad).client.stream(modelRequest(), callOptions())), [
    { type: 'error', code: 'PROVIDER_ANTHROPIC_BAD_REQUEST', message: 'Anthropic rejected the request (400 invalid_request_error): max_tokens: 128000 > 64000, which is the maximum allowed', retryable: false },
  ])
  t.equal(bad.requests.length, 1)
  const missing = await serve(t, [errorResponse(404, 'not_found_error', 'model: claude-nope')])
  t.match(await drain(makeClient(missing).client.stream(modelRequest({ model: 'claude-nope' }), callOptions())), [{ type: 'error', code: 'PROVIDER_ANTHROPIC_NOT_FOUND', message: /model: claude-nope\. Check the model id/ }])
  t.equal(missing.requests.length, 1)
})

t.test('401: the credential is refreshed once ("rejected") and the call retried with the new one', async (t) => {
  const server = await serve(t, [errorResponse(401, 'authentication_error', 'invalid x-api-key'), ok()])
  const creds = fakeCredentials(credential('oauth', 'sk-ant-oat01-old-0000'), credential('oauth', 'sk-ant-oat01-new-0000'))
  const { client } = makeClient(server, { retry: { attempts: 3, initialDelayMs: 10_000 } }, creds.resolver)
  const chunks = await drain(client.stream(modelRequest(), callOptions()))
  t.same(texts(chunks), ['fine'])
  t.same(creds.calls.refresh, [{ secret: 'sk-ant-oat01-old-0000', reason: 'rejected' }])
  t.same(server.requests.map((r: CapturedRequest) => r.headers.authorization), ['Bearer sk-ant-oat01-old-0000', 'Bearer sk-ant-oat01-new-0000'])
})

t.test('401 when the credential cannot be renewed: AUTH_CREDENTIAL_REJECTED, no retry', async (t) => {
  const server = await serve(t, [errorResponse(401, 'authentication_error', 'invalid x-api-key')])
  const creds = fakeCredentials(credential(), null)
  const chunks = await drain(makeClient(server, {}, creds.resolver).client.stream(modelRequest(), callOptions()))
  t.match(chunks, [{ type: 'error', code: 'AUTH_CREDENTIAL_REJECTED', message: /API key \(401\).*ANTHROPIC_API_KEY/ }])
  t.equal(server.requests.length, 1)
  t.equal(creds.calls.refresh.length, 1)
})

t.test('401 again after a refresh: rejected, refreshed only once', async (t) => {
  const server = await serve(t, [errorResponse(401, 'authentication_error', 'token revoked')])
  const creds = fakeCredentials(credential('oauth'), credential('oauth', 'sk-ant-oat01-new-0000'))
  const chunks = await drain(makeClient(server, {}, creds.resolver).client.stream(modelRequest(), callOptions()))
  t.match(chunks, [{ type: 'error', code: 'AUTH_CREDENTIAL_REJECTED', message: /token revoked/ }])
  t.equal(server.requests.length, 2)
  t.equal(creds.calls.refresh.length, 1)
})

t.test('an overloaded error event before any output is retried; after output it ends the call', async (t) => {
  const errorEvent = 'event: error\ndata: {"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}\n\n'
  const early = await serve(t, [{ status: 200, headers: { 'content-type': 'text/event-stream' }, chunks: [errorEvent] }, ok()])
  t.same(texts(await drain(makeClient(early).client.stream(modelRequest(), callOptions()))), ['fine'])
  t.equal(early.requests.length, 2)
  const lateServer = await serve(t, [
    { status: 200, headers: { 'content-type': 'text/event-stream' }, chunks: [...sse([ev.start(), ev.blockStart(0, { type: 'text', text: '' }), ev.text(0, 'half')]), errorEvent] },
  ])
  const chunks = await drain(makeClient(lateServer).client.stream(modelRequest(), callOptions()))
  t.same(chunks[0], { type: 'text', delta: 'half' })
  t.match(chunks.at(-1), { type: 'error', code: 'PROVIDER_ANTHROPIC_OVERLOADED', retryable: true })
  t.equal(lateServer.requests.length, 1)
})

t.test('no credential: AUTH_CREDENTIAL_MISSING naming ANTHROPIC_API_KEY, nothing sent', async (t) => {
  const server = await serve(t, [ok()])
  const chunks = await drain(makeClient(server, {}, fakeCredentials(null).resolver).client.stream(modelRequest(), callOptions()))
  t.match(chunks, [{ type: 'error', code: 'AUTH_CREDENTIAL_MISSING', message: /ANTHROPIC_API_KEY/ }])
  t.equal(server.requests.length, 0)
})

t.test('an unreachable host is retried, then NETWORK_ERROR', async (t) => {
  const server = await serve(t, [ok()])
  const dead = server.url
  await server.close()
  const { client } = makeClient(server, { baseUrl: dead, retry: { attempts: 2, initialDelayMs: 1, maxDelayMs: 1 } })
  t.match(await drain(client.stream(modelRequest(), callOptions())), [{ type: 'error', code: 'PROVIDER_ANTHROPIC_NETWORK_ERROR', retryable: true, message: /Could not reach Anthropic/ }])
})

t.test('rate-limit headers are kept; a nearly empty bucket delays the next call until its reset', async (t) => {
  const reset = () => new Date(Date.now() + 400).toISOString()
  const server = await createCaptureServer(() =>
    streamResponse(textReply(), { headers: { 'anthropic-ratelimit-requests-limit': '100', 'anthropic-ratelimit-requests-remaining': '2', 'anthropic-ratelimit-requests-reset': reset() } }),
  )
  t.teardown(() => server.close())
  const { client, limits } = makeClient(server)
  await drain(client.stream(modelRequest(), callOptions()))
  t.match(limits.latest, { requests: { limit: 100, remaining: 2 } })
  const started = Date.now()
  await drain(client.stream(modelRequest(), callOptions()))
  t.ok(Date.now() - started >= 250, 'waited for the reset (2 % left < 5 %)')
  const off = makeClient(server, { rateLimitThrottle: { enabled: false } })
  off.limits.latest = limits.latest
  const quick = Date.now()
  await drain(off.client.stream(modelRequest(), callOptions()))
  t.ok(Date.now() - quick < 250, 'no wait when the throttle is off')
})
