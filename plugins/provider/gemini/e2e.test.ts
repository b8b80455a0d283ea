import t from 'tap'
import { SAMPLE_TOOL_PLUGIN } from '../../../kernel/testing/fixtures.js'
import type { EventEnvelope } from '../../../kernel/protocol/index.js'
import { createCaptureServer, type CaptureServer } from '../../../kernel/testing/capture-server.js'
import { createTestKernel, TEST_AGENT, type TestKernel } from '../../../kernel/testing/index.js'
import { createOutsideFolder } from '../../../kernel/testing/outside-folder.js'
import { clearGeminiEnv, FAST_RETRY, geminiSse, SSE_HEADERS, TEXT_ANSWER, TOOL_ANSWER, UA_TAIL } from './test-support.js'

clearGeminiEnv()

// A credential source standing in for auth-api-key, and a sample tool so the request carries tools.
const outside = createOutsideFolder({
  'key-source.ts': `
import { definePlugin, CredentialPrecedence, Secret } from 'agent-platform/kernel'
export default definePlugin({
  name: 'auth-testkey',
  register(ctx) {
    ctx.registries.credentialSources.add({
      id: 'test-env', precedence: CredentialPrecedence.ENV,
      async resolve(q) {
        return q.providerId === 'gemini' && (q.modes ?? ['api_key']).includes('api_key')
          ? { providerId: 'gemini', mode: 'api_key', secret: new Secret('test-key-0000', 'test'), source: 'env' } : null
      },
    })
  },
})`,
  'sample-tool.ts': SAMPLE_TOOL_PLUGIN,
  'platform.config.ts': '',
})
t.teardown(() => outside.remove())

async function boot(t: Tap.Test, capture: CaptureServer, withKey = true): Promise<TestKernel> {
  const tk = await createTestKernel({
    plugins: {
      'provider-gemini': { baseUrl: capture.url, retry: FAST_RETRY, idleTimeoutMs: 5_000 },
      ...(withKey ? { 'auth-testkey': { resolve: './key-source.ts' } } : {}),
      'tool-sample': { resolve: './sample-tool.ts' },
    } as never,
    configFile: outside.path('platform.config.ts'),
  })
  t.teardown(tk.close)
  return tk
}
declare namespace Tap {
  type Test = import('tap').Test
}

function turnDone(tk: TestKernel, sessionId: string): Promise<EventEnvelope[]> {
  const seen: EventEnvelope[] = []
  return new Promise((resolve) => {
    void tk.kernel.resolve('eventBus').subscribe(`session:${sessionId}`, (e) => {
      seen.push(e)
      if (e.type === 'turn.completed') resolve(seen)
    })
  })
}

t.test('one turn through the engine on the API key path, then a follow-up that replays the signed call', async (t) => {
  const capture = await createCaptureServer((_req, index) => ({ headers: SSE_HEADERS, chunks: geminiSse(index === 0 ? TOOL_ANSWER : TEXT_ANSWER) }))
  t.teardown(() => capture.close())
  const tk = await boot(t, capture)
  const engine = tk.kernel.engine
  const session = await engine.createSession({ provider: 'gemini', model: 'gemini-2.5-flash' })
  t.same(session.tools, ['*'], 'every tool (read_note is offered below)')

  const first = turnDone(tk, session.id)
  await engine.prompt(session.id, { text: 'Read my note called groceries.' })
  const events = await first
  t.equal(events.at(-1)?.type, 'turn.completed')
  const [req] = capture.requests
  t.equal(req.url, '/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse')
  t.equal(req.headers['x-goog-api-key'], 'test-key-0000')
  t.equal(req.headers['user-agent'], `AgentPlatform/${tk.kernel.resolve('version')}/gemini-2.5-flash ${UA_TAIL}`)
  t.same(req.json, {
    contents: [{ role: 'user', parts: [{ text: 'Read my note called groceries.' }] }],
    systemInstruction: { role: 'user', parts: [{ text: TEST_AGENT.systemPrompt }] },
    tools: [{ functionDeclarations: [{ name: 'read_note', description: 'Reads a note.', parametersJsonSchema: { type: 'object', properties: { title: { type: 'string' } }, required: ['title'], additionalProperties: false } }] }],
    generationConfig: { temperature: 1, topP: 0.95, topK: 64, thinkingConfig: { includeThoughts: true, thinkingBudget: 8192 } },
  })
  const completed = events.find((e) => e.type === 'message.completed' && (e.data as { tokens?: unknown }).tokens)
  t.same((completed?.data as { tokens: unknown }).tokens, { input: 50, output: 30, reasoning: 20, cacheRead: 0 })

  const detail = await engine.getSession(session.id)
  const answer = detail.messages.find((m) => m.role === 'assistant')
  t.same(answer?.parts.map((p) => p.kind), ['reasoning', 'tool'])
  t.match(answer?.parts[1].data, { tool: 'read_note', input: { title: 'groceries' }, meta: { thoughtSignature: 'c2lnLWNhbGw=' } })

  // The agent loop ran the tool: the same turn's second model call carries the signed call and its result.
  const inTurn = (capture.requests[1].json as { contents: Array<{ role: string; parts: unknown[] }> }).contents
  const callId = answer?.parts[1].data.callId
  t.same(inTurn[1], { role: 'model', parts: [{ functionCall: { name: 'read_note', args: { title: 'groceries' }, id: callId }, thoughtSignature: 'c2lnLWNhbGw=' }] })
  t.same(inTurn[2], { role: 'user', parts: [{ functionResponse: { name: 'read_note', response: { output: 'groceries' }, id: callId } }] })

  const second = turnDone(tk, session.id)
  await engine.prompt(session.id, { text: 'And what else?' })
  await second
  const contents = (capture.requests[2].json as { contents: Array<{ role: string; parts: unknown[] }> }).contents
  t.same(contents[1], inTurn[1], 'the next turn replays the signed call again')
  t.same(contents.at(-1), { role: 'user', parts: [{ text: 'And what else?' }] })
  const reply = (await engine.getSession(session.id)).messages.filter((m) => m.role === 'assistant').at(-1)
  t.same(reply?.parts.map((p) => [p.kind, p.data.text, p.data.signature]), [
    ['text', 'You need milk', undefined],
    ['reasoning', '', 'c2lnLXRleHQ='],
    ['text', ' and eggs.', undefined],
  ])
})

t.test('the provider is listed with its models and its credential state', async (t) => {
  const capture = await createCaptureServer(() => ({ status: 500 }))
  t.teardown(() => capture.close())
  const tk = await boot(t, capture)
  const provider = tk.kernel.registries.providers.get('gemini')
  t.ok(provider?.listModels().some((m) => m.id === 'gemini-2.5-pro'))
  t.ok(provider?.listModels().some((m) => m.id === 'gemini-2.5-flash-lite'))
  t.same(await provider?.checkCredential?.(), { ok: true })
  t.same(tk.kernel.resolve('providerGemini').authMode(), { ok: true, mode: 'api-key', why: 'default' })
})

t.test('without a key the turn fails before anything is sent, naming the variables to set', async (t) => {
  const capture = await createCaptureServer(() => ({ status: 500 }))
  t.teardown(() => capture.close())
  const tk = await boot(t, capture, false)
  const provider = tk.kernel.registries.providers.get('gemini')
  t.match(await provider?.checkCredential?.(), { ok: false, code: 'AUTH_CREDENTIAL_MISSING', message: /GEMINI_API_KEY/ })
  const session = await tk.kernel.engine.createSession({ provider: 'gemini', model: 'gemini-2.5-pro' })
  const done = turnDone(tk, session.id)
  await tk.kernel.engine.prompt(session.id, { text: 'hi' })
  const events = await done
  t.match(events.find((e) => e.type === 'error')?.data, { code: 'AUTH_CREDENTIAL_MISSING' })
  t.equal(capture.requests.length, 0)
})
