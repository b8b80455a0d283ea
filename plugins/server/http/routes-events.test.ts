import t from 'tap'
import type { EventBus, protocol } from '../../../kernel/index.js'
import { createTestKernel } from '../../../kernel/testing/index.js'
import type { ServerHttpService } from './services.js'
import { envelopeOf, openSse, waitFor, type SseFrame, type SseReader } from './test-support.js'

type Envelope = protocol.EventEnvelope

async function boot(t: { teardown(fn: () => unknown): void }, options: { http?: Record<string, unknown>; retention?: number; chunkDelayMs?: number } = {}) {
  const tk = await createTestKernel({
    plugins: { 'provider-scripted': { chunkDelayMs: options.chunkDelayMs ?? 0 }, 'server-http': { port: 0, ...options.http } },
    ...(options.retention ? { kernel: { limits: { eventRetention: options.retention } } } : {}),
  })
  t.teardown(tk.close)
  const base = tk.kernel.addresses[0]
  const readers: SseReader[] = []
  t.teardown(() => readers.forEach((r) => r.close()))
  const sse = async (path: string, headers?: Record<string, string>) => {
    const reader = await openSse(base + path, headers)
    readers.push(reader)
    return reader
  }
  const post = async (path: string, body: unknown = {}) => {
    const response = await fetch(base + path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })
    return (await response.json()) as Record<string, string>
  }
  const newSession = async () => (await post('/api/sessions')) as unknown as protocol.SessionInfo
  const service = tk.kernel.resolve<ServerHttpService>('serverHttp')
  return { tk, base, sse, post, newSession, service }
}

const isTurnEnd = (f: SseFrame) => f.event === 'turn.completed'
const seqs = (frames: SseFrame[]) => frames.filter((f) => f.id !== undefined).map((f) => Number(f.id))

t.test('headers and frames: id = seq, event = type, data = envelope; live only without a cursor', async (t) => {
  const { sse, post, newSession } = await boot(t)
  const session = await newSession()
  const reader = await sse(`/api/sessions/${session.id}/events`)
  t.equal(reader.status, 200)
  t.match(reader.headers.get('content-type'), /^text\/event-stream/)
  t.equal(reader.headers.get('cache-control'), 'no-cache')
  t.equal(reader.headers.get('x-accel-buffering'), 'no')
  await post(`/api/sessions/${session.id}/messages`, { text: 'hi' })
  const frames = await reader.readUntil(isTurnEnd)
  t.equal(frames[0].event, 'message.created', 'session.created (seq 1) happened before: not replayed')
  t.equal(frames[0].id, '2')
  for (const frame of frames) {
    const envelope = envelopeOf<Envelope>(frame)
    t.equal(String(envelope.seq), frame.id)
    t.equal(envelope.type, frame.event)
    t.equal(envelope.stream, `session:${session.id}`)
    t.equal(envelope.v, 1)
  }
  const ids = seqs(frames)
  t.same(ids, ids.map((_, i) => ids[0] + i), 'consecutive sequence')
  t.ok(frames.some((f) => f.event === 'part.delta'))
})

t.test('?since replays everything after it, then goes live', async (t) => {
  const { sse, post, newSession } = await boot(t)
  const session = await newSession()
  await post(`/api/sessions/${session.id}/messages`, { text: 'one' })
  const live = await sse(`/api/sessions/${session.id}/events?since=0`)
  const first = await live.readUntil(isTurnEnd)
  const head = Number(first.at(-1)!.id)
  t.same(seqs(first), Array.from({ length: head }, (_, i) => i + 1), 'seq 1..head, each once')
  await post(`/api/sessions/${session.id}/messages`, { text: 'two' })
  const second = await live.readUntil(isTurnEnd)
  t.equal(Number(second[0].id), head + 1, 'live continues right after the replay')
  const replay = await sse(`/api/sessions/${session.id}/events?since=${head}`)
  const again = await replay.readUntil(isTurnEnd)
  t.same(seqs(again), seqs(second), 'a replay from the middle matches the live stream')
})

t.test('Last-Event-ID resumes after that seq and wins over ?since', async (t) => {
  const { sse, post, newSession } = await boot(t)
  const session = await newSession()
  await post(`/api/sessions/${session.id}/messages`, { text: 'one' })
  const all = await (await sse(`/api/sessions/${session.id}/events?since=0`)).readUntil(isTurnEnd)
  const resumed = await (await sse(`/api/sessions/${session.id}/events?since=0`, { 'last-event-id': '5' })).readUntil(isTurnEnd)
  t.same(seqs(resumed), seqs(all).filter((s) => s > 5))
  t.same(resumed.map((f) => f.data), all.slice(5).map((f) => f.data), 'same envelopes')
})

t.test('subscribing during a running turn loses and repeats nothing', async (t) => {
  const { sse, post, newSession, tk } = await boot(t, { chunkDelayMs: 3 })
  const session = await newSession()
  await post(`/api/sessions/${session.id}/messages`, { text: 'go' })
  await waitFor(async () => (await tk.kernel.resolve<EventBus>('eventBus').head(`session:${session.id}`)) > 12, 5000, 'a few deltas')
  const frames = await (await sse(`/api/sessions/${session.id}/events?since=0`)).readUntil(isTurnEnd)
  const ids = seqs(frames)
  t.same(ids, Array.from({ length: ids.length }, (_, i) => i + 1))
})

t.test('a cursor ahead of head gets stream.reset (no id), then live from head', async (t) => {
  const { sse, post, newSession } = await boot(t)
  const session = await newSession()
  const reader = await sse(`/api/sessions/${session.id}/events?since=500`)
  const reset = await reader.next()
  t.equal(reset?.event, 'stream.reset')
  t.equal(reset?.id, undefined)
  t.match(envelopeOf(reset!), { type: 'stream.reset', data: { reason: 'cursor_expired', head: 1 } })
  await post(`/api/sessions/${session.id}/messages`, { text: 'hi' })
  const frames = await reader.readUntil(isTurnEnd)
  t.equal(frames[0].id, '2')
})

t.test('a cursor older than retention gets stream.reset', async (t) => {
  const { sse, post, newSession, tk } = await boot(t, { retention: 5 })
  const session = await newSession()
  await post(`/api/sessions/${session.id}/messages`, { text: 'hi' })
  await waitFor(async () => (await tk.kernel.resolve<EventBus>('eventBus').head(`session:${session.id}`)) > 10, 5000, 'more events than retention')
  const reader = await sse(`/api/sessions/${session.id}/events`, { 'last-event-id': '1' })
  const reset = await reader.next()
  t.equal(reset?.event, 'stream.reset')
  t.equal(envelopeOf(reset!).data.reason, 'cursor_expired')
})

t.test('unknown session -> 404 JSON; bad cursors -> 400', async (t) => {
  const { base, newSession, service } = await boot(t)
  const missing = await fetch(`${base}/api/sessions/ses_missing/events`, { headers: { accept: 'text/event-stream' } })
  t.equal(missing.status, 404)
  t.match(missing.headers.get('content-type'), /application\/json/)
  t.same(await missing.json(), { error: { code: 'SESSION_NOT_FOUND', message: 'No session with id "ses_missing".', details: { id: 'ses_missing' } } })
  const session = await newSession()
  const badSince = await fetch(`${base}/api/sessions/${session.id}/events?since=-3`)
  t.equal(badSince.status, 400)
  t.match(await badSince.json(), { error: { code: 'REQUEST_INVALID', message: /querystring\.since/ } })
  const badHeader = await fetch(`${base}/api/events`, { headers: { 'last-event-id': 'abc' } })
  t.equal(badHeader.status, 400)
  t.match(await badHeader.json(), { error: { code: 'REQUEST_INVALID', message: /headers\.last-event-id/ } })
  t.equal(service.openStreams(), 0, 'refused requests open no stream')
})

t.test('heartbeat comment every heartbeatMs', async (t) => {
  const { sse } = await boot(t, { http: { heartbeatMs: 30 } })
  const reader = await sse('/api/events')
  const started = Date.now()
  const pings: SseFrame[] = []
  while (pings.length < 2) {
    const frame = await reader.next(2000)
    if (frame?.comments.includes('ping')) pings.push(frame)
  }
  t.ok(Date.now() - started < 1000)
  t.equal(pings[0].event, undefined, 'a comment, not an event')
})

t.test('disconnect releases the subscription and the stream slot', async (t) => {
  const { sse, newSession, service, tk } = await boot(t)
  const bus = tk.kernel.resolve<EventBus>('eventBus')
  let active = 0
  const subscribe = bus.subscribe.bind(bus)
  bus.subscribe = async (stream, listener) => {
    const unsubscribe = await subscribe(stream, listener)
    active += 1
    return () => {
      active -= 1
      return unsubscribe()
    }
  }
  const session = await newSession()
  const a = await sse(`/api/sessions/${session.id}/events`)
  const b = await sse('/api/events?since=0')
  await b.next()
  await waitFor(() => service.openStreams() === 2 && active === 2, 2000, 'two open streams')
  a.close()
  b.close()
  await waitFor(() => service.openStreams() === 0, 2000, 'openStreams back to 0')
  await waitFor(() => active === 0, 2000, 'subscriptions released')
  t.pass('released')
})

t.test('GET /api/events streams the global stream', async (t) => {
  const { sse, newSession } = await boot(t)
  const reader = await sse('/api/events')
  const session = await newSession()
  const [frame] = await reader.readUntil((f) => f.event === 'session.created')
  t.match(envelopeOf(frame), { stream: 'global', type: 'session.created', data: { id: session.id } })
})

t.test('shutdown ends open streams with a retry hint and closes promptly', async (t) => {
  const tk = await createTestKernel({ plugins: { 'provider-scripted': { chunkDelayMs: 0 }, 'server-http': { port: 0 } } })
  const reader = await openSse(`${tk.kernel.addresses[0]}/api/events`)
  const service = tk.kernel.resolve<ServerHttpService>('serverHttp')
  await waitFor(() => service.openStreams() === 1, 2000, 'the stream')
  const started = Date.now()
  await tk.close()
  t.ok(Date.now() - started < 2000, 'closed promptly')
  const frame = await reader.next()
  t.equal(frame?.retry, 2000)
  t.equal(await reader.next(), null, 'then the stream ends')
  t.equal(service.openStreams(), 0)
  t.equal(service.address(), null)
})

t.test('shutdown stays prompt after a client dropped its stream (spare client connections are closed)', async (t) => {
  const tk = await createTestKernel({ plugins: { 'provider-scripted': { chunkDelayMs: 0 }, 'server-http': { port: 0 } } })
  const reader = await openSse(`${tk.kernel.addresses[0]}/api/events`)
  const service = tk.kernel.resolve<ServerHttpService>('serverHttp')
  await waitFor(() => service.openStreams() === 1, 2000, 'the stream')
  reader.close()
  await waitFor(() => service.openStreams() === 0, 2000, 'the stream to close')
  const started = Date.now()
  await tk.close()
  t.ok(Date.now() - started < 1000, `closed in ${Date.now() - started} ms`)
})
