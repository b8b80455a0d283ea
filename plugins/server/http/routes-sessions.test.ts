import t from 'tap'
import { mkdirSync, mkdtempSync, realpathSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createTestKernel } from '../../../kernel/testing/index.js'
import type { protocol } from '../../../kernel/index.js'
import { waitFor } from './test-support.js'

async function boot(t: { teardown(fn: () => unknown): void }, http: Record<string, unknown> = {}) {
  const tk = await createTestKernel({ plugins: { 'provider-scripted': { chunkDelayMs: 0 }, 'server-http': { port: 0, ...http } } })
  t.teardown(tk.close)
  const base = tk.kernel.addresses[0]
  const call = async (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) => {
    const init: RequestInit = { method, headers: { ...headers } }
    if (body !== undefined) {
      init.body = typeof body === 'string' ? body : JSON.stringify(body)
      ;(init.headers as Record<string, string>)['content-type'] ??= 'application/json'
    }
    const response = await fetch(base + path, init)
    const text = await response.text()
    return { status: response.status, json: text ? JSON.parse(text) : undefined, headers: response.headers }
  }
  return { tk, base, call }
}

t.test('GET /health', async (t) => {
  const { call, tk } = await boot(t)
  const res = await call('GET', '/health')
  t.equal(res.status, 200)
  t.same(res.json, { healthy: true, version: tk.kernel.version })
})

t.test('POST /api/sessions creates a session (201, SessionInfo at top level)', async (t) => {
  const { call } = await boot(t)
  const empty = await call('POST', '/api/sessions')
  t.equal(empty.status, 201)
  t.match(empty.json, { id: /^ses_/, agent: 'demo', provider: 'scripted', model: 'demo', status: 'idle', seq: 0, title: null })
  const emptyJson = await call('POST', '/api/sessions', '', { 'content-type': 'application/json' })
  t.equal(emptyJson.status, 201, 'an empty JSON body counts as no body')
  const full = await call('POST', '/api/sessions', { title: 'Mine', model: 'scripted/demo', workspace: '/tmp' })
  t.equal(full.status, 201)
  t.match(full.json, { title: 'Mine', provider: 'scripted', model: 'demo', workspace: '/tmp' })
})

t.test('POST /api/sessions rejects unknown provider, agent, model and bad bodies', async (t) => {
  const { call } = await boot(t)
  const provider = await call('POST', '/api/sessions', { provider: 'nope' })
  t.equal(provider.status, 400)
  t.equal(provider.json.error.code, 'SESSION_PROVIDER_UNKNOWN')
  t.match(provider.json.error.message, /nope/)
  const agent = await call('POST', '/api/sessions', { agent: 'ghost' })
  t.equal(agent.status, 400)
  t.equal(agent.json.error.code, 'SESSION_AGENT_UNKNOWN')
  const model = await call('POST', '/api/sessions', { model: 'gpt-9' })
  t.equal(model.status, 400)
  t.equal(model.json.error.code, 'SESSION_MODEL_UNKNOWN')
  const invalid = await call('POST', '/api/sessions', { title: 7, colour: 'red' })
  t.equal(invalid.status, 400)
  t.equal(invalid.json.error.code, 'REQUEST_INVALID')
  t.match(invalid.json.error.message, /body\.title/)
  t.match(invalid.json.error.message, /body\.colour: unknown field/)
  t.equal(invalid.json.error.details.issues.length, 2)
  const malformed = await call('POST', '/api/sessions', '{"title": ')
  t.equal(malformed.status, 400)
  t.same(malformed.json, { error: { code: 'REQUEST_BODY_MALFORMED', message: 'The request body is not valid JSON.' } })
  const proto = await call('POST', '/api/sessions', '{"__proto__": {"admin": true}}')
  t.equal(proto.status, 400, 'prototype poisoning is refused')
  t.equal(proto.json.error.code, 'REQUEST_BODY_MALFORMED')
})

t.test('POST /api/sessions refuses a workspace outside kernel.workspaceRoots (400 SESSION_WORKSPACE_OUTSIDE_ROOTS)', async (t) => {
  const base = realpathSync(mkdtempSync(join(tmpdir(), 'routes-sessions-roots-')))
  t.teardown(() => rmSync(base, { recursive: true, force: true }))
  const root = join(base, 'root')
  mkdirSync(join(root, 'project'), { recursive: true })
  mkdirSync(join(base, 'elsewhere'))
  const tk = await createTestKernel({ plugins: { 'provider-scripted': { chunkDelayMs: 0 }, 'server-http': { port: 0 } }, kernel: { workspaceRoots: [root] } })
  t.teardown(tk.close)
  const post = async (workspace: string) => {
    const response = await fetch(`${tk.kernel.addresses[0]}/api/sessions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ workspace }) })
    return { status: response.status, json: (await response.json()) as { workspace?: string; error?: { code: string; message: string } } }
  }
  const outside = await post(join(base, 'elsewhere'))
  t.equal(outside.status, 400)
  t.equal(outside.json.error?.code, 'SESSION_WORKSPACE_OUTSIDE_ROOTS')
  t.match(outside.json.error?.message, root, 'the message names the roots')
  const inside = await post(join(root, 'project'))
  t.equal(inside.status, 201)
  t.equal(inside.json.workspace, join(root, 'project'))
})

t.test('413 for a body over bodyLimitBytes', async (t) => {
  const { call } = await boot(t, { bodyLimitBytes: 64 })
  const res = await call('POST', '/api/sessions', { title: 'x'.repeat(100) })
  t.equal(res.status, 413)
  t.equal(res.json.error.code, 'REQUEST_BODY_TOO_LARGE')
  t.match(res.json.error.message, /64 bytes/)
})

t.test('415 for a body that is not JSON', async (t) => {
  const { call } = await boot(t)
  const res = await call('POST', '/api/sessions', 'a=1', { 'content-type': 'application/x-www-form-urlencoded' })
  t.equal(res.status, 415)
  t.equal(res.json.error.code, 'REQUEST_MEDIA_TYPE_UNSUPPORTED')
})

t.test('unknown route -> 404 ROUTE_NOT_FOUND', async (t) => {
  const { call } = await boot(t)
  const res = await call('GET', '/api/nothing-here?x=1')
  t.equal(res.status, 404)
  t.same(res.json, { error: { code: 'ROUTE_NOT_FOUND', message: 'No route for GET /api/nothing-here.', details: { method: 'GET' } } })
  const wrongMethod = await call('DELETE', '/health')
  t.equal(wrongMethod.json.error.code, 'ROUTE_NOT_FOUND')
})

t.test('GET /api/sessions lists, with ?limit', async (t) => {
  const { call } = await boot(t)
  for (let i = 0; i < 3; i++) t.equal((await call('POST', '/api/sessions', { title: `s${i}` })).status, 201)
  const all = await call('GET', '/api/sessions')
  t.equal(all.status, 200)
  t.equal(all.json.length, 3)
  const two = await call('GET', '/api/sessions?limit=2')
  t.equal(two.json.length, 2)
  const bad = await call('GET', '/api/sessions?limit=0')
  t.equal(bad.status, 400)
  t.equal(bad.json.error.code, 'REQUEST_INVALID')
  t.match(bad.json.error.message, /querystring\.limit/)
})

t.test('GET /api/sessions/:id: detail or 404', async (t) => {
  const { call } = await boot(t)
  const created = (await call('POST', '/api/sessions')).json as protocol.SessionInfo
  const detail = await call('GET', `/api/sessions/${created.id}`)
  t.equal(detail.status, 200)
  t.match(detail.json, { id: created.id, messages: [] })
  const missing = await call('GET', '/api/sessions/ses_missing')
  t.equal(missing.status, 404)
  t.same(missing.json, { error: { code: 'SESSION_NOT_FOUND', message: 'No session with id "ses_missing".', details: { id: 'ses_missing' } } })
})

t.test('POST /api/sessions/:id/messages: 202, 400, 404; the turn runs', async (t) => {
  const { call } = await boot(t)
  const created = (await call('POST', '/api/sessions')).json as protocol.SessionInfo
  const accepted = await call('POST', `/api/sessions/${created.id}/messages`, { text: 'hello' })
  t.equal(accepted.status, 202)
  t.match(accepted.json, { turnId: /^trn_/, messageId: /^msg_/ })
  t.same(Object.keys(accepted.json).sort(), ['messageId', 'turnId'])
  const empty = await call('POST', `/api/sessions/${created.id}/messages`, { text: '' })
  t.equal(empty.status, 400)
  t.match(empty.json.error, { code: 'REQUEST_INVALID', message: /body\.text: text must not be empty/ })
  const none = await call('POST', `/api/sessions/${created.id}/messages`)
  t.equal(none.status, 400)
  t.equal(none.json.error.code, 'REQUEST_INVALID')
  const missing = await call('POST', '/api/sessions/ses_missing/messages', { text: 'hi' })
  t.equal(missing.status, 404)
  t.equal(missing.json.error.code, 'SESSION_NOT_FOUND')
  await waitFor(async () => (await call('GET', `/api/sessions/${created.id}`)).json.messages.length === 2, 5000, 'the assistant reply')
  const detail = (await call('GET', `/api/sessions/${created.id}`)).json as protocol.SessionDetail
  t.same(detail.messages.map((m) => m.role), ['user', 'assistant'])
  t.equal(detail.messages[0].id, accepted.json.messageId)
})

t.test('POST /api/sessions/:id/abort', async (t) => {
  const { call, tk } = await boot(t)
  tk.kernel.resolve<{ setChunkDelay(ms: number): void }>('providerScripted').setChunkDelay(50)
  const created = (await call('POST', '/api/sessions')).json as protocol.SessionInfo
  const idle = await call('POST', `/api/sessions/${created.id}/abort`)
  t.same([idle.status, idle.json], [200, { aborted: false }])
  await call('POST', `/api/sessions/${created.id}/messages`, { text: 'go' })
  await waitFor(() => tk.kernel.engine.activeTurns() === 1, 5000, 'the turn to start')
  const busy = await call('POST', `/api/sessions/${created.id}/abort`)
  t.same([busy.status, busy.json], [200, { aborted: true }])
  const missing = await call('POST', '/api/sessions/ses_missing/abort')
  t.equal(missing.status, 404)
  t.equal(missing.json.error.code, 'SESSION_NOT_FOUND')
  await waitFor(async () => (await call('GET', `/api/sessions/${created.id}`)).json.messages[1]?.finish === 'aborted', 5000, 'the aborted message')
})

t.test('logRequests logs one line per request', async (t) => {
  const { call, tk } = await boot(t, { logRequests: true })
  await call('GET', '/health')
  await waitFor(() => tk.logLines.some((l) => l.includes('"msg":"request"')), 2000, 'the request log line')
  const line = JSON.parse(tk.logLines.find((l) => l.includes('"msg":"request"'))!)
  t.match(line, { plugin: 'server-http', method: 'GET', url: '/health', status: 200 })
})

t.test('PATCH /api/sessions/:id switches the model or renames; bad bodies are 400, unknown ids 404', async (t) => {
  const { call } = await boot(t)
  const created = await call('POST', '/api/sessions', {})
  const id = created.json.id as string
  const renamed = await call('PATCH', `/api/sessions/${id}`, { title: 'new name' })
  t.equal(renamed.status, 200)
  t.match(renamed.json, { id, title: 'new name', model: 'demo' })
  const empty = await call('PATCH', `/api/sessions/${id}`, {})
  t.equal(empty.status, 400)
  t.equal(empty.json.error.code, 'REQUEST_INVALID')
  const badModel = await call('PATCH', `/api/sessions/${id}`, { model: 'gpt-99' })
  t.equal(badModel.status, 400)
  t.equal(badModel.json.error.code, 'SESSION_MODEL_UNKNOWN')
  const missing = await call('PATCH', '/api/sessions/ses_nope', { title: 'x' })
  t.equal(missing.status, 404)
  t.equal((await call('GET', `/api/sessions/${id}`)).json.title, 'new name')
})
