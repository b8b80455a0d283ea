import { fileURLToPath } from 'node:url'
import t from 'tap'
import type { EventEnvelope } from '../../../kernel/protocol/index.js'
import { createCaptureServer } from '../../../kernel/testing/capture-server.js'
import { testBackends } from '../../../kernel/testing/backends.js'
import { createTestKernel, type TestKernel } from '../../../kernel/testing/index.js'
import { ev, streamResponse } from './test-support.js'

/** End to end: the real kernel, a credential source, engine.prompt, ANTHROPIC_BASE_URL at a capture server. */

type T = import('tap').Test

const FIXTURE = fileURLToPath(new URL('./fixtures/test-credentials.ts', import.meta.url))
const AGENT = { claude: { provider: 'anthropic', model: 'claude-sonnet-4-20250514', systemPrompt: 'You are Claude in a test.' } }

const reply = [
  ev.start({ input_tokens: 30, cache_creation_input_tokens: 0, cache_read_input_tokens: 0, output_tokens: 1 }),
  ev.blockStart(0, { type: 'thinking', thinking: '', signature: '' }),
  ev.thinking(0, 'Greet back.'),
  ev.signature(0, 'sig-e2e-1'),
  ev.blockStop(0),
  ev.blockStart(1, { type: 'text', text: '' }),
  ev.text(1, 'Hello from Claude.'),
  ev.blockStop(1),
  ev.delta('end_turn', { output_tokens: 12 }),
  ev.stop(),
]

async function withBaseUrl(t: T, url: string) {
  const saved = process.env.ANTHROPIC_BASE_URL
  process.env.ANTHROPIC_BASE_URL = url
  t.teardown(() => {
    if (saved === undefined) delete process.env.ANTHROPIC_BASE_URL
    else process.env.ANTHROPIC_BASE_URL = saved
  })
}

async function turn(tk: TestKernel, sessionId: string, text: string): Promise<EventEnvelope[]> {
  const seen: EventEnvelope[] = []
  let unsubscribe = () => {}
  const done = new Promise<void>((resolve) => {
    void tk.kernel
      .resolve('eventBus')
      .subscribe(`session:${sessionId}`, (e) => {
        seen.push(e)
        if (e.type === 'turn.completed') resolve()
      })
      .then((off) => (unsubscribe = off))
  })
  await tk.kernel.engine.prompt(sessionId, { text })
  await done
  unsubscribe()
  return seen
}

t.test('a session turn reaches Anthropic, streams back, and the next turn replays the signed thinking', async (t) => {
  const server = await createCaptureServer((req) =>
    req.method === 'GET'
      ? { status: 200, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ data: [{ type: 'model', id: 'claude-next-1', display_name: 'Claude Next' }], has_more: false }) }
      : streamResponse(reply),
  )
  t.teardown(() => server.close())
  await withBaseUrl(t, server.url)
  // PostgreSQL and Redis when DATABASE_URL / REDIS_URL are set, else embedded PGlite and in-memory ports.
  const backends = testBackends({ jobs: false })
  t.teardown(() => backends.cleanup())
  const tk = await createTestKernel({
    plugins: { ...backends.plugins, 'provider-anthropic': { retry: { attempts: 1 } }, 'fixture-anthropic-credentials': { resolve: FIXTURE } },
    kernel: { defaultAgent: 'claude', agents: AGENT },
  })
  t.teardown(tk.close)

  t.same(server.requests.map((r) => `${r.method} ${r.url}`), ['GET /v1/models'], 'warmup refreshed the model list')
  const provider = tk.kernel.registries.providers.get('anthropic')!
  t.ok(provider.listModels().some((m) => m.id === 'claude-next-1'))
  const session = await tk.kernel.engine.createSession({ provider: 'anthropic', model: 'claude-sonnet-4-20250514' })
  const events = await turn(tk, session.id, 'Hello Claude')
  t.match(events.at(-1), { type: 'turn.completed', data: { finish: 'stop' } })
  t.match(events.find((e) => e.type === 'message.completed' && (e.data as { tokens?: unknown }).tokens), { data: { tokens: { input: 30, output: 12, cacheRead: 0, cacheWrite: 0 } } })

  const first = server.requests[1]
  t.equal(`${first.method} ${first.url}`, 'POST /v1/messages')
  t.equal(first.headers['x-api-key'], 'test-key-0000')
  t.equal(first.headers['user-agent'], 'Anthropic/JS 0.55.1')
  t.notOk(first.headers['anthropic-beta'], 'loopback host: no cache beta')
  t.same(first.json, {
    model: 'claude-sonnet-4-20250514',
    messages: [{ role: 'user', content: 'Hello Claude' }],
    max_tokens: 64000,
    stream: true,
    system: 'You are Claude in a test.',
    tools: [{ name: 'read_note', description: 'Reads a note by title.', input_schema: { type: 'object', properties: { title: { type: 'string', description: 'The note title.' } }, required: ['title'] } }],
    thinking: { type: 'enabled', budget_tokens: 10000 },
  })

  const stored = await tk.kernel.resolve('sessionStore').listMessages(session.id)
  const answer = stored.find((m) => m.role === 'assistant')!
  t.same(answer.parts.map((p) => [p.kind, p.data.text, p.data.signature ?? null, p.data.providerId ?? null]), [['reasoning', 'Greet back.', 'sig-e2e-1', 'anthropic'], ['text', 'Hello from Claude.', null, null]], 'signature stored with the message')

  await turn(tk, session.id, 'Again')
  t.same((server.requests[2].json as { messages: unknown }).messages, [
    { role: 'user', content: 'Hello Claude' },
    { role: 'assistant', content: [{ type: 'thinking', thinking: 'Greet back.', signature: 'sig-e2e-1' }, { type: 'text', text: 'Hello from Claude.' }] },
    { role: 'user', content: 'Again' },
  ])
})

t.test('without a credential the turn fails with AUTH_CREDENTIAL_MISSING and nothing is sent', async (t) => {
  const server = await createCaptureServer(() => streamResponse(reply))
  t.teardown(() => server.close())
  await withBaseUrl(t, server.url)
  const tk = await createTestKernel({ plugins: { 'provider-anthropic': true }, kernel: { defaultAgent: 'claude', agents: AGENT } })
  t.teardown(tk.close)
  const session = await tk.kernel.engine.createSession({})
  const events = await turn(tk, session.id, 'Hello')
  t.match(events.find((e) => e.type === 'error'), { data: { code: 'AUTH_CREDENTIAL_MISSING', message: /ANTHROPIC_API_KEY/ } })
  t.equal(server.requests.length, 0, 'no model call and no model-list call')
  const describe = tk.kernel.describe()
  t.ok(JSON.stringify(describe).includes('provider-anthropic'))
})
