import t from 'tap'
import { SAMPLE_TOOL_PLUGIN } from '../../../kernel/testing/fixtures.js'
import type { EventEnvelope } from '../../../kernel/protocol/index.js'
import { createCaptureServer, sseBody } from '../../../kernel/testing/capture-server.js'
import { createTestKernel, type TestKernel } from '../../../kernel/testing/index.js'
import { createOutsideFolder } from '../../../kernel/testing/outside-folder.js'
import { FAST_RETRY, SSE_HEADERS } from './test-support.js'

for (const name of ['OPENAI_ORG_ID', 'OPENAI_PROJECT_ID', 'OPENAI_BASE_URL']) delete process.env[name]

const outside = createOutsideFolder({
  // Stands in for auth-api-key: answers OPENAI_API_KEY-style keys for `openai`.
  'test-key.ts': `
import { definePlugin, CredentialPrecedence, Secret } from 'agent-platform/kernel'
export default definePlugin({
  name: 'auth-testkey',
  register(ctx) {
    ctx.registries.credentialSources.add({
      id: 'auth-testkey', precedence: CredentialPrecedence.ENV,
      resolve: async (q) => q.providerId === 'openai' ? { providerId: 'openai', mode: 'api_key', secret: new Secret('test-key-0000', 'test'), source: 'env' } : null,
    })
  },
})`,
  'sample-tool.ts': SAMPLE_TOOL_PLUGIN,
  'platform.config.ts': '',
})
t.teardown(() => outside.remove())

async function boot(t: Tap.Test, options: Record<string, unknown>, withKey = true): Promise<TestKernel> {
  const plugins: Record<string, unknown> = {
    'provider-scripted': { chunkDelayMs: 0 },
    'provider-openai': { retry: FAST_RETRY, ...options },
    'tool-sample': { resolve: './sample-tool.ts' },
    ...(withKey ? { 'auth-testkey': { resolve: './test-key.ts' } } : {}),
  }
  const tk = await createTestKernel({ plugins: plugins as never, configFile: outside.path('platform.config.ts') })
  t.teardown(tk.close)
  return tk
}
declare namespace Tap {
  type Test = import('tap').Test
}

function until(tk: TestKernel, sessionId: string, done: (e: EventEnvelope) => boolean): Promise<EventEnvelope[]> {
  const seen: EventEnvelope[] = []
  return new Promise((resolve) => {
    void tk.kernel.resolve('eventBus').subscribe(`session:${sessionId}`, (e) => {
      seen.push(e)
      if (done(e)) resolve(seen)
    })
  })
}

t.test('one turn end to end: engine.prompt -> Chat Completions on the wire -> persisted reasoning, text and usage', async (t) => {
  const server = await createCaptureServer(() => ({
    headers: SSE_HEADERS,
    chunks: sseBody([
      [null, { choices: [{ index: 0, delta: { role: 'assistant', reasoning_content: 'Greeting.' } }] }],
      [null, { choices: [{ index: 0, delta: { content: 'Hello ' } }] }],
      [null, { choices: [{ index: 0, delta: { content: 'there.' }, finish_reason: 'stop' }] }],
      [null, { choices: [], usage: { prompt_tokens: 50, completion_tokens: 7, prompt_tokens_details: { cached_tokens: 20 } } }],
      [null, '[DONE]'],
    ]),
  }))
  t.teardown(() => server.close())
  const tk = await boot(t, { openai: { baseUrl: `${server.url}/v1` } })
  const engine = tk.kernel.engine
  const session = await engine.createSession({ provider: 'openai', model: 'gpt-4.1' })
  const events = until(tk, session.id, (e) => e.type === 'turn.completed')
  await engine.prompt(session.id, { text: 'hello' })
  const seen = await events

  const [request] = server.requests
  t.equal(request.url, '/v1/chat/completions')
  t.equal(request.headers['user-agent'], 'OpenAI/JS 5.23.2')
  t.equal(request.headers.authorization, 'Bearer test-key-0000')
  t.same(request.json, {
    model: 'gpt-4.1',
    messages: [
      { role: 'system', content: 'You are a test agent.' },
      { role: 'user', content: 'hello' },
    ],
    stream: true,
    tools: [{ type: 'function', function: { name: 'read_note', description: 'Reads a note.', parameters: { type: 'object', properties: { title: { type: 'string' } }, required: ['title'], additionalProperties: false } } }],
    tool_choice: 'auto',
    stream_options: { include_usage: true },
  })
  t.match(seen.find((e) => e.type === 'turn.completed')?.data, { finish: 'stop' })
  t.notOk(seen.some((e) => e.type === 'error'))
  const completed = seen.find((e) => e.type === 'message.completed' && (e.data as { tokens?: unknown }).tokens)
  t.same((completed?.data as { tokens: unknown }).tokens, { input: 30, output: 7, cacheRead: 20 })
  const detail = await engine.getSession(session.id)
  const answer = detail.messages[1]
  t.same(answer.parts.map((p) => p.kind), ['reasoning', 'text'])
  t.equal(answer.parts[1].data.text, 'Hello there.')
})

t.test('registers openai, openai-responses and codex with models; a missing key fails the turn with AUTH_CREDENTIAL_MISSING', async (t) => {
  const tk = await boot(t, {}, false)
  const providers = tk.kernel.resolve('registries').providers
  t.same(providers.list().map((p) => p.id).filter((id) => id !== 'scripted').sort(), ['codex', 'openai', 'openai-responses'])
  t.ok(providers.get('openai')!.listModels().some((m) => m.id === 'gpt-4.1'))
  t.ok(providers.get('codex')!.listModels().some((m) => m.id === 'gpt-5.6-sol'))
  t.same(providers.get('openai-responses')!.apiKeyEnv, ['OPENAI_API_KEY'])
  t.notOk(providers.get('codex')!.apiKeyEnv, 'codex is OAuth only')
  t.match(await providers.get('openai')!.checkCredential!(), { ok: false, code: 'AUTH_CREDENTIAL_MISSING', message: /OPENAI_API_KEY/ })
  t.match(await providers.get('codex')!.checkCredential!(), { ok: false, code: 'AUTH_CREDENTIAL_MISSING', message: /codex/ })
  t.equal(typeof tk.kernel.resolve('providerOpenai').createChatClient, 'function')

  const engine = tk.kernel.engine
  const session = await engine.createSession({ provider: 'openai', model: 'gpt-4.1' })
  const events = until(tk, session.id, (e) => e.type === 'turn.completed')
  await engine.prompt(session.id, { text: 'hello' })
  const error = (await events).find((e) => e.type === 'error')
  t.match(error?.data, { code: 'AUTH_CREDENTIAL_MISSING' })
})

t.test('the providers option limits the registered ids', async (t) => {
  const tk = await boot(t, { providers: ['codex'] })
  t.same(tk.kernel.resolve('registries').providers.list().map((p) => p.id).filter((id) => id !== 'scripted'), ['codex'])
})

t.test('openai-responses over two turns: the encrypted reasoning of turn 1 is replayed in turn 2', async (t) => {
  const ev = (type: string, data: Record<string, unknown>): [string, unknown] => [type, { type, ...data }]
  const server = await createCaptureServer(() => ({
    headers: SSE_HEADERS,
    chunks: sseBody([
      ev('response.reasoning_summary_text.delta', { item_id: 'rs_42', summary_index: 0, delta: 'Plan.' }),
      ev('response.output_item.done', { item: { id: 'rs_42', type: 'reasoning', summary: [{ type: 'summary_text', text: 'Plan.' }], encrypted_content: 'enc-42' } }),
      ev('response.output_text.delta', { item_id: 'msg_1', delta: 'Done.' }),
      ev('response.completed', { response: { status: 'completed', usage: { input_tokens: 5, output_tokens: 2 } } }),
    ]),
  }))
  t.teardown(() => server.close())
  const tk = await boot(t, { responses: { baseUrl: `${server.url}/v1`, reasoningEffort: 'low', reasoningSummary: 'auto' } })
  const engine = tk.kernel.engine
  const session = await engine.createSession({ provider: 'openai-responses', model: 'o4-mini' })
  for (const text of ['first', 'second']) {
    const done = until(tk, session.id, (e) => e.type === 'turn.completed')
    await engine.prompt(session.id, { text })
    await done
  }
  const second = server.requests[1].json as { input: unknown[]; prompt_cache_key: string }
  t.same(second.input, [
    { role: 'user', content: 'first' },
    { type: 'reasoning', id: 'rs_42', summary: [{ type: 'summary_text', text: 'Plan.' }], encrypted_content: 'enc-42' },
    { role: 'assistant', content: 'Done.' },
    { role: 'user', content: 'second' },
  ])
  t.equal(second.prompt_cache_key, session.id)
})
