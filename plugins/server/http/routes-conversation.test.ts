import t from 'tap'
import { createTestKernel } from '../../../kernel/testing/index.js'
import { waitFor } from '../../../kernel/testing/wait.js'
import type { protocol } from '../../../kernel/index.js'
import { envelopeOf, openSse } from './test-support.js'

const say = (text: string) => [{ type: 'text', text }, { type: 'finish', reason: 'stop' }]

t.test('regenerate, edit (fork) and compact over HTTP, with clear errors', async (t) => {
  const tk = await createTestKernel({
    plugins: { 'provider-scripted': { chunkDelayMs: 0, replies: [say('one'), say('two'), say('again'), say('forked'), say('four')] }, 'server-http': { port: 0 } } as never,
    kernel: { autoTitle: true } as never,
  })
  t.teardown(tk.close)
  const base = tk.kernel.addresses[0]
  const post = (path: string, body?: unknown) =>
    fetch(base + path, { method: 'POST', ...(body === undefined ? {} : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }) })
  const json = async <T>(response: Response) => (await response.json()) as T
  const session = await json<protocol.SessionInfo>(await post('/api/sessions', {}))
  const sse = await openSse(`${base}/api/sessions/${session.id}/events`)
  t.teardown(() => sse.close())
  const idle = () => sse.readUntil((f) => f.event === 'session.status' && envelopeOf<{ data: { status: string } }>(f).data.status === 'idle')

  const nothing = await post(`/api/sessions/${session.id}/regenerate`)
  t.equal(nothing.status, 409)
  t.equal((await json<protocol.ApiErrorBody>(nothing)).error.code, 'SESSION_NOTHING_TO_REGENERATE')

  const first = await json<protocol.PostMessageResponse>(await post(`/api/sessions/${session.id}/messages`, { text: 'name three rivers' }))
  await idle()
  const titled = await sse.readUntil((f) => f.event === 'session.updated')
  t.match(envelopeOf<{ data: { changes: { title: string } } }>(titled.at(-1)!).data.changes, { title: 'Scripted: name three rivers' }, 'title announced on the stream')
  await post(`/api/sessions/${session.id}/messages`, { text: 'and two lakes' })
  await idle()

  const regenerated = await post(`/api/sessions/${session.id}/regenerate`, {})
  t.equal(regenerated.status, 202)
  const { superseded } = await json<protocol.RegenerateResponse>(regenerated)
  t.equal(superseded.length, 1)
  const frames = await idle()
  t.ok(frames.some((f) => f.event === 'message.superseded'), 'superseded announced')
  let detail = await json<protocol.SessionDetail>(await fetch(`${base}/api/sessions/${session.id}`))
  t.same(detail.messages.filter((m) => m.role === 'assistant').map((m) => [(m.parts[0].data as { text: string }).text, Boolean(m.supersededAt)]), [['one', false], ['two', true], ['again', false]])
  t.ok(detail.messages.every((m) => m.role === 'user' || Array.isArray(m.tools)), 'every answer lists its tools')

  const badEdit = await post(`/api/sessions/${session.id}/messages/${first.messageId}/edit`, { text: '' })
  t.equal(badEdit.status, 400)
  t.match((await json<protocol.ApiErrorBody>(badEdit)).error, { code: 'REQUEST_INVALID', message: /text must not be empty/ })
  const answerId = detail.messages.find((m) => m.role === 'assistant')!.id
  const notEditable = await post(`/api/sessions/${session.id}/messages/${answerId}/edit`, { text: 'x' })
  t.equal(notEditable.status, 400)
  t.equal((await json<protocol.ApiErrorBody>(notEditable)).error.code, 'SESSION_MESSAGE_NOT_EDITABLE')
  const edited = await post(`/api/sessions/${session.id}/messages/${first.messageId}/edit`, { text: 'name three mountains' })
  t.equal(edited.status, 201)
  const fork = await json<protocol.EditMessageResponse>(edited)
  t.same(fork.session.forkedFrom, { sessionId: session.id, messageId: first.messageId })
  t.equal(fork.session.title, 'Scripted: name three rivers (edited)')
  const forkDetail = async () => json<protocol.SessionDetail>(await fetch(`${base}/api/sessions/${fork.session.id}`))
  await waitFor(async () => (await forkDetail()).messages.at(-1)?.finish === 'stop' && (await forkDetail()).status === 'idle', 'the fork answers')
  const forked = await forkDetail()
  t.same(forked.messages.map((m) => (m.parts[0].data as { text: string }).text), ['name three mountains', 'forked'], 'forked before the first message: only the edited one')

  const fresh = await json<protocol.SessionInfo>(await post('/api/sessions', {}))
  const early = await post(`/api/sessions/${fresh.id}/compact`)
  t.equal(early.status, 409, 'an empty conversation has nothing to compact')
  t.equal((await json<protocol.ApiErrorBody>(early)).error.code, 'SESSION_NOTHING_TO_COMPACT')
  const done = await post(`/api/sessions/${session.id}/compact`, {})
  t.equal(done.status, 200, 'the first turn is summarized, the last one kept')
  const result = await json<protocol.CompactResponse>(done)
  detail = await json<protocol.SessionDetail>(await fetch(`${base}/api/sessions/${session.id}`))
  t.match(detail.messages.find((m) => m.id === result.messageId)?.parts[0], { kind: 'compaction', data: { reason: 'manual' } })
  const unknown = await post('/api/sessions/ses_nope/compact')
  t.equal(unknown.status, 404)
  const extra = await post(`/api/sessions/${session.id}/compact`, { force: true })
  t.equal(extra.status, 400, 'unknown body fields are refused')
})
