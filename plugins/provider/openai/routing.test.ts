import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import t from 'tap'
import { createCaptureServer, sseBody } from '../../../kernel/testing/capture-server.js'
import { isCanonicalOpenAI, openaiRoute, requiresResponses, wireEffort } from './models.js'
import { apiKey, call, clientFor, drain, fakeCredentials, firstTurn, SSE_HEADERS } from './test-support.js'

delete process.env.OPENAI_BASE_URL

t.test('GPT-5.6+ require the Responses API (bare, tiers, -latest, real date snapshots); others do not', async (t) => {
  for (const id of ['gpt-5.6', 'gpt-5.6-sol', 'gpt-5.6-terra-latest', 'gpt-5.6-luna-20260301', 'gpt-5.7', 'gpt-6.0', 'gpt-5.6-2026-03-01', 'gpt-5.10']) t.ok(requiresResponses(id), id)
  for (const id of ['gpt-5.5', 'gpt-5', 'gpt-4.1', 'o3', 'gpt-5.6-mini', 'gpt-5.6-solar', 'gpt-5.6-20261345', 'gpt-05.6', 'qwen3-coder-plus']) t.notOk(requiresResponses(id), id)
})

t.test('openai routes GPT-5.6+ to Responses only on https://api.openai.com; apiMode responses opts in anywhere', async (t) => {
  t.ok(isCanonicalOpenAI('https://api.openai.com/v1'))
  t.notOk(isCanonicalOpenAI('http://api.openai.com/v1'))
  t.notOk(isCanonicalOpenAI('https://api.openai.com:8443/v1'))
  t.notOk(isCanonicalOpenAI('https://proxy.example.com/v1'))
  t.equal(openaiRoute('gpt-5.6-sol', 'https://api.openai.com/v1', 'auto'), 'responses')
  t.equal(openaiRoute('gpt-5.6-sol', 'https://api.openai.com/v1', 'chat'), 'responses', 'chat cannot serve GPT-5.6+ on OpenAI')
  t.equal(openaiRoute('gpt-5.6-sol', 'https://proxy.example.com/v1', 'auto'), 'chat')
  t.equal(openaiRoute('gpt-4.1', 'https://api.openai.com/v1', 'auto'), 'chat')
  t.equal(openaiRoute('gpt-4.1', 'http://127.0.0.1:9/v1', 'responses'), 'responses')
  t.equal(wireEffort('minimal', 'gpt-5.6'), 'none')
  t.equal(wireEffort('minimal', 'o3'), 'minimal')
})

t.test('openai on the Responses route: fetch path, gpt-5.6 defaults (effort high, 128000 output tokens, 24h cache)', async (t) => {
  const server = await createCaptureServer(() => ({
    headers: SSE_HEADERS,
    chunks: sseBody([['response.completed', { type: 'response.completed', response: { status: 'completed', usage: { input_tokens: 1, output_tokens: 1 } } }]]),
  }))
  t.teardown(() => server.close())
  const client = clientFor('openai', { openai: { baseUrl: `${server.url}/v1`, apiMode: 'responses' } }, fakeCredentials({ openai: apiKey('openai') }))
  await drain(client.stream(firstTurn('openai', 'gpt-5.6'), call()))
  const [request] = server.requests
  t.equal(request.url, '/v1/responses')
  t.equal(request.headers['user-agent'], 'AgentPlatform/0.1.0')
  t.notOk('x-stainless-lang' in request.headers)
  t.same(request.json, {
    model: 'gpt-5.6',
    input: [{ role: 'user', content: 'Find my notes on tea.' }],
    stream: true,
    max_output_tokens: 128000,
    instructions: 'You are terse.',
    reasoning: { effort: 'high' },
    include: ['reasoning.encrypted_content'],
    prompt_cache_key: 'ses_test_0001',
    prompt_cache_retention: '24h',
  })
})

t.test("the turn's abort signal closes the HTTP request (Chat over the SDK and Responses over fetch)", async (t) => {
  let closed = 0
  const server = createServer((req, res) => {
    res.on('close', () => closed++)
    req.resume()
    req.on('end', () => {
      res.writeHead(200, SSE_HEADERS)
      const chat = req.url?.endsWith('/chat/completions')
      res.write(chat ? `data: ${JSON.stringify({ choices: [{ index: 0, delta: { content: 'first' } }] })}\n\n` : `data: ${JSON.stringify({ type: 'response.output_text.delta', delta: 'first' })}\n\n`)
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  t.teardown(() => new Promise<void>((resolve) => {
    server.closeAllConnections()
    server.close(() => resolve())
  }))
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  const credentials = fakeCredentials({ openai: apiKey('openai') })
  for (const [id, options] of [
    ['openai', { openai: { baseUrl: base } }],
    ['openai-responses', { responses: { baseUrl: base } }],
  ] as const) {
    const before = closed
    const controller = new AbortController()
    const seen: string[] = []
    for await (const chunk of clientFor(id, options, credentials).stream(firstTurn(id, 'gpt-4.1'), call(controller.signal))) {
      seen.push(chunk.type)
      controller.abort()
    }
    t.same(seen, ['text'], `${id}: no error chunk after an abort`)
    const deadline = Date.now() + 2_000
    while (closed === before && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10))
    t.equal(closed, before + 1, `${id}: the server saw the request closed`)
  }
})
