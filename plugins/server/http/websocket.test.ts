import t from 'tap'
import type { Socket } from 'node:net'
import { WebSocketServer } from 'ws'
import type { EventBus, protocol } from '../../../kernel/index.js'
import { createTestKernel, silentLogger } from '../../../kernel/testing/index.js'
import type { ServerHttpService } from './services.js'
import { WsHub } from './websocket.js'
import { openSse, waitFor } from './test-support.js'
import { openWs, type Frame, type WsReader } from './ws-test-support.js'

async function boot(t: { teardown(fn: () => unknown): void }, options: { ws?: Record<string, unknown>; retention?: number } = {}) {
  const tk = await createTestKernel({
    plugins: { 'provider-scripted': { chunkDelayMs: 0 }, 'server-http': { port: 0, ...(options.ws ? { ws: options.ws } : {}) } },
    ...(options.retention ? { kernel: { limits: { eventRetention: options.retention } } } : {}),
  })
  t.teardown(tk.close)
  const base = tk.kernel.addresses[0]
  const sockets: WsReader[] = []
  t.teardown(() => sockets.forEach((s) => s.close()))
  const ws = async (clientOptions = {}) => {
    const reader = await openWs(`${base}/api/ws`, clientOptions)
    sockets.push(reader)
    return reader
  }
  const post = async (path: string, body: unknown = {}) => {
    const response = await fetch(base + path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })
    return (await response.json()) as Record<string, unknown>
  }
  const newSession = async () => (await post('/api/sessions')) as unknown as protocol.SessionInfo
  const service = tk.kernel.resolve<ServerHttpService>('serverHttp')
  const bus = tk.kernel.resolve<EventBus>('eventBus')
  return { tk, base, ws, post, newSession, service, bus }
}

const isTurnEnd = (f: Frame) => f.type === 'turn.completed'
const isOp = (op: string) => (f: Frame) => f.op === op
const seqsOf = (frames: Frame[]) => frames.filter((f) => typeof f.seq === 'number').map((f) => f.seq as number)

t.test('subscribe with since: subscribed {head}, the gap replayed once, then live; payloads identical to SSE', async (t) => {
  const { base, ws, post, newSession, bus } = await boot(t)
  const session = await newSession()
  const stream = `session:${session.id}`
  await post(`/api/sessions/${session.id}/messages`, { text: 'one' })
  await waitFor(async () => {
    const log = await bus.readSince(stream, 0)
    return log.ok && log.events.some((e) => e.type === 'turn.completed')
  }, 5000, 'the first turn')
  const head = await bus.head(stream)

  const socket = await ws()
  socket.send({ op: 'subscribe', stream, since: 3 })
  const replay = await socket.readUntil((f) => f.seq === head)
  t.same(replay[0], { op: 'subscribed', stream, head }, 'announces the head first')
  t.same(seqsOf(replay), Array.from({ length: head - 3 }, (_, i) => i + 4), 'everything after 3, each once, in order')

  const sse = await openSse(`${base}/api/sessions/${session.id}/events`)
  t.teardown(() => sse.close())
  const from = socket.texts.length
  await post(`/api/sessions/${session.id}/messages`, { text: 'two' })
  const live = await socket.readUntil(isTurnEnd)
  const sseFrames = await sse.readUntil((f) => f.event === 'turn.completed')
  t.equal(live[0].seq, head + 1, 'live right after the replay')
  t.same(socket.texts.slice(from, from + live.length), sseFrames.map((f) => f.data), 'byte-identical envelopes over WebSocket and SSE')
})

t.test('a too-old or future cursor gets stream.reset, then live events after head', async (t) => {
  const { ws, post, newSession, bus } = await boot(t, { retention: 5 })
  const session = await newSession()
  const stream = `session:${session.id}`
  await post(`/api/sessions/${session.id}/messages`, { text: 'hi' })
  await waitFor(async () => (await bus.head(stream)) > 10, 5000, 'more events than retention')
  await waitFor(async () => !(await bus.readSince(stream, 0)).ok, 5000, 'the log dropped its start')
  const socket = await ws()
  socket.send({ op: 'subscribe', stream, since: 1 })
  const [subscribed, reset] = await socket.readUntil((f) => f.type === 'stream.reset')
  t.match(subscribed, { op: 'subscribed', stream })
  t.match(reset, { v: 1, stream, type: 'stream.reset', data: { reason: 'cursor_expired' } })
  t.notOk('seq' in reset, 'the reset has no sequence')
  socket.send({ op: 'subscribe', stream: 'global', since: 999 })
  const future = await socket.readUntil((f) => f.type === 'stream.reset')
  t.match(future.at(-1), { stream: 'global', data: { reason: 'cursor_expired' } }, 'a cursor ahead of head resets too')
})

t.test('refusals keep the socket open: unknown session, bad JSON, unknown op, binary; ping, unsubscribe', async (t) => {
  const { ws, service, newSession } = await boot(t)
  const socket = await ws()
  socket.send({ op: 'subscribe', stream: 'session:ses_missing' })
  t.match((await socket.readUntil(isOp('error'))).at(-1), { op: 'error', code: 'SESSION_NOT_FOUND', stream: 'session:ses_missing', message: /ses_missing/ })
  socket.send('{not json')
  t.match((await socket.readUntil(isOp('error'))).at(-1), { code: 'REQUEST_INVALID', message: /not valid JSON/ })
  socket.send({ op: 'dance' })
  t.match((await socket.readUntil(isOp('error'))).at(-1), { code: 'REQUEST_INVALID', message: /op/ })
  socket.send({ op: 'subscribe', stream: 'everything' })
  t.match((await socket.readUntil(isOp('error'))).at(-1), { code: 'REQUEST_INVALID', message: /stream/ })
  socket.socket.send(Buffer.from([1, 2, 3]), { binary: true })
  t.match((await socket.readUntil(isOp('error'))).at(-1), { code: 'REQUEST_INVALID', message: /binary/ })
  socket.send({ op: 'ping' })
  t.same((await socket.readUntil(isOp('pong'))).at(-1), { op: 'pong' })

  const session = await newSession()
  socket.send({ op: 'subscribe', stream: `session:${session.id}` })
  socket.send({ op: 'subscribe', stream: 'global' })
  await socket.readUntil((f) => f.op === 'subscribed' && f.stream === 'global')
  t.equal(service.openStreams(), 2, 'each subscription is an open stream')
  socket.send({ op: 'unsubscribe', stream: 'global' })
  t.same((await socket.readUntil(isOp('unsubscribed'))).at(-1), { op: 'unsubscribed', stream: 'global' })
  t.equal(service.openStreams(), 1)
  socket.socket.close(1000)
  await socket.closed
  await waitFor(() => service.openStreams() === 0, 2000, 'the close releases the rest')
})

t.test('a plain GET on /api/ws is told to upgrade', async (t) => {
  const { base } = await boot(t)
  const response = await fetch(`${base}/api/ws`)
  t.equal(response.status, 426)
  t.match(await response.json(), { error: { code: 'REQUEST_UPGRADE_REQUIRED', message: /WebSocket/ } })
})

t.test('heartbeat: a client that stops answering pings is terminated and its subscriptions released', async (t) => {
  const { ws, service, bus } = await boot(t, { ws: { heartbeatMs: 30 } })
  let listeners = 0
  const subscribe = bus.subscribe.bind(bus)
  bus.subscribe = async (stream, listener) => {
    const unsubscribe = await subscribe(stream, listener)
    listeners += 1
    return () => {
      listeners -= 1
      unsubscribe()
    }
  }
  const healthy = await ws()
  const dead = await ws({ autoPong: false })
  dead.send({ op: 'subscribe', stream: 'global' })
  healthy.send({ op: 'subscribe', stream: 'global' })
  await dead.readUntil(isOp('subscribed'))
  await healthy.readUntil(isOp('subscribed'))
  t.equal(listeners, 2)
  const { code } = await dead.closed
  t.equal(code, 1006, 'terminated (no close frame)')
  await waitFor(() => listeners === 1 && service.openStreams() === 1, 2000, 'the dead client released')
  healthy.send({ op: 'ping' })
  await healthy.readUntil(isOp('pong'))
  t.equal(healthy.socket.readyState, healthy.socket.OPEN, 'a client answering pings stays')
})

t.test('slow consumer: closed with 1013 and a reason once its unsent output passes the limit', async (t) => {
  const { ws, service, bus } = await boot(t, { ws: { maxBufferedBytes: 65_536 } })
  const socket = await ws()
  socket.send({ op: 'subscribe', stream: 'global' })
  await socket.readUntil(isOp('subscribed'))
  socket.socket.pause()
  const big = 'x'.repeat(10_000)
  let sent = 0
  while (service.openStreams() > 0 && sent < 10_000) {
    await bus.append('global', { type: 'tools.changed', data: { added: [big], removed: [], source: `test-${sent}` } })
    sent += 1
  }
  t.equal(service.openStreams(), 0, `dropped after ${sent} events of 10 kB, not buffered without bound`)
  for (let i = 0; i < 50; i += 1) await bus.append('global', { type: 'tools.changed', data: { added: [big], removed: [], source: 'after' } })
  socket.socket.resume()
  const closed = await socket.closed
  t.equal(closed.code, 1013)
  t.match(closed.reason, /slow consumer.*reconnect with since/)
  const received = socket.frames.filter((f) => f.type === 'tools.changed').length
  t.ok(received > 0 && received <= sent, `what was queued before the cut arrives (${received} of ${sent})`)
  t.notOk(socket.frames.some((f) => (f.data as { source?: string } | undefined)?.source === 'after'), 'nothing after the cut was queued')
})

t.test('shutdown closes sockets with 1001', async (t) => {
  const { ws, tk } = await boot(t)
  const socket = await ws()
  socket.send({ op: 'subscribe', stream: 'global' })
  await socket.readUntil(isOp('subscribed'))
  await tk.close()
  t.match(await socket.closed, { code: 1001, reason: /shutting down/ })
})

t.test('with its TCP socket given, the frames of one event-loop turn are held back and go out together, in order', async (t) => {
  const { bus } = await boot(t)
  const hub = new WsHub({ heartbeatMs: 60_000, maxBufferedBytes: 1_048_576, maxSubscriptions: 16, logger: silentLogger })
  const counts = { cork: 0, uncork: 0 }
  let tcp: Socket | undefined
  const server = new WebSocketServer({ port: 0, host: '127.0.0.1' })
  t.teardown(() => new Promise((done) => server.close(done)))
  server.on('connection', (socket, request) => {
    tcp = request.socket
    const transport = { cork: () => (counts.cork++, tcp!.cork()), uncork: () => (counts.uncork++, tcp!.uncork()) }
    hub.accept(socket, { eventBus: bus, openSession: async () => undefined }, transport)
  })
  await new Promise((done) => server.once('listening', done))
  const client = await openWs(`http://127.0.0.1:${(server.address() as { port: number }).port}`)
  t.teardown(() => client.close())
  client.send({ op: 'subscribe', stream: 'global' })
  await client.readUntil(isOp('subscribed'))
  const before = { ...counts }
  for (let i = 0; i < 5; i++) void bus.append('global', { type: 'tools.changed', data: { added: [`t${i}`], removed: [], source: 'burst' } })
  t.ok(tcp!.writableLength > 0, 'the five frames wait in the corked socket while the burst is sent')
  const frames = await client.readUntil((f) => (f.data as { added?: string[] } | undefined)?.added?.[0] === 't4')
  t.same(frames.map((f) => (f.data as { added: string[] }).added[0]), ['t0', 't1', 't2', 't3', 't4'], 'all of them, in order')
  t.same({ cork: counts.cork - before.cork, uncork: counts.uncork - before.uncork }, { cork: 1, uncork: 1 }, 'one cork for the burst, released at the end of the loop turn')
})
