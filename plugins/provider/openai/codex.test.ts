import t from 'tap'
import { createCaptureServer, sseBody, type CapturedRequest, type CapturedResponse, type CaptureServer } from '../../../kernel/testing/capture-server.js'
import { apiKey, call, clientFor, drain, fakeCredentials, firstTurn, followUp, oauth, SSE_HEADERS } from './test-support.js'

const RUNTIME_HEADERS = new Set(['host', 'connection', 'content-length', 'accept-language', 'sec-fetch-mode', 'accept-encoding'])
const withoutRuntime = (r: CapturedRequest) => Object.fromEntries(Object.entries(r.headers).filter(([k]) => !RUNTIME_HEADERS.has(k)))
const ev = (type: string, data: Record<string, unknown>): [string, unknown] => [type, { type, ...data }]
const okText = (): CapturedResponse => ({
  headers: SSE_HEADERS,
  chunks: sseBody([ev('response.output_text.delta', { delta: 'ok' }), ev('response.completed', { response: { status: 'completed', usage: { input_tokens: 9, output_tokens: 1 } } })]),
})

async function serve(t: Tap.Test, respond: (r: CapturedRequest, i: number) => CapturedResponse): Promise<CaptureServer> {
  const server = await createCaptureServer(respond)
  t.teardown(() => server.close())
  return server
}
declare namespace Tap {
  type Test = import('tap').Test
}

const codex = (server: CaptureServer, credentials = fakeCredentials({ codex: oauth('codex', 'tok-old-0001') })) => clientFor('codex', { codex: { baseUrl: `${server.url}/backend-api/codex` } }, credentials)

t.test('first turn: POST …/backend-api/codex/responses with the Codex headers and body (§7.5)', async (t) => {
  const server = await serve(t, okText)
  const out = await drain(codex(server).stream(firstTurn('codex', 'gpt-5.6-sol'), call()))
  t.same(out.map((c) => c.type), ['text', 'usage', 'finish'])
  const [request] = server.requests
  t.equal(request.method, 'POST')
  t.equal(request.url, '/backend-api/codex/responses')
  t.same(withoutRuntime(request), {
    authorization: 'Bearer tok-old-0001',
    'content-type': 'application/json',
    'user-agent': 'AgentPlatform/0.1.0',
    accept: '*/*',
    'chatgpt-account-id': 'acct-test-0001',
    originator: 'codex_cli_rs',
    session_id: 'ses_test_0001',
  })
  t.notOk('openai-beta' in request.headers, 'no OpenAI-Beta on the HTTP path')
  t.equal(
    request.body,
    JSON.stringify({
      model: 'gpt-5.6-sol',
      input: [{ role: 'user', content: 'Find my notes on tea.' }],
      stream: true,
      instructions: 'You are terse.',
      reasoning: { effort: 'medium', summary: 'auto' },
      include: ['reasoning.encrypted_content'],
      store: false,
      prompt_cache_key: 'ses_test_0001',
    }),
  )
})

t.test('follow-up: tool call, tool output and codex reasoning replayed; never max_output_tokens or cache retention', async (t) => {
  const server = await serve(t, okText)
  const signature = JSON.stringify({ id: 'rs_7', encrypted_content: 'enc-codex' })
  const request = { ...followUp('codex', 'gpt-5.5', { text: 'Plan.', signature, providerId: 'codex' }), extra: { body: { max_output_tokens: 99 } } }
  await drain(codex(server).stream(request, call()))
  const body = server.requests[0].json as Record<string, unknown>
  t.same(body.input, [
    { role: 'user', content: 'Find my notes on tea.' },
    { type: 'reasoning', id: 'rs_7', summary: [{ type: 'summary_text', text: 'Plan.' }], encrypted_content: 'enc-codex' },
    { role: 'assistant', content: 'Searching.' },
    { type: 'function_call', call_id: 'call_abc123', name: 'search_notes', arguments: '{"query":"tea"}' },
    { type: 'function_call_output', call_id: 'call_abc123', output: 'green tea; oolong' },
  ])
  t.equal(body.tool_choice, 'auto')
  t.equal(body.parallel_tool_calls, true)
  t.equal(body.store, false)
  t.notOk('max_output_tokens' in body)
  t.notOk('prompt_cache_retention' in body)
})

t.test('401: the OAuth credential is refreshed once and the call retried with the new token', async (t) => {
  const server = await serve(t, (_, i) => (i === 0 ? { status: 401, body: '{"detail":"token expired"}' } : okText()))
  const credentials = fakeCredentials({ codex: oauth('codex', 'tok-old-0001') }, oauth('codex', 'tok-new-0002'))
  const out = await drain(codex(server, credentials).stream(firstTurn('codex', 'gpt-5.6-sol'), call()))
  t.same(credentials.refreshes, ['codex:rejected'])
  t.same(server.requests.map((r) => r.headers.authorization), ['Bearer tok-old-0001', 'Bearer tok-new-0002'])
  t.same(out.map((c) => c.type), ['text', 'usage', 'finish'])

  const always = await serve(t, () => ({ status: 401, body: '{"detail":"revoked"}' }))
  const refused = await drain(codex(always, fakeCredentials({ codex: oauth('codex', 'tok-old-0001') }, oauth('codex', 'tok-new-0002'))).stream(firstTurn('codex', 'gpt-5.6-sol'), call()))
  t.equal(always.requests.length, 2, 'refreshed once, not in a loop')
  t.match(refused, [{ type: 'error', code: 'PROVIDER_OPENAI_AUTH_FAILED', message: /log in to codex again/i }])
  t.notMatch(JSON.stringify(refused), /tok-/, 'tokens never appear in errors')
})

t.test('403 on the ChatGPT login: the token is refreshed for next time, the call is not retried', async (t) => {
  const server = await serve(t, () => ({ status: 403, body: '{"detail":"forbidden"}' }))
  const credentials = fakeCredentials({ codex: oauth('codex', 'tok-old-0001') }, oauth('codex', 'tok-new-0002'))
  const out = await drain(codex(server, credentials).stream(firstTurn('codex', 'gpt-5.6-sol'), call()))
  t.same(credentials.refreshes, ['codex:rejected'])
  t.equal(server.requests.length, 1)
  t.match(out, [{ type: 'error', code: 'PROVIDER_OPENAI_AUTH_FAILED', message: /403/ }])
})

t.test('a token about to expire is refreshed before the call', async (t) => {
  const server = await serve(t, okText)
  const expiring = { ...oauth('codex', 'tok-old-0001'), expiresAt: new Date(Date.now() + 5_000).toISOString() }
  const credentials = fakeCredentials({ codex: expiring }, oauth('codex', 'tok-new-0002'))
  await drain(codex(server, credentials).stream(firstTurn('codex', 'gpt-5.6-sol'), call()))
  t.same(credentials.refreshes, ['codex:expired'])
  t.equal(server.requests[0].headers.authorization, 'Bearer tok-new-0002')
})

t.test('no ChatGPT login, an API key only, or a login without account id: typed errors and nothing sent', async (t) => {
  const server = await serve(t, okText)
  const none = await drain(codex(server, fakeCredentials({})).stream(firstTurn('codex', 'gpt-5.6-sol'), call()))
  t.match(none, [{ type: 'error', code: 'AUTH_CREDENTIAL_MISSING', message: /codex OAuth login/ }])
  const keyOnly = await drain(codex(server, fakeCredentials({ codex: apiKey('codex') })).stream(firstTurn('codex', 'gpt-5.6-sol'), call()))
  t.match(keyOnly, [{ type: 'error', code: 'AUTH_CREDENTIAL_MISSING' }])
  const noAccount = await drain(codex(server, fakeCredentials({ codex: oauth('codex', 'tok-old-0001', {}) })).stream(firstTurn('codex', 'gpt-5.6-sol'), call()))
  t.match(noAccount, [{ type: 'error', code: 'PROVIDER_OPENAI_CODEX_ACCOUNT_MISSING' }])
  t.equal(server.requests.length, 0)
})
