import { chmodSync, mkdtempSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { inspect } from 'node:util'
import t from 'tap'
import { Secret, type PlatformError } from '../../../kernel/index.js'
import { createVaultRuntime } from './runtime.js'
import { bootVault, keyRing, newKey, openTestDatabase, rawDump } from './test-support.js'

const db = await openTestDatabase()
const tmp = mkdtempSync(join(tmpdir(), 'auth-vault-store-'))
t.teardown(async () => {
  await db.close()
  rmSync(tmp, { recursive: true, force: true })
})

const SECRET = 'test-key-0000-plaintext-marker-a1b2'
const REFRESH = 'test-refresh-0000-plaintext-marker-z9y8'
const hex = (s: string) => Buffer.from(s).toString('hex')
const b64 = (s: string) => Buffer.from(s).toString('base64')

t.test('the credentialStore port is the vault: round trip with the in-memory store\'s semantics', async (t) => {
  const schema = db.newSchema()
  const tk = await bootVault({ db, schema, keys: keyRing({ 1: newKey() }) })
  t.teardown(tk.close)
  const store = tk.kernel.resolve('credentialStore')
  const saved = await store.save({ providerId: 'anthropic', mode: 'oauth', secret: SECRET, refreshToken: REFRESH, label: 'work', scopes: ['a', 'b'], meta: { email: 'x@example.com' }, expiresAt: '2030-01-01T00:00:00.000Z' })
  t.match(saved, { providerId: 'anthropic', mode: 'oauth', label: 'work', hint: '…a1b2', status: 'active', keyVersion: 1, scopes: ['a', 'b'], meta: { email: 'x@example.com' }, expiresAt: '2030-01-01T00:00:00.000Z', lastUsedAt: null })
  t.match(saved.id, /^cred_/)
  t.equal(saved.createdAt, saved.updatedAt)
  const got = await store.get(saved.id)
  t.equal(got?.secret.reveal(), SECRET)
  t.equal(got?.refreshToken?.reveal(), REFRESH)
  t.match(got, { id: saved.id, providerId: 'anthropic', mode: 'oauth', source: 'vault', label: 'work', scopes: ['a', 'b'], meta: { email: 'x@example.com' }, expiresAt: '2030-01-01T00:00:00.000Z' })
  t.notMatch(inspect(got) + JSON.stringify(got), /plaintext-marker/, 'printing a credential shows no secret')

  const key = await store.save({ providerId: 'anthropic', mode: 'api_key', secret: 'test-key-0000-second' })
  t.same([key.label, key.scopes, key.meta, key.expiresAt], [null, [], {}, null])
  t.equal((await store.find('anthropic', 'api_key'))?.id, key.id)
  t.equal((await store.find('anthropic', 'oauth'))?.id, saved.id)
  t.equal(await store.find('openai', 'api_key'), null)
  t.same((await store.list()).map((c) => c.id), [saved.id, key.id])
  t.same((await store.list({ providerId: 'openai' })), [])
  t.same(await store.list({ providerId: 'anthropic' }), await store.list())
  t.same(await store.get('cred_missing'), null)
})

t.test('update: plain fields keep the ciphertext; secret changes re-encrypt; unknown id is null', async (t) => {
  const schema = db.newSchema()
  const tk = await bootVault({ db, schema, keys: keyRing({ 1: newKey() }) })
  t.teardown(tk.close)
  const store = tk.kernel.resolve('credentialStore')
  const pg = tk.kernel.resolve('persistencePostgres')
  const ivOf = async (id: string) => (await pg.query<{ iv: Buffer }>(`select "iv" from "${schema}"."auth_credential" where "id" = $1`, [id]))[0]!.iv
  const older = await store.save({ providerId: 'openai', mode: 'api_key', secret: 'test-key-0000-older' })
  const saved = await store.save({ providerId: 'openai', mode: 'api_key', secret: 'test-key-0000-first', refreshToken: REFRESH })
  const iv = await ivOf(saved.id)
  const revoked = await store.update(saved.id, { status: 'revoked', meta: { why: 'test' }, lastUsedAt: '2031-05-05T05:05:05.000Z', expiresAt: null })
  t.match(revoked, { status: 'revoked', meta: { why: 'test' }, lastUsedAt: '2031-05-05T05:05:05.000Z', hint: '…irst' })
  t.same(await ivOf(saved.id), iv, 'no re-encryption for non-secret fields')
  t.equal((await store.find('openai', 'api_key'))?.id, older.id, 'find skips a credential that is not active')
  await store.update(saved.id, { status: 'active' })
  t.equal((await store.find('openai', 'api_key'))?.id, saved.id, 'the most recently updated active one wins')

  const renewed = await store.update(saved.id, { secret: 'test-key-0000-renewed' })
  t.equal(renewed?.hint, '…ewed')
  t.notSame(await ivOf(saved.id), iv, 'a fresh IV for the rewrite')
  const after = await store.get(saved.id)
  t.same([after?.secret.reveal(), after?.refreshToken?.reveal()], ['test-key-0000-renewed', REFRESH], 'the refresh token is kept')
  await store.update(saved.id, { refreshToken: null })
  t.equal((await store.get(saved.id))?.refreshToken, undefined, 'refresh token removed; the secret stays')
  t.equal((await store.get(saved.id))?.secret.reveal(), 'test-key-0000-renewed')
  t.equal(await store.update('cred_missing', { status: 'revoked' }), null)
  t.equal(await store.update('cred_missing', { secret: 'x' }), null)
  t.equal(await store.delete(saved.id), true)
  t.equal(await store.delete(saved.id), false)
  t.equal(await store.get(saved.id), null)
})

t.test('the raw table dump and the logs hold no plaintext secret or refresh token', async (t) => {
  const schema = db.newSchema()
  const logLines: string[] = []
  const tk = await bootVault({ db, schema, keys: keyRing({ 1: newKey() }), logLines })
  t.teardown(tk.close)
  const store = tk.kernel.resolve('credentialStore')
  const saved = await store.save({ providerId: 'anthropic', mode: 'oauth', secret: SECRET, refreshToken: REFRESH, label: 'dump' })
  await store.update(saved.id, { secret: `${SECRET}-v2` })
  await store.find('anthropic', 'oauth')
  const dump = await rawDump(tk.kernel)
  t.match(dump, /\\\\x[0-9a-f]+/, 'the dump shows the bytea columns')
  t.match(dump, /…2-v2/, 'the hint of the current secret is there')
  for (const text of [dump, logLines.join('\n')]) {
    for (const secret of [SECRET, REFRESH, 'plaintext-marker']) {
      for (const form of [secret, hex(secret), b64(secret)]) t.notOk(text.includes(form), `no ${form === secret ? 'plain' : 'encoded'} secret`)
    }
  }
})

t.test('swapping ciphertexts between rows (or editing provider/mode) makes them fail to decrypt', async (t) => {
  const schema = db.newSchema()
  const tk = await bootVault({ db, schema, keys: keyRing({ 1: newKey() }) })
  t.teardown(tk.close)
  const store = tk.kernel.resolve('credentialStore')
  const pg = tk.kernel.resolve('persistencePostgres')
  const a = await store.save({ providerId: 'anthropic', mode: 'api_key', secret: 'test-key-0000-aaaa' })
  const b = await store.save({ providerId: 'anthropic', mode: 'api_key', secret: 'test-key-0000-bbbb' })
  const table = `"${schema}"."auth_credential"`
  await pg.query(
    `update ${table} as t set "ciphertext" = o."ciphertext", "iv" = o."iv", "auth_tag" = o."auth_tag" from ${table} as o ` +
      `where (t."id", o."id") in (($1, $2), ($2, $1))`,
    [a.id, b.id],
  )
  const error = (await store.get(a.id).catch((e: unknown) => e)) as PlatformError
  t.equal(error.code, 'AUTH_VAULT_DECRYPT_FAILED')
  t.match(error.message, new RegExp(`^Credential ${a.id} \\(key version 1\\) cannot be decrypted`))
  await t.rejects(store.get(b.id), { code: 'AUTH_VAULT_DECRYPT_FAILED' })
  const c = await store.save({ providerId: 'anthropic', mode: 'api_key', secret: 'test-key-0000-cccc' })
  await pg.query(`update ${table} set "provider_id" = 'openai' where "id" = $1`, [c.id])
  await t.rejects(store.find('openai', 'api_key'), { code: 'AUTH_VAULT_DECRYPT_FAILED' }, 'a row moved to another provider does not decrypt')
})

t.test('a wrong key: clear errors at boot (logged) and on use; the secret appears nowhere', async (t) => {
  const schema = db.newSchema()
  const first = await bootVault({ db, schema, keys: keyRing({ 1: newKey() }) })
  const saved = await first.kernel.resolve('credentialStore').save({ providerId: 'gemini', mode: 'api_key', secret: SECRET })
  await first.close()
  const logLines: string[] = []
  const wrong = await bootVault({ db, schema, keys: keyRing({ 1: newKey() }), logLines })
  t.teardown(wrong.close)
  const bootError = logLines.find((l) => l.includes('stored credentials cannot be decrypted'))
  t.ok(bootError, 'boot logs the problem at error level')
  t.match(JSON.parse(bootError!), { level: 'error', code: 'AUTH_VAULT_DECRYPT_FAILED', keyVersion: 1, credentials: 1 })
  const error = (await wrong.kernel.resolve('credentialStore').get(saved.id).catch((e: unknown) => e)) as PlatformError
  t.equal(error.code, 'AUTH_VAULT_DECRYPT_FAILED')
  t.match(error.message, `Credential ${saved.id} (key version 1) cannot be decrypted`)
  t.same(error.details, { credentialId: saved.id, keyVersion: 1, ringVersions: [1] })
  t.same(await wrong.kernel.resolve('credentialStore').list().then((l) => l.map((c) => c.hint)), ['…a1b2'], 'listing still works without decrypting')
  t.notOk([error.message, JSON.stringify(error), inspect(error), logLines.join('\n')].some((s) => s.includes(SECRET)))
})

t.test('no PLATFORM_VAULT_KEYS: the generated key file (0600) is reused on the next start; a loose one fails boot', async (t) => {
  const schema = db.newSchema()
  const dataDir = join(tmp, 'data')
  const first = await bootVault({ db, schema, dataDir })
  t.equal(statSync(join(dataDir, 'vault.key')).mode & 0o777, 0o600)
  t.same([first.kernel.resolve('authVault').keySource(), first.kernel.resolve('authVault').keyVersions()], ['file', [1]])
  const saved = await first.kernel.resolve('credentialStore').save({ providerId: 'openai', mode: 'api_key', secret: SECRET })
  await first.close()
  const second = await bootVault({ db, schema, dataDir })
  t.equal((await second.kernel.resolve('credentialStore').get(saved.id))?.secret.reveal(), SECRET, 'same key after restart')
  await second.close()
  chmodSync(join(dataDir, 'vault.key'), 0o644)
  const error = (await bootVault({ db, schema, dataDir }).catch((e: unknown) => e)) as PlatformError
  t.equal(error.code, 'AUTH_VAULT_KEY_FILE_INSECURE')
})

t.test('a malformed PLATFORM_VAULT_KEYS fails boot with AUTH_VAULT_KEYS_INVALID, echoing nothing', async (t) => {
  const key = newKey()
  const logLines: string[] = []
  const error = (await bootVault({ db, schema: db.newSchema(), keys: new Secret(`v1:${key}x`, 'PLATFORM_VAULT_KEYS'), logLines }).catch((e: unknown) => e)) as PlatformError
  t.equal(error.code, 'AUTH_VAULT_KEYS_INVALID')
  t.notOk([error.message, inspect(error), logLines.join('\n')].some((s) => s.includes(key)))
})

t.test('before start the store refuses with AUTH_VAULT_NOT_STARTED', async (t) => {
  const logger = { debug() {}, info() {}, warn() {}, error() {}, child: () => logger }
  const runtime = createVaultRuntime({ options: {}, dataDir: tmp, logger })
  await t.rejects(runtime.store.list(), { code: 'AUTH_VAULT_NOT_STARTED' })
  t.throws(() => runtime.service.keyVersions(), { code: 'AUTH_VAULT_NOT_STARTED' })
})

t.test('owners: a user\'s own credential wins for them; others and server work get the server-wide one (vault and memory store)', async (t) => {
  const { createMemoryCredentialStore } = await import('../../../kernel/ports/memory-credential-store.js')
  const { createUlidIds, systemClock } = await import('../../../kernel/ports/basics.js')
  const schema = db.newSchema()
  const tk = await bootVault({ db, schema, keys: keyRing({ 1: newKey() }) })
  t.teardown(tk.close)
  for (const [name, store] of [['vault', tk.kernel.resolve('credentialStore')], ['memory', createMemoryCredentialStore({ clock: systemClock, ids: createUlidIds() })]] as const) {
    const server = await store.save({ providerId: 'openai', mode: 'api_key', secret: 'test-key-server-0001' })
    const alice = await store.save({ providerId: 'openai', mode: 'api_key', secret: 'test-key-alice-0002', ownerId: 'usr_alice' })
    t.equal(server.ownerId, null, `${name}: server-wide`)
    t.equal(alice.ownerId, 'usr_alice')
    t.equal((await store.find('openai', 'api_key', 'usr_alice'))?.id, alice.id, `${name}: alice gets her own`)
    t.equal((await store.find('openai', 'api_key', 'usr_bob'))?.id, server.id, `${name}: bob falls back to the server-wide key`)
    t.equal((await store.find('openai', 'api_key'))?.id, server.id, `${name}: no user: server-wide, never someone's own`)
    t.equal((await store.find('openai', 'api_key', null))?.id, server.id)
    t.same((await store.list({ ownerId: 'usr_alice' })).map((c) => c.id), [alice.id])
    t.same((await store.list({ ownerId: null })).map((c) => c.id), [server.id])
    await store.delete(server.id)
    t.equal(await store.find('openai', 'api_key', 'usr_bob'), null, `${name}: bob never gets alice's`)
  }
})
