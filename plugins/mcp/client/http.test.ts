/**
 * Remote transports against server-everything started by the test: streamable HTTP and legacy SSE;
 * a server answering 401 makes the state needs-auth (no retry loop).
 */
import { createServer } from 'node:http'
import t from 'tap'
import { createTestToolContext } from '../../../kernel/testing/index.js'
import { waitFor } from '../../../kernel/testing/wait.js'
import { bootMcp, startEverythingHttp } from './test-support.js'

t.test('streamable HTTP: tools with progress, prompts with arguments, resources and templates', async (t) => {
  const server = await startEverythingHttp('streamableHttp')
  t.teardown(server.stop)
  const { tk, call } = await bootMcp(t, { servers: { remote: { transport: 'http', url: server.url, headers: { 'x-test': 'yes' } } } })
  const tools = tk.kernel.resolve('registries').tools
  t.match((await call('GET', '/api/mcp/servers/remote')).json, { name: 'remote', transport: 'http', state: 'connected', config: { url: server.url, headers: { 'x-test': '[redacted]' } } })

  const echo = await tools.get('remote__echo')!.execute({ message: 'over http' }, createTestToolContext())
  t.equal(echo.output, 'Echo: over http')
  const ctx = createTestToolContext()
  const long = await tools.get('remote__trigger-long-running-operation')!.execute({ duration: 0.2, steps: 2 }, ctx)
  t.match(long.output, /completed/)
  t.ok(ctx.progress.length >= 1, 'progress arrives over the SSE response stream')
  t.same(ctx.progress[0], { message: '1/2', fraction: 0.5 })

  const rendered = await call('GET', '/api/mcp/servers/remote/prompts/args-prompt?city=Lyon')
  t.same(rendered.json.messages.map((m: { text: string }) => m.text), ["What's weather in Lyon?"])
  const listed = (await call('GET', '/api/mcp/servers/remote/resources')).json
  t.ok(listed.resources.length > 0 && listed.templates.length >= 2)
  const read = await call('GET', `/api/mcp/servers/remote/resources?uri=${encodeURIComponent('demo://resource/dynamic/text/2')}`)
  t.match(read.json.contents[0].text, /^Resource 2:/)
})

t.test('streamable HTTP: a server that goes away fails the call, then the client reconnects when it is back', async (t) => {
  const first = await startEverythingHttp('streamableHttp')
  const port = Number(new URL(first.url).port)
  const { tk, call } = await bootMcp(t, { servers: { remote: { transport: 'http', url: first.url, include: ['echo'] } } })
  const echo = tk.kernel.resolve('registries').tools.get('remote__echo')!
  await first.stop()
  const error = await echo.execute({ message: 'anyone?' }, createTestToolContext()).then(() => undefined, (e: unknown) => e as { code: string })
  t.equal(error?.code, 'MCP_SERVER_DISCONNECTED')
  t.match((await call('GET', '/api/mcp/servers/remote')).json, { state: /failed|connecting/ })
  const second = await startEverythingHttp('streamableHttp', port)
  t.teardown(second.stop)
  await waitFor(async () => (await call('GET', '/api/mcp/servers/remote')).json.state === 'connected', 'the reconnect', 10_000)
  t.equal((await echo.execute({ message: 'back' }, createTestToolContext())).output, 'Echo: back')
})

t.test('legacy SSE: connects and calls a tool', async (t) => {
  const server = await startEverythingHttp('sse')
  t.teardown(server.stop)
  const { tk, call } = await bootMcp(t, { servers: { legacy: { transport: 'sse', url: server.url } } })
  t.match((await call('GET', '/api/mcp/servers')).json, [{ name: 'legacy', transport: 'sse', state: 'connected' }])
  const result = await tk.kernel.resolve('registries').tools.get('legacy__get-sum')!.execute({ a: 2, b: 3 }, createTestToolContext())
  t.match(result.output, /5/)
})

t.test('a server answering 401 needs auth: no retries, no tools, a clear reason', async (t) => {
  let hits = 0
  const unauthorized = createServer((_req, res) => {
    hits++
    res.writeHead(401, { 'www-authenticate': 'Bearer realm="mcp"', 'content-type': 'application/json' }).end('{"error":"unauthorized"}')
  })
  await new Promise<void>((resolve) => unauthorized.listen(0, '127.0.0.1', resolve))
  t.teardown(() => new Promise((resolve) => unauthorized.close(resolve)))
  const url = `http://127.0.0.1:${(unauthorized.address() as { port: number }).port}/mcp`
  const { call } = await bootMcp(t, { servers: { locked: { transport: 'http', url } } })
  const status = (await call('GET', '/api/mcp/servers/locked')).json
  t.match(status, { state: 'needs-auth', reason: /401/, tools: 0, attempts: 0 })
  t.notOk(status.retryAt, 'no reconnect is scheduled')
  const seen = hits
  const restarted = await call('POST', '/api/mcp/servers/locked/restart')
  t.equal(restarted.json.state, 'needs-auth')
  t.ok(hits > seen, 'restart tries again')
})
