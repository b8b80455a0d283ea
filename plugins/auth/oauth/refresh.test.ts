import t from 'tap'
import { bootOAuth, CLIENT, fakeOptions, seedLogin, startFake, waitFor } from './test-support.js'

const seconds = 1_000

t.test('refresh on access: form body, new access token, facts merged, old refresh token kept when none is returned', async (t) => {
  const fake = await startFake(t, { omitRefreshTokenOnRefresh: true, includeIdToken: false })
  const { store, credentials } = await bootOAuth(t, fakeOptions(fake))
  const seeded = await seedLogin(store, fake, 'codex', CLIENT.codex, 10 * seconds, { accountId: 'acct-old', email: 'old@example.test' })
  const resolved = await credentials.resolve({ providerId: 'codex' })
  t.equal(resolved?.source, 'oauth')
  t.equal(resolved?.sourceId, 'auth-oauth')
  t.not(resolved?.secret.reveal(), seeded.secret.reveal(), 'a new access token')
  t.equal(resolved?.refreshToken?.reveal(), seeded.refreshToken?.reveal(), 'no refresh_token returned: the old one is kept')
  t.same(resolved?.meta, { accountId: 'acct-old', email: 'old@example.test' }, 'no id_token returned: the account id is kept')
  t.ok(Math.abs(Date.parse(resolved!.expiresAt!) - Date.now() - 3_600_000) < 10_000)
  const request = fake.tokenRequests()[0]!
  t.equal(request.headers['content-type'], 'application/x-www-form-urlencoded')
  t.equal(request.headers.accept, 'application/json')
  t.same(request.body, { grant_type: 'refresh_token', refresh_token: seeded.refreshToken?.reveal(), client_id: CLIENT.codex }, 'fields of §7.4, no scope')
  t.same(Object.keys(request.body), ['grant_type', 'refresh_token', 'client_id'])
  const again = await credentials.resolve({ providerId: 'codex' })
  t.equal(again?.secret.reveal(), resolved?.secret.reveal())
  t.equal(fake.tokenRequests().length, 1, 'a fresh token is not refreshed again')
})

t.test('skew: codex refreshes 30 s ahead, gemini (google-auth-library) 5 minutes ahead', async (t) => {
  const fake = await startFake(t)
  const { store, credentials } = await bootOAuth(t, fakeOptions(fake))
  const codex = await seedLogin(store, fake, 'codex', CLIENT.codex, 240 * seconds, { accountId: 'a' })
  const gemini = await seedLogin(store, fake, 'gemini', CLIENT.gemini, 240 * seconds)
  t.equal((await credentials.resolve({ providerId: 'codex' }))?.secret.reveal(), codex.secret.reveal(), 'codex: 4 minutes left is fine')
  const renewed = await credentials.resolve({ providerId: 'gemini' })
  t.not(renewed?.secret.reveal(), gemini.secret.reveal(), 'gemini: inside the 5-minute eager threshold')
  const request = fake.tokenRequests()[0]!
  t.same(Object.keys(request.body), ['refresh_token', 'client_id', 'client_secret', 'grant_type'], "google-auth-library's refresh form")
  t.equal(request.body.client_secret, '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')
  t.equal(renewed?.refreshToken?.reveal() !== gemini.refreshToken?.reveal(), true, 'a rotated Google refresh token is stored')
})

t.test('anthropic: form-encoded refresh; a rotated refresh token is stored before the access token is used', async (t) => {
  const fake = await startFake(t)
  const { store, credentials } = await bootOAuth(t, fakeOptions(fake))
  const seeded = await seedLogin(store, fake, 'anthropic', CLIENT.anthropic, 5 * seconds)
  const resolved = await credentials.resolve({ providerId: 'anthropic', modes: ['oauth'] })
  const request = fake.tokenRequests()[0]!
  t.equal(request.headers['content-type'], 'application/x-www-form-urlencoded')
  t.equal(request.headers.accept, '*/*', 'no Accept header of our own (the reference sends none)')
  t.same(Object.keys(request.body), ['grant_type', 'refresh_token', 'client_id'])
  const stored = await store.get(seeded.id!)
  t.not(stored?.refreshToken?.reveal(), seeded.refreshToken?.reveal())
  t.equal(stored?.refreshToken?.reveal(), resolved?.refreshToken?.reveal())
  t.equal(stored?.secret.reveal(), resolved?.secret.reveal())
  const second = await credentials.refresh(resolved!, 'rejected')
  t.ok(second, 'the stored (rotated) refresh token works; the old one would be refused')
  t.equal(fake.tokenRequests()[1].body.refresh_token, resolved?.refreshToken?.reveal())
  t.equal(await credentials.resolve({ providerId: 'anthropic', modes: ['api_key'] }), null, 'an api_key-only query gets no OAuth token')
})

t.test('401: the refresh is keyed on the rejected token, so a second 401 with the same stale token does not spend the refresh token again', async (t) => {
  const fake = await startFake(t)
  const { store, credentials } = await bootOAuth(t, fakeOptions(fake))
  await seedLogin(store, fake, 'codex', CLIENT.codex, 3_600 * seconds, { accountId: 'a' })
  const stale = (await credentials.resolve({ providerId: 'codex' }))!
  const [first, second] = await Promise.all([credentials.refresh(stale, 'rejected'), credentials.refresh(stale, 'rejected')])
  t.equal(fake.tokenRequests().length, 1)
  t.equal(first?.secret.reveal(), second?.secret.reveal())
  t.not(first?.secret.reveal(), stale.secret.reveal())
  const later = await credentials.refresh(stale, 'rejected')
  t.equal(later?.secret.reveal(), first?.secret.reveal(), 'the stored token is newer than the rejected one: returned as is')
  t.equal(fake.tokenRequests().length, 1)
})

t.test('a revoked refresh token marks the credential refresh_failed; status shows it; nothing is retried', async (t) => {
  const fake = await startFake(t)
  const { store, credentials, service } = await bootOAuth(t, fakeOptions(fake))
  const seeded = await seedLogin(store, fake, 'codex', CLIENT.codex, -1 * seconds, { accountId: 'a' })
  fake.revoke(seeded.refreshToken!.reveal())
  t.equal(await credentials.resolve({ providerId: 'codex' }), null)
  const codex = (await service.status()).find((s) => s.provider === 'codex')!
  t.equal(codex.loggedIn, false)
  t.equal(codex.credential?.status, 'refresh_failed')
  t.equal(codex.refreshError?.definitive, true)
  t.equal(codex.refreshError?.error.code, 'AUTH_OAUTH_REFRESH_FAILED')
  t.match(codex.refreshError?.error.message, /400 invalid_grant/)
  t.notMatch(JSON.stringify(codex), /fake-(access|refresh)-/, 'status never shows a token')
  t.equal(await credentials.resolve({ providerId: 'codex' }), null)
  t.equal(fake.tokenRequests().length, 1)
  t.equal((await service.runRenewal()).checked, 0, 'the background job skips it')
})

t.test('proactive renewal: due at expiry - max(minLead, 10 % of lifetime) - jitter', async (t) => {
  const fake = await startFake(t)
  const { store, service } = await bootOAuth(t, fakeOptions(fake, { refresh: { minLeadMs: 1_000, leadFraction: 0.1, jitterMs: 0 } }))
  const seeded = await seedLogin(store, fake, 'codex', CLIENT.codex, 2_000, { accountId: 'a' })
  await seedLogin(store, fake, 'gemini', CLIENT.gemini, 500)
  const early = await service.runRenewal()
  t.same(early, { checked: 2, refreshed: [], failed: [], deferred: [] }, 'not due yet; the short-lived one gets no proactive renewal')
  await new Promise((resolve) => setTimeout(resolve, 1_100))
  const due = await service.runRenewal()
  t.same(due.refreshed, [seeded.id])
  t.equal(fake.tokenRequests().length, 1)
  t.not((await store.get(seeded.id!))?.secret.reveal(), seeded.secret.reveal())
})

t.test('the scheduler runs the renewal job on its own', async (t) => {
  const fake = await startFake(t)
  const { store, tk } = await bootOAuth(t, fakeOptions(fake, { refresh: { checkEveryMs: 100, minLeadMs: 100, leadFraction: 1, jitterMs: 0 } }))
  const seeded = await seedLogin(store, fake, 'codex', CLIENT.codex, 60 * seconds, { accountId: 'a' })
  await waitFor(async () => (await store.get(seeded.id!))?.secret.reveal() !== seeded.secret.reveal(), 'renewed by the job')
  t.ok(tk.kernel.resolve('scheduler').runs('auth-oauth.refresh').length > 0)
})

t.test('transient refresh failures back off and stop after maxFailures; the credential stays active', async (t) => {
  const fake = await startFake(t, { refreshFailure: { status: 503, error: 'temporarily_unavailable' } })
  const refresh = { minLeadMs: 100, leadFraction: 1, jitterMs: 0, retryBaseMs: 300, maxFailures: 2 }
  const { store, service } = await bootOAuth(t, fakeOptions(fake, { refresh }))
  const seeded = await seedLogin(store, fake, 'codex', CLIENT.codex, 60 * seconds, { accountId: 'a' })
  t.same((await service.runRenewal()).failed, [{ id: seeded.id, code: 'AUTH_OAUTH_REFRESH_FAILED' }])
  t.same((await service.runRenewal()).deferred, [seeded.id], 'backing off')
  await new Promise((resolve) => setTimeout(resolve, 350))
  t.equal((await service.runRenewal()).failed.length, 1, 'tried again after the backoff')
  await new Promise((resolve) => setTimeout(resolve, 700))
  t.same((await service.runRenewal()).deferred, [seeded.id], 'gave up after maxFailures')
  t.equal(fake.tokenRequests().length, 2)
  const codex = (await service.status()).find((s) => s.provider === 'codex')!
  t.equal(codex.credential?.status, 'active')
  t.equal(codex.loggedIn, true)
  t.same([codex.refreshError?.failures, codex.refreshError?.definitive], [2, false])
  t.match(codex.refreshError?.error.message, /503 temporarily_unavailable/)
})
