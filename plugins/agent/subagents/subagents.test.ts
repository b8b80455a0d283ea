import t from 'tap'
import { createTestKernel, type TestKernel } from '../../../kernel/testing/index.js'
import { testBackends } from '../../../kernel/testing/backends.js'
import type { protocol } from '../../../kernel/index.js'

type EventEnvelope = protocol.EventEnvelope
import { configSchema } from './config.js'
import { applySpawnPolicy } from './spawn-policy.js'

declare namespace Tap {
  type Test = import('tap').Test
}
type Script = Array<Record<string, unknown>>
const say = (text: string): Script => [{ type: 'text', text }, { type: 'finish', reason: 'stop' }]
const task = (agent: string, prompt: string, callId: string) => ({ type: 'tool-call', tool: 'task', input: { agent, description: `${agent} work`, prompt }, callId })

const AGENTS = {
  demo: { provider: 'scripted', model: 'lead', systemPrompt: 'You lead.', tools: '*' },
  researcher: { description: 'Finds facts.', provider: 'scripted', model: 'res', systemPrompt: 'You research.', tools: ['task'] },
  writer: { description: 'Writes prose.', provider: 'scripted', model: 'wri', systemPrompt: 'You write.', tools: [] },
}

async function boot(t: Tap.Test, modelReplies: Record<string, Script[]>, options: Record<string, unknown> = {}, extra: Record<string, unknown> = {}): Promise<TestKernel> {
  const tk = await createTestKernel({
    plugins: { 'provider-scripted': { chunkDelayMs: 0, models: ['lead', 'res', 'wri'], modelReplies, ...(extra.scripted as object) }, 'agent-subagents': options, ...(extra.plugins as object) } as never,
    kernel: { agents: AGENTS } as never,
  })
  t.teardown(tk.close)
  return tk
}

function streamOf(tk: TestKernel, sessionId: string) {
  const seen: EventEnvelope[] = []
  let resolveIdle: () => void
  const idle = new Promise<void>((resolve) => (resolveIdle = resolve))
  void tk.kernel.resolve('eventBus').subscribe(`session:${sessionId}`, (e) => {
    seen.push(e)
    if (e.type === 'turn.completed') resolveIdle()
  })
  return { seen, idle }
}
const relayed = (events: EventEnvelope[]) => events.filter((e) => e.type === 'subagent.event').map((e) => e.data as { sessionId: string; depth: number; agent: string; callId: string; event: { type: string; data: Record<string, unknown> } })
const toolParts = async (tk: TestKernel, sessionId: string) => (await tk.kernel.engine.getSession(sessionId)).messages.flatMap((m) => m.parts).filter((p) => p.kind === 'tool').map((p) => p.data)

t.test('a parent delegates to two agents in parallel; both stream thoughts live on the parent stream; answers come back as results', async (t) => {
  const tk = await boot(t, {
    lead: [[task('researcher', 'find three facts about otters', 'c-res'), task('writer', 'write a haiku about otters', 'c-wri')], say('Otters: facts and a haiku.')],
    res: [[{ type: 'thought', text: 'Otters hold hands while sleeping, I recall.' }, { type: 'text', text: 'Fact: otters hold hands.' }]],
    wri: [[{ type: 'thought', text: 'Five seven five, about the river.' }, { type: 'text', text: 'River otters float' }]],
  }, {}, { scripted: { chunkDelayMs: 5, chunkChars: 6 } })
  const engine = tk.kernel.engine
  const parent = await engine.createSession({})
  t.same(parent.tools, ['*'], 'every tool, task included (checked in the request below)')
  const stream = streamOf(tk, parent.id)
  await engine.prompt(parent.id, { text: 'tell me about otters' })
  await stream.idle

  const leadRequest = tk.kernel.resolve<{ requests(): Array<{ request: { model: string; tools: Array<{ name: string; description: string }> } }> }>('providerScripted').requests().find((r) => r.request.model === 'lead')!
  t.match(leadRequest.request.tools.find((x) => x.name === 'task')?.description, /- researcher: Finds facts\.\n- writer: Writes prose\./, 'task is offered, listing the agents')
  const children = await engine.listSessions({ parentId: parent.id })
  t.equal(children.length, 2)
  const byAgent = Object.fromEntries(children.map((c) => [c.agent, c]))
  t.match(byAgent.researcher, { parentId: parent.id, title: 'researcher work', workspace: parent.workspace, model: 'res' })
  t.match(byAgent.writer, { parentId: parent.id, title: 'writer work', model: 'wri' })

  const calls = await toolParts(tk, parent.id)
  t.match(calls.find((c) => c.callId === 'c-res'), { state: 'completed', output: 'Fact: otters hold hands.', metadata: { sessionId: byAgent.researcher.id, agent: 'researcher', finish: 'stop' } })
  t.match(calls.find((c) => c.callId === 'c-wri'), { state: 'completed', output: 'River otters float' })

  const events = relayed(stream.seen)
  const thoughts = events.filter((e) => e.event.type === 'part.delta' && e.event.data.field === 'text')
  const order = thoughts.map((e) => e.sessionId)
  t.ok(order.includes(byAgent.researcher.id) && order.includes(byAgent.writer.id), 'deltas of both children relayed, tagged with their session ids')
  const firstWriter = order.indexOf(byAgent.writer.id)
  const lastResearcher = order.lastIndexOf(byAgent.researcher.id)
  t.ok(firstWriter < lastResearcher, 'the two children streamed at the same time (their deltas interleave)')
  const reasoning = events.filter((e) => e.event.type === 'part.started' && e.event.data.part && (e.event.data.part as { kind: string }).kind === 'reasoning')
  t.equal(new Set(reasoning.map((e) => e.sessionId)).size, 2, 'both children thought, visibly')
  t.ok(events.every((e) => e.depth === 1 && e.callId.startsWith('c-')), 'tagged with depth and the delegating call')

  // Event order for one child on the parent stream: its task call runs, the child lives, then the call completes.
  const index = (match: (e: EventEnvelope) => boolean) => stream.seen.findIndex(match)
  const running = index((e) => e.type === 'tool.updated' && (e.data as { callId: string; state: string }).callId === 'c-res' && (e.data as { state: string }).state === 'running')
  const created = index((e) => e.type === 'subagent.event' && (e.data as { sessionId: string; event: { type: string } }).event.type === 'session.created' && (e.data as { sessionId: string }).sessionId === byAgent.researcher.id)
  const childDone = index((e) => e.type === 'subagent.event' && (e.data as { sessionId: string; event: { type: string } }).event.type === 'turn.completed' && (e.data as { sessionId: string }).sessionId === byAgent.researcher.id)
  const completed = index((e) => e.type === 'tool.updated' && (e.data as { callId: string }).callId === 'c-res' && (e.data as { state: string }).state === 'completed')
  t.ok(running < created && created < childDone && childDone < completed, `running ${running} < child created ${created} < child done ${childDone} < completed ${completed}`)

  const own = streamOf(tk, byAgent.writer.id)
  t.same(own.seen, [], 'subscribed late: nothing replayed here')
  const detail = await engine.getSession(byAgent.writer.id)
  t.same(detail.messages.map((m) => m.role), ['user', 'assistant'])
  t.match(detail.messages[0].parts[0].data, { text: 'write a haiku about otters' }, 'the child got the prompt as its user message')
})

t.test('depth: a child at the deepest level gets no task tool; the policy refuses deeper ones and unknown agents', async (t) => {
  const tk = await boot(t, {
    lead: [[task('researcher', 'dig', 'c1')], say('done')],
    res: [[task('researcher', 'dig deeper', 'c2')], say('researched')],
  }, { maxDepth: 2 })
  const engine = tk.kernel.engine
  const parent = await engine.createSession({})
  const stream = streamOf(tk, parent.id)
  await engine.prompt(parent.id, { text: 'go' })
  await stream.idle
  const [child] = await engine.listSessions({ parentId: parent.id })
  const [grandchild] = await engine.listSessions({ parentId: child.id })
  t.same(child.tools, ['task'], 'depth 1: may delegate')
  t.same(grandchild.tools, [], 'depth 2 = maxDepth: no task tool')
  t.ok(relayed(stream.seen).some((e) => e.depth === 2 && e.sessionId === grandchild.id), 'grandchild events reach the root, nested')

  const options = configSchema.parse({ maxDepth: 2 })
  const registries = tk.kernel.resolve('registries')
  const spawn = (depth: number, agent = 'writer') => applySpawnPolicy({ agent, prompt: 'p' }, { parent, turnId: 't', callId: 'c', depth }, options, registries)
  t.throws(() => spawn(3), { code: 'AGENT_SUBAGENTS_DEPTH_LIMIT', message: /3 levels deep, over the limit of 2/ })
  t.throws(() => spawn(1, 'ghost'), { code: 'AGENT_SUBAGENTS_AGENT_NOT_ALLOWED', message: /no agent "ghost".*Available: demo, researcher, writer/ })
  t.same(spawn(1), { agent: 'writer', prompt: 'p' }, 'below the limit: unchanged')
})

t.test('a failing child, an unknown agent and too many children come back to the parent model as tool errors', async (t) => {
  const tk = await boot(t, {
    lead: [[task('writer', 'w', 'f1'), task('ghost', 'x', 'f2'), task('writer', 'again', 'f3')], say('coped')],
    wri: [[{ type: 'error', code: 'PROVIDER_OVERLOADED', message: 'the model is overloaded' }]],
  }, { maxChildrenPerTurn: 2 })
  const engine = tk.kernel.engine
  const parent = await engine.createSession({})
  const stream = streamOf(tk, parent.id)
  await engine.prompt(parent.id, { text: 'go' })
  await stream.idle
  const calls = await toolParts(tk, parent.id)
  t.match(calls.find((c) => c.callId === 'f1'), { state: 'error', output: /The writer agent failed \(PROVIDER_OVERLOADED\): the model is overloaded/ })
  t.match(calls.find((c) => c.callId === 'f2'), { state: 'error', output: /no agent "ghost"/ })
  t.match(calls.find((c) => c.callId === 'f3'), { state: 'error', output: /already started 2 sub-agents/ })
  const detail = await engine.getSession(parent.id)
  t.match(detail.messages.at(-1)?.parts[0].data, { text: 'coped' }, 'the parent went on')
})

t.test('aborting the parent aborts every descendant', async (t) => {
  const slow = [{ type: 'text', text: 'x'.repeat(400) }]
  const tk = await boot(t, {
    lead: [[task('researcher', 'dig', 'a1')], say('never')],
    res: [[task('writer', 'write', 'a2')], say('never')],
    wri: [slow],
  }, {}, { scripted: { chunkDelayMs: 20, chunkChars: 1 } })
  const engine = tk.kernel.engine
  const parent = await engine.createSession({})
  const stream = streamOf(tk, parent.id)
  await engine.prompt(parent.id, { text: 'go' })
  await new Promise<void>((resolve) => {
    const check = setInterval(() => {
      if (relayed(stream.seen).some((e) => e.depth === 2 && e.event.type === 'part.delta')) resolve(clearInterval(check))
    }, 10)
  })
  t.ok(engine.abort(parent.id))
  await stream.idle
  const [child] = await engine.listSessions({ parentId: parent.id })
  const [grandchild] = await engine.listSessions({ parentId: child.id })
  const finishes = (id: string) => relayed(stream.seen).filter((e) => e.sessionId === id && e.event.type === 'turn.completed').map((e) => e.event.data.finish)
  t.same(finishes(grandchild.id), ['aborted'])
  t.same(finishes(child.id), ['aborted'])
  t.match(stream.seen.find((e) => e.type === 'turn.completed')?.data, { finish: 'aborted' })
  const text = (await engine.getSession(grandchild.id)).messages[1].parts[0].data.text as string
  t.ok(text.length < 400, `the grandchild stopped mid-answer (${text.length} of 400 characters)`)
})

t.test('the tree is in the database and served by GET /api/sessions/:id/children', async (t) => {
  const backends = testBackends({ jobs: false })
  t.teardown(backends.cleanup)
  const tk = await boot(t, { lead: [[task('writer', 'w', 'd1')], say('ok')], wri: [say('written')] }, {}, { plugins: { ...backends.plugins, 'server-http': { port: 0 } } })
  const base = tk.kernel.addresses[0]
  const parent = (await (await fetch(`${base}/api/sessions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })).json()) as protocol.SessionInfo
  const stream = streamOf(tk, parent.id)
  await fetch(`${base}/api/sessions/${parent.id}/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ text: 'go' }) })
  await stream.idle
  const children = (await (await fetch(`${base}/api/sessions/${parent.id}/children`)).json()) as protocol.SessionInfo[]
  t.equal(children.length, 1)
  t.match(children[0], { parentId: parent.id, agent: 'writer' })
  t.same(await (await fetch(`${base}/api/sessions/${children[0].id}/children`)).json(), [])
  t.equal((await fetch(`${base}/api/sessions/ses_nope/children`)).status, 404)
  const rows = await tk.kernel.resolve('persistencePostgres').query<{ id: string; parent_id: string | null; root_id: string }>(`select "id", "parent_id", "root_id" from "${backends.schema}"."session" order by "created_at"`)
  t.same(rows, [{ id: parent.id, parent_id: null, root_id: parent.id }, { id: children[0].id, parent_id: parent.id, root_id: parent.id }])
})
