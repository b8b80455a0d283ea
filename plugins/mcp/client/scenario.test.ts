/**
 * End to end over HTTP with the scripted provider: the model calls everything__echo in a session, the
 * result reaches the next model request; a server prompt is sent as a session's user message.
 */
import t from 'tap'
import type { ChatMessage } from '../../../kernel/index.js'
import type {} from '../../provider/scripted/services.js'
import { envelopeOf, openSse } from '../../server/http/test-support.js'
import { bootMcp, everythingStdio } from './test-support.js'

t.test('the model calls everything__echo through a session; the tool result reaches the next request', async (t) => {
  const { tk, base, call } = await bootMcp(
    t,
    { servers: { everything: everythingStdio() } },
    {
      'provider-scripted': {
        chunkDelayMs: 0,
        replies: [
          [{ type: 'tool-call', tool: 'everything__echo', input: { message: 'hello from the model' }, callId: 'call-echo' }],
          [{ type: 'text', text: 'The server said hello back.' }],
        ],
      },
    },
  )
  const session = await call('POST', '/api/sessions', {})
  t.equal(session.status, 201)
  t.same(session.json.tools, ['*'], 'the session follows every tool, MCP ones included')
  const sse = await openSse(`${base}/api/sessions/${session.json.id}/events`)
  t.teardown(() => sse.close())
  t.equal((await call('POST', `/api/sessions/${session.json.id}/messages`, { text: 'say hello through echo' })).status, 202)
  const frames = await sse.readUntil((f) => f.event === 'turn.completed', 15_000)

  const updates = frames.filter((f) => f.event === 'tool.updated').map((f) => envelopeOf<{ data: { state: string; output?: string; tool: string } }>(f).data)
  t.same(updates.map((u) => u.state), ['pending', 'running', 'completed'])
  t.notOk(frames.some((f) => f.event === 'permission.asked'), 'a read tool (readOnlyHint) runs without asking')
  t.equal(updates.at(-1)!.output, 'Echo: hello from the model')
  const requests = tk.kernel.resolve('providerScripted').requests()
  t.equal(requests.length, 2)
  t.ok(requests[0]!.request.tools.some((tool) => tool.name === 'everything__echo' && (tool.inputSchema as { required?: string[] }).required?.includes('message')), 'the model saw the JSON schema')
  const results = requests[1]!.request.messages.flatMap((m: ChatMessage) => m.content).filter((c) => c.type === 'tool-result')
  t.match(results, [{ type: 'tool-result', callId: 'call-echo', tool: 'everything__echo', output: 'Echo: hello from the model' }])
})

t.test('a prompt with arguments sent as the user message of a session', async (t) => {
  const { call } = await bootMcp(t, { servers: { everything: everythingStdio({ include: ['echo'] }) } }, { 'provider-scripted': { chunkDelayMs: 0, replies: [[{ type: 'text', text: 'Sunny.' }]] } })
  const session = (await call('POST', '/api/sessions', {})).json
  const sent = await call('POST', '/api/mcp/servers/everything/prompts/args-prompt/send', { sessionId: session.id, arguments: { city: 'Oslo' } })
  t.equal(sent.status, 202)
  t.match(sent.json, { turnId: /./, messageId: /./, text: "What's weather in Oslo?" })
  const detail = await waitForAnswer(call, session.id)
  const userTexts = detail.messages.filter((m: { role: string }) => m.role === 'user').flatMap((m: { parts: Array<{ kind: string; data: { text?: string } }> }) => m.parts.filter((p) => p.kind === 'text').map((p) => p.data.text))
  t.same(userTexts, ["What's weather in Oslo?"])
  const missing = await call('POST', '/api/mcp/servers/everything/prompts/args-prompt/send', { sessionId: session.id, arguments: {} })
  t.equal(missing.status, 400)
  t.equal(missing.json.error.code, 'MCP_PROMPT_ARGUMENTS_INVALID')
  const noSession = await call('POST', '/api/mcp/servers/everything/prompts/args-prompt/send', { sessionId: 'ses_missing', arguments: { city: 'Oslo' } })
  t.equal(noSession.status, 404)
  t.equal(noSession.json.error.code, 'SESSION_NOT_FOUND')
})

async function waitForAnswer(call: (m: string, p: string) => Promise<{ json: any }>, sessionId: string): Promise<any> {
  const deadline = Date.now() + 10_000
  for (;;) {
    const detail = (await call('GET', `/api/sessions/${sessionId}`)).json
    if (detail.messages?.some((m: { role: string; finish: string | null }) => m.role === 'assistant' && m.finish === 'stop')) return detail
    if (Date.now() > deadline) throw new Error('no answer within 10 s')
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
}
