import { fileURLToPath } from 'node:url'
import t from 'tap'
import type { PluginEntry } from '../../../kernel/index.js'
import { testBackends } from '../../../kernel/testing/backends.js'
import { bootOAuth, CLIENT, fakeOptions, seedLogin, startFake, type OAuthKernel } from './test-support.js'
import type { FakeAuthServer } from './fake-auth-server.js'

/**
 * Two "server instances" (test kernels) share one credential store and one lock table: PostgreSQL
 * and Redis when DATABASE_URL / REDIS_URL are set, in-process otherwise. However they race, a
 * rotating refresh token is spent exactly once.
 */
const SHARED = fileURLToPath(new URL('./fixtures/shared-ports-plugin.ts', import.meta.url))
const database = Boolean(process.env.DATABASE_URL)
const redis = Boolean(process.env.REDIS_URL)

async function twoInstances(t: { teardown(fn: () => unknown): void }, fake: FakeAuthServer, extra: Record<string, unknown> = {}): Promise<[OAuthKernel, OAuthKernel]> {
  const backends = testBackends({ jobs: false })
  t.teardown(() => backends.cleanup())
  const plugins = (): Record<string, PluginEntry> => ({
    'fixture-shared-ports': { resolve: SHARED, group: backends.keyPrefix, ...(database ? { pgSchema: backends.schema } : {}), sharedLocks: !redis },
    ...(redis ? { 'realtime-redis': backends.plugins['realtime-redis'] } : {}),
  })
  const options = fakeOptions(fake, extra)
  const a = await bootOAuth(t, options, plugins())
  const b = await bootOAuth(t, options, plugins())
  return [a, b]
}

t.test(`refresh on access from two instances at once -> one token request (${database ? 'PostgreSQL' : 'in-memory'} store, ${redis ? 'Redis' : 'in-process'} locks)`, async (t) => {
  const fake = await startFake(t, { tokenDelayMs: 200, rotateRefreshTokens: true })
  const [a, b] = await twoInstances(t, fake)
  const seeded = await seedLogin(a.store, fake, 'codex', CLIENT.codex, 5_000, { accountId: 'acct' })
  t.equal((await b.store.get(seeded.id!))?.secret.reveal(), seeded.secret.reveal(), 'both instances see the same store')
  const [fromA, fromB] = await Promise.all([a.credentials.resolve({ providerId: 'codex' }), b.credentials.resolve({ providerId: 'codex' })])
  t.equal(fake.tokenRequests().length, 1, 'exactly one token request')
  t.equal(fromA?.secret.reveal(), fromB?.secret.reveal(), 'both use the one new access token')
  t.not(fromA?.secret.reveal(), seeded.secret.reveal())
  const stored = await b.store.get(seeded.id!)
  t.equal(stored?.refreshToken?.reveal(), fromA?.refreshToken?.reveal(), 'the rotated refresh token is stored')
  t.ok(await b.service.refresh(stored!.id!, 'rejected', stored!.secret.reveal()), 'and it is the live one (the fake refuses spent tokens)')
  t.equal(fake.tokenRequests().length, 2)
})

t.test('the background job racing on two instances -> one token request', async (t) => {
  const fake = await startFake(t, { tokenDelayMs: 200 })
  const [a, b] = await twoInstances(t, fake, { refresh: { minLeadMs: 100, leadFraction: 1, jitterMs: 0 } })
  const seeded = await seedLogin(a.store, fake, 'anthropic', CLIENT.anthropic, 60_000)
  const reports = await Promise.all([a.service.runRenewal(), b.service.runRenewal(), a.service.runRenewal()])
  t.equal(fake.tokenRequests().length, 1, 'exactly one token request')
  t.same(reports.map((r) => r.failed), [[], [], []])
  t.not((await a.store.get(seeded.id!))?.secret.reveal(), seeded.secret.reveal())
})

t.test('a 401 seen by both instances with the same token -> one token request', async (t) => {
  const fake = await startFake(t, { tokenDelayMs: 200 })
  const [a, b] = await twoInstances(t, fake)
  await seedLogin(a.store, fake, 'gemini', CLIENT.gemini, 3_600_000)
  const stale = (await a.credentials.resolve({ providerId: 'gemini' }))!
  const staleOnB = (await b.credentials.resolve({ providerId: 'gemini' }))!
  const [x, y] = await Promise.all([a.credentials.refresh(stale, 'rejected'), b.credentials.refresh(staleOnB, 'rejected')])
  t.equal(fake.tokenRequests().length, 1)
  t.equal(x?.secret.reveal(), y?.secret.reveal())
})

t.test('a flow started on one instance is reported and completed by the other (flow state in the shared kv)', async (t) => {
  const fake = await startFake(t)
  const [a, b] = await twoInstances(t, fake)
  const started = await a.service.start('gemini', 'paste')
  t.equal((await b.service.flow(started.flowId)).status, 'pending')
  const { code } = fake.approve(started.url!)
  t.equal((await b.service.complete(started.flowId, { code })).status, 'completed')
  t.equal((await a.service.flow(started.flowId)).status, 'completed')
  t.ok(await a.store.find('gemini', 'oauth'), 'the login is in the shared store')
})
