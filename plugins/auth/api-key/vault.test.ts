import { randomBytes } from 'node:crypto'
import { fileURLToPath } from 'node:url'
import t from 'tap'
import { Secret } from '../../../kernel/index.js'
import { testBackends } from '../../../kernel/testing/backends.js'
import { createTestKernel } from '../../../kernel/testing/index.js'

/** Stored keys through auth-vault's encrypted store: PostgreSQL when DATABASE_URL is set, else in-memory PGlite. */
const FIXTURE = fileURLToPath(new URL('./fixtures/providers-plugin.ts', import.meta.url))
const backends = testBackends({ jobs: false })
const savedEnv = process.env.ANTHROPIC_API_KEY
delete process.env.ANTHROPIC_API_KEY
t.teardown(async () => {
  savedEnv === undefined ? delete process.env.ANTHROPIC_API_KEY : (process.env.ANTHROPIC_API_KEY = savedEnv)
  await backends.cleanup()
})

const STORED = 'test-key-0000-stored-via-api-q1w2'
const ENV = 'test-key-0000-environment-e3r4'

t.test('a key stored through POST /api/auth/credentials is the VAULT source; deleting it falls back to the environment', async (t) => {
  const logLines: string[] = []
  const tk = await createTestKernel({
    plugins: {
      'persistence-postgres': backends.plugins['persistence-postgres']!,
      'auth-vault': { keys: new Secret(`v1:${randomBytes(32).toString('base64')}`, 'PLATFORM_VAULT_KEYS') },
      'auth-api-key': {},
      'fixture-providers': { resolve: FIXTURE },
      'server-http': { port: 0, logRequests: true },
    },
    logLines,
  })
  t.teardown(tk.close)
  const base = tk.kernel.addresses[0]
  const texts: string[] = []
  const call = async (method: string, path: string, body?: unknown) => {
    const response = await fetch(base + path, { method, ...(body ? { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } } : {}) })
    const text = await response.text()
    texts.push(text)
    return { status: response.status, json: text ? JSON.parse(text) : null }
  }
  process.env.ANTHROPIC_API_KEY = ENV
  const created = await call('POST', '/api/auth/credentials', { provider: 'anthropic', key: STORED, label: 'shared' })
  t.equal(created.status, 201)
  const credential = await tk.kernel.resolve('credentials').resolve({ providerId: 'anthropic' })
  t.match(credential, { source: 'vault', sourceId: 'auth-api-key.vault', id: created.json.id, label: 'shared', mode: 'api_key' })
  t.equal(credential?.secret.reveal(), STORED, 'the stored key beats the environment')
  const [anthropic] = (await call('GET', '/api/auth/providers')).json
  t.same(anthropic.apiKey.active, { source: 'vault', sourceId: 'auth-api-key.vault', label: 'shared', hint: '…q1w2', credentialId: created.json.id, expiresAt: null })

  t.equal((await call('DELETE', `/api/auth/credentials/${created.json.id}`)).status, 204)
  t.equal((await tk.kernel.resolve('credentials').resolve({ providerId: 'anthropic' }))?.source, 'env')
  t.same((await call('GET', '/api/auth/providers')).json[0].apiKey.active.hint, '…e3r4')
  for (const secret of [STORED, ENV]) t.notOk([...texts, ...logLines].some((s) => s.includes(secret)), 'no key in responses or logs')
})
