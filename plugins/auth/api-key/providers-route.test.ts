import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import t from 'tap'
import { Secret } from '../../../kernel/index.js'
import { createTestKernel } from '../../../kernel/testing/index.js'

const FIXTURE = fileURLToPath(new URL('./fixtures/providers-plugin.ts', import.meta.url))
const NAMES = ['ANTHROPIC_API_KEY', 'GEMINI_API_KEY', 'GOOGLE_API_KEY', 'FIXTURE_COMPAT_KEY', 'OPENAI_API_KEY']
const saved = Object.fromEntries(NAMES.map((name) => [name, process.env[name]]))
for (const name of NAMES) delete process.env[name]
const tmp = mkdtempSync(join(tmpdir(), 'auth-api-key-route-'))
t.teardown(() => {
  for (const [name, value] of Object.entries(saved)) value === undefined ? delete process.env[name] : (process.env[name] = value)
  rmSync(tmp, { recursive: true, force: true })
})

const SECRETS = ['test-key-0000-env-anthropic-k1k2', 'test-key-0000-file-gemini-f3f4', 'test-key-0000-config-compat-c5c6', 'test-key-0000-stored-gemini-s7s8', 'test-oauth-0000-token-wxyz']

t.test('GET /api/auth/providers: per provider, the usable modes and where the key comes from, hints only', async (t) => {
  const keyFile = join(tmp, 'gemini.key')
  writeFileSync(keyFile, `${SECRETS[1]}\n`, { mode: 0o600 })
  process.env.ANTHROPIC_API_KEY = SECRETS[0]
  const logLines: string[] = []
  const tk = await createTestKernel({
    plugins: {
      'auth-api-key': { keyFiles: { gemini: keyFile }, keys: { 'compat-local': new Secret(SECRETS[2]!, 'COMPAT_CONFIG_KEY') } },
      'fixture-providers': { resolve: FIXTURE },
      'server-http': { port: 0, logRequests: true },
    },
    logLines,
  })
  t.teardown(tk.close)
  await tk.kernel.resolve('credentialStore').save({ providerId: 'gemini', mode: 'api_key', secret: SECRETS[3]!, label: 'stored' })
  const response = await fetch(`${tk.kernel.addresses[0]}/api/auth/providers`)
  const text = await response.text()
  t.equal(response.status, 200)
  const none = { envNames: [], keyFile: null, keyFilePath: null, configKey: false }
  t.same(JSON.parse(text), [
    {
      id: 'anthropic', displayName: 'Anthropic', modes: ['api_key'], errors: [], oauth: { active: null },
      apiKey: { ...none, envNames: ['ANTHROPIC_API_KEY'], active: { source: 'env', sourceId: 'auth-api-key.env', label: 'ANTHROPIC_API_KEY', hint: '…k1k2', credentialId: null, expiresAt: null } },
    },
    {
      id: 'codex', displayName: 'ChatGPT Codex', modes: ['oauth'], errors: [], apiKey: { ...none, active: null },
      oauth: { active: { source: 'oauth', sourceId: 'fixture-providers.oauth', label: 'ChatGPT login', hint: '…wxyz', credentialId: null, expiresAt: '2030-01-01T00:00:00.000Z' } },
    },
    {
      id: 'compat-local', displayName: 'Local gateway', modes: ['api_key'], errors: [], oauth: { active: null },
      apiKey: { ...none, envNames: ['FIXTURE_COMPAT_KEY'], configKey: true, active: { source: 'config', sourceId: 'auth-api-key.config', label: 'config file (COMPAT_CONFIG_KEY)', hint: '…c5c6', credentialId: null, expiresAt: null } },
    },
    {
      id: 'gemini', displayName: 'Google Gemini', modes: ['api_key'], errors: [], oauth: { active: null },
      apiKey: { envNames: ['GEMINI_API_KEY', 'GOOGLE_API_KEY'], keyFile, keyFilePath: keyFile, configKey: false, active: { source: 'keyfile', sourceId: 'auth-api-key.keyfile', label: `key file ${keyFile}`, hint: '…f3f4', credentialId: null, expiresAt: null } },
    },
  ])
  t.same((await tk.kernel.resolve('authApiKey').status()).map((s) => s.id), ['anthropic', 'codex', 'compat-local', 'gemini'], 'the service answers the same')
  t.ok(logLines.some((l) => l.includes('/api/auth/providers')), 'the request was logged')
  for (const secret of SECRETS) t.notOk(text.includes(secret) || logLines.some((l) => l.includes(secret)), 'no key in the response or the logs')
})

t.test('a source that fails is reported per mode; the others still answer', async (t) => {
  process.env.ANTHROPIC_API_KEY = SECRETS[0]
  const tk = await createTestKernel({ plugins: { 'auth-api-key': {}, 'fixture-providers': { resolve: FIXTURE } } })
  t.teardown(tk.close)
  const store = tk.kernel.resolve('credentialStore')
  store.find = async () => {
    throw new Error('socket closed')
  }
  const status = await tk.kernel.resolve('authApiKey').status()
  const anthropic = status.find((s) => s.id === 'anthropic')!
  t.same(anthropic.errors, [{ mode: 'api_key', code: 'AUTH_API_KEY_SOURCE_FAILED', message: 'A credential source failed; the server log has the details.' }])
  t.same(anthropic.modes, [])
  t.same(status.find((s) => s.id === 'codex')!.modes, ['oauth'], 'other providers are unaffected')
})
