import t from 'tap'
import { bootVault, keyRing, newKey, openTestDatabase } from './test-support.js'

const db = await openTestDatabase()
t.teardown(() => db.close())

const KEY = 'test-key-0000-route-secret-9f8e'

async function boot(t: { teardown(fn: () => unknown): void }) {
  const logLines: string[] = []
  const tk = await bootVault({
    db,
    schema: db.newSchema(),
    keys: keyRing({ 1: newKey() }),
    logLines,
    plugins: { 'server-http': { port: 0, logRequests: true }, 'provider-scripted': { chunkDelayMs: 0 } },
  })
  t.teardown(tk.close)
  const base = tk.kernel.addresses[0]
  const seen: string[] = []
  const call = async (method: string, path: string, body?: unknown) => {
    const response = await fetch(base + path, {
      method,
      ...(body === undefined ? {} : { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }),
    })
    const text = await response.text()
    seen.push(text)
    return { status: response.status, text, json: text ? (JSON.parse(text) as any) : undefined }
  }
  return { tk, call, logLines, seen }
}

t.test('store, list (hints only), delete; 404 for an unknown id', async (t) => {
  const { tk, call, logLines, seen } = await boot(t)
  const created = await call('POST', '/api/auth/credentials', { provider: 'scripted', key: `  ${KEY}\n`, label: 'ci' })
  t.equal(created.status, 201)
  t.match(created.json, { providerId: 'scripted', mode: 'api_key', label: 'ci', hint: '…9f8e', status: 'active', keyVersion: 1, scopes: [], meta: {} })
  t.same(Object.keys(created.json).sort(), ['createdAt', 'expiresAt', 'hint', 'id', 'keyVersion', 'label', 'lastUsedAt', 'meta', 'mode', 'ownerId', 'providerId', 'scopes', 'status', 'updatedAt'])
  t.equal(created.json.ownerId, null, 'stored through the API without a user: server-wide')
  const stored = await tk.kernel.resolve('credentialStore').get(created.json.id)
  t.equal(stored?.secret.reveal(), KEY, 'the key is stored trimmed')

  const list = await call('GET', '/api/auth/credentials')
  t.same(list, { status: 200, text: list.text, json: [created.json] })
  t.same((await call('GET', '/api/auth/credentials?provider=openai')).json, [])
  t.same((await call('GET', '/api/auth/credentials?provider=scripted')).json, [created.json])

  const removed = await call('DELETE', `/api/auth/credentials/${created.json.id}`)
  t.same([removed.status, removed.text], [204, ''])
  const again = await call('DELETE', `/api/auth/credentials/${created.json.id}`)
  t.equal(again.status, 404)
  t.match(again.json, { error: { code: 'AUTH_CREDENTIAL_NOT_FOUND', message: /No stored credential has the id ".+"; list them with GET \/api\/auth\/credentials/ } })
  t.same((await call('GET', '/api/auth/credentials')).json, [])
  t.ok(logLines.some((l) => l.includes('"url":"/api/auth/credentials"')), 'requests were logged')
  t.notOk([...seen, ...logLines].some((s) => s.includes(KEY)), 'the key is in no response and no log line')
})

t.test('bad requests: unknown provider, empty key, unknown fields', async (t) => {
  const { call, logLines, seen } = await boot(t)
  const unknown = await call('POST', '/api/auth/credentials', { provider: 'nope', key: KEY })
  t.equal(unknown.status, 400)
  t.match(unknown.json.error, { code: 'AUTH_VAULT_PROVIDER_UNKNOWN', message: /No enabled provider has the id "nope"; known providers: scripted\./ })
  const empty = await call('POST', '/api/auth/credentials', { provider: 'scripted', key: '   ' })
  t.match(empty, { status: 400, json: { error: { code: 'REQUEST_INVALID', message: /body\.key: the API key is empty/ } } })
  const extra = await call('POST', '/api/auth/credentials', { provider: 'scripted', key: KEY, secret: KEY })
  t.match(extra, { status: 400, json: { error: { code: 'REQUEST_INVALID', message: /body\.secret: unknown field/ } } })
  t.match(await call('GET', '/api/auth/credentials?provider=Bad Id'), { status: 400, json: { error: { code: 'REQUEST_INVALID' } } })
  t.same((await call('GET', '/api/auth/credentials')).json, [], 'nothing was stored')
  t.notOk([...seen, ...logLines].some((s) => s.includes(KEY)), 'the key is in no response and no log line')
})
