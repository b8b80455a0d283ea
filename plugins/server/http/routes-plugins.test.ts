import { fileURLToPath } from 'node:url'
import t from 'tap'
import { createTestKernel } from '../../../kernel/testing/index.js'

const FIXTURE = fileURLToPath(new URL('./fixtures/routes-plugin.ts', import.meta.url))

async function boot(t: { teardown(fn: () => unknown): void }) {
  const tk = await createTestKernel({
    plugins: { 'provider-scripted': { chunkDelayMs: 0 }, 'server-http': { port: 0 }, 'fixture-routes': { resolve: FIXTURE } },
  })
  t.teardown(tk.close)
  const base = tk.kernel.addresses[0]
  const call = async (method: string, path: string, body?: unknown) => {
    const response = await fetch(base + path, {
      method,
      ...(body === undefined ? {} : { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }),
    })
    return { status: response.status, json: (await response.json()) as Record<string, any> }
  }
  return { tk, call }
}

t.test('registry routes are mounted and validated with their zod schemas', async (t) => {
  const { call } = await boot(t)
  const ok = await call('POST', '/api/fixture/echo/bob?times=2', { word: 'hi' })
  t.same(ok, { status: 201, json: { name: 'bob', echo: ['hi', 'hi'] } }, 'status, parsed params, coerced query, body')
  const bad = await call('POST', '/api/fixture/echo/BOB?times=9', { word: '', more: 1 })
  t.equal(bad.status, 400)
  t.equal(bad.json.error.code, 'REQUEST_INVALID')
  t.match(bad.json.error.message, /params\.name: must be lowercase letters/)
  const second = await call('POST', '/api/fixture/echo/bob?times=9', { word: '', more: 1 })
  t.match(second.json.error.message, /querystring\.times/, 'querystring checked')
  const third = await call('POST', '/api/fixture/echo/bob', { word: '', more: 1 })
  t.match(third.json.error.message, /body\.word.*body\.more: unknown field/, 'body checked, every field named')
})

t.test('routes without schemas get the raw request; default status 200', async (t) => {
  const { call } = await boot(t)
  t.same(await call('GET', '/api/fixture/plain?a=1'), { status: 200, json: { query: { a: '1' } } })
})

t.test('a PlatformError from a route keeps its status and code', async (t) => {
  const { call } = await boot(t)
  t.same(await call('GET', '/api/fixture/teapot'), { status: 418, json: { error: { code: 'FIXTURE_ROUTES_TEAPOT', message: 'I am a teapot.', details: { brew: 'tea' } } } })
})

t.test('any other error is a generic 500; the real error is logged, not sent', async (t) => {
  const { call, tk } = await boot(t)
  const res = await call('GET', '/api/fixture/crash')
  t.equal(res.status, 500)
  t.same(Object.keys(res.json.error), ['code', 'message'])
  t.equal(res.json.error.code, 'INTERNAL_ERROR')
  t.notMatch(JSON.stringify(res.json), /pool exhausted|crash|\.ts:/)
  const logged = tk.logLines.find((l) => l.includes('"msg":"request failed"'))
  t.ok(logged, 'logged')
  t.match(logged, /pool exhausted at db.ts:42/)
  t.match(logged, /"url":"\/api\/fixture\/crash"/)
})
