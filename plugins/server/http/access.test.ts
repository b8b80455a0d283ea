import t from 'tap'
import { createTestKernel, type TestKernel } from '../../../kernel/testing/index.js'
import { testBackends } from '../../../kernel/testing/backends.js'
import type { protocol } from '../../../kernel/index.js'
import { openSse } from './test-support.js'

declare namespace Tap {
  type Test = import('tap').Test
}

async function boot(t: Tap.Test, auth: Record<string, unknown> | false, http: Record<string, unknown> = {}): Promise<TestKernel> {
  const backends = testBackends({ jobs: false })
  t.teardown(backends.cleanup)
  const tk = await createTestKernel({
    plugins: { ...backends.plugins, 'provider-scripted': { chunkDelayMs: 0 }, 'server-http': { port: 0, ...http }, 'auth-vault': true, 'agent-personas': true, ...(auth ? { 'server-auth': auth } : {}) } as never,
  })
  t.teardown(tk.close)
  return tk
}

async function token(tk: TestKernel, user: string, role: string): Promise<string> {
  const lines: string[] = []
  await tk.kernel.registries.commands.get('tokens')!.run(['create', user, role], { out: (l) => lines.push(l) })
  return lines[1]
}

function client(tk: TestKernel, secret?: string) {
  const base = tk.kernel.addresses[0]
  return async (method: string, path: string, body?: unknown) => {
    const headers: Record<string, string> = { ...(secret ? { authorization: `Bearer ${secret}` } : {}), ...(body === undefined ? {} : { 'content-type': 'application/json' }) }
    const response = await fetch(base + path, { method, headers, ...(body === undefined ? {} : { body: JSON.stringify(body) }) })
    const text = await response.text()
    return { status: response.status, headers: response.headers, json: text ? JSON.parse(text) : null }
  }
}

t.test('members reach their own sessions only; admins everything; loopback without a token is the local admin', async (t) => {
  const tk = await boot(t, { rateLimitPerMinute: 0 })
  const alice = client(tk, await token(tk, 'alice', 'member'))
  const bobSecret = await token(tk, 'bob', 'member')
  const bob = client(tk, bobSecret)
  const root = client(tk, await token(tk, 'root', 'admin'))
  const local = client(tk)

  const mine = await alice('POST', '/api/sessions', {})
  t.equal(mine.status, 201)
  t.match(mine.json.ownerId, /^usr_/, 'the session records its owner')
  const localSession = (await local('POST', '/api/sessions', {})).json as protocol.SessionInfo
  t.equal(localSession.ownerId, null, 'the local admin owns nothing in particular')

  t.equal((await alice('GET', `/api/sessions/${mine.json.id}`)).status, 200)
  const stranger = await bob('GET', `/api/sessions/${mine.json.id}`)
  t.equal(stranger.status, 404, 'another member sees no such session')
  t.equal(stranger.json.error.code, 'SESSION_NOT_FOUND')
  t.equal((await bob('POST', `/api/sessions/${mine.json.id}/messages`, { text: 'hi' })).status, 404, 'nor drives it')
  t.equal((await root('GET', `/api/sessions/${mine.json.id}`)).status, 200, 'an admin sees it')
  t.same((await alice('GET', '/api/sessions')).json.map((s: protocol.SessionInfo) => s.id), [mine.json.id], 'a member lists their own')
  t.equal((await root('GET', '/api/sessions')).json.length, 2, 'an admin lists all')
  t.equal((await local('GET', '/api/sessions')).json.length, 2)


  // The global stream, as bob sees it: his own sessions' events only (replayed from the start).
  const bobs = (await bob('POST', '/api/sessions', {})).json as protocol.SessionInfo
  const seen = await openSse(`${tk.kernel.addresses[0]}/api/events?since=0&access_token=${bobSecret}`)
  const frames = await seen.readUntil((f) => f.event === 'session.created' && f.data!.includes(bobs.id))
  seen.close()
  const created = frames.filter((f) => f.event === 'session.created').map((f) => JSON.parse(f.data!).data.id)
  t.same(created, [bobs.id], 'alice\'s and the local admin\'s sessions are not in bob\'s global stream')
  const adminView = await openSse(`${tk.kernel.addresses[0]}/api/events?since=0`)
  const all = await adminView.readUntil((f) => f.event === 'session.created' && f.data!.includes(bobs.id))
  adminView.close()
  t.equal(all.filter((f) => f.event === 'session.created').length, 3, 'the admin sees all three')
  const adminOnly = await alice('POST', '/api/agents', { id: 'sneaky', provider: 'scripted', model: 'demo', systemPrompt: 'x' })
  t.equal(adminOnly.status, 403, 'admin-only plugin routes refuse members')
  t.match(adminOnly.json.error.message, /for admins/)

  const bad = await client(tk, 'apt_nope')('GET', '/api/sessions')
  t.equal(bad.status, 401)
  t.equal(bad.json.error.code, 'AUTH_TOKEN_INVALID')
  t.equal((await local('GET', '/health')).headers.get('x-content-type-options'), 'nosniff', 'security headers')

  // Credentials: a member's key is their own; the admin's is server-wide.
  const own = await alice('POST', '/api/auth/credentials', { provider: 'scripted', key: 'test-key-alice-000001' })
  t.equal(own.status, 201)
  t.match(own.json.ownerId, /^usr_/)
  const shared = await root('POST', '/api/auth/credentials', { provider: 'scripted', key: 'test-key-server-00001' })
  t.equal(shared.json.ownerId, null)
  t.same((await alice('GET', '/api/auth/credentials')).json.map((c: { id: string }) => c.id), [own.json.id], 'a member lists their own keys')
  t.equal((await bob('DELETE', `/api/auth/credentials/${own.json.id}`)).status, 404, 'and nobody else can delete them')
  t.equal((await root('GET', '/api/auth/credentials')).json.length, 2)
})

t.test('tokens are required beyond loopback and with requireTokens; EventSource/WebSocket clients pass access_token', async (t) => {
  const tk = await boot(t, { requireTokens: true, rateLimitPerMinute: 0 })
  const none = await client(tk)('GET', '/api/sessions')
  t.equal(none.status, 401)
  t.equal(none.json.error.code, 'AUTH_TOKEN_REQUIRED')
  t.equal((await client(tk)('GET', '/health')).status, 200, 'liveness needs no token')
  const secret = await token(tk, 'carol', 'admin')
  const sse = await fetch(`${tk.kernel.addresses[0]}/api/events?access_token=${secret}`)
  t.equal(sse.status, 200)
  t.equal(sse.headers.get('content-type'), 'text/event-stream; charset=utf-8')
  await sse.body?.cancel()
  const { default: WebSocket } = await import('ws')
  const ws = new WebSocket(`${tk.kernel.addresses[0].replace('http', 'ws')}/api/ws?access_token=${secret}`)
  const subscribed = await new Promise<Record<string, unknown>>((resolve, reject) => {
    ws.on('open', () => ws.send(JSON.stringify({ op: 'subscribe', stream: 'global' })))
    ws.on('message', (data) => resolve(JSON.parse(String(data))))
    ws.on('error', reject)
  })
  ws.close()
  t.match(subscribed, { op: 'subscribed', stream: 'global' })
  const refused = new WebSocket(`${tk.kernel.addresses[0].replace('http', 'ws')}/api/ws`)
  const status = await new Promise<number>((resolve) => refused.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0)))
  t.equal(status, 401, 'a WebSocket upgrade without a token is refused')
})

t.test('per-token rate limit: 429 AUTH_RATE_LIMITED with Retry-After; other tokens are not affected', async (t) => {
  const tk = await boot(t, { rateLimitPerMinute: 3 })
  const dave = client(tk, await token(tk, 'dave', 'member'))
  const erin = client(tk, await token(tk, 'erin', 'member'))
  const statuses = []
  for (let i = 0; i < 4; i++) statuses.push((await dave('GET', '/api/sessions')).status)
  t.same(statuses, [200, 200, 200, 429])
  const limited = await dave('GET', '/api/sessions')
  t.equal(limited.json.error?.code, 'AUTH_RATE_LIMITED', JSON.stringify(limited.json))
  t.ok(Number(limited.headers.get('retry-after')) > 0)
  t.equal((await erin('GET', '/api/sessions')).status, 200)
})

t.test('listening beyond loopback: server-auth is required, and then every request needs a token', async (t) => {
  await t.rejects(boot(t, false, { host: '0.0.0.0' }), { code: 'SERVER_HTTP_AUTH_REQUIRED', message: /Enable 'server-auth'/ })
  const tk = await boot(t, { rateLimitPerMinute: 0 }, { host: '0.0.0.0' })
  const port = new URL(tk.kernel.addresses[0]).port
  const none = await fetch(`http://127.0.0.1:${port}/api/sessions`)
  t.equal(none.status, 401, 'even from loopback')
})
