import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t from 'tap'
import { createCaptureServer, type CaptureServer, type CapturedResponse } from '../../../kernel/testing/capture-server.js'
import {
  callOptions, clearGeminiEnv, drain, fakeCredentials, FIRST_CONTENTS, firstTurn, followUp, FOLLOW_UP_CONTENTS, GENERATION_25, geminiSse,
  SSE_HEADERS, SYSTEM_INSTRUCTION, TEXT_ANSWER, testClient, TOOL_ANSWER, TOOLS, UA_TAIL,
} from './test-support.js'

clearGeminiEnv()

const TOKEN = 'ya29.test-token-0000'

async function server(t: Tap.Test, respond: (index: number) => CapturedResponse): Promise<CaptureServer> {
  const capture = await createCaptureServer((_req, index) => respond(index))
  t.teardown(() => capture.close())
  return capture
}
declare namespace Tap {
  type Test = import('tap').Test
}

const SDK_HEADER_NAMES = ['accept', 'accept-encoding', 'accept-language', 'connection', 'content-length', 'content-type', 'host', 'sec-fetch-mode', 'user-agent', 'x-goog-api-client']

const vertexEnv = (url: string, extra: Record<string, string> = {}) => ({
  GOOGLE_GENAI_USE_VERTEXAI: 'true', GOOGLE_CLOUD_PROJECT: 'test-proj', GOOGLE_CLOUD_LOCATION: 'us-central1', GOOGLE_VERTEX_BASE_URL: url, GOOGLE_CLOUD_ACCESS_TOKEN: TOKEN, ...extra,
})

t.test('Vertex with an access token: project/location URL, Bearer token, the SDK and gemini-cli headers', async (t) => {
  const capture = await server(t, () => ({ headers: SSE_HEADERS, chunks: geminiSse(TOOL_ANSWER) }))
  const client = testClient({}, vertexEnv(capture.url), fakeCredentials({}).resolver)
  const first = await drain(client.stream(firstTurn, callOptions()))
  const second = await drain(client.stream(followUp, callOptions()))
  t.equal(capture.requests.length, 2)
  for (const req of capture.requests) {
    t.equal(req.method, 'POST')
    t.equal(req.url, '/v1beta1/projects/test-proj/locations/us-central1/publishers/google/models/gemini-2.5-pro:streamGenerateContent?alt=sse')
    t.same(Object.keys(req.headers).sort(), [...SDK_HEADER_NAMES, 'authorization'].sort())
    t.equal(req.headers.authorization, `Bearer ${TOKEN}`)
    t.equal(req.headers['user-agent'], `AgentPlatform/0.1.0/gemini-2.5-pro ${UA_TAIL}`)
    t.equal(req.headers['x-goog-api-client'], `google-genai-sdk/1.30.0 gl-node/${process.version}`)
    t.equal(req.headers['content-type'], 'application/json')
  }
  t.same(capture.requests[0].json, { contents: FIRST_CONTENTS, systemInstruction: SYSTEM_INSTRUCTION, tools: TOOLS, generationConfig: GENERATION_25 })
  t.same(capture.requests[1].json, { contents: FOLLOW_UP_CONTENTS, systemInstruction: SYSTEM_INSTRUCTION, tools: TOOLS, generationConfig: GENERATION_25 })
  t.equal(first.at(-1)?.type, 'finish')
  t.equal(second.at(-1)?.type, 'finish')
})

t.test('Vertex express mode: GOOGLE_API_KEY, publisher URL without project, x-goog-api-key', async (t) => {
  const capture = await server(t, () => ({ headers: SSE_HEADERS, chunks: geminiSse(TEXT_ANSWER) }))
  const env = { GOOGLE_GENAI_USE_VERTEXAI: 'true', GOOGLE_API_KEY: 'test-key-0000', GOOGLE_VERTEX_BASE_URL: capture.url, GOOGLE_CLOUD_PROJECT: 'ignored', GOOGLE_CLOUD_LOCATION: 'us-central1' }
  const chunks = await drain(testClient({}, env, fakeCredentials({}).resolver).stream(firstTurn, callOptions()))
  const [req] = capture.requests
  t.equal(req.url, '/v1beta1/publishers/google/models/gemini-2.5-pro:streamGenerateContent?alt=sse')
  t.same(Object.keys(req.headers).sort(), [...SDK_HEADER_NAMES, 'x-goog-api-key'].sort())
  t.equal(req.headers['x-goog-api-key'], 'test-key-0000')
  t.equal(chunks.at(-1)?.type, 'finish')
})

t.test('Vertex: a rejected access token is a typed 401 error (nothing to refresh it with)', async (t) => {
  const capture = await server(t, () => ({ status: 401, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ error: { code: 401, message: 'Request had invalid authentication credentials.', status: 'UNAUTHENTICATED' } }) }))
  const chunks = await drain(testClient({}, vertexEnv(capture.url), fakeCredentials({}).resolver).stream(firstTurn, callOptions()))
  t.match(chunks, [{ type: 'error', code: 'PROVIDER_GEMINI_UNAUTHORIZED', message: /invalid authentication credentials/ }])
  t.equal(capture.requests.length, 1)
})

t.test('Vertex without project/location or key: a typed configuration error, nothing sent', async (t) => {
  const chunks = await drain(testClient({}, { GOOGLE_GENAI_USE_VERTEXAI: 'true' }, fakeCredentials({}).resolver).stream(firstTurn, callOptions()))
  t.match(chunks, [{ type: 'error', code: 'PROVIDER_GEMINI_VERTEX_CONFIG_MISSING', message: /GOOGLE_CLOUD_PROJECT/ }])
})

t.test('Vertex with Application Default Credentials (no token given): google-auth fetches one, as in gemini-cli', async (t) => {
  // An external-account ADC file whose token exchange points at the capture server, so no Google host is contacted.
  const dir = mkdtempSync(join(tmpdir(), 'gemini-adc-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  const capture = await createCaptureServer((req) => (req.url === '/token' ? { headers: { 'content-type': 'application/json' }, body: JSON.stringify({ access_token: 'ya29.from-adc-0000', issued_token_type: 'urn:ietf:params:oauth:token-type:access_token', token_type: 'Bearer', expires_in: 3600 }) } : { headers: SSE_HEADERS, chunks: geminiSse(TEXT_ANSWER) }))
  t.teardown(() => capture.close())
  writeFileSync(join(dir, 'subject.txt'), 'subject-token')
  writeFileSync(join(dir, 'adc.json'), JSON.stringify({
    type: 'external_account', audience: '//iam.googleapis.com/projects/1/locations/global/workloadIdentityPools/p/providers/q',
    subject_token_type: 'urn:ietf:params:oauth:token-type:jwt', token_url: `${capture.url}/token`, credential_source: { file: join(dir, 'subject.txt') },
  }))
  // google-auth reads the process environment itself (file, project), as it does under gemini-cli.
  const env = { GOOGLE_GENAI_USE_VERTEXAI: 'true', GOOGLE_CLOUD_PROJECT: 'test-proj', GOOGLE_CLOUD_LOCATION: 'europe-west4', GOOGLE_VERTEX_BASE_URL: capture.url, GOOGLE_APPLICATION_CREDENTIALS: join(dir, 'adc.json') }
  Object.assign(process.env, env)
  t.teardown(clearGeminiEnv)
  const chunks = await drain(testClient({}, env, fakeCredentials({}).resolver).stream(firstTurn, callOptions()))
  const streams = capture.requests.filter((r) => r.url !== '/token')
  t.ok(capture.requests.some((r) => r.url === '/token'), 'the token came from the ADC file')
  t.same(streams.map((r) => r.url), ['/v1beta1/projects/test-proj/locations/europe-west4/publishers/google/models/gemini-2.5-pro:streamGenerateContent?alt=sse'])
  t.equal(streams[0].headers.authorization, 'Bearer ya29.from-adc-0000')
  t.equal(chunks.at(-1)?.type, 'finish')
})
