import { writeFileSync } from 'node:fs'
import t from 'tap'
import { bootOAuth, fakeOptions, startFake } from './test-support.js'

/** A device flow driven only through the HTTP API (server-http on a free port), recorded as a transcript. */
function client(base: string, transcript: string[]) {
  return async (method: string, path: string, body?: unknown) => {
    const response = await fetch(base + path, {
      method,
      ...(body === undefined ? {} : { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }),
    })
    const json = (await response.json()) as Record<string, any>
    const trim = (text: string) => (text.length > 600 ? `${text.slice(0, 600)}…` : text)
    transcript.push(`$ curl -s -X ${method} ${base}${path}${body === undefined ? '' : ` -H 'content-type: application/json' -d '${JSON.stringify(body)}'`}`)
    transcript.push(`# HTTP ${response.status}`)
    transcript.push(trim(JSON.stringify(json)))
    return { status: response.status, json }
  }
}

t.test('device flow over HTTP: start -> poll status -> completed -> auth status -> logout', async (t) => {
  const fake = await startFake(t, { devicePlan: ['pending', 'pending', 'slow_down', 'approve'] })
  const { tk } = await bootOAuth(t, fakeOptions(fake, { device: { intervalMs: 300, slowDownMs: 300 } }), { 'server-http': { port: 0 } })
  const transcript: string[] = []
  const call = client(tk.kernel.addresses[0], transcript)

  const started = await call('POST', '/api/auth/oauth/codex/start', { flow: 'device' })
  t.equal(started.status, 201)
  t.match(started.json, { flow: 'device', status: 'pending', userCode: /^FAKE-/, verificationUri: 'https://auth.openai.com/codex/device', interval: 1, policy: { enabled: true, restricted: false } })
  t.notMatch(JSON.stringify(started.json), /dev-\d|verifier|"state"/, 'the device id, verifier and state stay on the server')
  const flowId = started.json.flowId as string

  let view: Record<string, any> = {}
  const deadline = Date.now() + 10_000
  while (Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 400))
    view = (await call('GET', `/api/auth/oauth/flows/${flowId}`)).json
    if (view.status !== 'pending') break
  }
  t.equal(view.status, 'completed')
  t.equal(view.interval, 1, '0.3 s + 0.3 s after slow_down, shown in whole seconds')
  t.match(view.credential, { hint: /^…/, meta: { accountId: 'acct-fake-0001' } })
  t.notMatch(JSON.stringify(view), /fake-(access|refresh)-/)

  const status = await call('GET', '/api/auth/oauth/status')
  const codex = status.json.providers.find((p: { provider: string }) => p.provider === 'codex')
  t.match(codex, { loggedIn: true, enabled: true, credential: { status: 'active' }, refreshError: null })

  const logout = await call('DELETE', '/api/auth/oauth/codex')
  t.same(logout.json, { provider: 'codex', deleted: 1, revoked: null })
  const after = await call('GET', '/api/auth/oauth/status')
  t.equal(after.json.providers.find((p: { provider: string }) => p.provider === 'codex').loggedIn, false)

  if (process.env.OAUTH_TRANSCRIPT_FILE) writeFileSync(process.env.OAUTH_TRANSCRIPT_FILE, transcript.join('\n') + '\n')
})

t.test('HTTP errors: disabled provider, bad bodies, unknown flow', async (t) => {
  const fake = await startFake(t)
  const options = fakeOptions(fake)
  delete (options.anthropic as Record<string, unknown>).enabled
  const { tk } = await bootOAuth(t, options, { 'server-http': { port: 0 } })
  const call = client(tk.kernel.addresses[0], [])
  const refused = await call('POST', '/api/auth/oauth/anthropic/start', {})
  t.equal(refused.status, 403)
  t.equal(refused.json.error.code, 'AUTH_OAUTH_PROVIDER_DISABLED')
  t.match(refused.json.error.message, /enabled = true/)
  t.match(refused.json.error.details.policy, { restricted: true, enabled: false, enabledBy: 'default' })
  const status = await call('GET', '/api/auth/oauth/status')
  t.match(status.json.providers.find((p: { provider: string }) => p.provider === 'anthropic'), { enabled: false, policy: { restricted: true, note: /Claude Code/ }, loggedIn: false })
  t.equal((await call('POST', '/api/auth/oauth/codex/start', { flow: 'carrier-pigeon' })).json.error.code, 'REQUEST_INVALID')
  t.equal((await call('GET', '/api/auth/oauth/flows/nope-nope-nope')).json.error.code, 'AUTH_OAUTH_FLOW_NOT_FOUND')
  const paste = await call('POST', '/api/auth/oauth/codex/start', { flow: 'paste' })
  const both = await call('POST', `/api/auth/oauth/flows/${paste.json.flowId}/complete`, { code: 'a', redirectUrl: 'http://x' })
  t.equal(both.json.error.code, 'REQUEST_INVALID')
  const bare = await fetch(`${tk.kernel.addresses[0]}/api/auth/oauth/gemini/start`, { method: 'POST' })
  t.equal(bare.status, 201, 'an empty body starts the default (browser) flow')
})
