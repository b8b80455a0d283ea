import t from 'tap'
import type { PlatformError } from '../../../kernel/index.js'
import { IV_BYTES, seal, TAG_BYTES, unseal } from './cipher.js'
import { parseKeyRing } from './keyring.js'
import { newKey } from './test-support.js'

const k1 = newKey()
const k2 = newKey()
const ring = parseKeyRing(`v2:${k2},v1:${k1}`, 'test', 'env')
const row = { id: 'cred_A', providerId: 'anthropic', mode: 'oauth' }
const payload = { secret: 'test-access-token-0000-secret', refreshToken: 'test-refresh-token-0000-secret' }

t.test('round trip under the newest key; a fresh 12-byte IV and a 16-byte tag per write', async (t) => {
  const a = seal(ring, payload, row)
  const b = seal(ring, payload, row)
  t.equal(a.keyVersion, 2)
  t.equal(a.iv.length, IV_BYTES)
  t.equal(a.authTag.length, TAG_BYTES)
  t.notSame(a.iv, b.iv, 'never the same IV twice')
  t.notSame(a.ciphertext, b.ciphertext)
  t.same(unseal(ring, a, row), payload)
  t.same(unseal(ring, seal(ring, { secret: 'k', refreshToken: null }, row), row), { secret: 'k', refreshToken: null })
  t.notOk(a.ciphertext.toString('latin1').includes('test-access'), 'the ciphertext does not carry the plaintext')
})

t.test('an older version in the ring still decrypts', async (t) => {
  const old = seal(parseKeyRing(`v1:${k1}`, 'test', 'env'), payload, row)
  t.equal(old.keyVersion, 1)
  t.same(unseal(ring, old, row), payload)
})

t.test('AAD binds the ciphertext to id, provider and mode', async (t) => {
  const sealed = seal(ring, payload, row)
  for (const other of [{ ...row, id: 'cred_B' }, { ...row, providerId: 'openai' }, { ...row, mode: 'api_key' }]) {
    t.throws(() => unseal(ring, sealed, other), { code: 'AUTH_VAULT_DECRYPT_FAILED', message: /authentication tag does not verify/ })
  }
})

t.test('a wrong key, a missing version or altered bytes: AUTH_VAULT_DECRYPT_FAILED naming id and version, never the secret', async (t) => {
  const sealed = seal(ring, payload, row)
  const wrongKey = parseKeyRing(`v2:${newKey()}`, 'test', 'env')
  const wrong = t.throws(() => unseal(wrongKey, sealed, row)) as PlatformError
  t.equal(wrong.code, 'AUTH_VAULT_DECRYPT_FAILED')
  t.match(wrong.message, /^Credential cred_A \(key version 2\) cannot be decrypted: its authentication tag does not verify: the v2 key in the ring is not the one that encrypted it/)
  t.same(wrong.details, { credentialId: 'cred_A', keyVersion: 2, ringVersions: [2] })
  const missing = t.throws(() => unseal(parseKeyRing(`v3:${k2}`, 'test', 'env'), sealed, row)) as PlatformError
  t.match(missing.message, /key version 2\) cannot be decrypted: the key ring \(from PLATFORM_VAULT_KEYS\) holds versions v3, not v2/)
  const flipped = Buffer.from(sealed.ciphertext)
  flipped[0] = flipped[0]! ^ 1
  t.throws(() => unseal(ring, { ...sealed, ciphertext: flipped }, row), { code: 'AUTH_VAULT_DECRYPT_FAILED' })
  t.throws(() => unseal(ring, { ...sealed, authTag: Buffer.alloc(TAG_BYTES) }, row), { code: 'AUTH_VAULT_DECRYPT_FAILED' })
  for (const error of [wrong, missing]) t.notMatch(JSON.stringify({ m: error.message, d: error.details }), /test-(access|refresh)-token/)
})
