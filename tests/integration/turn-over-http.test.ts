/**
 * One chat turn over real HTTP: create a session, post a message, follow the SSE stream, resume a
 * dropped stream with Last-Event-ID, then check the stored session. Assertions go through HTTP only,
 * except one comparison with the event log. To run it against other back ends, add them to PLUGINS.
 */
import t from 'tap'
import type { EventBus, PluginEntry, protocol } from '../../kernel/index.js'
import { createTestKernel } from '../../kernel/testing/index.js'
import { testBackends } from '../../kernel/testing/backends.js'
import { envelopeOf, openSse, type SseFrame, type SseReader } from '../../plugins/server/http/test-support.js'

const THOUGHT = 'The user says hello. I should greet them back and mention that this reply is scripted.'
const ANSWER = 'Hello! This answer is streamed by the scripted provider, chunk by chunk, over server-sent events.'

/**
 * The default config's plugin set: persistence-postgres, realtime-redis and jobs-agenda on the real
 * servers when DATABASE_URL / REDIS_URL are set, on the embedded defaults otherwise.
 */
const backends = testBackends()
t.teardown(() => backends.cleanup())
const PLUGINS: Record<string, PluginEntry> = {
  ...backends.plugins,
  'provider-scripted': {
    chunkDelayMs: 30, // about 0.5 s per turn
    chunkChars: 12,
    replies: [[{ type: 'thought', text: THOUGHT }, { type: 'text', text: ANSWER }, { type: 'usage', input: 10, output: 20 }, { type: 'finish', reason: 'stop' }]],
  },
  'server-http': { port: 0 },
}

/** An envelope as read off the wire (data kept loose for the checks below). */
type Envelope = { v: number; stream: string; seq: number; type: string; data: Record<string, any> }
const seqOf = (frame: SseFrame) => Number(frame.id)

interface TurnRead {
  frames: SseFrame[]
  assistantId?: string
}

/** Frames of `turnId` until its assistant message completes (or `stopAfter` says stop). */
async function readTurn(reader: SseReader, turnId: string, options: { assistantId?: string; stopAfter?: (frames: SseFrame[]) => boolean } = {}): Promise<TurnRead> {
  const read: TurnRead = { frames: [], assistantId: options.assistantId }
  await reader.readUntil((frame) => {
    read.frames.push(frame)
    const envelope = envelopeOf<Envelope>(frame)
    if (envelope.type === 'message.created' && envelope.data.role === 'assistant' && envelope.data.turnId === turnId) read.assistantId = envelope.data.id
    if (options.stopAfter?.(read.frames)) return true
    return envelope.type === 'message.completed' && read.assistantId !== undefined && envelope.data.id === read.assistantId
  }, 15_000)
  return read
}

t.test('a turn over HTTP with SSE, a dropped stream resumed by Last-Event-ID, and the stored result', async (t) => {
  const tk = await createTestKernel({ plugins: PLUGINS })
  t.teardown(tk.close)
  const base = tk.kernel.addresses[0]
  const readers: SseReader[] = []
  t.teardown(() => readers.forEach((reader) => reader.close()))
  const sse = async (path: string, headers?: Record<string, string>) => {
    const reader = await openSse(base + path, headers)
    t.equal(reader.status, 200, `SSE ${path} opened`)
    readers.push(reader)
    return reader
  }
  const request = async (method: string, path: string, body?: unknown) => {
    const response = await fetch(base + path, {
      method,
      ...(body === undefined ? {} : { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }),
    })
    return { status: response.status, json: (await response.json()) as any }
  }

  // Turn 1: create, subscribe from the snapshot's seq, post, follow the stream to the assistant's message.completed.
  const created = await request('POST', '/api/sessions', { title: 'over http' })
  t.equal(created.status, 201)
  const session = created.json as protocol.SessionInfo
  const stream = `/api/sessions/${session.id}/events`
  const first = await sse(`${stream}?since=${session.seq}`)
  const posted = await request('POST', `/api/sessions/${session.id}/messages`, { text: 'hello' })
  t.equal(posted.status, 202)
  const turn1 = (await readTurn(first, posted.json.turnId)).frames
  t.same(turn1.map(seqOf), turn1.map((_, i) => session.seq + 1 + i), 'per-session seq rises by one per event')
  t.ok(turn1.some((f) => f.event === 'part.delta'), 'deltas streamed')
  t.equal(envelopeOf<Envelope>(turn1.at(-1)!).data.finish, 'stop')
  const afterTurn1 = seqOf(turn1.at(-1)!)

  // Turn 2: an uninterrupted reader, and one that drops mid-turn and resumes with Last-Event-ID.
  const steady = await sse(`${stream}?since=${afterTurn1}`)
  const posted2 = await request('POST', `/api/sessions/${session.id}/messages`, { text: 'and again' })
  t.equal(posted2.status, 202)
  const deltas = (frames: SseFrame[]) => frames.filter((f) => f.event === 'part.delta').length
  const beforeDrop = await readTurn(first, posted2.json.turnId, { stopAfter: (frames) => deltas(frames) >= 3 })
  t.ok(beforeDrop.assistantId, 'the assistant message had started')
  t.notOk(beforeDrop.frames.some((f) => f.event === 'message.completed' && envelopeOf<Envelope>(f).data.id === beforeDrop.assistantId), 'dropped before it finished')
  first.close()
  const lastSeen = seqOf(beforeDrop.frames.at(-1)!)
  // Let the turn run on while nobody listens on the dropped connection.
  const steadyStart = await readTurn(steady, posted2.json.turnId, { stopAfter: (frames) => frames.length > 0 && seqOf(frames.at(-1)!) >= lastSeen + 5 })
  const resumed = await sse(stream, { 'last-event-id': String(lastSeen) })
  const afterDrop = (await readTurn(resumed, posted2.json.turnId, { assistantId: beforeDrop.assistantId })).frames
  t.equal(seqOf(afterDrop[0]), lastSeen + 1, 'resumes right after the last seen event')

  const steadyRest = await readTurn(steady, posted2.json.turnId, { assistantId: steadyStart.assistantId })
  const all = [...steadyStart.frames, ...steadyRest.frames]
  const joined = [...beforeDrop.frames, ...afterDrop]
  t.same(joined.map(seqOf), all.map(seqOf), 'every event of the turn exactly once, in order')
  t.same(joined.map((f) => f.data), all.map((f) => f.data), 'identical envelopes')
  t.same(all.map(seqOf), all.map((_, i) => afterTurn1 + 1 + i), 'no gap')
  t.equal(envelopeOf<Envelope>(all.at(-1)!).data.id, beforeDrop.assistantId)

  // The one comparison with the event log itself.
  const log = await tk.kernel.resolve<EventBus>('eventBus').readSince(`session:${session.id}`, afterTurn1)
  t.ok(log.ok, 'the log still holds the turn')
  if (log.ok) t.same(log.events.filter((e) => e.seq <= seqOf(all.at(-1)!)), all.map((f) => envelopeOf<Envelope>(f)), 'SSE matches the log')

  // The stored session: both turns, user + assistant, reasoning and text parts with the full text.
  const detail = await request('GET', `/api/sessions/${session.id}`)
  t.equal(detail.status, 200)
  const messages = (detail.json as protocol.SessionDetail).messages
  t.same(messages.map((m) => m.role), ['user', 'assistant', 'user', 'assistant'])
  t.same(messages.map((m) => m.turnId), [posted.json.turnId, posted.json.turnId, posted2.json.turnId, posted2.json.turnId])
  t.equal(messages[2].id, posted2.json.messageId)
  t.equal(messages[3].id, beforeDrop.assistantId)
  t.same(messages[2].parts.map((p) => [p.kind, p.data.text]), [['text', 'and again']])
  for (const assistant of [messages[1], messages[3]]) {
    t.equal(assistant.finish, 'stop')
    t.same(assistant.parts.map((p) => [p.kind, p.data.text]), [['reasoning', THOUGHT], ['text', ANSWER]])
  }

  // And in the database itself, in the tables of persistence-postgres.
  const db = tk.kernel.resolve<{ query<T>(sql: string, params?: unknown[]): Promise<T[]>; mode: string }>('persistencePostgres')
  t.equal(db.mode, backends.external.database ? 'external' : 'embedded')
  const rows = await db.query<{ id: string; role: string; finish: string; kinds: string; text: string }>(
    `select m.id, m.role, m.finish, string_agg(p.kind, ',' order by p.ordinal) as kinds, string_agg(p.data->>'text', '|' order by p.ordinal) as text
       from message m join message_part p on p.message_id = m.id
      where m.session_id = $1 group by m.id, m.role, m.finish, m.created_at order by m.created_at`,
    [session.id],
  )
  t.same(rows.map((r) => [r.role, r.kinds]), [['user', 'text'], ['assistant', 'reasoning,text'], ['user', 'text'], ['assistant', 'reasoning,text']])
  t.equal(rows[3].text, `${THOUGHT}|${ANSWER}`)
  const [stored] = await db.query<{ status: string; last_seq: number }>('select status, last_seq from session where id = $1', [session.id])
  t.equal(stored.status, 'idle')
  t.ok(Number(stored.last_seq) >= seqOf(all.at(-1)!), 'the session row carries the sequence reached')
})
