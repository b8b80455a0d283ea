import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import t from 'tap'
import { createCaptureServer, type CapturedResponse } from '../../../kernel/testing/capture-server.js'
import { callOptions, drain, ev, makeClient, modelRequest, sse, streamResponse } from './test-support.js'

/** Stream parsing from recorded-shape fixtures (spec §3 stream, usage; issue 4 test list). */

type T = import('tap').Test

async function run(t: T, answer: CapturedResponse | ((index: number) => CapturedResponse), options: Record<string, unknown> = {}) {
  const server = await createCaptureServer((_req, index) => (typeof answer === 'function' ? answer(index) : answer))
  t.teardown(() => server.close())
  const { client } = makeClient(server, options)
  return { chunks: await drain(client.stream(modelRequest(), callOptions())), server }
}

t.test('text deltas, in SSE frames split at arbitrary byte boundaries', async (t) => {
  const whole = sse([ev.start(), ev.ping(), ev.blockStart(0, { type: 'text', text: '' }), ev.text(0, 'Hel'), ev.text(0, 'lo, '), ev.text(0, 'wörld'), ev.blockStop(0), ev.delta('end_turn'), ev.stop()]).join('')
  const pieces: string[] = []
  for (let i = 0; i < whole.length; i += 7) pieces.push(whole.slice(i, i + 7))
  const { chunks } = await run(t, { status: 200, headers: { 'content-type': 'text/event-stream' }, chunks: pieces })
  t.same(chunks.filter((c) => c.type === 'text').map((c) => (c as { delta: string }).delta), ['Hel', 'lo, ', 'wörld'])
  t.same(chunks.at(-1), { type: 'finish', reason: 'stop' })
})

t.test('thinking deltas, then the signature when the block ends; redacted thinking keeps its data', async (t) => {
  const { chunks } = await run(
    t,
    streamResponse([
      ev.start(),
      ev.blockStart(0, { type: 'thinking', thinking: '', signature: '' }),
      ev.thinking(0, 'Let me'),
      ev.thinking(0, ' think.'),
      ev.signature(0, 'EqQBCkYIBxgCKkD-sig'),
      ev.blockStop(0),
      ev.blockStart(1, { type: 'redacted_thinking', data: 'EmwKAhgBEgy-redacted' }),
      ev.blockStop(1),
      ev.blockStart(2, { type: 'text', text: '' }),
      ev.text(2, 'Done.'),
      ev.blockStop(2),
      ev.delta('end_turn'),
      ev.stop(),
    ]),
  )
  t.same(chunks.slice(0, 5), [
    { type: 'thought', delta: 'Let me' },
    { type: 'thought', delta: ' think.' },
    { type: 'thought', delta: '', signature: 'EqQBCkYIBxgCKkD-sig' },
    { type: 'thought', delta: '', signature: 'redacted_thinking:EmwKAhgBEgy-redacted' },
    { type: 'text', delta: 'Done.' },
  ])
})

t.test('a tool call whose JSON input is split across input_json_delta chunks is emitted once, complete', async (t) => {
  const { chunks } = await run(
    t,
    streamResponse([
      ev.start(),
      ev.blockStart(0, { type: 'text', text: '' }),
      ev.text(0, 'Reading.'),
      ev.blockStop(0),
      ev.blockStart(1, { type: 'tool_use', id: 'toolu_01X', name: 'read_file', input: {} }),
      ev.json(1, ''),
      ev.json(1, '{"pa'),
      ev.json(1, 'th": "a.t'),
      ev.json(1, 'xt", "limit": 5}'),
      ev.blockStop(1),
      ev.blockStart(2, { type: 'tool_use', id: 'toolu_01Y', name: 'list_files', input: {} }),
      ev.blockStop(2),
      ev.delta('tool_use'),
      ev.stop(),
    ]),
  )
  t.same(
    chunks.filter((c) => c.type === 'tool-call'),
    [
      { type: 'tool-call', callId: 'toolu_01X', tool: 'read_file', input: { path: 'a.txt', limit: 5 } },
      { type: 'tool-call', callId: 'toolu_01Y', tool: 'list_files', input: {} },
    ],
  )
  t.same(chunks.at(-1), { type: 'finish', reason: 'tool_calls' })
})

t.test('usage: input excludes cache, cache read/write reported, output from message_delta, raw kept', async (t) => {
  const start = { input_tokens: 10, cache_creation_input_tokens: 200, cache_read_input_tokens: 3000, output_tokens: 1, service_tier: 'standard' }
  const { chunks } = await run(t, streamResponse([ev.start(start), ev.blockStart(0, { type: 'text', text: '' }), ev.text(0, 'x'), ev.blockStop(0), ev.delta('max_tokens', { output_tokens: 55 }), ev.stop()]))
  const usage = chunks.filter((c) => c.type === 'usage')
  t.equal(usage.length, 1, 'one usage chunk per call')
  t.same(usage[0], { type: 'usage', usage: { input: 10, output: 55, cacheRead: 3000, cacheWrite: 200, raw: { ...start, output_tokens: 55 } } })
  t.same(chunks.at(-1), { type: 'finish', reason: 'length' }, 'max_tokens -> length')
})

t.test('a malformed event mid-stream ends the call with STREAM_MALFORMED (output kept, no retry)', async (t) => {
  const good = sse([ev.start(), ev.blockStart(0, { type: 'text', text: '' }), ev.text(0, 'partial')])
  const { chunks, server } = await run(t, { status: 200, headers: { 'content-type': 'text/event-stream' }, chunks: [...good, 'event: content_block_delta\ndata: {"type":"content_block_delta","index":0,"delta":{"ty\n\n'] })
  t.same(chunks[0], { type: 'text', delta: 'partial' })
  t.match(chunks.at(-1), { type: 'error', code: 'PROVIDER_ANTHROPIC_STREAM_MALFORMED', message: /not valid JSON/ })
  t.equal(server.requests.length, 1)
})

t.test('invalid tool input JSON gives a clear error chunk', async (t) => {
  const { chunks } = await run(t, streamResponse([ev.start(), ev.blockStart(0, { type: 'tool_use', id: 'toolu_1', name: 'read_file', input: {} }), ev.json(0, '{"path": '), ev.blockStop(0), ev.delta('tool_use'), ev.stop()]))
  t.equal(chunks.length, 1)
  t.match(chunks[0], { type: 'error', code: 'PROVIDER_ANTHROPIC_TOOL_INPUT_INVALID', message: /tool "read_file"/ })
})

t.test('a truncated stream (socket destroyed, or ended before message_stop) ends with STREAM_TRUNCATED', async (t) => {
  const head = [ev.start(), ev.blockStart(0, { type: 'text', text: '' }), ev.text(0, 'cut ')]
  const destroyed = await run(t, { status: 200, headers: { 'content-type': 'text/event-stream' }, chunks: [...sse(head), { pauseMs: 20 }], destroy: true })
  t.same(destroyed.chunks.slice(0, 2), [{ type: 'text', delta: 'cut ' }, { type: 'usage', usage: { input: 12, output: 1, cacheRead: 0, cacheWrite: 0, raw: { input_tokens: 12, cache_creation_input_tokens: 0, cache_read_input_tokens: 0, output_tokens: 1 } } }], 'text, then the usage known so far')
  t.match(destroyed.chunks.at(-1), { type: 'error', code: 'PROVIDER_ANTHROPIC_STREAM_TRUNCATED', retryable: true })
  t.equal(destroyed.server.requests.length, 1, 'not retried after output')
  const ended = await run(t, streamResponse([...head, ev.blockStop(0), ev.delta('end_turn')]))
  t.match(ended.chunks.at(-1), { type: 'error', code: 'PROVIDER_ANTHROPIC_STREAM_TRUNCATED', message: /before message_stop/ })
  t.equal(ended.chunks.filter((c) => c.type === 'usage').length, 1)
})

/** A server that streams `events`, then goes silent, and records when the client closes the request. */
async function stallingServer(t: T, events: Parameters<typeof sse>[0]) {
  const state = { requests: 0, closed: 0 }
  const server = createServer((req, res) => {
    state.requests += 1
    req.resume()
    res.on('close', () => (state.closed += 1))
    res.writeHead(200, { 'content-type': 'text/event-stream' })
    for (const chunk of sse(events)) res.write(chunk)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  t.teardown(() => new Promise<void>((resolve) => (server.closeAllConnections(), server.close(() => resolve()))))
  return { state, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` }
}

t.test('an idle stall mid-stream ends with STREAM_IDLE after idleTimeoutMs and closes the request', async (t) => {
  const { state, url } = await stallingServer(t, [ev.start(), ev.blockStart(0, { type: 'text', text: '' }), ev.text(0, 'thinking...')])
  const { client } = makeClient({ url } as never, { baseUrl: url, idleTimeoutMs: 150 })
  const started = Date.now()
  const chunks = await drain(client.stream(modelRequest(), callOptions()))
  t.same(chunks[0], { type: 'text', delta: 'thinking...' })
  t.match(chunks.at(-1), { type: 'error', code: 'PROVIDER_ANTHROPIC_STREAM_IDLE', retryable: true })
  t.ok(Date.now() - started < 2_000, 'ended promptly')
  await new Promise((resolve) => setTimeout(resolve, 50))
  t.equal(state.closed, 1, 'the HTTP request was closed')
  t.equal(state.requests, 1, 'not retried once output was streamed')
})

t.test('a stall before the first event is retried, then reported as STREAM_IDLE', async (t) => {
  const { state, url } = await stallingServer(t, [])
  const { client } = makeClient({ url } as never, { baseUrl: url, idleTimeoutMs: 100, retry: { attempts: 2, initialDelayMs: 1, maxDelayMs: 1 } })
  const chunks = await drain(client.stream(modelRequest(), callOptions()))
  t.same(chunks.map((c) => c.type), ['error'])
  t.match(chunks[0], { code: 'PROVIDER_ANTHROPIC_STREAM_IDLE' })
  t.equal(state.requests, 2)
})

t.test('aborting the turn closes the HTTP request and ends the stream without an error chunk', async (t) => {
  const { state, url } = await stallingServer(t, [ev.start(), ev.blockStart(0, { type: 'text', text: '' }), ev.text(0, 'a')])
  const { client } = makeClient({ url } as never, { baseUrl: url, idleTimeoutMs: 10_000 })
  const controller = new AbortController()
  const seen: string[] = []
  for await (const chunk of client.stream(modelRequest(), callOptions(controller.signal))) {
    seen.push(chunk.type)
    controller.abort()
  }
  t.same(seen, ['text'])
  await new Promise((resolve) => setTimeout(resolve, 50))
  t.equal(state.closed, 1)
})
