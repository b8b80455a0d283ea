import t from 'tap'
import { SAMPLE_TOOL_PLUGIN } from '../testing/fixtures.js'
import { createTestKernel, type TestKernel } from '../testing/index.js'
import { createOutsideFolder } from '../testing/outside-folder.js'
import type { EventEnvelope } from '../protocol/index.js'

const outside = createOutsideFolder({
  'locked.ts': `
import { definePlugin } from 'agent-platform/kernel'
export default definePlugin({
  name: 'provider-locked',
  register(ctx) {
    ctx.registries.providers.add({
      id: 'locked', displayName: 'Needs a key',
      listModels: () => [{ id: 'm1' }],
      checkCredential: async () => process.env.LOCKED_KEY ? { ok: true } : { ok: false, code: 'AUTH_CREDENTIAL_MISSING', message: 'Set LOCKED_KEY to use the locked provider.' },
      createClient: () => ({ async *stream() { yield { type: 'text', delta: 'unlocked' } } }),
    })
  },
})`,
  'silent.ts': `
import { definePlugin } from 'agent-platform/kernel'
export default definePlugin({
  name: 'provider-silent',
  register(ctx) {
    ctx.registries.providers.add({
      id: 'silent', displayName: 'Says one word then hangs', listModels: () => [{ id: 'm1' }],
      createClient: () => ({ async *stream(_r, o) {
        yield { type: 'text', delta: 'partial' }
        await new Promise((resolve) => o.signal.addEventListener('abort', resolve))
      } }),
    })
  },
})`,
  'retrying.ts': `
import { definePlugin } from 'agent-platform/kernel'
export default definePlugin({
  name: 'provider-retrying',
  register(ctx) {
    ctx.registries.providers.add({
      id: 'retrying', displayName: 'Rate limited once', listModels: () => [{ id: 'm1' }],
      createClient: () => ({ async *stream(_r, o) {
        o.onRetry?.({ attempt: 1, delayMs: 400, reason: 'rate limited (429)' })
        await new Promise((resolve) => setTimeout(resolve, 250))
        yield { type: 'text', delta: 'after the wait' }
      } }),
    })
  },
})`,
  'sample-tool.ts': SAMPLE_TOOL_PLUGIN,
  'platform.config.ts': '',
})
t.teardown(() => outside.remove())

async function kernelWith(t: Tap.Test, scripted: Record<string, unknown> = {}, extra: Record<string, unknown> = {}, kernel: Record<string, unknown> = {}): Promise<TestKernel> {
  const tk = await createTestKernel({ plugins: { 'provider-scripted': { chunkDelayMs: 0, ...scripted }, ...extra } as never, configFile: outside.path('platform.config.ts'), kernel: kernel as never })
  t.teardown(tk.close)
  return tk
}
declare namespace Tap {
  type Test = import('tap').Test
}

/** Collect a session's events until one matches. */
async function collectUntil(tk: TestKernel, sessionId: string, done: (e: EventEnvelope) => boolean): Promise<EventEnvelope[]> {
  const bus = tk.kernel.resolve('eventBus')
  const seen: EventEnvelope[] = []
  return new Promise((resolve) => {
    void bus.subscribe(`session:${sessionId}`, (e) => {
      seen.push(e)
      if (done(e)) resolve(seen)
    })
  })
}

t.test('the exact hook sequence of one turn', async (t) => {
  const tk = await kernelWith(t)
  const engine = tk.kernel.engine
  const session = await engine.createSession({})
  tk.recorder.clear()
  const finished = collectUntil(tk, session.id, (e) => e.type === 'turn.completed')
  await engine.prompt(session.id, { text: 'hello' })
  await finished
  t.same(tk.recorder.sequence(), [
    'message.persist', // the user's message
    'message.persisted',
    'session.start', // the session scope is created on its first turn
    'tool.select', // the tools offered to the model
    'request.admit',
    'request.build',
    'request.sent',
    'stream.thoughtDelta',
    'stream.textDelta',
    'stream.usage',
    'stream.finished',
    'message.persist', // the assistant's message
    'message.persisted',
  ])
})

t.test('events of a turn: sequence +1 each, user message announced, parts with deltas, idle at the end', async (t) => {
  const tk = await kernelWith(t)
  const engine = tk.kernel.engine
  const session = await engine.createSession({ title: 'first' })
  t.equal(session.agent, 'demo')
  t.equal(session.provider, 'scripted')
  const events = collectUntil(tk, session.id, (e) => e.type === 'session.status' && (e.data as { status: string }).status === 'idle')
  const { turnId, messageId } = await engine.prompt(session.id, { text: 'hello' })
  const seen = await events
  seen.forEach((e, i) => i > 0 && t.equal(e.seq, seen[i - 1].seq + 1))
  const types = seen.map((e) => e.type)
  t.same(types.slice(0, 4), ['message.created', 'part.started', 'part.completed', 'message.completed'])
  t.equal((seen[0].data as { id: string }).id, messageId)
  t.ok(types.includes('turn.started') && types.includes('turn.completed'))
  const reasoning = seen.find((e) => e.type === 'part.started' && (e.data as { part: { kind: string } }).part.kind === 'reasoning')
  t.ok(reasoning, 'thought deltas go to a reasoning part')
  const text = seen.filter((e) => e.type === 'part.delta').map((e) => (e.data as { delta: string }).delta).join('')
  t.match(text, /^The user wrote to the demo agent.*Hello from the demo agent/)
  const completed = seen.find((e) => e.type === 'turn.completed')
  t.same(completed?.data, { turnId, finish: 'stop' })
  const detail = await engine.getSession(session.id)
  t.same(detail.messages.map((m) => m.role), ['user', 'assistant'])
  t.same(detail.messages[1].parts.map((p) => p.kind), ['reasoning', 'text'])
  t.equal(detail.status, 'idle')
  t.equal(detail.seq, seen.at(-2)?.seq, 'the session records the sequence reached before its idle status')
})

t.test('the provider receives the history and system prompt; a message sent during a turn is queued', async (t) => {
  const tk = await kernelWith(t, { chunkDelayMs: 5, replies: [[{ type: 'text', text: 'one' }], [{ type: 'text', text: 'two' }]] })
  const engine = tk.kernel.engine
  const session = await engine.createSession({})
  let completed = 0
  const done = collectUntil(tk, session.id, (e) => e.type === 'turn.completed' && ++completed === 2)
  await engine.prompt(session.id, { text: 'first' })
  await engine.prompt(session.id, { text: 'second' })
  await done
  const requests = tk.kernel.resolve<{ requests(): Array<{ request: { system: string; messages: unknown[] } }> }>('providerScripted').requests()
  t.equal(requests.length, 2)
  t.equal(requests[0].request.system, 'You are a test agent.')
  t.same(requests[1].request.messages, [
    { role: 'user', content: [{ type: 'text', text: 'first' }] },
    { role: 'assistant', content: [{ type: 'text', text: 'one' }] },
    { role: 'user', content: [{ type: 'text', text: 'second' }] },
  ])
})

t.test('abort ends the running turn; the partial message is kept with finish aborted', async (t) => {
  const tk = await kernelWith(t, { chunkDelayMs: 20, chunkChars: 2, replies: [[{ type: 'text', text: 'a long reply that streams slowly' }]] })
  const engine = tk.kernel.engine
  const session = await engine.createSession({})
  const firstDelta = collectUntil(tk, session.id, (e) => e.type === 'part.delta')
  const done = collectUntil(tk, session.id, (e) => e.type === 'session.status' && (e.data as { status: string }).status === 'idle')
  await engine.prompt(session.id, { text: 'go' })
  await firstDelta
  t.equal(engine.abort(session.id), true)
  const seen = await done
  const completed = seen.find((e) => e.type === 'turn.completed')
  t.same(completed?.data, { turnId: (completed?.data as { turnId: string }).turnId, finish: 'aborted' })
  const assistant = (await engine.getSession(session.id)).messages[1]
  t.equal(assistant.finish, 'aborted')
  t.ok(String(assistant.parts[0].data.text).length < 'a long reply that streams slowly'.length)
  t.equal(engine.abort(session.id), false, 'nothing left to abort')
})

t.test('session resolution: provider/model over agent defaults; unknown ones are 400 with stable codes', async (t) => {
  const tk = await kernelWith(t, { models: ['demo', 'other'] })
  const engine = tk.kernel.engine
  t.match(await engine.createSession({ model: 'scripted/other' }), { provider: 'scripted', model: 'other' })
  t.match(await engine.createSession({ provider: 'scripted', model: 'other' }), { provider: 'scripted', model: 'other' })
  await t.rejects(engine.createSession({ agent: 'nobody' }), { code: 'SESSION_AGENT_UNKNOWN', httpStatus: 400 })
  await t.rejects(engine.createSession({ provider: 'anthropic' }), { code: 'SESSION_PROVIDER_UNKNOWN', httpStatus: 400 })
  await t.rejects(engine.createSession({ model: 'gpt-99' }), { code: 'SESSION_MODEL_UNKNOWN', httpStatus: 400 })
  await t.rejects(engine.createSession({ workspace: 'relative/dir' }), { code: 'SESSION_WORKSPACE_INVALID' })
  await t.rejects(engine.getSession('ses_missing'), { code: 'SESSION_NOT_FOUND', httpStatus: 404 })
})

t.test('a provider without its credential fails the turn with an error event, not the creation', async (t) => {
  delete process.env.LOCKED_KEY
  const tk = await kernelWith(t, {}, { 'provider-locked': { resolve: './locked.ts' } })
  const engine = tk.kernel.engine
  const session = await engine.createSession({ provider: 'locked' })
  t.equal(session.model, 'm1', 'the provider default model is used when the agent is on another provider')
  const done = collectUntil(tk, session.id, (e) => e.type === 'turn.completed')
  await engine.prompt(session.id, { text: 'hi' })
  const seen = await done
  const error = seen.find((e) => e.type === 'error')
  t.match(error?.data, { code: 'AUTH_CREDENTIAL_MISSING', message: /LOCKED_KEY/ })
  t.match(seen.at(-1)?.data, { finish: 'error', error: { code: 'AUTH_CREDENTIAL_MISSING' } })
})

t.test('session scopes: one per active session, disposed when the kernel closes', async (t) => {
  const tk = await kernelWith(t)
  const engine = tk.kernel.engine
  const ended: string[] = []
  tk.kernel.hooks.session.ended.tapPromise({ name: 'provider-scripted' }, async (s, reason) => {
    ended.push(`${s.id}:${reason}`)
  })
  const session = await engine.createSession({})
  const done = collectUntil(tk, session.id, (e) => e.type === 'turn.completed')
  await engine.prompt(session.id, { text: 'hi' })
  await done
  await tk.close()
  t.same(ended, [`${session.id}:shutdown`])
})

t.test('a model that goes silent ends the turn with PROVIDER_TIMEOUT and keeps the partial answer', async (t) => {
  const tk = await kernelWith(t, {}, { 'provider-silent': { resolve: './silent.ts' } }, { timeouts: { providerIdleMs: 150 } })
  const engine = tk.kernel.engine
  const session = await engine.createSession({ provider: 'silent' })
  const done = collectUntil(tk, session.id, (e) => e.type === 'turn.completed')
  await engine.prompt(session.id, { text: 'hi' })
  const seen = await done
  t.match(seen.find((e) => e.type === 'error')?.data, { code: 'PROVIDER_TIMEOUT', message: /went silent for more than 150 ms/ })
  t.match(seen.at(-1)?.data, { finish: 'error' })
  const assistant = (await engine.getSession(session.id)).messages[1]
  t.equal(assistant.finish, 'error')
  t.equal(assistant.parts[0].data.text, 'partial')
})

t.test('a request carries tools only when the session has tools', async (t) => {
  const tk = await createTestKernel({
    plugins: { 'provider-scripted': { chunkDelayMs: 0 }, 'tool-sample': { resolve: './sample-tool.ts' } } as never,
    configFile: outside.path('platform.config.ts'),
    kernel: { agents: { demo: { provider: 'scripted', model: 'demo', tools: '*' }, bare: { provider: 'scripted', model: 'demo', tools: [] } } },
  })
  t.teardown(tk.close)
  const engine = tk.kernel.engine
  const withTools = await engine.createSession({})
  const without = await engine.createSession({ agent: 'bare' })
  t.same(withTools.tools, ['*'], 'the default agent follows every tool, loaded now or later (the request below offers read_note)')
  t.same(without.tools, [])
  for (const session of [withTools, without]) {
    const done = collectUntil(tk, session.id, (e) => e.type === 'turn.completed')
    await engine.prompt(session.id, { text: 'hi' })
    await done
  }
  const [first, second] = tk.kernel.resolve<{ requests(): Array<{ request: { tools: unknown[] } }> }>('providerScripted').requests()
  t.same(first.request.tools, [
    { name: 'read_note', description: 'Reads a note.', inputSchema: { type: 'object', properties: { title: { type: 'string' } }, required: ['title'], additionalProperties: false } },
  ])
  t.same(second.request.tools, [])
})

t.test('a provider announcing a retry shows status retrying and gets its wait added to the deadline', async (t) => {
  const tk = await kernelWith(t, {}, { 'provider-retrying': { resolve: './retrying.ts' } }, { timeouts: { providerFirstByteMs: 100 } })
  const engine = tk.kernel.engine
  const session = await engine.createSession({ provider: 'retrying' })
  const done = collectUntil(tk, session.id, (e) => e.type === 'turn.completed')
  await engine.prompt(session.id, { text: 'hi' })
  const seen = await done
  t.match(seen.find((e) => e.type === 'session.status' && (e.data as { status: string }).status === 'retrying')?.data, { status: 'retrying', attempt: 1, message: /rate limited \(429\); retrying in 0\.4 s/ })
  t.notOk(seen.some((e) => e.type === 'error'), 'no timeout although the first byte came after 250 ms > 100 ms')
  t.match(seen.at(-1)?.data, { finish: 'stop' })
})

t.test('each signed reasoning block is its own part with its own signature', async (t) => {
  const tk = await kernelWith(t, { replies: [[{ type: 'thought', text: 'one' }, { type: 'text', text: 'x' }]] })
  const service = tk.kernel.resolve<{ client: { stream: Function } }>('providerScripted')
  const original = service.client.stream
  service.client.stream = async function* () {
    yield { type: 'thought', delta: 'first block' }
    yield { type: 'thought', delta: '', signature: 'sig-a' }
    yield { type: 'thought', delta: 'second block' }
    yield { type: 'thought', delta: '', signature: 'sig-b' }
    yield { type: 'text', delta: 'answer' }
  }
  t.teardown(() => {
    service.client.stream = original
  })
  const engine = tk.kernel.engine
  const session = await engine.createSession({})
  const done = collectUntil(tk, session.id, (e) => e.type === 'turn.completed')
  await engine.prompt(session.id, { text: 'hi' })
  await done
  const parts = (await engine.getSession(session.id)).messages[1].parts
  t.same(parts.map((p) => [p.kind, p.data.text, p.data.signature]), [['reasoning', 'first block', 'sig-a'], ['reasoning', 'second block', 'sig-b'], ['text', 'answer', undefined]])
})

t.test('PATCH-style switches: model, provider/model, agent (with its tools), tools, title; bad ones are 400', async (t) => {
  const tk = await createTestKernel({
    plugins: { 'provider-scripted': { chunkDelayMs: 0, models: ['demo', 'big'] }, 'tool-sample': { resolve: './sample-tool.ts' } } as never,
    configFile: outside.path('platform.config.ts'),
    kernel: { agents: { demo: { provider: 'scripted', model: 'demo', tools: '*' }, bare: { provider: 'scripted', model: 'big', tools: [] } } },
  })
  t.teardown(tk.close)
  const engine = tk.kernel.engine
  const session = await engine.createSession({})
  const events: string[] = []
  await tk.kernel.resolve('eventBus').subscribe('global', (e) => {
    if (e.type === 'session.updated') events.push(JSON.stringify(e.data))
  })
  t.match(await engine.patchSession(session.id, { model: 'big' }), { provider: 'scripted', model: 'big', tools: ['*'] })
  t.match(await engine.patchSession(session.id, { model: 'scripted/demo' }), { model: 'demo' })
  t.match(await engine.patchSession(session.id, { agent: 'bare' }), { agent: 'bare', model: 'big', tools: [] }, 'an agent switch brings its model and tools')
  t.match(await engine.patchSession(session.id, { tools: ['read_note'], title: 'renamed' }), { tools: ['read_note'], title: 'renamed' })
  const stored = await engine.getSession(session.id)
  t.match(stored, { agent: 'bare', model: 'big', tools: ['read_note'], title: 'renamed' })
  await t.rejects(engine.patchSession(session.id, { tools: ['fly'] }), { code: 'SESSION_TOOL_UNKNOWN', httpStatus: 400 })
  t.same((await engine.patchSession(session.id, { tools: ['read_*', 'srv__*'] })).tools, ['read_*', 'srv__*'], 'globs are accepted: they cover tools registered later too')
  await engine.patchSession(session.id, { tools: ['read_note'] })
  await t.rejects(engine.patchSession(session.id, { model: 'nope' }), { code: 'SESSION_MODEL_UNKNOWN' })
  await t.rejects(engine.patchSession(session.id, { agent: 'ghost' }), { code: 'SESSION_AGENT_UNKNOWN' })
  t.equal(events.length, 6, 'one session.updated per successful PATCH')
  t.same(JSON.parse(events[2]), { id: session.id, changes: { agent: 'bare', provider: 'scripted', model: 'big', tools: [] } })
  // The next turn runs with the new model and tool set; the message records the model that produced it.
  const done = collectUntil(tk, session.id, (e) => e.type === 'turn.completed')
  await engine.prompt(session.id, { text: 'hi' })
  await done
  const assistant = (await engine.getSession(session.id)).messages[1]
  t.match(assistant, { agent: 'bare', model: 'big', tools: ['read_note'] })
  const request = tk.kernel.resolve<{ requests(): Array<{ request: { model: string; tools: Array<{ name: string }> } }> }>('providerScripted').requests()[0].request
  t.equal(request.model, 'big')
  t.same(request.tools.map((x) => x.name), ['read_note'])
})
