import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { inspect } from 'node:util'
import { fileURLToPath } from 'node:url'
import t from 'tap'
import { Secret, type Credential } from '../../../kernel/index.js'
import { createTestKernel, type TestKernel } from '../../../kernel/testing/index.js'
import { DEFAULT_ENV_NAMES } from './env-names.js'

const FIXTURE = fileURLToPath(new URL('./fixtures/providers-plugin.ts', import.meta.url))
const ENV_NAMES = [...new Set([...Object.values(DEFAULT_ENV_NAMES).flat(), 'FIXTURE_COMPAT_KEY', 'MY_QWEN_KEY', 'CONFIG_ANTHROPIC_KEY'])]
const saved = Object.fromEntries(ENV_NAMES.map((name) => [name, process.env[name]]))
for (const name of ENV_NAMES) delete process.env[name]
const tmp = mkdtempSync(join(tmpdir(), 'auth-api-key-sources-'))
t.teardown(() => {
  for (const [name, value] of Object.entries(saved)) value === undefined ? delete process.env[name] : (process.env[name] = value)
  rmSync(tmp, { recursive: true, force: true })
})

async function boot(t: { teardown(fn: () => unknown): void }, options: Record<string, unknown>, logLines: string[] = []): Promise<TestKernel> {
  const tk = await createTestKernel({ plugins: { 'auth-api-key': options, 'fixture-providers': { resolve: FIXTURE } }, logLines })
  t.teardown(tk.close)
  return tk
}
const resolver = (tk: TestKernel) => tk.kernel.resolve('credentials')
const keyOf = async (tk: TestKernel, providerId: string) => (await resolver(tk).resolve({ providerId }))?.secret.reveal() ?? null
const sourceOf = async (tk: TestKernel, providerId: string) => (await resolver(tk).resolve({ providerId }))?.source ?? null

t.test('precedence: config key > key file > stored key > environment, each overriding the next', async (t) => {
  const file = join(tmp, 'openai.key')
  writeFileSync(file, 'test-key-0000-from-file\n', { mode: 0o600 })
  process.env.OPENAI_API_KEY = 'test-key-0000-from-env'
  process.env.ANTHROPIC_API_KEY = 'test-key-0000-anthropic-env'
  const tk = await boot(t, {
    keys: { anthropic: new Secret('test-key-0000-from-config', 'CONFIG_ANTHROPIC_KEY') },
    keyFiles: { anthropic: file, openai: file },
  })
  const store = tk.kernel.resolve('credentialStore')
  await store.save({ providerId: 'anthropic', mode: 'api_key', secret: 'test-key-0000-anthropic-stored' })
  const stored = await store.save({ providerId: 'openai', mode: 'api_key', secret: 'test-key-0000-from-store', label: 'team key' })

  t.equal(await keyOf(tk, 'anthropic'), 'test-key-0000-from-config', 'config beats key file, store and env')
  t.match(await resolver(tk).resolve({ providerId: 'anthropic' }), { source: 'config', sourceId: 'auth-api-key.config', label: 'config file (CONFIG_ANTHROPIC_KEY)', mode: 'api_key' })
  t.same([await keyOf(tk, 'openai'), await sourceOf(tk, 'openai')], ['test-key-0000-from-file', 'keyfile'], 'key file beats store and env')
  writeFileSync(file, '  \n')
  t.same([await keyOf(tk, 'openai'), await sourceOf(tk, 'openai')], ['test-key-0000-from-store', 'vault'], 'an emptied key file gives way to the stored key')
  t.match(await resolver(tk).resolve({ providerId: 'openai' }), { id: stored.id, label: 'team key', sourceId: 'auth-api-key.vault' })
  await store.update(stored.id, { status: 'revoked' })
  t.same([await keyOf(tk, 'openai'), await sourceOf(tk, 'openai')], ['test-key-0000-from-env', 'env'], 'without a stored key, the environment')
  delete process.env.OPENAI_API_KEY
  t.equal(await resolver(tk).resolve({ providerId: 'openai' }), null, 'nothing left')
})

t.test('environment: read at call time, reference names and order, empty or "none" = unset', async (t) => {
  const tk = await boot(t, {})
  t.equal(await keyOf(tk, 'gemini'), null)
  process.env.GOOGLE_API_KEY = 'test-key-0000-google'
  t.equal(await keyOf(tk, 'gemini'), 'test-key-0000-google', 'set after boot, seen at once')
  process.env.GEMINI_API_KEY = '  test-key-0000-gemini \n'
  const gemini = (await resolver(tk).resolve({ providerId: 'gemini' })) as Credential
  t.equal(gemini.secret.reveal(), 'test-key-0000-gemini', 'GEMINI_API_KEY before GOOGLE_API_KEY (llxprt), trimmed')
  t.match(gemini, { providerId: 'gemini', mode: 'api_key', source: 'env', sourceId: 'auth-api-key.env', label: 'GEMINI_API_KEY', meta: { envVar: 'GEMINI_API_KEY' } })
  t.notMatch(inspect(gemini) + JSON.stringify(gemini), /test-key-0000-gemini/, 'the credential prints without its key')
  process.env.GEMINI_API_KEY = ''
  t.equal(await keyOf(tk, 'gemini'), 'test-key-0000-google', 'empty = unset')
  process.env.GEMINI_API_KEY = 'None'
  t.equal(await keyOf(tk, 'gemini'), 'test-key-0000-google', '"none" = unset, as llxprt')
  for (const [provider, name] of [['anthropic', 'ANTHROPIC_API_KEY'], ['openai', 'OPENAI_API_KEY'], ['openai-responses', 'OPENAI_API_KEY'], ['qwen', 'DASHSCOPE_API_KEY']]) {
    process.env[name!] = `test-key-0000-${provider}`
    t.equal((await resolver(tk).resolve({ providerId: provider! }))?.label, name, `${provider} reads ${name}`)
    delete process.env[name!]
  }
  process.env.FIXTURE_COMPAT_KEY = 'test-key-0000-compat'
  t.equal(await keyOf(tk, 'compat-local'), 'test-key-0000-compat', "a provider's own apiKeyEnv is read")
  t.equal(await keyOf(tk, 'codex'), 'test-oauth-0000-token-wxyz', 'codex has no key variable: only its OAuth source answers')
  t.equal(await resolver(tk).resolve({ providerId: 'gemini', modes: ['oauth'] }), null, 'API key sources never answer an OAuth-only query')
})

t.test('the env option replaces a provider\'s variable list', async (t) => {
  process.env.DASHSCOPE_API_KEY = 'test-key-0000-dashscope'
  process.env.MY_QWEN_KEY = 'test-key-0000-mine'
  process.env.ANTHROPIC_API_KEY = 'test-key-0000-anthropic'
  process.env.FIXTURE_COMPAT_KEY = 'test-key-0000-compat'
  const tk = await boot(t, { env: { qwen: ['MY_QWEN_KEY'], anthropic: [], 'compat-local': ['MY_QWEN_KEY'] } })
  t.equal(await keyOf(tk, 'qwen'), 'test-key-0000-mine')
  t.equal(await keyOf(tk, 'anthropic'), null, '[] turns environment keys off')
  t.equal(await keyOf(tk, 'compat-local'), 'test-key-0000-mine', 'the option wins over the provider\'s apiKeyEnv')
  t.same(tk.kernel.resolve('authApiKey').envNames('gemini'), ['GEMINI_API_KEY', 'GOOGLE_API_KEY'])
  t.same(tk.kernel.resolve('authApiKey').envNames('qwen'), ['MY_QWEN_KEY'])
  for (const name of ['DASHSCOPE_API_KEY', 'MY_QWEN_KEY', 'ANTHROPIC_API_KEY', 'FIXTURE_COMPAT_KEY']) delete process.env[name]
})

t.test('refresh after a rejection: a changed key is returned, the same key or a config key is not', async (t) => {
  process.env.ANTHROPIC_API_KEY = 'test-key-0000-old'
  const tk = await boot(t, { keys: { gemini: new Secret('test-key-0000-config', 'X') } })
  const rejected = (await resolver(tk).resolve({ providerId: 'anthropic' }))!
  t.equal(await resolver(tk).refresh(rejected, 'rejected'), null, 'same key: nothing to renew')
  process.env.ANTHROPIC_API_KEY = 'test-key-0000-new'
  t.equal((await resolver(tk).refresh(rejected, 'rejected'))?.secret.reveal(), 'test-key-0000-new')
  const config = (await resolver(tk).resolve({ providerId: 'gemini' }))!
  t.equal(await resolver(tk).refresh(config, 'rejected'), null, 'a config key cannot be renewed')
  delete process.env.ANTHROPIC_API_KEY
})

t.test('options are strict: secrets only through env(), provider ids and variable names checked', async (t) => {
  for (const options of [{ keys: { anthropic: 'test-key-0000-inline' } }, { env: { qwen: ['bad-name'] } }, { keyFiles: { 'Bad Id': '/x' } }, { other: 1 }]) {
    await t.rejects(createTestKernel({ plugins: { 'auth-api-key': options } }), { code: 'KERNEL_PLUGIN_OPTIONS_INVALID' })
  }
})
