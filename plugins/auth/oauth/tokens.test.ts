import { OAuth2Client } from 'google-auth-library'
import t from 'tap'
import { Secret } from '../../../kernel/index.js'
import { devicePollOutcome } from './codex.js'
import { pollDeviceGrant } from './device-poller.js'
import { parseCompletion } from './flow-complete.js'
import { renewAt } from './schedule.js'
import { challengeOf, codexAccountId, expiresAtFrom, jwtPayload, mergeRefreshed, pkcePair } from './tokens.js'
import { fakeIdToken } from './fake-auth-server.js'

t.test('PKCE S256 and the JWT payload', async (t) => {
  const { verifier, challenge } = pkcePair(32)
  t.equal(verifier.length, 43)
  const google = await new OAuth2Client().generateCodeVerifierAsync()
  t.equal(challengeOf(google.codeVerifier), google.codeChallenge, "agrees with google-auth-library's S256")
  t.equal(challenge, challengeOf(verifier))
  t.same(jwtPayload(fakeIdToken({ a: 1 })), { a: 1 })
  t.equal(jwtPayload('not-a-jwt'), null)
})

t.test('ChatGPT account id: chatgpt_account_id, then the nested account_id, then the root; empty strings skipped', async (t) => {
  const auth = 'https://api.openai.com/auth'
  t.equal(codexAccountId({ [auth]: { chatgpt_account_id: 'c', account_id: 'n' }, account_id: 'r' }), 'c')
  t.equal(codexAccountId({ [auth]: { chatgpt_account_id: '', account_id: 'n' }, account_id: 'r' }), 'n')
  t.equal(codexAccountId({ [auth]: { account_id: '' }, account_id: 'r' }), 'r')
  t.equal(codexAccountId({}), undefined)
})

t.test('expiry: now + expires_in, 3600 s when missing, zero or invalid', async (t) => {
  const now = new Date('2026-01-01T00:00:00Z')
  t.equal(expiresAtFrom(60, now), '2026-01-01T00:01:00.000Z')
  t.equal(expiresAtFrom('120', now), '2026-01-01T00:02:00.000Z')
  for (const bad of [undefined, 0, -5, 'soon', Number.NaN]) t.equal(expiresAtFrom(bad, now), '2026-01-01T01:00:00.000Z')
})

t.test('merge after refresh: new secret and expiry, old refresh token kept when none came, facts merged', async (t) => {
  const current = { providerId: 'codex', mode: 'oauth' as const, secret: new Secret('old', 't'), refreshToken: new Secret('rt-old', 't'), source: 'vault' as const, meta: { accountId: 'a', email: 'e' } }
  t.same(mergeRefreshed(current, { accessToken: 'new', expiresAt: 'x', meta: { accountId: undefined, planType: 'pro' } }), {
    secret: 'new', refreshToken: 'rt-old', expiresAt: 'x', meta: { accountId: 'a', email: 'e', planType: 'pro' }, status: 'active',
  })
  t.equal(mergeRefreshed(current, { accessToken: 'new', refreshToken: 'rt-new', expiresAt: 'x', meta: {} }).refreshToken, 'rt-new')
})

t.test('renewal moment: expiry - max(minLead, 10 % of lifetime) - a stable jitter below jitterMs', async (t) => {
  const timing = { minLeadMs: 300_000, leadFraction: 0.1, jitterMs: 30_000 }
  const base = { id: 'c1', updatedAt: '2026-01-01T00:00:00.000Z' }
  const hour = renewAt({ ...base, expiresAt: '2026-01-01T01:00:00.000Z' }, timing)!
  const expires = Date.parse('2026-01-01T01:00:00.000Z')
  t.ok(expires - hour >= 360_000 && expires - hour < 390_000, '1 h token: 6 min lead (10 %) plus jitter')
  t.equal(renewAt({ ...base, expiresAt: '2026-01-01T01:00:00.000Z' }, timing), hour, 'the same on every instance')
  const tenMinutes = renewAt({ ...base, expiresAt: '2026-01-01T00:10:00.000Z' }, { ...timing, jitterMs: 0 })
  t.equal(tenMinutes, Date.parse('2026-01-01T00:05:00.000Z'), '10 min token: the 5 min floor')
  t.equal(renewAt({ ...base, expiresAt: '2026-01-01T00:04:00.000Z' }, timing), null, 'shorter than the floor: no proactive renewal')
  t.equal(renewAt({ ...base, expiresAt: null }, timing), null)
})

t.test('device poll answers map onto RFC 8628 outcomes; 403/404 mean pending as in the reference', async (t) => {
  const r = (status: number, error?: unknown) => ({ status, ok: false, data: error === undefined ? null : { error } })
  t.same(devicePollOutcome(r(400, 'slow_down')), { kind: 'slow_down' })
  t.same(devicePollOutcome(r(400, 'authorization_pending')), { kind: 'pending' })
  t.same(devicePollOutcome(r(400, { code: 'expired_token' })), { kind: 'expired' })
  t.match(devicePollOutcome(r(400, 'access_denied')), { kind: 'denied' })
  t.same(devicePollOutcome(r(403)), { kind: 'pending' })
  t.same(devicePollOutcome(r(404)), { kind: 'pending' })
  t.throws(() => devicePollOutcome(r(500)), { code: 'AUTH_OAUTH_DEVICE_POLL_FAILED' })
})

t.test('the poller waits the interval, adds slowDownMs on slow_down, and stops at the deadline', async (t) => {
  const answers = ['pending', 'slow_down', 'pending'] as const
  const seen: number[] = []
  const outcome = await pollDeviceGrant({
    poll: async () => ({ kind: answers[seen.length] ?? 'pending' }),
    intervalMs: 20,
    slowDownMs: 30,
    deadline: Date.now() + 300,
    signal: new AbortController().signal,
    onPoll: async (_kind, interval) => void seen.push(interval),
  })
  t.same(outcome, { kind: 'expired' })
  t.same(seen.slice(0, 3), [20, 50, 50])
  const aborted = new AbortController()
  aborted.abort()
  t.same(await pollDeviceGrant({ poll: async () => ({ kind: 'pending' }), intervalMs: 10, slowDownMs: 0, deadline: Date.now() + 1_000, signal: aborted.signal, onPoll: async () => {} }), { kind: 'aborted' })
})

t.test('pasted input: code#state, a bare code, or a redirect URL', async (t) => {
  t.same(parseCompletion({ code: ' abc#st ' }), { code: 'abc', state: 'st' })
  t.same(parseCompletion({ code: 'abc' }), { code: 'abc' })
  t.same(parseCompletion({ redirectUrl: 'http://localhost:1455/auth/callback?code=c1&state=s1' }), { code: 'c1', state: 's1' })
  t.throws(() => parseCompletion({ redirectUrl: 'nonsense' }), { code: 'AUTH_OAUTH_CODE_MISSING' })
  t.throws(() => parseCompletion({ redirectUrl: 'http://localhost/cb?error=access_denied&error_description=nope' }), { code: 'AUTH_OAUTH_AUTHORIZATION_DENIED', message: /nope/ })
})
