import t from 'tap'
import { configSchema } from './config.js'
import { resolvePolicies } from './policy.js'
import { bootOAuth, CLIENT, fakeOptions, seedLogin, startFake } from './test-support.js'

t.test('defaults: restricted subscription logins are off, codex is on; config and GOOGLE_GENAI_USE_GCA decide', async (t) => {
  const defaults = resolvePolicies(configSchema.parse({}), {})
  t.match(defaults, { anthropic: { restricted: true, enabled: false, enabledBy: 'default' }, codex: { restricted: false, enabled: true }, gemini: { restricted: true, enabled: false } })
  t.match(resolvePolicies(configSchema.parse({}), { GOOGLE_GENAI_USE_GCA: 'true' }).gemini, { enabled: true, enabledBy: 'environment' })
  t.match(resolvePolicies(configSchema.parse({ gemini: { enabled: false } }), { GOOGLE_GENAI_USE_GCA: 'true' }).gemini, { enabled: false, enabledBy: 'config' }, 'an explicit false wins')
  t.match(resolvePolicies(configSchema.parse({ anthropic: { enabled: true }, codex: { enabled: false } }), {}), { anthropic: { enabled: true, enabledBy: 'config' }, codex: { enabled: false } })
})

t.test('a disabled provider: start refused, its stored login never resolved, nor refreshed by the job', async (t) => {
  const fake = await startFake(t)
  const options = fakeOptions(fake, { gemini: { enabled: false }, refresh: { minLeadMs: 100, leadFraction: 1, jitterMs: 0 } })
  const { service, store, credentials } = await bootOAuth(t, options)
  await t.rejects(service.start('gemini', 'paste'), { code: 'AUTH_OAUTH_PROVIDER_DISABLED', httpStatus: 403 })
  await seedLogin(store, fake, 'gemini', CLIENT.gemini, 1_000)
  t.equal(await credentials.resolve({ providerId: 'gemini' }), null)
  t.equal((await service.runRenewal()).checked, 0)
  t.equal(fake.tokenRequests().length, 0)
  const gemini = (await service.status()).find((s) => s.provider === 'gemini')!
  t.match(gemini, { enabled: false, loggedIn: true, policy: { note: /suspension/, howToEnable: /GOOGLE_GENAI_USE_GCA=true/ } })
})

t.test('GOOGLE_GENAI_USE_GCA=true at boot turns the Code Assist login on', async (t) => {
  const fake = await startFake(t)
  const options = fakeOptions(fake)
  delete (options.gemini as Record<string, unknown>).enabled
  process.env.GOOGLE_GENAI_USE_GCA = 'true'
  t.teardown(() => void delete process.env.GOOGLE_GENAI_USE_GCA)
  const { service } = await bootOAuth(t, options)
  t.equal((await service.start('gemini', 'paste')).policy.enabledBy, 'environment')
})

t.test('logout revokes at Google and deletes the stored login', async (t) => {
  const fake = await startFake(t)
  const { service, store } = await bootOAuth(t, fakeOptions(fake))
  const seeded = await seedLogin(store, fake, 'gemini', CLIENT.gemini, 3_600_000)
  t.same(await service.logout('gemini'), { provider: 'gemini', deleted: 1, revoked: true })
  const revoke = fake.requests.find((r) => r.path === '/revoke')
  t.equal(revoke?.query.token, seeded.refreshToken?.reveal(), 'the refresh token (the grant) is revoked')
  t.equal(await store.find('gemini', 'oauth'), null)
  t.same(await service.logout('gemini'), { provider: 'gemini', deleted: 0, revoked: null }, 'nothing left: nothing to do')
  await seedLogin(store, fake, 'anthropic', CLIENT.anthropic, 3_600_000)
  t.same(await service.logout('anthropic'), { provider: 'anthropic', deleted: 1, revoked: null }, 'Anthropic has no revocation endpoint')
})
