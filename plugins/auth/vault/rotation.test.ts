import t from 'tap'
import type { PlatformError } from '../../../kernel/index.js'
import type { TestKernel } from '../../../kernel/testing/index.js'
import { bootVault, keyRing, newKey, openTestDatabase } from './test-support.js'

const db = await openTestDatabase()
t.teardown(() => db.close())

const k1 = newKey()
const k2 = newKey()

async function runRotate(tk: TestKernel): Promise<{ code: number; out: string[] }> {
  const out: string[] = []
  const command = tk.kernel.registries.commands.get('vault-rotate')
  if (!command) throw new Error('vault-rotate is not registered')
  return { code: await command.run([], { out: (line) => out.push(line) }), out }
}

const versionsIn = async (tk: TestKernel, schema: string) =>
  tk.kernel.resolve('persistencePostgres').query<{ id: string; key_version: number; rotated: boolean }>(
    `select "id", "key_version", "rotated_at" is not null as "rotated" from "${schema}"."auth_credential" order by "id"`,
  )

t.test('rotation: old rows stay readable, vault-rotate moves them to the new version, then the old key can go', async (t) => {
  const schema = db.newSchema()
  const v1 = await bootVault({ db, schema, keys: keyRing({ 1: k1 }) })
  const store1 = v1.kernel.resolve('credentialStore')
  const a = await store1.save({ providerId: 'anthropic', mode: 'api_key', secret: 'test-key-0000-aaaa' })
  const b = await store1.save({ providerId: 'codex', mode: 'oauth', secret: 'test-token-0000-bbbb', refreshToken: 'test-refresh-0000-bbbb' })
  await v1.close()

  const logLines: string[] = []
  const v2 = await bootVault({ db, schema, keys: keyRing({ 2: k2, 1: k1 }), logLines })
  const store2 = v2.kernel.resolve('credentialStore')
  t.equal((await store2.get(a.id))?.secret.reveal(), 'test-key-0000-aaaa', 'a v1 row decrypts with v1 still in the ring')
  const c = await store2.save({ providerId: 'openai', mode: 'api_key', secret: 'test-key-0000-cccc' })
  t.equal(c.keyVersion, 2, 'new writes use the newest version')
  t.same(await v2.kernel.resolve('authVault').countByKeyVersion(), { 1: 2, 2: 1 })

  const { code, out } = await runRotate(v2)
  t.equal(code, 0)
  t.same(out, ['vault-rotate: 2 credential(s) re-encrypted under key v2 (2 from v1); 1 already under v2; 0 rewritten meanwhile by another writer; 3 in total.'])
  t.same(await versionsIn(v2, schema), [
    { id: a.id, key_version: 2, rotated: true },
    { id: b.id, key_version: 2, rotated: true },
    { id: c.id, key_version: 2, rotated: false },
  ].sort((x, y) => (x.id < y.id ? -1 : 1)))
  t.match(logLines.find((l) => l.includes('re-encrypted under the newest key')), /"rotated":2,"alreadyCurrent":1/)
  t.same(await runRotate(v2).then((r) => r.out[0]), 'vault-rotate: 0 credential(s) re-encrypted under key v2; 3 already under v2; 0 rewritten meanwhile by another writer; 3 in total.', 'running it again changes nothing')
  await v2.close()

  const only2 = await bootVault({ db, schema, keys: keyRing({ 2: k2 }) })
  t.teardown(only2.close)
  const store = only2.kernel.resolve('credentialStore')
  t.equal((await store.get(a.id))?.secret.reveal(), 'test-key-0000-aaaa')
  const token = await store.get(b.id)
  t.same([token?.secret.reveal(), token?.refreshToken?.reveal()], ['test-token-0000-bbbb', 'test-refresh-0000-bbbb'])
  t.same((await store.list()).map((info) => info.keyVersion), [2, 2, 2], 'CredentialInfo shows the key version')
})

t.test('rotation is all or nothing: one undecryptable row and no row changes', async (t) => {
  const schema = db.newSchema()
  const v1 = await bootVault({ db, schema, keys: keyRing({ 1: k1 }) })
  const good = await v1.kernel.resolve('credentialStore').save({ providerId: 'anthropic', mode: 'api_key', secret: 'test-key-0000-good' })
  await v1.close()
  const stranger = await bootVault({ db, schema, keys: keyRing({ 5: newKey() }) })
  const orphan = await stranger.kernel.resolve('credentialStore').save({ providerId: 'openai', mode: 'api_key', secret: 'test-key-0000-orphan' })
  await stranger.close()

  const v2 = await bootVault({ db, schema, keys: keyRing({ 6: k2, 1: k1 }) })
  t.teardown(v2.close)
  const before = await versionsIn(v2, schema)
  const error = (await runRotate(v2).catch((e: unknown) => e)) as PlatformError
  t.equal(error.code, 'AUTH_VAULT_DECRYPT_FAILED')
  t.match(error.message, `Key rotation changed nothing: 1 credential(s) cannot be decrypted with the key ring (versions 6, 1): ${orphan.id} (key version 5)`)
  t.same(error.details?.failures, [{ credentialId: orphan.id, keyVersion: 5 }])
  t.same(await versionsIn(v2, schema), before, 'nothing was rewritten')
  t.equal((await v2.kernel.resolve('credentialStore').get(good.id))?.secret.reveal(), 'test-key-0000-good')
  await v2.kernel.resolve('credentialStore').delete(orphan.id)
  t.match((await runRotate(v2)).out[0], /1 credential\(s\) re-encrypted under key v6 \(1 from v1\)/, 'after removing it, rotation goes through')
})
