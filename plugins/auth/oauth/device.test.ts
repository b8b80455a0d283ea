import t from 'tap'
import { DEVICE_REDIRECT, FAKE_ACCOUNT_ID } from './fake-auth-server.js'
import { bootOAuth, CLIENT, fakeOptions, startFake, waitFor } from './test-support.js'
import type { FlowView } from './services.js'

async function until(service: { flow(id: string): Promise<FlowView> }, flowId: string, status: string): Promise<FlowView> {
  let view: FlowView | undefined
  await waitFor(async () => (view = await service.flow(flowId)).status === status, `flow ${status}`, 10_000)
  return view!
}

t.test('codex device flow: authorization_pending, then slow_down (interval grows), then approved and exchanged', async (t) => {
  const fake = await startFake(t, { devicePlan: ['pending', 'slow_down', 'approve'] })
  const { service, store } = await bootOAuth(t, fakeOptions(fake, { device: { intervalMs: 100, slowDownMs: 1_000 } }))
  const started = await service.start('codex', 'device')
  t.match(started.userCode, /^FAKE-\d{4}$/)
  t.equal(started.verificationUri, 'https://auth.openai.com/codex/device')
  t.equal(started.interval, 1)
  t.ok(Date.parse(started.expiresAt) - Date.now() > 14 * 60_000, 'the code lives 15 minutes')
  t.equal(started.url, undefined)

  const done = await until(service, started.flowId, 'completed')
  t.equal(done.interval, 2, 'slow_down added 1 s to the 0.1 s interval')
  const messages = done.progress.map((p) => p.message).join('\n')
  t.match(messages, /enter the code FAKE-/)
  t.match(messages, /Waiting for the user/)
  t.match(messages, /slow down; polling every 1\.1 s/)
  t.match(messages, /Logged in/)

  const usercode = fake.requests.find((r) => r.path === '/deviceauth/usercode')!
  t.equal(usercode.headers['content-type'], 'application/json')
  t.same(usercode.body, { client_id: CLIENT.codex })
  const polls = fake.requests.filter((r) => r.path === '/deviceauth/token')
  t.equal(polls.length, 3)
  t.same(polls[0].body, { device_auth_id: 'dev-1', user_code: started.userCode })
  t.ok(polls[2].at - polls[1].at >= 1_050, `after slow_down the gap grew (${polls[2].at - polls[1].at} ms)`)
  t.ok(polls[1].at - polls[0].at < 1_000, 'before it, the short interval')

  const exchange = fake.tokenRequests()[0]!
  t.same(Object.keys(exchange.body), ['grant_type', 'code', 'redirect_uri', 'client_id', 'code_verifier'])
  t.equal(exchange.body.redirect_uri, DEVICE_REDIRECT)
  t.equal(exchange.headers['content-type'], 'application/x-www-form-urlencoded')
  t.match(exchange.body.code_verifier, /^[A-Za-z0-9_-]{43}$/, 'the server-supplied verifier was sent (the fake checked it against its challenge)')
  t.equal((await store.find('codex', 'oauth'))?.meta?.accountId, FAKE_ACCOUNT_ID)
})

t.test('an expired device code ends the flow as expired', async (t) => {
  const fake = await startFake(t, { devicePlan: ['pending', 'expired'] })
  const { service } = await bootOAuth(t, fakeOptions(fake))
  const started = await service.start('codex', 'device')
  const view = await until(service, started.flowId, 'expired')
  t.equal(view.error?.code, 'AUTH_OAUTH_DEVICE_EXPIRED')
  t.equal(fake.tokenRequests().length, 0)
})

t.test('a denied device code fails the flow; completing a device flow by hand is refused', async (t) => {
  const fake = await startFake(t, { devicePlan: ['denied'] })
  const { service } = await bootOAuth(t, fakeOptions(fake))
  const started = await service.start('codex', 'device')
  await t.rejects(service.complete(started.flowId, { code: 'x' }), { code: 'AUTH_OAUTH_FLOW_UNSUPPORTED' })
  const view = await until(service, started.flowId, 'failed')
  t.equal(view.error?.code, 'AUTH_OAUTH_AUTHORIZATION_DENIED')
})

t.test('the device code itself expiring locally stops polling', async (t) => {
  const fake = await startFake(t, { devicePlan: ['pending'] })
  const { service } = await bootOAuth(t, fakeOptions(fake, { codex: { deviceTtlMs: 1_000 } }))
  const started = await service.start('codex', 'device')
  let view: FlowView | undefined
  await waitFor(async () => Boolean((view = await service.flow(started.flowId)).error), 'the poller gave up', 10_000)
  t.equal(view?.status, 'expired')
  t.equal(view?.error?.code, 'AUTH_OAUTH_DEVICE_EXPIRED')
  const polls = fake.requests.filter((r) => r.path === '/deviceauth/token').length
  await new Promise((resolve) => setTimeout(resolve, 300))
  t.equal(fake.requests.filter((r) => r.path === '/deviceauth/token').length, polls, 'no polls after expiry')
})

t.test('a device endpoint that is not enabled (404) refuses the start', async (t) => {
  const fake = await startFake(t)
  const { service } = await bootOAuth(t, fakeOptions(fake, { codex: { deviceCodeUrl: `${fake.url}/missing` } }))
  await t.rejects(service.start('codex', 'device'), { code: 'AUTH_OAUTH_DEVICE_CODE_FAILED', message: /not enabled/ })
})
