import { createServer } from 'node:net'
import t from 'tap'
import { challengeOf } from './tokens.js'
import { FAKE_ACCOUNT_ID, FAKE_EMAIL } from './fake-auth-server.js'
import { bootOAuth, CLIENT, fakeOptions, queryKeys, startFake, waitFor } from './test-support.js'

const errorOf = async (promise: Promise<unknown>) => promise.then(() => ({ code: 'NO_ERROR' }) as { code: string; httpStatus?: number }, (e) => e as { code: string; httpStatus?: number })

t.test('anthropic paste flow: authorize URL, PKCE S256, JSON exchange carrying state', async (t) => {
  const fake = await startFake(t)
  const { service, store } = await bootOAuth(t, fakeOptions(fake))
  const started = await service.start('anthropic', 'paste')
  t.equal(started.status, 'pending')
  const url = new URL(started.url!)
  t.equal(`${url.origin}${url.pathname}`, fake.endpoints().authorizeUrl)
  t.same(queryKeys(started.url!), ['code', 'client_id', 'response_type', 'redirect_uri', 'scope', 'code_challenge', 'code_challenge_method', 'state'], 'parameter order of §4.1')
  t.match(started.url!, /scope=org%3Acreate_api_key\+user%3Aprofile\+user%3Ainference/, 'URLSearchParams encoding: spaces as +')
  const q = url.searchParams
  t.same([q.get('code'), q.get('client_id'), q.get('response_type'), q.get('redirect_uri'), q.get('code_challenge_method')], ['true', CLIENT.anthropic, 'code', 'https://console.anthropic.com/oauth/code/callback', 'S256'])
  t.not(JSON.stringify(started).includes('verifier'), true)

  const { code, state } = fake.approve(started.url!)
  const done = await service.complete(started.flowId, { code: `${code}#${state}` })
  t.equal(done.status, 'completed')
  const exchange = fake.tokenRequests()[0]!
  t.equal(exchange.headers['content-type'], 'application/json')
  t.same(Object.keys(exchange.body), ['grant_type', 'code', 'state', 'client_id', 'redirect_uri', 'code_verifier'], 'JSON body fields of §4.1')
  t.same([exchange.body.grant_type, exchange.body.code, exchange.body.state, exchange.body.client_id], ['authorization_code', code, state, CLIENT.anthropic])
  t.equal(challengeOf(String(exchange.body.code_verifier)), q.get('code_challenge'), 'the verifier hashes to the challenge of the authorize URL')
  t.not(exchange.body.code_verifier, state, 'state is not the verifier (deliberate difference, §15.1)')
  t.match(exchange.headers['user-agent'], /^AgentPlatform\/\d/)

  const stored = await store.find('anthropic', 'oauth')
  t.match(stored?.secret.reveal(), /^fake-access-\d+$/)
  t.ok(stored?.refreshToken?.reveal().startsWith('fake-refresh-'))
  t.ok(Math.abs(Date.parse(stored!.expiresAt!) - Date.now() - 3_600_000) < 10_000, 'expiry = now + expires_in')
  t.same(stored?.scopes, ['fake:scope'])
  t.equal(done.credential?.id, stored?.id)
  t.notMatch(JSON.stringify(done), /fake-access|fake-refresh/, 'no token in the flow view')
})

t.test('a state that does not match is rejected, in a pasted code and in a redirect URL; the flow stays open', async (t) => {
  const fake = await startFake(t)
  const { service } = await bootOAuth(t, fakeOptions(fake))
  const started = await service.start('anthropic', 'paste')
  const { code, state } = fake.approve(started.url!)
  const pasted = await errorOf(service.complete(started.flowId, { code: `${code}#not-the-state` }))
  t.same([pasted.code, pasted.httpStatus], ['AUTH_OAUTH_STATE_MISMATCH', 400])
  const viaUrl = await errorOf(service.complete(started.flowId, { redirectUrl: `http://localhost:1/callback?code=${code}&state=forged` }))
  t.equal(viaUrl.code, 'AUTH_OAUTH_STATE_MISMATCH')
  const noState = await errorOf(service.complete(started.flowId, { redirectUrl: `http://localhost:1/callback?code=${code}` }))
  t.equal(noState.code, 'AUTH_OAUTH_STATE_MISMATCH', 'a redirect URL must carry the state')
  t.equal(fake.tokenRequests().length, 0, 'no code was exchanged')
  const view = await service.flow(started.flowId)
  t.equal(view.status, 'pending')
  t.match(view.progress.at(-1)?.message, /state does not match/)
  t.equal((await service.complete(started.flowId, { code: `${code}#${state}` })).status, 'completed')
  const again = await errorOf(service.complete(started.flowId, { code: `${code}#${state}` }))
  t.same([again.code, again.httpStatus], ['AUTH_OAUTH_FLOW_NOT_PENDING', 409])
})

/** Follow the fake's auto-approval like a browser: authorize -> 302 -> loopback callback. */
async function browse(authorizeUrl: string, stateOverride?: string): Promise<Response> {
  const approval = await fetch(authorizeUrl, { redirect: 'manual' })
  const location = new URL(approval.headers.get('location')!)
  if (stateOverride !== undefined) location.searchParams.set('state', stateOverride)
  return fetch(location, { redirect: 'manual' })
}

t.test('codex browser flow: loopback listener, %20-encoded URL, form exchange, account id from the id_token', async (t) => {
  const fake = await startFake(t)
  const { service, store } = await bootOAuth(t, fakeOptions(fake))
  const started = await service.start('codex')
  t.equal(started.flow, 'browser')
  t.equal(started.listener?.status, 'listening')
  const redirect = started.listener!.redirectUri!
  t.match(redirect, /^http:\/\/localhost:\d+\/auth\/callback$/)
  t.same(queryKeys(started.url!), ['response_type', 'client_id', 'redirect_uri', 'scope', 'code_challenge', 'code_challenge_method', 'id_token_add_organizations', 'codex_cli_simplified_flow', 'state', 'originator', 'theme'])
  t.match(started.url!, /scope=openid%20profile%20email%20offline_access&/)
  t.match(started.url!, /&originator=codex_cli_rs&theme=dark$/)
  const state = new URL(started.url!).searchParams.get('state')!
  t.match(state, /^[0-9a-f-]{36}$/, 'state is a UUID')

  const wrong = await browse(started.url!, 'forged')
  t.equal(wrong.status, 400, 'the listener refuses a foreign state')
  t.equal(fake.tokenRequests().length, 0)
  t.equal((await service.flow(started.flowId)).status, 'pending')

  const page = await browse(started.url!)
  t.equal(page.status, 200)
  t.match(await page.text(), /Authentication complete/)
  const view = await service.flow(started.flowId)
  t.equal(view.status, 'completed')
  const exchange = fake.tokenRequests()[0]!
  t.equal(exchange.headers['content-type'], 'application/x-www-form-urlencoded')
  t.equal(exchange.headers.accept, 'application/json')
  t.same(Object.keys(exchange.body), ['grant_type', 'code', 'redirect_uri', 'client_id', 'code_verifier'])
  t.same([exchange.body.redirect_uri, exchange.body.client_id], [redirect, CLIENT.codex])
  t.equal(challengeOf(String(exchange.body.code_verifier)), new URL(started.url!).searchParams.get('code_challenge'))
  t.equal(String(exchange.body.code_verifier).length, 86, '64-byte verifier')
  const stored = await store.find('codex', 'oauth')
  t.same(stored?.meta, { accountId: FAKE_ACCOUNT_ID, email: FAKE_EMAIL, planType: 'plus' })
  await waitFor(async () => (await service.flow(started.flowId)).listener?.status === 'closed', 'listener closed')
  await t.rejects(fetch(redirect), 'the listener is gone after completion')
})

t.test('gemini web flow via google-auth-library: no PKCE, hex state, 301 to the success page, client_secret in the form', async (t) => {
  const fake = await startFake(t)
  const { service, store } = await bootOAuth(t, fakeOptions(fake))
  const started = await service.start('gemini', 'browser')
  t.same(queryKeys(started.url!), ['redirect_uri', 'access_type', 'scope', 'state', 'response_type', 'client_id'])
  const q = new URL(started.url!).searchParams
  t.match(q.get('redirect_uri'), /^http:\/\/127\.0\.0\.1:\d+\/oauth2callback$/)
  t.equal(q.get('access_type'), 'offline')
  t.match(q.get('state'), /^[0-9a-f]{64}$/)
  t.equal(q.get('scope'), 'https://www.googleapis.com/auth/cloud-platform https://www.googleapis.com/auth/userinfo.email https://www.googleapis.com/auth/userinfo.profile')
  t.match(started.url!, /scope=https%3A%2F%2Fwww.googleapis.com%2Fauth%2Fcloud-platform%20/, 'querystring encoding: spaces as %20')
  const page = await browse(started.url!)
  t.equal(page.status, 301)
  t.equal(page.headers.get('location'), 'https://developers.google.com/gemini-code-assist/auth_success_gemini')
  const exchange = fake.tokenRequests()[0]!
  t.same(Object.keys(exchange.body), ['client_id', 'code', 'grant_type', 'redirect_uri', 'client_secret'], "google-auth-library's field order")
  t.equal(exchange.body.client_secret, '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')
  t.match(exchange.headers['user-agent'], /google-api-nodejs-client\/10\.9\.0/)
  const userinfo = fake.requests.find((r) => r.path === '/userinfo')
  t.match(userinfo?.headers.authorization, /^Bearer fake-access-/)
  t.equal((await store.find('gemini', 'oauth'))?.meta?.email, FAKE_EMAIL)
})

t.test('gemini user-code (paste) flow: PKCE S256 against codeassist.google.com/authcode', async (t) => {
  const fake = await startFake(t)
  const { service } = await bootOAuth(t, fakeOptions(fake))
  const started = await service.start('gemini', 'paste')
  const q = new URL(started.url!).searchParams
  t.same([q.get('redirect_uri'), q.get('code_challenge_method')], ['https://codeassist.google.com/authcode', 'S256'])
  const { code } = fake.approve(started.url!)
  t.equal((await service.complete(started.flowId, { code })).status, 'completed')
  const exchange = fake.tokenRequests()[0]!
  t.equal(challengeOf(String(exchange.body.code_verifier)), q.get('code_challenge'))
  t.equal(exchange.body.redirect_uri, 'https://codeassist.google.com/authcode')
})

t.test('a busy callback port gives AUTH_OAUTH_PORT_IN_USE and the flow still takes the pasted redirect URL', async (t) => {
  const blocker = createServer()
  await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve))
  t.teardown(() => new Promise((resolve) => blocker.close(resolve)))
  const busy = (blocker.address() as { port: number }).port
  const fake = await startFake(t)
  const { service } = await bootOAuth(t, fakeOptions(fake, { anthropic: { callbackPort: busy, callbackPortAttempts: 1 } }))
  const started = await service.start('anthropic', 'browser')
  t.equal(started.listener?.status, 'failed')
  t.equal(started.listener?.error?.code, 'AUTH_OAUTH_PORT_IN_USE')
  t.match(started.listener?.error?.message, new RegExp(`127\\.0\\.0\\.1 port ${busy}`))
  t.equal(new URL(started.url!).searchParams.get('redirect_uri'), `http://localhost:${busy}/callback`)
  const { code, state, redirectUri } = fake.approve(started.url!)
  const done = await service.complete(started.flowId, { redirectUrl: `${redirectUri}?code=${code}&state=${state}` })
  t.equal(done.status, 'completed')
  t.equal(fake.tokenRequests()[0].body.redirect_uri, `http://localhost:${busy}/callback`)
})

t.test('a listener walks its port range past a busy port, like the reference', async (t) => {
  const blocker = createServer()
  await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve))
  t.teardown(() => new Promise((resolve) => blocker.close(resolve)))
  const busy = (blocker.address() as { port: number }).port
  const fake = await startFake(t)
  const { service } = await bootOAuth(t, fakeOptions(fake, { codex: { callbackPort: busy, callbackPortAttempts: 5 } }))
  const started = await service.start('codex', 'browser')
  t.equal(started.listener?.status, 'listening')
  t.not(started.listener?.redirectUri, `http://localhost:${busy}/auth/callback`)
  t.match(started.listener?.redirectUri, /^http:\/\/localhost:\d+\/auth\/callback$/)
})

t.test('unknown providers, unsupported flows and unknown flows have their own codes', async (t) => {
  const fake = await startFake(t)
  const { service } = await bootOAuth(t, fakeOptions(fake))
  t.match(await errorOf(service.start('qwen')), { code: 'AUTH_OAUTH_PROVIDER_UNKNOWN', httpStatus: 404 })
  t.match(await errorOf(service.start('anthropic', 'device')), { code: 'AUTH_OAUTH_FLOW_UNSUPPORTED', httpStatus: 400 })
  t.match(await errorOf(service.flow('does-not-exist')), { code: 'AUTH_OAUTH_FLOW_NOT_FOUND', httpStatus: 404 })
  const started = await service.start('codex', 'paste')
  t.match(await errorOf(service.complete(started.flowId, {})), { code: 'AUTH_OAUTH_CODE_MISSING' })
  t.match(await errorOf(service.complete(started.flowId, { redirectUrl: 'http://localhost:1455/auth/callback?error=access_denied' })), { code: 'AUTH_OAUTH_AUTHORIZATION_DENIED' })
  t.equal(started.listener, undefined, 'a paste flow opens no listener')
})

t.test('an unfinished flow expires: status expired, listener closed, codes refused', async (t) => {
  const fake = await startFake(t)
  const { service } = await bootOAuth(t, fakeOptions(fake, { codex: { flowTtlMs: 1_000 } }))
  const started = await service.start('codex', 'browser')
  const redirect = started.listener!.redirectUri!
  await waitFor(async () => (await service.flow(started.flowId)).status === 'expired', 'flow expired', 5_000)
  await waitFor(async () => (await service.flow(started.flowId)).listener?.status === 'closed', 'listener closed')
  await t.rejects(fetch(redirect))
  const { code, state } = fake.approve(started.url!)
  t.match(await errorOf(service.complete(started.flowId, { code: `${code}#${state}` })), { code: 'AUTH_OAUTH_FLOW_EXPIRED', httpStatus: 410 })
})

t.test('a member\'s login is their own: it wins for them, does not replace the server-wide one, and logs out alone', async (t) => {
  const fake = await startFake(t)
  const { service, store } = await bootOAuth(t, fakeOptions(fake))
  const login = async (ownerId: string | null) => {
    const started = await service.start('anthropic', 'paste', ownerId)
    const { code, state } = fake.approve(started.url!)
    return service.complete(started.flowId, { code: `${code}#${state}` })
  }
  const server = await login(null)
  const alice = await login('usr_alice')
  t.not(server.credential?.id, alice.credential?.id)
  t.equal((await store.find('anthropic', 'oauth'))?.id, server.credential?.id, 'server work uses the server-wide login')
  t.equal((await store.find('anthropic', 'oauth', 'usr_alice'))?.id, alice.credential?.id, 'alice\'s sessions use hers')
  t.equal((await store.find('anthropic', 'oauth', 'usr_bob'))?.id, server.credential?.id, 'bob falls back to the server-wide one')
  const again = await login('usr_alice')
  t.same((await store.list({ providerId: 'anthropic', ownerId: 'usr_alice' })).map((c) => c.id), [again.credential?.id], 'a new login of hers replaces only hers')
  t.equal((await store.list({ providerId: 'anthropic', ownerId: null })).length, 1, 'the server-wide login stays')
  t.equal((await service.status('usr_alice')).find((p) => p.provider === 'anthropic')?.credential?.id, again.credential?.id, 'her status shows her login')
  t.equal((await service.status('usr_bob')).find((p) => p.provider === 'anthropic')?.credential?.id, server.credential?.id)
  t.equal((await service.logout('anthropic', 'usr_alice')).deleted, 1)
  t.equal((await store.find('anthropic', 'oauth', 'usr_alice'))?.id, server.credential?.id, 'after her logout she uses the server-wide login')
})
