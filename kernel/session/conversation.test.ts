import t from 'tap'
import { createTestKernel, type TestKernel } from '../testing/index.js'
import type { EventEnvelope, MessageInfo } from '../protocol/index.js'
import { createOutsideFolder } from '../testing/outside-folder.js'
import { SUMMARY_PREFIX } from './history.js'

const outside = createOutsideFolder({
  'keep-current.ts': `
import { definePlugin } from 'agent-platform/kernel'
export default definePlugin({
  name: 'compact-keep-current',
  register(ctx) {
    ctx.hooks.session.compact.tapPromise({}, async (plan, c) => {
      const all = [...plan.keep, ...plan.summarize]
      return { keep: all.filter((m) => m.turnId === c.turnId), summarize: all.filter((m) => m.turnId !== c.turnId) }
    })
  },
})`,
  'budget.ts': `
import { definePlugin } from 'agent-platform/kernel'
export const allowed: string[] = []
export default definePlugin({
  name: 'budget-ask',
  register(ctx) {
    let open = false
    ctx.hooks.request.admit.tapPromise({}, async () => open ? undefined : {
      code: 'BUDGET_TEST_EXCEEDED', message: 'This call would pass the session budget. Continue?', askUser: true,
      onAllowed: (reply) => { allowed.push(reply); if (reply === 'always') open = true },
    })
  },
})`,
  'platform.config.ts': '',
})
t.teardown(() => outside.remove())

declare namespace Tap {
  type Test = import('tap').Test
}
type Script = Array<Record<string, unknown>>
type Recorded = { request: { activity: string; system: string; messages: Array<{ role: string; content: Array<{ type: string; text?: string }> }> } }

async function boot(t: Tap.Test, scripted: Record<string, unknown>, kernel: Record<string, unknown> = {}, plugins: Record<string, unknown> = {}): Promise<TestKernel> {
  const tk = await createTestKernel({
    plugins: { 'provider-scripted': { chunkDelayMs: 0, ...scripted }, ...plugins } as never,
    configFile: outside.path('platform.config.ts'),
    kernel: { autoTitle: false, ...kernel } as never,
  })
  t.teardown(tk.close)
  return tk
}

const say = (text: string): Script => [{ type: 'text', text }, { type: 'finish', reason: 'stop' }]
const requests = (tk: TestKernel) => tk.kernel.resolve<{ requests(): Recorded[] }>('providerScripted').requests().map((r) => r.request)
const texts = (request: Recorded['request']) => request.messages.map((m) => `${m.role}: ${m.content.map((c) => c.text ?? `[${c.type}]`).join(' + ')}`)

/** Collect a session's events; `until` resolves at the first event matching the predicate (from now on). */
function recorder(tk: TestKernel, sessionId: string) {
  const seen: EventEnvelope[] = []
  const waiting: Array<{ match: (e: EventEnvelope) => boolean; resolve: (e: EventEnvelope) => void }> = []
  void tk.kernel.resolve('eventBus').subscribe(`session:${sessionId}`, (e) => {
    seen.push(e)
    for (const w of [...waiting]) if (w.match(e)) waiting.splice(waiting.indexOf(w), 1) && w.resolve(e)
  })
  const until = (match: (e: EventEnvelope) => boolean) => new Promise<EventEnvelope>((resolve) => waiting.push({ match, resolve }))
  const idle = () => until((e) => e.type === 'session.status' && (e.data as { status: string }).status === 'idle')
  return { seen, until, idle }
}

async function turn(tk: TestKernel, sessionId: string, text: string, events: ReturnType<typeof recorder>) {
  const idle = events.idle()
  const sent = await tk.kernel.engine.prompt(sessionId, { text })
  await idle
  return sent
}

t.test('after the first answered turn the session gets a title from a short model call; later turns and named sessions keep theirs', async (t) => {
  const tk = await boot(t, { replies: [say('Sure, looking.'), say('Done.')] }, { autoTitle: true })
  const engine = tk.kernel.engine
  const session = await engine.createSession({})
  const events = recorder(tk, session.id)
  const titled = events.until((e) => e.type === 'session.updated')
  await turn(tk, session.id, 'please fix the flaky login test in the api package', events)
  const update = await titled
  t.same(update.data, { id: session.id, changes: { title: 'Scripted: please fix the flaky login test' } })
  t.equal((await engine.getSession(session.id)).title, 'Scripted: please fix the flaky login test', 'stored')
  const titleCalls = requests(tk).filter((r) => r.activity === 'title')
  t.equal(titleCalls.length, 1)
  t.same(texts(titleCalls[0]), ['user: please fix the flaky login test in the api package'], 'the title call sees the first user message only')
  t.match(titleCalls[0].system, /title of at most six words/)
  await turn(tk, session.id, 'and the signup one', events)
  await new Promise((r) => setTimeout(r, 50))
  t.equal(requests(tk).filter((r) => r.activity === 'title').length, 1, 'no second title call')
  t.equal(requests(tk).filter((r) => r.activity === 'conversation').at(-1)?.messages.length, 3, 'the title reply did not consume a scripted reply')

  const named = await engine.createSession({ title: 'Mine' })
  await turn(tk, named.id, 'hello there', recorder(tk, named.id))
  await new Promise((r) => setTimeout(r, 50))
  t.equal((await engine.getSession(named.id)).title, 'Mine', 'a session with a title is not renamed')
})

t.test('near the context window the kernel compacts: the model summarizes older turns, the summary replaces them, the compaction is in the history', async (t) => {
  const long = (tag: string) => say(`${tag} `.repeat(120))
  // ~300 tokens of window: the third turn's request is over 80% of it.
  const tk = await boot(t, { contextWindow: 300, replies: [long('alpha'), long('beta'), say('gamma done')] })
  const engine = tk.kernel.engine
  const session = await engine.createSession({})
  const events = recorder(tk, session.id)
  const first = await turn(tk, session.id, 'first question', events)
  await turn(tk, session.id, 'second question', events)
  t.equal(requests(tk).filter((r) => r.activity === 'compaction').length, 0, 'not compacted while it fits')
  const third = await turn(tk, session.id, 'third question', events)

  const all = requests(tk)
  const compaction = all.find((r) => r.activity === 'compaction')!
  t.ok(compaction, 'a compaction call was made')
  t.match(compaction.system, /compact a conversation/)
  t.same(texts(compaction).slice(0, 1), ['user: first question'], 'it summarizes the first turn')
  t.match(texts(compaction).join('\n'), /assistant: alpha alpha/)
  t.notMatch(texts(compaction).join('\n'), /beta/, 'the previous turn is kept, not summarized')
  const last = all.at(-1)!
  t.equal(last.activity, 'conversation')
  t.match(last.messages[0].content[0].text, new RegExp(`^${SUMMARY_PREFIX.replace(/[()]/g, '\\$&')}\\n\\nSummary of 2 messages\\. The user said: first question$`))
  t.equal(last.messages.length, 3, 'summary + kept question (one user message), kept answer, current question')
  t.notMatch(texts(last).join('\n'), /alpha|first question\n/, 'the first turn is gone from the request')
  t.match(texts(last).join('\n'), /second question[\s\S]*beta[\s\S]*third question/, 'kept turn, then the current question')

  const detail = await engine.getSession(session.id)
  const stored = detail.messages.find((m) => m.parts.some((p) => p.kind === 'compaction'))!
  t.equal(stored.turnId, third.turnId, 'the compaction belongs to the turn that needed it')
  const data = stored.parts[0].data as { summary: string; replaced: string[]; reason: string; estimatedTokens: number; contextTokens: number }
  t.equal(data.reason, 'auto')
  t.equal(data.contextTokens, 300)
  t.ok(data.estimatedTokens >= 240, `estimated ${data.estimatedTokens} tokens`)
  const firstAnswer = detail.messages.find((m) => m.turnId === first.turnId && m.role === 'assistant')!
  t.same(data.replaced, [first.messageId, firstAnswer.id])
  t.equal(detail.messages.filter((m) => m.turnId === first.turnId).length, 2, 'replaced messages stay in the history')
  t.ok(events.seen.some((e) => e.type === 'part.started' && (e.data as { part: { kind: string } }).part.kind === 'compaction'), 'streamed as a compaction part')
  t.ok(events.seen.some((e) => e.type === 'session.status' && /Compacting 2 messages/.test(String((e.data as { message?: string }).message))), 'progress shown')
})

t.test('session.compact taps shape what is kept; a failing summary call is reported and the turn goes on', async (t) => {
  const tk = await boot(t, { contextWindow: 300, replies: [say('x '.repeat(600)), say('y '.repeat(600)), say('ok')] }, {}, { 'compact-keep-current': { resolve: './keep-current.ts' } })
  const engine = tk.kernel.engine
  const session = await engine.createSession({})
  const events = recorder(tk, session.id)
  await turn(tk, session.id, 'one', events)
  await turn(tk, session.id, 'two', events)
  const detail = await engine.getSession(session.id)
  const compaction = detail.messages.flatMap((m) => m.parts).find((p) => p.kind === 'compaction')!
  t.equal((compaction.data.replaced as string[]).length, 2, 'the tap moved the previous turn into the summary')
  t.same(texts(requests(tk).at(-1)!).length, 1, 'summary and the current question merge into one user message')

  const failing = await boot(t, { contextWindow: 300, compactionReply: [{ type: 'error', code: 'PROVIDER_OVERLOADED', message: 'try later' }], replies: [say('z '.repeat(600)), say('w '.repeat(600)), say('still answered')] })
  const s2 = await failing.kernel.engine.createSession({})
  const e2 = recorder(failing, s2.id)
  await turn(failing, s2.id, 'one', e2)
  await turn(failing, s2.id, 'two', e2)
  await turn(failing, s2.id, 'three', e2)
  t.match(e2.seen.find((e) => e.type === 'error')?.data, { code: 'SESSION_COMPACTION_FAILED', message: /Compacting the conversation failed: try later/ })
  const answers = (await failing.kernel.engine.getSession(s2.id)).messages.filter((m) => m.role === 'assistant')
  t.match(answers.at(-1)?.parts[0].data, { text: 'still answered' }, 'the turn went on uncompacted')
  t.notOk(answers.some((m) => m.parts.some((p) => p.kind === 'compaction')), 'nothing stored for the failed compaction')
})

t.test('compaction on request (compactNow): queued like a turn; a short conversation has nothing to compact', async (t) => {
  const tk = await boot(t, { replies: [say('a'), say('b'), say('c')] })
  const engine = tk.kernel.engine
  const session = await engine.createSession({})
  const events = recorder(tk, session.id)
  await turn(tk, session.id, 'one', events)
  await t.rejects(engine.compactNow(session.id), { code: 'SESSION_NOTHING_TO_COMPACT', httpStatus: 409 })
  await turn(tk, session.id, 'two', events)
  await turn(tk, session.id, 'three', events)
  const idle = events.idle()
  const store = tk.kernel.resolve('sessionStore')
  const save = store.saveMessage.bind(store)
  const summaryWrites: unknown[] = []
  store.saveMessage = async (message, options) => {
    if (message.parts.some((p) => p.kind === 'compaction')) summaryWrites.push(options ?? {})
    return save(message, options)
  }
  const result = await engine.compactNow(session.id)
  t.same(summaryWrites, [{ durable: true }], 'the summary is on disk before compactNow answers (not left to the closing status write)')
  await idle
  t.equal(result.compacted, true)
  const detail = await engine.getSession(session.id)
  const stored = detail.messages.find((m) => m.id === result.messageId)!
  t.same(stored.parts[0].data.replaced, detail.messages.slice(0, 4).map((m) => m.id), 'turns one and two summarized, turn three kept')
  t.equal(stored.parts[0].data.reason, 'manual')
  await turn(tk, session.id, 'four', events)
  t.match(texts(requests(tk).at(-1)!)[0], /^user: Summary of the earlier conversation[\s\S]*one[\s\S]* \+ three$/, 'the next call starts from the summary')
  await t.rejects(engine.compactNow('ses_nope'), { code: 'SESSION_NOT_FOUND' })
})

t.test('regenerate: the last answer is superseded (kept, not sent) and the turn runs again', async (t) => {
  const tk = await boot(t, { replies: [say('first try'), say('second try')] })
  const engine = tk.kernel.engine
  const session = await engine.createSession({})
  await t.rejects(engine.regenerate(session.id), { code: 'SESSION_NOTHING_TO_REGENERATE', httpStatus: 409 })
  const events = recorder(tk, session.id)
  const sent = await turn(tk, session.id, 'tell me a joke', events)
  const idle = events.idle()
  const again = await engine.regenerate(session.id)
  await idle
  t.equal(again.turnId, sent.turnId, 'same turn')
  const detail = await engine.getSession(session.id)
  const answers = detail.messages.filter((m) => m.role === 'assistant')
  t.equal(answers.length, 2)
  t.ok(answers[0].supersededAt, 'the first answer is marked superseded')
  t.match(answers[0].parts[0].data, { text: 'first try' })
  t.notOk(answers[1].supersededAt)
  t.match(answers[1].parts[0].data, { text: 'second try' })
  t.same(again.superseded, [answers[0].id])
  t.same(events.seen.find((e) => e.type === 'message.superseded')?.data, { turnId: sent.turnId, messageIds: [answers[0].id], at: answers[0].supersededAt })
  t.same(texts(requests(tk).at(-1)!), ['user: tell me a joke'], 'the superseded answer is not sent')
})

t.test('editing a past user message forks the conversation into a new session; the original is untouched', async (t) => {
  const tk = await boot(t, { replies: [say('answer one'), say('answer two'), say('answer edited')] })
  const engine = tk.kernel.engine
  const session = await engine.createSession({ title: 'Trip', permissions: [{ tool: 'grep', action: 'deny' }] })
  const events = recorder(tk, session.id)
  await turn(tk, session.id, 'plan a trip to Rome', events)
  const second = await turn(tk, session.id, 'in July', events)
  const before = await engine.getSession(session.id)

  const forkStream: EventEnvelope[] = []
  void tk.kernel.resolve('eventBus').subscribe('global', (e) => forkStream.push(e))
  const edited = await engine.editMessage(session.id, second.messageId, { text: 'in October' })
  t.not(edited.session.id, session.id)
  t.same(edited.session.forkedFrom, { sessionId: session.id, messageId: second.messageId })
  t.equal(edited.session.title, 'Trip (edited)')
  t.same(edited.session.permissions, [{ tool: 'grep', action: 'deny' }], 'rules go along')
  await recorder(tk, edited.session.id).idle()
  const fork = await engine.getSession(edited.session.id)
  t.same(fork.messages.map((m) => [m.role, (m.parts[0].data as { text: string }).text]), [
    ['user', 'plan a trip to Rome'], ['assistant', 'answer one'], ['user', 'in October'], ['assistant', 'answer edited'],
  ])
  t.notOk(fork.messages.some((m) => before.messages.some((b) => b.id === m.id)), 'copies have their own ids')
  t.same(texts(requests(tk).at(-1)!), ['user: plan a trip to Rome', 'assistant: answer one', 'user: in October'])
  t.same((await engine.getSession(session.id)).messages, before.messages, 'the original session is unchanged')
  t.ok(forkStream.some((e) => e.type === 'session.created' && (e.data as { id: string }).id === edited.session.id), 'announced on the global stream')

  const answer = before.messages.find((m) => m.role === 'assistant')!
  await t.rejects(engine.editMessage(session.id, answer.id, { text: 'x' }), { code: 'SESSION_MESSAGE_NOT_EDITABLE', httpStatus: 400 })
  await t.rejects(engine.editMessage(session.id, 'msg_nope', { text: 'x' }), { code: 'SESSION_MESSAGE_NOT_FOUND', httpStatus: 404 })
})

t.test('each answer records the tools offered; a switch mid-session shows in the history', async (t) => {
  const tk = await boot(t, { replies: [say('a'), say('b')] })
  const engine = tk.kernel.engine
  const session = await engine.createSession({})
  const events = recorder(tk, session.id)
  await turn(tk, session.id, 'one', events)
  await engine.patchSession(session.id, { tools: [] })
  await turn(tk, session.id, 'two', events)
  const answers = (await engine.getSession(session.id)).messages.filter((m): m is MessageInfo => m.role === 'assistant')
  t.same(session.tools, ['*'])
  t.same(answers[0].tools, tk.kernel.resolve('registries').tools.ids(), 'first answer: every registered tool, as offered')
  t.same(answers[1].tools, [], 'after the switch: none')
})

t.test('request.admit may ask the user (a budget): once/always let the call go ahead, reject refuses it', async (t) => {
  const tk = await boot(t, { replies: [say('paid for')] }, {}, { 'budget-ask': { resolve: './budget.ts' } })
  const engine = tk.kernel.engine
  const session = await engine.createSession({})
  const events = recorder(tk, session.id)
  const replies = ['once', 'reject', 'always']
  void tk.kernel.resolve('eventBus').subscribe(`session:${session.id}`, (e) => {
    if (e.type === 'permission.asked') void engine.replyPermission(session.id, (e.data as { askId: string }).askId, replies.shift() as 'once')
  })
  await turn(tk, session.id, 'one', events)
  const asked = events.seen.filter((e) => e.type === 'permission.asked').map((e) => e.data)
  t.match(asked, [{ tool: 'model_call', kind: 'budget', summary: 'This call would pass the session budget. Continue?', reason: 'BUDGET_TEST_EXCEEDED' }])
  t.match((await engine.getSession(session.id)).messages.at(-1)?.parts[0].data, { text: 'paid for' }, 'allowed once: answered')
  await turn(tk, session.id, 'two', events)
  t.match(events.seen.filter((e) => e.type === 'turn.completed').at(-1)?.data, { finish: 'error', error: { code: 'BUDGET_TEST_EXCEEDED' } }, 'rejected: refused with the rejection')
  await turn(tk, session.id, 'three', events)
  await turn(tk, session.id, 'four', events)
  t.equal(events.seen.filter((e) => e.type === 'permission.asked').length, 3, 'after "always" the plugin stopped asking')
  t.match(events.seen.filter((e) => e.type === 'turn.completed').at(-1)?.data, { finish: 'stop' })
})

t.test('deleteSession removes the session and its children (messages included), refuses while a turn runs, announces it', async (t) => {
  const tk = await boot(t, { replies: [say('ok')] })
  const engine = tk.kernel.engine
  const store = tk.kernel.resolve('sessionStore')
  const parent = await engine.createSession({})
  const events = recorder(tk, parent.id)
  await turn(tk, parent.id, 'hello', events)
  const child = { ...parent, id: 'ses_child', parentId: parent.id }
  const grandchild = { ...parent, id: 'ses_grandchild', parentId: 'ses_child' }
  await store.createSession(child)
  await store.createSession(grandchild)
  const other = await engine.createSession({})
  const global: string[] = []
  void tk.kernel.resolve('eventBus').subscribe('global', (e) => e.type === 'session.deleted' && global.push(JSON.stringify(e.data)))

  tk.kernel.resolve<{ setChunkDelay(ms: number): void }>('providerScripted').setChunkDelay(200)
  await engine.prompt(other.id, { text: 'slow' })
  await new Promise((r) => setTimeout(r, 50))
  await t.rejects(engine.deleteSession(other.id), { code: 'SESSION_BUSY', httpStatus: 409 })
  engine.abort(other.id)

  t.same(await engine.deleteSession(parent.id), { deleted: ['ses_grandchild', 'ses_child', parent.id] }, 'children first')
  t.equal(await store.getSession(parent.id), null)
  t.same(await store.listMessages(parent.id), [])
  t.equal(await store.getSession('ses_grandchild'), null)
  await t.rejects(engine.getSession(parent.id), { code: 'SESSION_NOT_FOUND' })
  await t.rejects(engine.deleteSession(parent.id), { code: 'SESSION_NOT_FOUND', httpStatus: 404 })
  t.same(global, [JSON.stringify({ ids: ['ses_grandchild', 'ses_child', parent.id] })])
  t.ok(await store.getSession(other.id), 'other sessions stay')
})
