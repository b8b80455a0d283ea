import t from 'tap'
import { fileURLToPath } from 'node:url'
import { createTestKernel } from '../../../kernel/testing/index.js'
import { envelopeOf, openSse } from './test-support.js'

const fixture = fileURLToPath(new URL('./fixtures/ask-tool-plugin.ts', import.meta.url))

t.test('a permission asked on the stream is answered over HTTP; the full tool output is served', async (t) => {
  const tk = await createTestKernel({
    plugins: {
      'provider-scripted': { chunkDelayMs: 0, replies: [[{ type: 'tool-call', tool: 'touch_file', input: { path: 'a.txt' }, callId: 'call-1' }], [{ type: 'text', text: 'done' }]] },
      'tool-asking': { resolve: fixture },
      'server-http': { port: 0 },
    },
  })
  t.teardown(tk.close)
  const base = tk.kernel.addresses[0]
  const post = (path: string, body: unknown) => fetch(base + path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })
  const session = (await (await post('/api/sessions', {})).json()) as { id: string }
  const sse = await openSse(`${base}/api/sessions/${session.id}/events`)
  t.teardown(() => sse.close())
  t.equal((await post(`/api/sessions/${session.id}/messages`, { text: 'touch a.txt' })).status, 202)

  const asked = await sse.readUntil((f) => f.event === 'permission.asked')
  const ask = envelopeOf<{ data: { askId: string; tool: string; summary: string } }>(asked.at(-1)!).data
  t.match(ask, { tool: 'touch_file', summary: 'Allow touch_file: a.txt?' })

  const bad = await post(`/api/sessions/${session.id}/permissions/${ask.askId}`, { reply: 'sure' })
  t.equal(bad.status, 400)
  t.equal(((await bad.json()) as { error: { code: string } }).error.code, 'REQUEST_INVALID')
  const unknown = await post(`/api/sessions/${session.id}/permissions/ask_unknown`, { reply: 'once' })
  t.equal(unknown.status, 404)
  t.equal(((await unknown.json()) as { error: { code: string } }).error.code, 'PERMISSION_ASK_NOT_FOUND')
  const ok = await post(`/api/sessions/${session.id}/permissions/${ask.askId}`, { reply: 'once' })
  t.equal(ok.status, 204)

  const rest = await sse.readUntil((f) => f.event === 'turn.completed')
  t.same(rest.filter((f) => f.event === 'permission.replied').map((f) => envelopeOf<{ data: { reply: string; by: string } }>(f).data), [{ askId: ask.askId, callId: 'call-1', reply: 'once', by: 'user' }])
  const toolStates = rest.filter((f) => f.event === 'tool.updated').map((f) => envelopeOf<{ data: { state: string } }>(f).data.state)
  t.same(toolStates, ['running', 'completed'])
  const completed = rest.find((f) => f.event === 'tool.updated' && envelopeOf<{ data: { state: string } }>(f).data.state === 'completed')!
  t.ok(envelopeOf<{ data: { output: string } }>(completed).data.output.length < 31_000, 'the model-facing output is cut')

  const call = await fetch(`${base}/api/sessions/${session.id}/tool-calls/call-1`)
  t.equal(call.status, 200)
  const detail = (await call.json()) as { output: string; truncated: boolean; state: string }
  t.equal(detail.state, 'completed')
  t.equal(detail.truncated, true)
  t.equal(detail.output.length, 'touched a.txt\n'.length + 40_000)
  const missing = await fetch(`${base}/api/sessions/${session.id}/tool-calls/nope`)
  t.equal(missing.status, 404)
})
