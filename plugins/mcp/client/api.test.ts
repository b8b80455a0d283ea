/** The servers API over HTTP (server-http on port 0): add, list, detail, restart, remove, and the errors. */
import t from 'tap'
import type { protocol } from '../../../kernel/index.js'
import { waitFor } from '../../../kernel/testing/wait.js'
import { bootMcp, EVERYTHING, everythingStdio } from './test-support.js'

const stdioBody = (name: string, extra: Record<string, unknown> = {}) => ({ name, transport: 'stdio', command: process.execPath, args: [EVERYTHING, 'stdio'], ...extra })

t.test('add, list, detail, restart and remove a server; config servers cannot be removed', async (t) => {
  const { tk, call } = await bootMcp(t, { servers: { fixed: everythingStdio({ include: ['echo'] }) } })
  const global: protocol.EventEnvelope[] = []
  t.teardown(await tk.kernel.resolve('eventBus').subscribe('global', (e) => global.push(e)))

  const created = await call('POST', '/api/mcp/servers', stdioBody('added', { include: ['echo', 'get-sum'], env: { TOKEN: 'plain-value' } }))
  t.equal(created.status, 201)
  t.match(created.json, { name: 'added', transport: 'stdio', state: 'connected', origin: 'api', tools: 2 })
  t.ok(global.some((e) => e.type === 'tools.changed' && (e.data as { added: string[] }).added.includes('added__echo')), 'tools.changed on the global stream')
  t.ok(global.some((e) => e.type === 'mcp.server.updated' && (e.data as protocol.McpServerStatus).state === 'connecting'))

  const listed = (await call('GET', '/api/mcp/servers')).json as protocol.McpServerStatus[]
  t.same(listed.map((s) => [s.name, s.origin, s.state, s.tools]), [['fixed', 'config', 'connected', 1], ['added', 'api', 'connected', 2]])
  const detail = (await call('GET', '/api/mcp/servers/added')).json
  t.match(detail, { config: { command: process.execPath, include: ['echo', 'get-sum'], env: { TOKEN: '[redacted]' } }, toolNames: [{ name: 'added__echo', mcpName: 'echo' }, { name: 'added__get-sum', mcpName: 'get-sum' }] })

  const tools = (await call('GET', '/api/tools')).json as Array<{ name: string; kind: string; source: string; server?: string }>
  t.match(tools.filter((tool) => tool.source === 'mcp').map((tool) => tool.name), ['added__echo', 'added__get-sum', 'fixed__echo'])
  t.match(tools.find((tool) => tool.name === 'added__echo'), { kind: 'read', server: 'added', description: 'Echoes back the input string' })

  const pid = detail.pid
  const restarted = await call('POST', '/api/mcp/servers/added/restart')
  t.equal(restarted.status, 200)
  t.equal(restarted.json.state, 'connected')
  t.not((await call('GET', '/api/mcp/servers/added')).json.pid, pid, 'a new process after restart')

  const refused = await call('DELETE', '/api/mcp/servers/fixed')
  t.equal(refused.status, 409)
  t.equal(refused.json.error.code, 'MCP_SERVER_FROM_CONFIG')
  const removed = await call('DELETE', '/api/mcp/servers/added')
  t.equal(removed.status, 204)
  t.notOk(tk.kernel.resolve('registries').tools.has('added__echo'), 'its tools left the registry')
  await waitFor(() => global.some((e) => e.type === 'tools.changed' && (e.data as { removed: string[] }).removed.includes('added__echo')), 'tools.changed for the removal')
  t.equal((await call('GET', '/api/mcp/servers/added')).status, 404)
  t.same(((await call('GET', '/api/mcp/servers')).json as protocol.McpServerStatus[]).map((s) => s.name), ['fixed'])
})

t.test('bad input is a 400, a taken name a 409, an unknown server a 404', async (t) => {
  const { call } = await bootMcp(t, { servers: { fixed: everythingStdio({ include: ['echo'] }) } })
  const cases: Array<[unknown, RegExp]> = [
    [stdioBody('Bad_Name'), /name/],
    [stdioBody('a__b'), /name/],
    [{ name: 'nocommand', transport: 'stdio' }, /command/],
    [{ name: 'nourl', transport: 'http' }, /url/],
    [{ name: 'mixed', transport: 'http', url: 'http://127.0.0.1:1/mcp', command: 'node' }, /command/],
    [{ name: 'ftp', transport: 'sse', url: 'ftp://127.0.0.1/sse' }, /http/],
    [stdioBody('extra', { unknownField: 1 }), /unknownField|Unrecognized/],
  ]
  for (const [body, pattern] of cases) {
    const response = await call('POST', '/api/mcp/servers', body)
    t.equal(response.status, 400, JSON.stringify(body))
    t.equal(response.json.error.code, 'REQUEST_INVALID')
    t.match(JSON.stringify(response.json.error), pattern)
  }
  const taken = await call('POST', '/api/mcp/servers', stdioBody('fixed'))
  t.equal(taken.status, 409)
  t.equal(taken.json.error.code, 'MCP_SERVER_EXISTS')
  for (const [method, path] of [['GET', '/api/mcp/servers/ghost'], ['DELETE', '/api/mcp/servers/ghost'], ['POST', '/api/mcp/servers/ghost/restart'], ['GET', '/api/mcp/servers/ghost/prompts']]) {
    const response = await call(method!, path!)
    t.equal(response.status, 404, `${method} ${path}`)
    t.equal(response.json.error.code, 'MCP_SERVER_NOT_FOUND')
  }
})

t.test('an {env} header whose variable is unset: failed with the reason, no retry; stdio from the API can be turned off', async (t) => {
  const { call } = await bootMcp(t, { allowStdioFromApi: false })
  const created = await call('POST', '/api/mcp/servers', { name: 'remote', transport: 'http', url: 'http://127.0.0.1:9/mcp', headers: { authorization: { env: 'MCP_TEST_UNSET_VARIABLE' } } })
  t.equal(created.status, 201)
  t.match(created.json, { state: 'failed', reason: /MCP_TEST_UNSET_VARIABLE, which is not set/ })
  const detail = (await call('GET', '/api/mcp/servers/remote')).json
  t.notOk(detail.retryAt, 'a missing variable does not appear by retrying')
  t.same(detail.config.headers, { authorization: { env: 'MCP_TEST_UNSET_VARIABLE' } }, 'a reference shows its variable name')
  const stdio = await call('POST', '/api/mcp/servers', stdioBody('local'))
  t.equal(stdio.status, 403)
  t.equal(stdio.json.error.code, 'MCP_STDIO_FROM_API_DISABLED')
})
