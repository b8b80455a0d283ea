import t from 'tap'
import WebSocket from 'ws'
import { createTestKernel } from '../testing/index.js'
import { ApiError, createClient, type WebSocketConstructor } from './client.js'
import type { EventEnvelope, StreamResetEnvelope } from './events.js'

async function boot(t: { teardown(fn: () => unknown): void }) {
  const tk = await createTestKernel({ plugins: { 'provider-scripted': { chunkDelayMs: 0 }, 'server-http': { port: 0 } } })
  t.teardown(tk.close)
  return { tk, client: createClient({ baseUrl: tk.kernel.addresses[0], WebSocket: WebSocket as unknown as WebSocketConstructor }) }
}

/** Events of one subscription until a turn completes. */
function collect(client: ReturnType<typeof createClient>, stream: string, options: { transport: 'sse' | 'ws'; since?: number }) {
  const events: EventEnvelope[] = []
  const resets: StreamResetEnvelope[] = []
  let done!: () => void
  const completed = new Promise<void>((resolve) => (done = resolve))
  const subscription = client.subscribe(stream, {
    ...options,
    reconnectDelayMs: 10,
    onEvent: (event) => {
      events.push(event)
      if (event.type === 'turn.completed') done()
    },
    onReset: (reset) => resets.push(reset),
  })
  return { events, resets, completed, subscription }
}

t.test('typed calls against a real server; failures are ApiErrors with status, code, message and details', async (t) => {
  const { client } = await boot(t)
  t.match(await client.health(), { healthy: true })
  const session = await client.createSession({ title: 'typed' })
  t.equal(session.title, 'typed')
  t.match(await client.patchSession(session.id, { title: 'renamed' }), { id: session.id, title: 'renamed' })
  t.ok((await client.listSessions({ limit: 5 })).some((s) => s.id === session.id))
  t.same(await client.listChildren(session.id), [])
  t.same(await client.abort(session.id), { aborted: false })
  t.match(await client.openapi(), { openapi: '3.1.0' })

  const missing = await client.getSession('ses_nope').catch((error: unknown) => error)
  t.ok(missing instanceof ApiError)
  t.match(missing, { status: 404, code: 'SESSION_NOT_FOUND', message: 'No session with id "ses_nope".', details: { id: 'ses_nope' } })
  const invalid = await client.postMessage(session.id, { text: '' }).catch((error: unknown) => error)
  t.match(invalid, { status: 400, code: 'REQUEST_INVALID', details: { issues: [{ location: 'body', path: 'text' }] } })
  const nothing = await client.regenerate(session.id).catch((error: unknown) => error)
  t.match(nothing, { status: 409, code: 'SESSION_NOTHING_TO_REGENERATE' })
  const route = await client.request('GET', '/api/nothing-here').catch((error: unknown) => error)
  t.match(route, { status: 404, code: 'ROUTE_NOT_FOUND' })
})

t.test('subscribe over SSE and WebSocket: the same events, once, in order; replay with since', async (t) => {
  const { client } = await boot(t)
  const session = await client.createSession()
  const stream = `session:${session.id}`
  const sse = collect(client, stream, { transport: 'sse' })
  const ws = collect(client, stream, { transport: 'ws' })
  t.teardown(() => [sse, ws].forEach((s) => s.subscription.close()))
  await Promise.all([sse.subscription.ready, ws.subscription.ready])
  const posted = await client.postMessage(session.id, { text: 'hi' })
  await Promise.all([sse.completed, ws.completed])
  t.ok(sse.events.length > 3)
  t.same(ws.events, sse.events, 'identical envelopes')
  t.same(sse.events.map((e) => e.seq), sse.events.map((_, i) => sse.events[0].seq + i), 'consecutive')
  t.equal(sse.subscription.lastSeq, sse.events.at(-1)!.seq)

  const detail = await client.getSession(session.id)
  t.equal(detail.messages[0].turnId, posted.turnId)
  const replay = collect(client, stream, { transport: 'ws', since: 2 })
  t.teardown(() => replay.subscription.close())
  await replay.completed
  t.same(replay.events.map((e) => e.seq), sse.events.map((e) => e.seq).filter((s) => s > 2), 'replay after since')
})

t.test('a dropped WebSocket reconnects after the last event: nothing lost, nothing twice', async (t) => {
  const { tk } = await boot(t)
  let sockets = 0
  /** Cuts its first connection after three events, as a network drop would: nothing after the cut arrives (even frames already read in the same chunk). */
  const cut = new WeakSet<WebSocket>()
  class FlakyWebSocket extends WebSocket {
    constructor(url: string, protocols?: string | string[], options?: WebSocket.ClientOptions) {
      super(url, protocols, options)
      const first = sockets++ === 0
      let events = 0
      this.prependListener('message', (data) => {
        if (first && !cut.has(this) && String(data).includes('"seq"') && ++events === 3) {
          cut.add(this)
          this.terminate()
        }
      })
    }
    override emit(event: string | symbol, ...args: unknown[]): boolean {
      // The third event was received before the cut and reaches every listener; later frames never arrive.
      if (event === 'message' && cut.has(this)) return false
      return super.emit(event, ...args)
    }
  }
  const client = createClient({ baseUrl: tk.kernel.addresses[0], WebSocket: FlakyWebSocket as unknown as WebSocketConstructor })
  const session = await client.createSession()
  const live = collect(client, `session:${session.id}`, { transport: 'ws', since: 0 })
  t.teardown(() => live.subscription.close())
  await live.subscription.ready
  await client.postMessage(session.id, { text: 'hi' })
  await live.completed
  t.equal(sockets, 2, 'the first socket was cut; the second resumed')
  t.same(live.events.map((e) => e.seq), live.events.map((_, i) => i + 1), 'every event from 1, once, in order')
})

t.test('refusals end the subscription; a cursor ahead of head calls onReset', async (t) => {
  const { client } = await boot(t)
  for (const transport of ['sse', 'ws'] as const) {
    const errors: Error[] = []
    const sub = client.subscribe('session:ses_nope', { transport, onEvent: () => undefined, onError: (e) => errors.push(e), reconnectDelayMs: 10 })
    await t.rejects(sub.ready, { status: 404, code: 'SESSION_NOT_FOUND' }, transport)
    t.equal(errors.length, 1, `${transport}: reported once, not retried`)
  }
  t.throws(() => client.subscribe('everything', { onEvent: () => undefined }), /Unknown stream/)
  const session = await client.createSession()
  for (const transport of ['sse', 'ws'] as const) {
    const run = collect(client, `session:${session.id}`, { transport, since: 999 })
    t.teardown(() => run.subscription.close())
    await run.subscription.ready
    await t.resolves(new Promise<void>((resolve) => {
      const check = setInterval(() => run.resets.length && (clearInterval(check), resolve()), 5)
    }))
    t.match(run.resets[0], { type: 'stream.reset', data: { reason: 'cursor_expired', head: 1 } }, transport)
  }
})
