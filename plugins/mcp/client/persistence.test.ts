/**
 * Servers added through the API are stored with persistence-postgres and reconnected at boot; config
 * servers are never stored. Two kernels on one database make the restart real.
 */
import t from 'tap'
import { sharedDatabase } from '../../agent/personas/test-support.js'
import { bootMcp, EVERYTHING, everythingStdio } from './test-support.js'

const db = await sharedDatabase()
t.teardown(() => db.close())

t.test('an API server survives a restart (row, tools, connection); removing it deletes the row', async (t) => {
  const schema = db.newSchema()
  const persistence = { 'persistence-postgres': db.entry(schema) }
  const first = await bootMcp(t, { servers: { fixed: everythingStdio({ include: ['echo'] }) } }, persistence)
  const body = { name: 'kept', transport: 'stdio', command: process.execPath, args: [EVERYTHING, 'stdio'], include: ['echo'], env: { TOKEN: { env: 'MCP_TEST_TOKEN_REF' } }, timeouts: { callMs: 5_000 } }
  const created = await first.call('POST', '/api/mcp/servers', body)
  t.equal(created.status, 201)
  t.match(created.json, { state: 'failed', reason: /MCP_TEST_TOKEN_REF/ }, 'stored even though its variable is unset for now')
  const query = (tk: typeof first.tk) => tk.kernel.resolve('persistencePostgres').query<{ name: string; config: Record<string, unknown> }>(`select "name", "config" from "${schema}"."mcp_server" order by "name"`)
  const rows = await query(first.tk)
  t.same(rows.map((r) => r.name), ['kept'], 'only the API server is stored')
  t.match(rows[0]!.config, { transport: 'stdio', include: ['echo'], env: { TOKEN: { env: 'MCP_TEST_TOKEN_REF' } }, timeouts: { callMs: 5_000 } })
  await first.tk.close()

  process.env.MCP_TEST_TOKEN_REF = 'from-the-environment'
  t.teardown(() => delete process.env.MCP_TEST_TOKEN_REF)
  const second = await bootMcp(t, { servers: { fixed: everythingStdio({ include: ['echo'] }) } }, persistence)
  const listed = (await second.call('GET', '/api/mcp/servers')).json as Array<{ name: string; origin: string; state: string }>
  t.same(listed.map((s) => [s.name, s.origin, s.state]), [['fixed', 'config', 'connected'], ['kept', 'api', 'connected']])
  t.match((await second.call('GET', '/api/mcp/servers/kept')).json, { config: { timeouts: { callMs: 5_000 } }, toolNames: [{ name: 'kept__echo' }] })
  t.ok(second.tk.kernel.resolve('registries').tools.has('kept__echo'), 'its tools are back')

  t.equal((await second.call('DELETE', '/api/mcp/servers/kept')).status, 204)
  t.same(await query(second.tk), [], 'the row is gone')
})

t.test('a stored server whose name the config file now uses is not loaded (warned); the config one wins', async (t) => {
  const schema = db.newSchema()
  const persistence = { 'persistence-postgres': db.entry(schema) }
  const first = await bootMcp(t, {}, persistence)
  t.equal((await first.call('POST', '/api/mcp/servers', { name: 'clash', transport: 'http', url: 'http://127.0.0.1:9/mcp' })).status, 201)
  await first.tk.close()
  const second = await bootMcp(t, { servers: { clash: everythingStdio({ include: ['echo'] }) } }, persistence)
  t.match((await second.call('GET', '/api/mcp/servers/clash')).json, { origin: 'config', transport: 'stdio', state: 'connected' })
  t.ok(second.tk.logLines.some((line) => line.includes('shadowed') && line.includes('"server":"clash"')))
})
