import t from 'tap'
import { createTestKernel, type TestKernel } from '../testing/index.js'
import { createOutsideFolder } from '../testing/outside-folder.js'
import type { EventEnvelope, MessageInfo } from '../protocol/index.js'

/**
 * The turn overlaps store writes with other work: it takes its lock while the user message is stored,
 * and sends the next model call while a step's tool results are stored. Neither may change what is
 * stored, the order of events, or what happens when the store fails.
 */
const outside = createOutsideFolder({
  'tools.ts': `
import { definePlugin, defineTool } from 'agent-platform/kernel'
import { z } from 'zod'
export default definePlugin({
  name: 'tool-echo',
  register(ctx) {
    ctx.registries.tools.add(defineTool({
      name: 'echo', description: 'Echoes.', kind: 'read', inputSchema: z.object({ text: z.string() }).strict(),
      async execute(args) { return { output: 'echo ' + args.text } },
    }))
  },
})`,
  'platform.config.ts': '',
})
t.teardown(() => outside.remove())

declare namespace Tap {
  type Test = import('tap').Test
}

const TOOL_THEN_TEXT = [
  [{ type: 'tool-call', tool: 'echo', input: { text: 'hi' }, callId: 'c1' }, { type: 'finish', reason: 'tool_calls' }],
  [{ type: 'text', text: 'done' }],
]

async function boot(t: Tap.Test, replies: unknown[]): Promise<TestKernel> {
  const tk = await createTestKernel({
    plugins: { 'provider-scripted': { chunkDelayMs: 0, replies }, 'tool-echo': { resolve: './tools.ts' } } as never,
    configFile: outside.path('platform.config.ts'),
  })
  t.teardown(tk.close)
  return tk
}

/** Every event of the session until its idle status. */
function untilIdle(tk: TestKernel, sessionId: string): Promise<EventEnvelope[]> {
  const seen: EventEnvelope[] = []
  return new Promise((resolve) => {
    void tk.kernel.resolve('eventBus').subscribe(`session:${sessionId}`, (e) => {
      seen.push(e)
      if (e.type === 'session.status' && (e.data as { status: string }).status === 'idle') resolve(seen)
    })
  })
}

/** Wrap the store's saveMessage: `before` runs first and may delay or refuse the save. */
function interceptSaves(tk: TestKernel, before: (message: MessageInfo) => Promise<void>): void {
  const store = tk.kernel.resolve('sessionStore')
  const save = store.saveMessage.bind(store)
  store.saveMessage = async (message) => {
    await before(message)
    return save(message)
  }
}

const requestCount = (tk: TestKernel) => tk.kernel.resolve<{ requests(): unknown[] }>('providerScripted').requests().length

t.test('a user message the store refuses: the POST fails with the reason, no model call, the session ends idle', async (t) => {
  const tk = await boot(t, [[{ type: 'text', text: 'never' }]])
  const engine = tk.kernel.engine
  const session = await engine.createSession({})
  interceptSaves(tk, async (message) => {
    if (message.role === 'user') throw new Error('disk full')
  })
  const events = untilIdle(tk, session.id)
  await t.rejects(engine.prompt(session.id, { text: 'hello' }), /disk full/)
  const seen = await events
  t.notOk(seen.some((e) => e.type === 'message.created' || e.type === 'turn.started'), 'neither the message nor a turn was announced')
  t.equal(requestCount(tk), 0, 'the model was not called')
  const detail = await engine.getSession(session.id)
  t.equal(detail.status, 'idle')
  t.same(detail.messages, [])
})

t.test('the turn starts only once the user message is stored, and announces it first', async (t) => {
  const tk = await boot(t, [[{ type: 'text', text: 'hi back' }]])
  const engine = tk.kernel.engine
  const session = await engine.createSession({})
  let userStored = 0
  interceptSaves(tk, async (message) => {
    if (message.role !== 'user') return
    await new Promise((r) => setTimeout(r, 150))
    userStored = performance.now()
  })
  const events = untilIdle(tk, session.id)
  await engine.prompt(session.id, { text: 'hello' })
  const seen = await events
  const types = seen.map((e) => e.type)
  t.same(types.slice(0, 4), ['message.created', 'part.started', 'part.completed', 'message.completed'], 'the user message comes first')
  t.ok(types.indexOf('turn.started') > 3)
  t.ok(userStored > 0)
  const detail = await engine.getSession(session.id)
  t.same(detail.messages.map((m) => m.role), ['user', 'assistant'])
})

t.test('tool results are stored while the next model call goes out; the turn ends only after they are', async (t) => {
  const tk = await boot(t, TOOL_THEN_TEXT)
  const engine = tk.kernel.engine
  const session = await engine.createSession({})
  const marks: string[] = []
  interceptSaves(tk, async (message) => {
    const results = message.parts.some((p) => p.kind === 'tool' && p.data.state === 'completed')
    if (!results) return
    marks.push(`save started (model calls so far: ${requestCount(tk)})`)
    await new Promise((r) => setTimeout(r, 200))
    marks.push(`save done (model calls so far: ${requestCount(tk)})`)
  })
  const events = untilIdle(tk, session.id)
  await engine.prompt(session.id, { text: 'echo hi' })
  const seen = await events
  t.same(marks, ['save started (model calls so far: 1)', 'save done (model calls so far: 2)'], 'the second call went out during the save')
  const completedAt = seen.findIndex((e) => e.type === 'turn.completed')
  t.match(seen[completedAt].data, { finish: 'stop' })
  const stored = await tk.kernel.resolve('sessionStore').listMessages(session.id)
  t.match(stored[1].parts[0].data, { callId: 'c1', state: 'completed', output: 'echo hi' }, 'the tool results are in the store')
  t.equal(stored.length, 3)
})

t.test('a tool-results save that fails fails the turn with an error event; the next turn reads the history again', async (t) => {
  const tk = await boot(t, [...TOOL_THEN_TEXT, [{ type: 'text', text: 'second turn' }]])
  const engine = tk.kernel.engine
  const session = await engine.createSession({})
  let fail = true
  interceptSaves(tk, async (message) => {
    const results = message.parts.some((p) => p.kind === 'tool' && p.data.state === 'completed')
    if (results && fail) {
      fail = false
      throw new Error('connection lost')
    }
  })
  let events = untilIdle(tk, session.id)
  await engine.prompt(session.id, { text: 'echo hi' })
  const seen = await events
  const error = seen.find((e) => e.type === 'error')
  t.match(error?.data, { message: /connection lost/ }, 'the failure is announced')
  t.match(seen.find((e) => e.type === 'turn.completed')?.data, { finish: 'error' })
  t.equal((await engine.getSession(session.id)).status, 'idle')

  events = untilIdle(tk, session.id)
  await engine.prompt(session.id, { text: 'again' })
  await events
  const requests = tk.kernel.resolve<{ requests(): Array<{ request: { messages: Array<{ role: string; content: Array<Record<string, unknown>> }> } }> }>('providerScripted').requests()
  const sent = requests.at(-1)!.request.messages
  const stored = await tk.kernel.resolve('sessionStore').listMessages(session.id)
  t.match(stored[1].parts[0].data, { state: 'pending' }, 'the store kept the call without its result')
  t.notOk(
    sent.some((m) => m.content.some((c) => c.type === 'tool-result')),
    'the next turn sends what the store holds (no result that was never stored)',
  )
})

t.test('a turn writes its messages with durable: false and ends with a durable status write after the last of them', async (t) => {
  const tk = await boot(t, TOOL_THEN_TEXT)
  const engine = tk.kernel.engine
  const session = await engine.createSession({})
  const store = tk.kernel.resolve('sessionStore')
  const writes: string[] = []
  const durability = (options?: { durable?: boolean }) => (options?.durable === false ? 'lazy' : 'durable')
  const save = store.saveMessage.bind(store)
  store.saveMessage = async (message, options) => {
    await save(message, options)
    writes.push(`${message.role} message ${durability(options)}`)
  }
  const update = store.updateSession.bind(store)
  store.updateSession = async (id, patch, options) => {
    const updated = await update(id, patch, options)
    writes.push(`status ${patch.status} ${durability(options)}`)
    return updated
  }
  const events = untilIdle(tk, session.id)
  await engine.prompt(session.id, { text: 'echo hi' })
  await events
  t.equal(writes[0], 'user message durable', 'the POSTed message is on disk before the POST is answered')
  t.same(
    writes.slice(1).sort(),
    ['assistant message lazy', 'assistant message lazy', 'assistant message lazy', 'status busy lazy', 'status idle durable'].sort(),
    'the call, its tool results and the answer are written lazily, busy too',
  )
  t.equal(writes.at(-1), 'status idle durable', 'the durable idle write comes after every other write of the turn')
})
