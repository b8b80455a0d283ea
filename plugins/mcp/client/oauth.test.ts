/**
 * OAuth of a remote MCP server, against the OAuth-protected SDK server of fixtures/oauth-server.mjs
 * (metadata discovery, dynamic registration, PKCE, refresh): needs-auth → start → the browser follows
 * the authorization URL → callback → connected; tokens encrypted by auth-vault in PostgreSQL; a
 * restarted kernel connects with them; an expired token is refreshed; logout → needs-auth.
 */
import t from 'tap'
import { createTestToolContext } from '../../../kernel/testing/index.js'
import { keyRing, newKey, openTestDatabase, rawDump } from '../../auth/vault/test-support.js'
import { bootMcp, type Booted, startOAuthServer } from './test-support.js'

const db = await openTestDatabase()
t.teardown(() => db.close())
const server = await startOAuthServer()
t.teardown(server.stop)

/** What a browser does with the authorization URL: the fixture approves at once and redirects to our callback. */
async function authorizeInBrowser(url: string): Promise<string> {
  const approved = await fetch(url, { redirect: 'manual' })
  if (approved.status !== 302) throw new Error(`the authorization server answered ${approved.status}, not a redirect: ${await approved.text()}`)
  return approved.headers.get('location')!
}

const tool = (booted: Booted, name: string) => booted.tk.kernel.resolve('registries').tools.get(name)!

t.test('authorize through the API, tokens encrypted, restart, refresh, logout, paste', async (t) => {
  const schema = db.newSchema()
  const keys = keyRing({ 1: newKey() })
  const plugins = { 'persistence-postgres': db.options(schema), 'auth-vault': { keys } }
  const mcp = { servers: { secure: { transport: 'http', url: server.url } } }
  const first = await bootMcp(t, mcp, plugins)

  const locked = (await first.call('GET', '/api/mcp/servers/secure')).json
  t.match(locked, { state: 'needs-auth', reason: /auth\/start/, tools: 0 })
  t.equal((await server.stats()).registrations, 0, 'a connect attempt never registers a client')
  t.match((await first.call('GET', '/api/mcp/servers/secure/auth')).json, { server: 'secure', state: 'needs-auth', authorized: false, tokens: null, client: null, flow: null })

  const started = await first.call('POST', '/api/mcp/servers/secure/auth/start')
  t.equal(started.status, 201)
  t.equal(started.json.redirectUrl, `${first.base}/api/mcp/oauth/callback`)
  const url = new URL(started.json.url)
  t.equal(url.origin, server.base)
  t.equal(url.searchParams.get('code_challenge_method'), 'S256')
  t.equal(url.searchParams.get('resource'), server.url, 'RFC 8707 resource from the protected resource metadata')
  t.equal(url.searchParams.get('scope'), 'mcp:tools', 'the scope the metadata advertises')
  t.ok(url.searchParams.get('state'))
  t.equal((await server.stats()).registrations, 1, 'registered dynamically')

  const location = await authorizeInBrowser(started.json.url)
  t.ok(location.startsWith(`${started.json.redirectUrl}?`))
  const code = new URL(location).searchParams.get('code')!
  const callback = await fetch(location)
  t.equal(callback.status, 200)
  t.match(callback.headers.get('content-type'), /text\/html/)
  t.match(await callback.text(), /MCP server &quot;secure&quot; is authorized \(connected\)/)
  const connected = (await first.call('GET', '/api/mcp/servers/secure')).json
  t.match(connected, { state: 'connected', tools: 2 })
  const clientId = (await first.call('GET', '/api/mcp/servers/secure/auth')).json.client.clientId
  t.equal((await tool(first, 'secure__whoami').execute({}, createTestToolContext())).output, `client ${clientId}`)

  const status = (await first.call('GET', '/api/mcp/servers/secure/auth')).json
  t.match(status, { authorized: true, tokens: { status: 'active', scopes: ['mcp:tools'], hint: /^…/ }, client: { clientId, redirectUri: started.json.redirectUrl }, flow: { status: 'completed' } })
  t.notOk(status.flow.url, 'a finished flow no longer shows its URL')
  const stats = await server.stats()
  const dump = await rawDump(first.tk.kernel)
  t.match(dump, /mcp:secure/, 'the rows are in the vault table')
  t.notOk(dump.includes(stats.lastAccessToken), 'the access token is not in any column')
  t.notOk(dump.includes(stats.lastRefreshToken), 'nor the refresh token')
  const logs = first.tk.logLines.join('\n')
  t.notOk(logs.includes(stats.lastAccessToken) || logs.includes(stats.lastRefreshToken), 'no token in the logs')
  t.notOk(logs.includes(code), 'no authorization code in the logs')
  await first.tk.close()

  // A new kernel on the same database and keys: connects with the stored token, no new login.
  const second = await bootMcp(t, mcp, plugins)
  t.match((await second.call('GET', '/api/mcp/servers/secure')).json, { state: 'connected', tools: 2 })
  t.equal((await server.stats()).codeExchanges, 1, 'no new authorization')
  t.equal((await tool(second, 'secure__echo').execute({ message: 'after restart' }, createTestToolContext())).output, 'Echo: after restart')

  // The access token expires: the SDK gets a 401, refreshes with the stored refresh token, retries.
  const before = (await second.call('GET', '/api/mcp/servers/secure/auth')).json.tokens
  await server.control('expire')
  t.equal((await tool(second, 'secure__echo').execute({ message: 'refreshed' }, createTestToolContext())).output, 'Echo: refreshed')
  const refreshed = await server.stats()
  t.equal(refreshed.refreshes, 1)
  const after = (await second.call('GET', '/api/mcp/servers/secure/auth')).json.tokens
  t.not(after.id, before.id, 'the new tokens are stored')
  t.equal(after.hint, `…${refreshed.lastAccessToken.slice(-4)}`)
  const dumpAfter = await rawDump(second.tk.kernel)
  t.notOk(dumpAfter.includes(refreshed.lastAccessToken) || dumpAfter.includes(refreshed.lastRefreshToken), 'refreshed tokens encrypted too')

  // Logout: the tokens go, the server needs an authorization again; the client registration stays.
  const loggedOut = await second.call('DELETE', '/api/mcp/servers/secure/auth')
  t.same(loggedOut.json, { server: 'secure', deleted: 1, state: 'needs-auth' })
  const refused = await tool(second, 'secure__echo').execute({ message: 'x' }, createTestToolContext()).then(() => null, (e: { code: string }) => e.code)
  t.equal(refused, 'MCP_SERVER_UNAVAILABLE')
  t.match((await second.call('GET', '/api/mcp/servers/secure/auth')).json, { authorized: false, tokens: null, client: { clientId: /.+/ } })

  // Paste flow: the browser could not reach the callback; its address is sent to complete.
  const again = await second.call('POST', '/api/mcp/servers/secure/auth/start')
  const pasted = await second.call('POST', '/api/mcp/servers/secure/auth/complete', { redirectUrl: await authorizeInBrowser(again.json.url) })
  t.equal(pasted.status, 200)
  t.match(pasted.json, { flow: { status: 'completed', server: 'secure' }, server: { state: 'connected' } })
  t.equal((await tool(second, 'secure__echo').execute({ message: 'pasted' }, createTestToolContext())).output, 'Echo: pasted')
})

t.test('a refused refresh token means needs-auth; the row is kept as refresh_failed', async (t) => {
  const booted = await bootMcp(t, { servers: { secure: { transport: 'http', url: server.url } } })
  const started = await booted.call('POST', '/api/mcp/servers/secure/auth/start')
  t.equal((await fetch(await authorizeInBrowser(started.json.url))).status, 200)
  t.equal((await booted.call('GET', '/api/mcp/servers/secure')).json.state, 'connected')
  await server.control('revoke')
  const error = await tool(booted, 'secure__echo').execute({ message: 'x' }, createTestToolContext()).then(() => null, (e: { code: string; message: string }) => e)
  t.match(error, { code: 'MCP_SERVER_UNAVAILABLE', message: /needs-auth.*refused/ })
  t.match((await booted.call('GET', '/api/mcp/servers/secure/auth')).json, { state: 'needs-auth', authorized: false, tokens: { status: 'refresh_failed' } })
  await booted.call('POST', '/api/mcp/servers/secure/restart')
  t.match((await booted.call('GET', '/api/mcp/servers/secure')).json, { state: 'needs-auth', reason: /refused/ })
})

t.test('flow errors: stdio, no flow, wrong state, refusal at the callback, unknown state', async (t) => {
  const booted = await bootMcp(t, {
    servers: { secure: { transport: 'http', url: server.url }, local: { transport: 'stdio', command: process.execPath, args: ['-e', ''], enabled: false } },
  })
  t.match((await booted.call('POST', '/api/mcp/servers/local/auth/start')), { status: 400, json: { error: { code: 'MCP_OAUTH_NOT_REMOTE' } } })
  t.match((await booted.call('POST', '/api/mcp/servers/nope/auth/start')), { status: 404, json: { error: { code: 'MCP_SERVER_NOT_FOUND' } } })
  t.match((await booted.call('POST', '/api/mcp/servers/secure/auth/complete', { code: 'abc' })), { status: 404, json: { error: { code: 'MCP_OAUTH_FLOW_NOT_FOUND' } } })
  t.match((await booted.call('POST', '/api/mcp/servers/secure/auth/complete', { code: 'a', redirectUrl: 'http://x/' })), { status: 400, json: { error: { code: 'REQUEST_INVALID' } } })

  const started = await booted.call('POST', '/api/mcp/servers/secure/auth/start')
  const forged = `${started.json.redirectUrl}?code=stolen&state=not-the-flows`
  t.match((await booted.call('POST', '/api/mcp/servers/secure/auth/complete', { redirectUrl: forged })), { status: 400, json: { error: { code: 'MCP_OAUTH_STATE_MISMATCH' } } })
  const unknown = await fetch(forged)
  t.equal(unknown.status, 400)
  t.match(await unknown.text(), /belongs to no authorization in progress/)

  const state = new URL(started.json.url).searchParams.get('state')!
  const denied = await fetch(`${started.json.redirectUrl}?error=access_denied&error_description=nope&state=${state}`)
  t.equal(denied.status, 400)
  t.match(await denied.text(), /access_denied/)
  t.match((await booted.call('GET', '/api/mcp/servers/secure/auth')).json, { state: 'needs-auth', flow: { status: 'failed', error: { code: 'MCP_OAUTH_DENIED' } } })
  t.match((await booted.call('POST', '/api/mcp/servers/secure/auth/complete', { code: 'late' })), { status: 404, json: { error: { code: 'MCP_OAUTH_FLOW_NOT_FOUND' } } })
})

t.test('removing an API server deletes its stored tokens and client registration', async (t) => {
  const booted = await bootMcp(t, {})
  t.equal((await booted.call('POST', '/api/mcp/servers', { name: 'added', transport: 'http', url: server.url })).json.state, 'needs-auth')
  const started = await booted.call('POST', '/api/mcp/servers/added/auth/start')
  await fetch(await authorizeInBrowser(started.json.url))
  const store = booted.tk.kernel.resolve('credentialStore')
  const kinds = async () => (await store.list({ providerId: 'mcp:added' })).map((c) => c.meta.kind).sort()
  t.same(await kinds(), ['mcp-oauth-client', 'mcp-oauth-tokens'])
  t.equal((await booted.call('DELETE', '/api/mcp/servers/added')).status, 204)
  t.same(await kinds(), [])
})
