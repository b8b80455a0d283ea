import t from 'tap'
import { createTestKernel, type TestKernel } from '../testing/index.js'
import { createOutsideFolder } from '../testing/outside-folder.js'
import type { EventEnvelope } from '../protocol/index.js'

const outside = createOutsideFolder({
  'tools.ts': `
import { definePlugin, defineTool } from 'agent-platform/kernel'
import { z } from 'zod'
export const notes = new Map([['a', 'alpha'], ['b', 'beta']])
export default definePlugin({
  name: 'tool-notes',
  register(ctx) {
    ctx.registries.tools.add(defineTool({
      name: 'read_note', description: 'Reads a note.', kind: 'read',
      inputSchema: z.object({ title: z.string() }).strict(), subject: (a) => a.title,
      async execute(args, c) { c.reportProgress({ message: 'reading ' + args.title }); await new Promise((r) => setTimeout(r, 30)); return { output: notes.get(args.title) ?? 'no such note', title: args.title } },
    }))
    ctx.registries.tools.add(defineTool({
      name: 'write_note', description: 'Writes a note.', kind: 'edit',
      inputSchema: z.object({ title: z.string(), text: z.string() }).strict(), subject: (a) => a.title,
      async execute(args) { notes.set(args.title, args.text); return { output: 'saved ' + args.title } },
    }))
    ctx.registries.tools.add(defineTool({
      name: 'big_output', description: 'Prints a lot.', kind: 'read',
      inputSchema: z.object({}).strict(),
      async execute() { return { output: 'x'.repeat(5000) + 'END' } },
    }))
    ctx.registries.tools.add(defineTool({
      name: 'boom', description: 'Always fails.', kind: 'read', inputSchema: z.object({}).strict(),
      async execute() { throw new Error('disk on fire') },
    }))
  },
})`,
  'platform.config.ts': '',
})
t.teardown(() => outside.remove())

type Step = Array<Record<string, unknown>>
async function boot(t: Tap.Test, replies: Step[], kernel: Record<string, unknown> = {}): Promise<TestKernel> {
  const tk = await createTestKernel({
    plugins: { 'provider-scripted': { chunkDelayMs: 0, replies }, 'tool-notes': { resolve: './tools.ts' } } as never,
    configFile: outside.path('platform.config.ts'),
    kernel: kernel as never,
  })
  t.teardown(tk.close)
  return tk
}
declare namespace Tap {
  type Test = import('tap').Test
}

function watch(tk: TestKernel, sessionId: string, onEvent: (e: EventEnvelope) => void = () => undefined) {
  const seen: EventEnvelope[] = []
  let resolveDone: (events: EventEnvelope[]) => void
  const done = new Promise<EventEnvelope[]>((resolve) => (resolveDone = resolve))
  void tk.kernel.resolve('eventBus').subscribe(`session:${sessionId}`, (e) => {
    seen.push(e)
    onEvent(e)
    if (e.type === 'session.status' && (e.data as { status: string }).status === 'idle') resolveDone(seen)
  })
  return done
}

const requests = (tk: TestKernel) => tk.kernel.resolve<{ requests(): Array<{ request: { messages: Array<{ role: string; content: Array<Record<string, unknown>> }> } }> }>('providerScripted').requests()

t.test('model -> two read-only calls in parallel -> results -> next model call -> stop', async (t) => {
  const tk = await boot(t, [
    [{ type: 'tool-call', tool: 'read_note', input: { title: 'a' }, callId: 'c1' }, { type: 'tool-call', tool: 'read_note', input: { title: 'b' }, callId: 'c2' }, { type: 'finish', reason: 'tool_calls' }],
    [{ type: 'text', text: 'alpha and beta' }],
  ])
  const engine = tk.kernel.engine
  const session = await engine.createSession({})
  const done = watch(tk, session.id)
  tk.recorder.clear()
  await engine.prompt(session.id, { text: 'read a and b' })
  const events = await done
  const updates = events.filter((e) => e.type === 'tool.updated').map((e) => e.data as { callId: string; state: string; progress?: unknown })
  for (const callId of ['c1', 'c2']) {
    const states = updates.filter((u) => u.callId === callId).map((u) => (u.progress ? 'progress' : u.state))
    t.same(states, ['pending', 'running', 'progress', 'completed'], `${callId} moves forward only`)
  }
  const running = updates.map((u, i) => ({ ...u, i })).filter((u) => u.state === 'running' && !u.progress)
  const firstDone = updates.findIndex((u) => u.state === 'completed')
  t.ok(running.every((u) => u.i < firstDone), 'both calls started before either finished (parallel)')
  const [, second] = requests(tk)
  t.same(second.request.messages.at(-1), { role: 'tool', content: [{ type: 'tool-result', callId: 'c1', tool: 'read_note', output: 'alpha' }, { type: 'tool-result', callId: 'c2', tool: 'read_note', output: 'beta' }] })
  const detail = await engine.getSession(session.id)
  t.same(detail.messages.map((m) => [m.role, m.finish]), [['user', 'stop'], ['assistant', 'tool_calls'], ['assistant', 'stop']])
  t.match(detail.messages[1].parts[0].data, { callId: 'c1', state: 'completed', output: 'alpha', decision: 'default' })
  const hooks = tk.recorder.sequence({ filter: (h) => h.startsWith('tool.') })
  t.same(hooks.slice(0, 2), ['tool.select', 'tool.permission'])
  t.ok(hooks.includes('tool.beforeExecute') && hooks.includes('tool.afterExecute') && hooks.includes('tool.executed'))
  t.same(events.filter((e) => e.type === 'turn.completed').map((e) => (e.data as { finish: string }).finish), ['stop'])
})

t.test('an edit asks; "once" runs it, "reject" returns the refusal to the model and the turn goes on', async (t) => {
  const tk = await boot(t, [
    [{ type: 'tool-call', tool: 'write_note', input: { title: 'c', text: 'gamma' }, callId: 'w1' }],
    [{ type: 'tool-call', tool: 'write_note', input: { title: 'd', text: 'delta' }, callId: 'w2' }],
    [{ type: 'text', text: 'ok' }],
  ])
  const engine = tk.kernel.engine
  const session = await engine.createSession({})
  const answers = ['once', 'reject'] as const
  let asked = 0
  const done = watch(tk, session.id, (e) => {
    if (e.type === 'permission.asked') {
      const { askId } = e.data as { askId: string }
      const reply = answers[asked++]
      setTimeout(() => void engine.replyPermission(session.id, askId, reply, reply === 'reject' ? 'not that one' : undefined), 5)
    }
  })
  await engine.prompt(session.id, { text: 'write c and d' })
  const events = await done
  const asks = events.filter((e) => e.type === 'permission.asked').map((e) => e.data as Record<string, unknown>)
  t.match(asks[0], { callId: 'w1', tool: 'write_note', kind: 'edit', summary: 'Allow write_note: c?', patterns: ['c'], options: ['once', 'always', 'reject'] })
  t.ok(events.some((e) => e.type === 'session.status' && (e.data as { status: string }).status === 'waiting_permission'))
  t.same(events.filter((e) => e.type === 'permission.replied').map((e) => (e.data as { reply: string }).reply), ['once', 'reject'])
  const detail = await engine.getSession(session.id)
  t.match(detail.messages[1].parts[0].data, { state: 'completed', output: 'saved c', decision: 'user' })
  t.match(detail.messages[2].parts[0].data, { state: 'error', error: { code: 'PERMISSION_REJECTED' }, output: /did not allow write_note \(d\): the user said no\. Their message: not that one/ })
  t.equal(detail.messages.at(-1)?.finish, 'stop', 'the turn went on after the refusal')
  await t.rejects(engine.replyPermission(session.id, 'ask_nope', 'once'), { code: 'PERMISSION_ASK_NOT_FOUND', httpStatus: 404 })
})

t.test('"always" is remembered for the session; an unanswered ask is rejected after askMs', async (t) => {
  const tk = await boot(t, [
    [{ type: 'tool-call', tool: 'write_note', input: { title: 'e', text: '1' }, callId: 'a1' }],
    [{ type: 'tool-call', tool: 'write_note', input: { title: 'e', text: '2' }, callId: 'a2' }],
    [{ type: 'tool-call', tool: 'write_note', input: { title: 'f', text: '3' }, callId: 'a3' }],
    [{ type: 'text', text: 'done' }],
  ], { timeouts: { askMs: 150 } })
  const engine = tk.kernel.engine
  const session = await engine.createSession({})
  let asked = 0
  const done = watch(tk, session.id, (e) => {
    if (e.type === 'permission.asked' && asked++ === 0) void engine.replyPermission(session.id, (e.data as { askId: string }).askId, 'always')
  })
  await engine.prompt(session.id, { text: 'go' })
  const events = await done
  t.equal(asked, 2, 'e asked once (always), f asked again')
  const detail = await engine.getSession(session.id)
  t.match(detail.messages[2].parts[0].data, { state: 'completed', decision: 'session' })
  t.match(detail.messages[3].parts[0].data, { state: 'error', output: /nobody answered in time/ })
  t.match(events.filter((e) => e.type === 'permission.replied').map((e) => e.data), [{ reply: 'always', by: 'user' }, { reply: 'reject', by: 'timeout' }])
})

t.test('session rules: set at creation and by PATCH, consulted after the rule lists; "always" answers are stored in them', async (t) => {
  const tk = await boot(t, [
    [{ type: 'tool-call', tool: 'write_note', input: { title: 'g', text: '1' }, callId: 's1' }],
    [{ type: 'tool-call', tool: 'read_note', input: { title: 'a' }, callId: 's2' }],
    [{ type: 'text', text: 'done' }],
  ])
  const engine = tk.kernel.engine
  const session = await engine.createSession({ permissions: [{ tool: 'write_note', action: 'allow' }, { tool: 'read_*', match: 'a', action: 'deny' }] })
  t.same(session.permissions, [{ tool: 'write_note', action: 'allow' }, { tool: 'read_*', match: 'a', action: 'deny' }], 'returned with the session')
  await engine.prompt(session.id, { text: 'go' })
  await watch(tk, session.id)
  let detail = await engine.getSession(session.id)
  t.match(detail.messages[1].parts[0].data, { state: 'completed', decision: 'session' }, 'write_note allowed by the session rule, nobody asked')
  t.match(detail.messages[2].parts[0].data, { state: 'error', error: { code: 'PERMISSION_DENIED' }, output: /session rule "read_\* a: deny"/ }, 'a read the default would allow is denied')

  // PATCH replaces the list; the next turn asks for write_note again, and "always" lands in the stored rules.
  const patched = await engine.patchSession(session.id, { permissions: [] })
  t.same(patched.permissions, [])
  tk.kernel.resolve<{ setReplies(r: unknown[]): void }>('providerScripted').setReplies([
    [{ type: 'tool-call', tool: 'write_note', input: { title: 'odd*name', text: '2' }, callId: 's3' }],
    [{ type: 'tool-call', tool: 'write_note', input: { title: 'odd*name', text: '3' }, callId: 's4' }],
    [{ type: 'tool-call', tool: 'write_note', input: { title: 'oddXname', text: '4' }, callId: 's5' }],
    [{ type: 'text', text: 'done' }],
  ])
  let asked = 0
  const done = watch(tk, session.id, (e) => {
    if (e.type !== 'permission.asked') return
    asked += 1
    void engine.replyPermission(session.id, (e.data as { askId: string }).askId, asked === 1 ? 'always' : 'reject')
  })
  await engine.prompt(session.id, { text: 'again' })
  const events = await done
  t.equal(asked, 2, 'asked for odd*name once, then for oddXname (the star in the remembered subject is literal)')
  const stored = await tk.kernel.resolve('sessionStore').getSession(session.id)
  t.same(stored?.permissions, [{ tool: 'write_note', match: 'odd\\*name', action: 'allow' }], 'the "always" answer is a stored session rule')
  t.ok(events.some((e) => e.type === 'session.updated' && JSON.stringify(e.data).includes('odd')), 'announced as session.updated')
  detail = await engine.getSession(session.id)
  t.match(detail.messages.at(-3)?.parts[0].data, { callId: 's4', state: 'completed', decision: 'session' })
})

t.test('invalid arguments, unknown tools and a throwing tool come back to the model as errors it can act on', async (t) => {
  const tk = await boot(t, [
    [
      { type: 'tool-call', tool: 'read_note', input: { titel: 'a' }, callId: 'i1' },
      { type: 'tool-call', tool: 'fly', input: {}, callId: 'i2' },
      { type: 'tool-call', tool: 'boom', input: {}, callId: 'i3' },
    ],
    [{ type: 'text', text: 'sorry' }],
  ])
  const engine = tk.kernel.engine
  const session = await engine.createSession({})
  const done = watch(tk, session.id)
  await engine.prompt(session.id, { text: 'go' })
  await done
  const results = requests(tk)[1].request.messages.at(-1)?.content ?? []
  t.match(results[0], { callId: 'i1', isError: true, output: /Invalid arguments for read_note: .*titel.*Call it again with arguments matching this JSON schema: \{"type":"object","properties":\{"title":\{"type":"string"\}\}/ })
  t.match(results[1], { callId: 'i2', isError: true, output: /There is no tool "fly" in this session\. Available tools: .*read_note/ })
  t.match(results[2], { callId: 'i3', isError: true, output: 'The tool failed: disk on fire' })
  t.notMatch(JSON.stringify(results), /at .*\.ts:\d+/, 'no stack trace')
})

t.test('the same call three times in a row asks before running again; the step limit ends the turn', async (t) => {
  const same = [{ type: 'tool-call', tool: 'read_note', input: { title: 'a' } }]
  const tk = await boot(t, [same, same, same, same], { limits: { maxSteps: 4 } })
  const engine = tk.kernel.engine
  const session = await engine.createSession({})
  const asks: Array<Record<string, unknown>> = []
  const done = watch(tk, session.id, (e) => {
    if (e.type !== 'permission.asked') return
    asks.push(e.data as Record<string, unknown>)
    void engine.replyPermission(session.id, (e.data as { askId: string }).askId, 'once')
  })
  await engine.prompt(session.id, { text: 'loop' })
  const events = await done
  t.equal(asks.length, 1, 'asked on the third identical call only')
  t.match(asks[0], { reason: 'repeated_call', summary: /same arguments for the 3th time in a row/ })
  t.match(events.find((e) => e.type === 'turn.completed')?.data, { finish: 'max_steps' })
  const last = (await engine.getSession(session.id)).messages.at(-1)
  t.match(last?.parts[0].data, { state: 'error', output: /step limit/ })
})

t.test('long output is cut for the model and kept whole for the API; abort while asking ends the turn', async (t) => {
  const tk = await boot(t, [
    [{ type: 'tool-call', tool: 'big_output', input: {}, callId: 'b1' }],
    [{ type: 'tool-call', tool: 'write_note', input: { title: 'z', text: 'x' }, callId: 'b2' }],
  ], { limits: { toolOutputChars: 1000 } })
  const engine = tk.kernel.engine
  const session = await engine.createSession({})
  const done = watch(tk, session.id, (e) => {
    if (e.type === 'permission.asked') engine.abort(session.id)
  })
  await engine.prompt(session.id, { text: 'go' })
  const events = await done
  const seen = requests(tk)[1].request.messages.at(-1)?.content[0] as { output: string }
  t.ok(seen.output.length < 1100 && seen.output.includes('characters cut') && seen.output.endsWith('END'), 'head and tail kept for the model')
  const full = await engine.getToolCall(session.id, 'b1')
  t.equal((full.output as string).length, 5003)
  t.equal(full.truncated, true)
  await t.rejects(engine.getToolCall(session.id, 'nope'), { code: 'TOOL_CALL_NOT_FOUND' })
  t.match(events.find((e) => e.type === 'permission.replied')?.data, { reply: 'reject', by: 'abort' })
  t.match(events.find((e) => e.type === 'turn.completed')?.data, { finish: 'aborted' })
})
