import t from 'tap'
import type { protocol } from '../../../kernel/index.js'
import { bootDocumented, fillPath, responseFor, type Operation } from './openapi-test-support.js'
import { envelopeOf, openSse } from './test-support.js'
import { openWs } from './ws-test-support.js'

interface Call {
  params?: Record<string, string>
  query?: Record<string, string>
  headers?: Record<string, string>
  body?: unknown
}

t.test('every operation of the OpenAPI document answers what its schema says, errors included', async (t) => {
  const { base, doc, operations, validator } = await bootDocumented(t)
  const send = async (operation: Operation, call: Call) => {
    const search = new URLSearchParams(call.query ?? {}).toString()
    const response = await fetch(`${base}${fillPath(operation.path, call.params ?? {})}${search ? `?${search}` : ''}`, {
      method: operation.method,
      headers: { ...(call.body === undefined ? {} : { 'content-type': 'application/json' }), ...call.headers },
      ...(call.body === undefined ? {} : { body: JSON.stringify(call.body) }),
    })
    const text = await response.text()
    return { status: response.status, type: response.headers.get('content-type') ?? '', json: text ? (JSON.parse(text) as unknown) : undefined }
  }
  const byId = new Map(operations.map((o) => [o.op.operationId, o]))
  const checked = new Set<string>()

  /** A valid request: the documented success status, a body that validates against its schema. */
  const valid = async (id: string, call: Call = {}) => {
    const operation = byId.get(id)
    t.ok(operation, `${id} is in the document`)
    const { status, json, type } = await send(operation!, call)
    const success = Object.keys(operation!.op.responses).find((key) => /^2/.test(key))!
    t.ok(success === '2XX' ? status >= 200 && status < 300 : String(status) === success, `${id}: ${status}, documented ${success}`)
    const schema = responseFor(operation!.op, status)?.content?.['application/json']?.schema
    if (schema) {
      t.match(type, /application\/json/, `${id}: JSON`)
      t.equal(validator(schema, json), null, `${id}: the response validates against its schema`)
    } else t.equal(json, undefined, `${id}: no body`)
    checked.add(id)
    return json as never
  }

  // ---- a conversation that touches every route ----
  t.ok(((await valid('health')) as protocol.HealthResponse).healthy)
  await valid('openapi')
  const session: protocol.SessionInfo = await valid('sessions.create', { body: { title: 'contract' } })
  const params = { id: session.id }
  const sse = await openSse(`${base}/api/sessions/${session.id}/events`)
  t.teardown(() => sse.close())
  const posted: protocol.PostMessageResponse = await valid('sessions.messages.post', { params, body: { text: 'touch a.txt' } })
  const asked = await sse.readUntil((f) => f.event === 'permission.asked')
  const askId = envelopeOf<{ data: { askId: string } }>(asked.at(-1)!).data.askId
  await valid('sessions.permissions.reply', { params: { ...params, askId }, body: { reply: 'once' } })
  await sse.readUntil((f) => f.event === 'turn.completed')
  await valid('sessions.toolCalls.get', { params: { ...params, callId: 'call-1' } })
  await valid('sessions.revert', { params, body: { turnId: posted.turnId } })
  await valid('sessions.regenerate', { params })
  await sse.readUntil((f) => f.event === 'turn.completed')
  await valid('sessions.messages.post', { params, body: { text: 'and then?' } })
  await sse.readUntil((f) => f.event === 'turn.completed')
  await valid('sessions.compact', { params, body: {} })
  await valid('sessions.messages.edit', { params: { ...params, messageId: posted.messageId }, body: { text: 'touch b.txt' } })
  await valid('sessions.get', { params })
  await valid('sessions.list', { query: { limit: '5' } })
  const roots: protocol.SessionInfo[] = await valid('sessions.list', { query: { parentId: 'root', status: 'idle', agent: 'demo' } })
  t.ok(roots.every((s) => s.parentId === null && s.status === 'idle' && s.agent === 'demo'), 'filters apply')
  const tools: Array<{ name: string; enabled: boolean }> = await valid('sessions.tools', { params })
  t.ok(tools.length > 0 && tools.every((x) => x.enabled), 'the default agent has every tool on')
  const providers: Array<{ id: string; models: unknown[] }> = await valid('providers.list')
  t.ok(providers.some((p) => p.id === 'scripted' && p.models.length > 0))
  await valid('sessions.children', { params })
  await valid('sessions.patch', { params, body: { title: 'renamed' } })
  await valid('sessions.abort', { params })
  const doomed: protocol.SessionInfo = await valid('sessions.create', { body: {} })
  t.same(await valid('sessions.delete', { params: { id: doomed.id } }), { deleted: [doomed.id] })
  await valid('agent-personas.agents.list')
  await valid('agent-personas.agents.get', { params: { id: 'demo' } })
  await valid('agent-personas.agents.create', { body: { id: 'contract-agent', name: 'Contract', provider: 'scripted', model: 'demo', systemPrompt: 'Hi.' } })
  t.same(await valid('fixture-documented-routes.greet', { params: { name: 'ada' }, query: { times: '2' }, body: { greeting: 'hello' } }), { greeting: 'hello, ada', times: 2 })

  // Streams: the first frame of a replay validates against x-event-frame; the socket's against x-websocket.
  for (const [id, path] of [['sessions.events', `/api/sessions/${session.id}/events`], ['events.global', '/api/events']] as const) {
    const operation = byId.get(id)!
    const stream = await openSse(`${base}${path}?since=0`)
    t.equal(stream.status, 200)
    t.ok(operation.op.responses['200'].content?.['text/event-stream'], `${id}: documented as text/event-stream`)
    if (id === 'sessions.events') {
      const [first] = await stream.readUntil(() => true)
      t.equal(validator(operation.op['x-event-frame'] as Record<string, unknown>, envelopeOf(first)), null, `${id}: frames match x-event-frame`)
    }
    stream.close()
    checked.add(id)
  }
  const wsOperation = byId.get('events.websocket')!
  const socket = await openWs(`${base}/api/ws`)
  socket.send({ op: 'subscribe', stream: `session:${session.id}`, since: 0 })
  const frames = await socket.readUntil((f) => f.seq === 2)
  socket.close()
  const frameSchema = (wsOperation.op['x-websocket'] as { serverFrame: Record<string, unknown> }).serverFrame
  for (const frame of frames) t.equal(validator(frameSchema, frame), null, `WebSocket frame ${String(frame.op ?? frame.type)} matches x-websocket.serverFrame`)
  t.equal(validator((wsOperation.op['x-websocket'] as { clientMessage: Record<string, unknown> }).clientMessage, { op: 'subscribe', stream: 'global', since: 3 }), null)
  checked.add('events.websocket')

  t.same(operations.map((o) => o.op.operationId).filter((id) => !checked.has(id)), [], 'no operation left unchecked: a new route needs a case here')

  // ---- invalid input: every operation with a body refuses a wrong one with a documented 4xx ApiErrorBody ----
  const errorSchema = { $ref: '#/components/schemas/ApiErrorBody' }
  const realParams: Record<string, string> = { id: session.id, askId: 'ask_none', callId: 'call-1', messageId: posted.messageId, name: 'ada' }
  for (const operation of operations.filter((o) => o.op.requestBody)) {
    for (const body of [[1, 2], { unexpected: true }, 'text']) {
      const id = operation.op.operationId
      const params = operation.path.startsWith('/api/agents') ? {} : realParams
      const { status, json } = await send(operation, { params, body })
      t.ok(status >= 400 && status < 500, `${id} with ${JSON.stringify(body)}: ${status}`)
      t.ok(responseFor(operation.op, status), `${id}: ${status} is documented`)
      t.equal(validator(errorSchema, json), null, `${id}: an ApiErrorBody`)
    }
  }
  t.ok(doc.components.schemas.ApiErrorBody)
})
