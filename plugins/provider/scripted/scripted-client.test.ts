import t from 'tap'
import type { ModelRequest, StreamChunk } from '../../../kernel/index.js'
import { configSchema } from './config.js'
import { createScriptedService } from './scripted-client.js'

const request: ModelRequest = { provider: 'scripted', model: 'demo', activity: 'conversation', system: 's', messages: [], tools: [], extra: {} }
const call = (signal = new AbortController().signal) => ({ signal, session: { id: 'ses_1' } as never, turnId: 'trn_1' })

async function drain(stream: AsyncIterable<StreamChunk>): Promise<StreamChunk[]> {
  const out: StreamChunk[] = []
  for await (const chunk of stream) out.push(chunk)
  return out
}

t.test('streams each reply in order, split into chunks, and records the requests', async (t) => {
  const options = configSchema.parse({
    chunkDelayMs: 0,
    chunkChars: 4,
    replies: [
      [{ type: 'thought', text: 'hmmmm' }, { type: 'text', text: 'abcdefgh' }, { type: 'usage', input: 3, output: 2 }, { type: 'finish', reason: 'stop' }],
      [{ type: 'tool-call', tool: 'read_file', input: { path: 'a' } }, { type: 'error', code: 'X', message: 'boom' }],
    ],
  })
  const service = createScriptedService(options)
  const first = await drain(service.client.stream(request, call()))
  t.same(first.map((c) => c.type), ['thought', 'thought', 'text', 'text', 'usage', 'finish'])
  t.same(first.filter((c) => c.type === 'text').map((c) => (c as { delta: string }).delta), ['abcd', 'efgh'])
  const second = await drain(service.client.stream(request, call()))
  t.same(second, [
    { type: 'tool-call', callId: 'call_1_0', tool: 'read_file', input: { path: 'a' } },
    { type: 'error', code: 'X', message: 'boom' },
  ])
  const third = await drain(service.client.stream(request, call()))
  t.equal(third.length, 2, 'the last reply repeats')
  t.equal(service.requests().length, 3)
  t.same(service.requests()[0].request, request)
})

t.test('paces chunks and stops at once when aborted', async (t) => {
  const service = createScriptedService(configSchema.parse({ chunkDelayMs: 30, chunkChars: 1, replies: [[{ type: 'text', text: 'abcdefghij' }]] }))
  const controller = new AbortController()
  const started = Date.now()
  const seen: StreamChunk[] = []
  for await (const chunk of service.client.stream(request, call(controller.signal))) {
    seen.push(chunk)
    if (seen.length === 2) controller.abort()
  }
  t.equal(seen.length, 2)
  t.ok(Date.now() - started >= 50, 'chunks were paced')
})

t.test('the demo reply has a thought, a text, usage and a stop', async (t) => {
  const options = configSchema.parse({})
  t.same(options.replies[0].map((s) => s.type), ['thought', 'text', 'usage', 'finish'])
  t.equal(options.chunkDelayMs, 25)
})

t.test('title and compaction calls are answered from the request and do not consume the replies', async (t) => {
  const service = createScriptedService(configSchema.parse({ chunkDelayMs: 0, replies: [[{ type: 'text', text: 'first' }], [{ type: 'text', text: 'second' }]] }))
  const text = (chunks: StreamChunk[]) => chunks.flatMap((c) => (c.type === 'text' ? [c.delta] : [])).join('')
  const user = (value: string) => ({ role: 'user' as const, content: [{ type: 'text' as const, text: value }] })
  t.equal(text(await drain(service.client.stream(request, call()))), 'first')
  const title = await drain(service.client.stream({ ...request, activity: 'title', messages: [user('please fix the flaky login test in the api package')] }, call()))
  t.equal(text(title), 'Scripted: please fix the flaky login test')
  const summary = await drain(service.client.stream({ ...request, activity: 'compaction', messages: [user('one'), user('two'), user('Summarize.')] }, call()))
  t.equal(text(summary), 'Summary of 2 messages. The user said: one | two')
  t.equal(text(await drain(service.client.stream(request, call()))), 'second', 'the side calls did not use up a reply')
  const scripted = createScriptedService(configSchema.parse({ chunkDelayMs: 0, titleReply: [{ type: 'text', text: 'Fixed title' }] }))
  t.equal(text(await drain(scripted.client.stream({ ...request, activity: 'title' }, call()))), 'Fixed title')
})

t.test('modelReplies: a model with its own list answers from it, with its own counter', async (t) => {
  const service = createScriptedService(configSchema.parse({ chunkDelayMs: 0, replies: [[{ type: 'text', text: 'shared' }]], modelReplies: { r: [[{ type: 'text', text: 'r1' }], [{ type: 'text', text: 'r2' }]] } }))
  const text = async (model: string) => (await drain(service.client.stream({ ...request, model }, call()))).flatMap((c) => (c.type === 'text' ? [c.delta] : [])).join('')
  t.equal(await text('r'), 'r1')
  t.equal(await text('demo'), 'shared')
  t.equal(await text('r'), 'r2')
  t.equal(await text('r'), 'r2', 'the last one repeats')
})
