import t from 'tap'
import { createCaptureServer, type CaptureServer, type CapturedRequest, type CapturedResponse } from '../../../kernel/testing/capture-server.js'
import {
  callOptions, clearGeminiEnv, credential, drain, fakeCredentials, FIRST_CONTENTS, firstTurn, followUp, FOLLOW_UP_CONTENTS, GENERATION_25,
  geminiSse, SSE_HEADERS, stallServer, SYSTEM_INSTRUCTION, TEXT_ANSWER, testClient, TOOL_ANSWER, TOOLS, UA_TAIL, VERSION,
} from './test-support.js'

clearGeminiEnv()

const json = (body: unknown): CapturedResponse => ({ headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })
const wrap = (responses: unknown[]) => responses.map((response) => ({ response, traceId: 'trace-1' }))
const METADATA = { ideType: 'IDE_UNSPECIFIED', platform: 'PLATFORM_UNSPECIFIED', pluginType: 'GEMINI' }
const PLATFORM = ({ 'linux-x64': 'LINUX_AMD64', 'linux-arm64': 'LINUX_ARM64', 'darwin-arm64': 'DARWIN_ARM64', 'darwin-x64': 'DARWIN_AMD64' } as Record<string, string>)[`${process.platform}-${process.arch}`] ?? 'PLATFORM_UNSPECIFIED'

/** A fake cloudcode-pa: setup answers from `setup`, streams from `streams` (in order). */
async function codeAssist(t: Tap.Test, setup: Record<string, (req: CapturedRequest) => CapturedResponse>, streams: Array<CapturedResponse>): Promise<CaptureServer> {
  let streamIndex = 0
  const capture = await createCaptureServer((req) => {
    if (req.url.startsWith('/v1internal:streamGenerateContent')) return streams[Math.min(streamIndex++, streams.length - 1)]
    const method = req.url.replace(/^\/v1internal[:/]/, '')
    return setup[method]?.(req) ?? json({})
  })
  t.teardown(() => capture.close())
  return capture
}
declare namespace Tap {
  type Test = import('tap').Test
}

const streamOk = (responses: unknown[]): CapturedResponse => ({ headers: SSE_HEADERS, chunks: geminiSse(wrap(responses)) })
const withTier = { loadCodeAssist: () => json({ currentTier: { id: 'standard-tier', name: 'Standard' }, cloudaicompanionProject: 'proj-from-server' }) }
const env = (url: string, extra: Record<string, string> = {}) => ({ GOOGLE_GENAI_USE_GCA: 'true', CODE_ASSIST_ENDPOINT: url, ...extra })
const oauth = (token = 'ya29.access-0000', extra = {}) => fakeCredentials({ oauth: credential('oauth', token, { id: 'cred_1', ...extra }) })

const UA = `AgentPlatform/0.1.0/gemini-2.5-pro ${UA_TAIL} google-api-nodejs-client/10.9.0`
const GAL_CLIENT = `gl-node/${process.versions.node}`

t.test('setup calls, then the stream: exact URLs, headers and bodies for a first turn and a follow-up', async (t) => {
  const capture = await codeAssist(t, withTier, [streamOk(TOOL_ANSWER), streamOk(TEXT_ANSWER)])
  const { resolver } = oauth()
  const client = testClient({}, env(capture.url), resolver)
  const first = await drain(client.stream(firstTurn, callOptions()))
  const second = await drain(client.stream(followUp, callOptions()))
  const calls = capture.requests.map((r) => `${r.method} ${r.url}`)
  t.same(calls.slice(0, 1), ['POST /v1internal:loadCodeAssist'])
  t.same(calls.slice(1, 3).sort(), ['POST /v1internal:listExperiments', 'POST /v1internal:retrieveUserQuota'])
  t.same(calls.slice(3), ['POST /v1internal:streamGenerateContent?alt=sse', 'POST /v1internal:streamGenerateContent?alt=sse'], 'setup runs once per account')
  const byUrl = (suffix: string) => capture.requests.find((r) => r.url.endsWith(suffix)) as CapturedRequest
  t.same(byUrl(':loadCodeAssist').json, { metadata: METADATA }, 'no project: cloudaicompanionProject and duetProject are left out')
  t.same(byUrl(':retrieveUserQuota').json, { project: 'proj-from-server' })
  t.same(byUrl(':listExperiments').json, { project: 'proj-from-server', metadata: { ideName: 'IDE_UNSPECIFIED', pluginType: 'GEMINI', ideVersion: VERSION, platform: PLATFORM, updateChannel: 'stable', duetProject: 'proj-from-server' } })
  for (const req of capture.requests) {
    const stream = req.url.includes('stream')
    t.same(Object.keys(req.headers).sort(), ['accept', 'accept-encoding', 'authorization', 'connection', 'content-length', 'content-type', 'host', 'user-agent', 'x-goog-api-client'])
    t.equal(req.headers.accept, stream ? '*/*' : 'application/json')
    t.equal(req.headers['accept-encoding'], 'gzip, deflate, br')
    t.equal(req.headers.authorization, 'Bearer ya29.access-0000')
    t.equal(req.headers['content-type'], 'application/json')
    t.equal(req.headers['user-agent'], UA)
    t.equal(req.headers['x-goog-api-client'], GAL_CLIENT)
  }
  const [one, two] = capture.requests.filter((r) => r.url.includes('stream'))
  const envelope = (contents: unknown, n: number) => ({
    model: 'gemini-2.5-pro', project: 'proj-from-server', user_prompt_id: `ses_test########${n}`,
    request: { contents, systemInstruction: SYSTEM_INSTRUCTION, tools: TOOLS, generationConfig: GENERATION_25, session_id: 'ses_test' },
  })
  t.same(one.json, envelope(FIRST_CONTENTS, 1))
  t.same(two.json, envelope(FOLLOW_UP_CONTENTS, 1))
  t.match(first, [{ type: 'thought' }, { type: 'tool-call', tool: 'read_note', meta: { thoughtSignature: 'c2lnLWNhbGw=' } }, { type: 'usage' }, { type: 'finish', reason: 'tool_calls' }])
  t.same(second.map((c) => c.type), ['text', 'thought', 'text', 'usage', 'finish'])
})

t.test('onboarding: onboardUser for the default tier, then the operation is polled until done', async (t) => {
  let polls = 0
  const capture = await codeAssist(
    t,
    {
      loadCodeAssist: () => json({ allowedTiers: [{ id: 'standard-tier' }, { id: 'free-tier', name: 'Free', isDefault: true }] }),
      onboardUser: () => json({ name: 'operations/op-1', done: false }),
      'operations/op-1': () => json(++polls < 2 ? { name: 'operations/op-1', done: false } : { name: 'operations/op-1', done: true, response: { cloudaicompanionProject: { id: 'free-proj' } } }),
    },
    [streamOk(TEXT_ANSWER)],
  )
  const chunks = await drain(testClient({ codeAssist: { onboardPollMs: 20, startupCalls: false } }, env(capture.url), oauth().resolver).stream(firstTurn, callOptions()))
  t.same(capture.requests.map((r) => `${r.method} ${r.url}`), [
    'POST /v1internal:loadCodeAssist',
    'POST /v1internal:onboardUser',
    'GET /v1internal/operations/op-1',
    'GET /v1internal/operations/op-1',
    'POST /v1internal:streamGenerateContent?alt=sse',
  ])
  t.same(capture.requests[1].json, { tierId: 'free-tier', metadata: METADATA }, 'the free tier is onboarded without a project')
  t.equal(capture.requests[2].body, '')
  t.equal((capture.requests[4].json as { project: string }).project, 'free-proj')
  t.equal(chunks.at(-1)?.type, 'finish')
})

t.test('a configured project goes into loadCodeAssist and onboardUser; a project number is refused', async (t) => {
  const capture = await codeAssist(t, { loadCodeAssist: () => json({ allowedTiers: [{ id: 'standard-tier', isDefault: true }] }), onboardUser: () => json({ done: true, response: {} }) }, [streamOk(TEXT_ANSWER)])
  await drain(testClient({ codeAssist: { startupCalls: false } }, env(capture.url, { GOOGLE_CLOUD_PROJECT: 'my-proj' }), oauth().resolver).stream(firstTurn, callOptions()))
  t.same(capture.requests[0].json, { cloudaicompanionProject: 'my-proj', metadata: { ...METADATA, duetProject: 'my-proj' } })
  t.same(capture.requests[1].json, { tierId: 'standard-tier', cloudaicompanionProject: 'my-proj', metadata: { ...METADATA, duetProject: 'my-proj' } })
  t.equal((capture.requests[2].json as { project: string }).project, 'my-proj')
  const numeric = await drain(testClient({}, env(capture.url, { GOOGLE_CLOUD_PROJECT: '123456789' }), oauth().resolver).stream(firstTurn, callOptions()))
  t.match(numeric, [{ type: 'error', code: 'PROVIDER_GEMINI_CODE_ASSIST_PROJECT_INVALID' }])
  t.equal(capture.requests.length, 3)
})

t.test('401 on the stream: the credential is refreshed once and the call retried with the new token', async (t) => {
  const unauthorized = json({ error: { code: 401, message: 'Request had invalid authentication credentials.', status: 'UNAUTHENTICATED' } })
  const capture = await codeAssist(t, withTier, [{ ...unauthorized, status: 401 }, streamOk(TEXT_ANSWER)])
  const { resolver, refreshed } = fakeCredentials({ oauth: credential('oauth', 'ya29.old-0000', { id: 'cred_1' }) }, [credential('oauth', 'ya29.new-0000', { id: 'cred_1' })])
  const chunks = await drain(testClient({ codeAssist: { startupCalls: false } }, env(capture.url), resolver).stream(firstTurn, callOptions()))
  t.same(refreshed, [{ reason: 'rejected', secret: 'ya29.old-0000' }])
  const streams = capture.requests.filter((r) => r.url.includes('stream'))
  t.same(streams.map((r) => r.headers.authorization), ['Bearer ya29.old-0000', 'Bearer ya29.new-0000'])
  t.equal(chunks.at(-1)?.type, 'finish')
})

t.test('401 again after the refresh: a typed error, refreshed only once', async (t) => {
  const unauthorized = { ...json({ error: { code: 401, message: 'Invalid credentials.', status: 'UNAUTHENTICATED' } }), status: 401 }
  const capture = await codeAssist(t, withTier, [unauthorized])
  const { resolver, refreshed } = fakeCredentials({ oauth: credential('oauth', 'ya29.old-0000') }, [credential('oauth', 'ya29.new-0000')])
  const chunks = await drain(testClient({ codeAssist: { startupCalls: false } }, env(capture.url), resolver).stream(firstTurn, callOptions()))
  t.equal(refreshed.length, 1)
  t.match(chunks, [{ type: 'error', code: 'PROVIDER_GEMINI_UNAUTHORIZED' }])
  t.equal(capture.requests.filter((r) => r.url.includes('stream')).length, 2)
})

t.test('a token about to expire is refreshed before the call (5-minute eager window)', async (t) => {
  const capture = await codeAssist(t, withTier, [streamOk(TEXT_ANSWER)])
  const soon = new Date(Date.now() + 60_000).toISOString()
  const { resolver, refreshed } = fakeCredentials({ oauth: credential('oauth', 'ya29.old-0000', { expiresAt: soon }) }, [credential('oauth', 'ya29.fresh-0000')])
  await drain(testClient({ codeAssist: { startupCalls: false } }, env(capture.url), resolver).stream(firstTurn, callOptions()))
  t.same(refreshed, [{ reason: 'expired', secret: 'ya29.old-0000' }])
  t.ok(capture.requests.every((r) => r.headers.authorization === 'Bearer ya29.fresh-0000'))
})

t.test('GOOGLE_CLOUD_ACCESS_TOKEN is used as is (injected token, as gemini-cli)', async (t) => {
  const capture = await codeAssist(t, withTier, [streamOk(TEXT_ANSWER)])
  const chunks = await drain(testClient({ codeAssist: { startupCalls: false } }, env(capture.url, { GOOGLE_CLOUD_ACCESS_TOKEN: 'ya29.injected-0000' }), fakeCredentials({}).resolver).stream(firstTurn, callOptions()))
  t.ok(capture.requests.every((r) => r.headers.authorization === 'Bearer ya29.injected-0000'))
  t.equal(chunks.at(-1)?.type, 'finish')
})

t.test('no login: AUTH_CREDENTIAL_MISSING; and without the switch an OAuth login is never used', async (t) => {
  const capture = await codeAssist(t, withTier, [streamOk(TEXT_ANSWER)])
  const missing = await drain(testClient({}, env(capture.url), fakeCredentials({}).resolver).stream(firstTurn, callOptions()))
  t.match(missing, [{ type: 'error', code: 'AUTH_CREDENTIAL_MISSING', message: /GOOGLE_CLOUD_ACCESS_TOKEN/ }])
  const off = await drain(testClient({}, { CODE_ASSIST_ENDPOINT: capture.url }, oauth().resolver).stream(firstTurn, callOptions()))
  t.match(off, [{ type: 'error', code: 'AUTH_CREDENTIAL_MISSING', message: /GEMINI_API_KEY/ }], 'the API key path is taken instead')
  t.equal(capture.requests.length, 0)
})

t.test('429 with RetryInfo on the stream is retried after the delay; malformed events are skipped', async (t) => {
  const limited = { ...json([{ error: { code: 429, message: 'Resource has been exhausted.', status: 'RESOURCE_EXHAUSTED', details: [{ '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: '0.2s' }] } }]), status: 429 }
  const withJunk: CapturedResponse = { headers: SSE_HEADERS, chunks: [...geminiSse(wrap([TEXT_ANSWER[0]])), 'data: {not json\r\n\r\n', ...geminiSse(wrap([TEXT_ANSWER[1]]))] }
  const capture = await codeAssist(t, withTier, [limited, withJunk])
  const logLines: string[] = []
  const started = Date.now()
  const chunks = await drain(testClient({ codeAssist: { startupCalls: false } }, env(capture.url), oauth().resolver, logLines).stream(firstTurn, callOptions()))
  t.ok(Date.now() - started >= 200)
  t.same(chunks.map((c) => c.type), ['text', 'thought', 'text', 'usage', 'finish'])
  t.ok(logLines.some((l) => l.includes('not JSON')), 'the skipped event is logged')
})

t.test('model mapping for the Code Assist backend; the User-Agent keeps the requested model', async (t) => {
  const capture = await codeAssist(t, withTier, [streamOk(TEXT_ANSWER)])
  await drain(testClient({ codeAssist: { startupCalls: false } }, env(capture.url), oauth().resolver).stream({ ...firstTurn, model: 'gemini-3.5-flash' }, callOptions()))
  const stream = capture.requests.find((r) => r.url.includes('stream')) as CapturedRequest
  t.equal((stream.json as { model: string }).model, 'gemini-3-flash')
  t.equal(stream.headers['user-agent'], `AgentPlatform/0.1.0/gemini-3.5-flash ${UA_TAIL} google-api-nodejs-client/10.9.0`)
  t.same((stream.json as { request: { generationConfig: unknown } }).request.generationConfig, { temperature: 1, topP: 0.95, topK: 64, thinkingConfig: { includeThoughts: true, thinkingLevel: 'HIGH' } })
})

t.test('aborting the turn closes the Code Assist stream request', async (t) => {
  const loaded = JSON.stringify({ currentTier: { id: 'standard-tier' }, cloudaicompanionProject: 'p' })
  const stall = await stallServer(geminiSse(wrap([TEXT_ANSWER[0]]))[0], (url) => (url.includes(':loadCodeAssist') ? { body: loaded } : undefined))
  t.teardown(() => stall.close())
  const controller = new AbortController()
  const seen: string[] = []
  for await (const chunk of testClient({ codeAssist: { startupCalls: false } }, env(stall.url), oauth().resolver).stream(firstTurn, callOptions(controller.signal))) {
    seen.push(chunk.type)
    controller.abort()
  }
  t.same(seen, ['text'])
  await stall.closed
  t.pass('the server saw the connection close')
})

t.test('an idle Code Assist stream ends with STREAM_IDLE and closes the request', async (t) => {
  const loaded = JSON.stringify({ currentTier: { id: 'standard-tier' }, cloudaicompanionProject: 'p' })
  const stall = await stallServer(geminiSse(wrap([TEXT_ANSWER[0]]))[0], (url) => (url.includes(':loadCodeAssist') ? { body: loaded } : undefined))
  t.teardown(() => stall.close())
  const chunks = await drain(testClient({ idleTimeoutMs: 300, codeAssist: { startupCalls: false } }, env(stall.url), oauth().resolver).stream(firstTurn, callOptions()))
  t.match(chunks, [{ type: 'text' }, { type: 'thought' }, { type: 'error', code: 'PROVIDER_GEMINI_STREAM_IDLE' }])
  await stall.closed
  t.pass('the stalled request was closed')
})
