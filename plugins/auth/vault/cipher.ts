import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto'
import { PlatformError } from '../../../kernel/index.js'
import { VaultErrorCode } from './errors.js'
import type { KeyRing } from './keyring.js'

const ALGORITHM = 'aes-256-gcm'
export const IV_BYTES = 12
export const TAG_BYTES = 16

/** What is encrypted: the secret and the refresh token, as one JSON document. */
export interface VaultPayload {
  secret: string
  refreshToken: string | null
}

/** The encrypted form stored in a row. */
export interface Sealed {
  ciphertext: Buffer
  iv: Buffer
  authTag: Buffer
  keyVersion: number
}

/** The row fields the ciphertext is bound to: moving a ciphertext to another row makes it fail. */
export interface RowIdentity {
  id: string
  providerId: string
  mode: string
}

export const aadOf = (row: RowIdentity): Buffer => Buffer.from(`${row.id}|${row.providerId}|${row.mode}`, 'utf8')

/** Encrypt under the ring's newest key with a fresh 12-byte IV; AAD = `id|provider_id|mode`. */
export function seal(ring: KeyRing, payload: VaultPayload, row: RowIdentity): Sealed {
  const keyVersion = ring.current
  const iv = randomBytes(IV_BYTES)
  const cipher = createCipheriv(ALGORITHM, ring.key(keyVersion)!, iv, { authTagLength: TAG_BYTES })
  cipher.setAAD(aadOf(row))
  const plaintext = Buffer.from(JSON.stringify({ secret: payload.secret, refreshToken: payload.refreshToken }), 'utf8')
  const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()])
  plaintext.fill(0)
  return { ciphertext, iv, authTag: cipher.getAuthTag(), keyVersion }
}

function decryptFailed(row: RowIdentity, keyVersion: number, reason: string, ring: KeyRing): PlatformError {
  return new PlatformError(
    VaultErrorCode.DECRYPT_FAILED,
    `Credential ${row.id} (key version ${keyVersion}) cannot be decrypted: ${reason}. ` +
      'Restore the key that encrypted it (PLATFORM_VAULT_KEYS or <dataDir>/vault.key), or delete the credential and store it again.',
    { details: { credentialId: row.id, keyVersion, ringVersions: ring.versions } },
  )
}

/** Decrypt a row; AUTH_VAULT_DECRYPT_FAILED names the credential and key version, never the secret. */
export function unseal(ring: KeyRing, sealed: Sealed, row: RowIdentity): VaultPayload {
  const key = ring.key(sealed.keyVersion)
  if (!key) {
    const reason = `the key ring (from ${ring.source === 'env' ? 'PLATFORM_VAULT_KEYS' : 'the key file'}) holds versions ${ring.versions.map((v) => `v${v}`).join(', ')}, not v${sealed.keyVersion}`
    throw decryptFailed(row, sealed.keyVersion, reason, ring)
  }
  let plaintext: Buffer
  try {
    const decipher = createDecipheriv(ALGORITHM, key, sealed.iv, { authTagLength: TAG_BYTES })
    decipher.setAAD(aadOf(row))
    decipher.setAuthTag(sealed.authTag)
    plaintext = Buffer.concat([decipher.update(sealed.ciphertext), decipher.final()])
  } catch {
    throw decryptFailed(row, sealed.keyVersion, `its authentication tag does not verify: the v${sealed.keyVersion} key in the ring is not the one that encrypted it, or the row was altered`, ring)
  }
  try {
    const parsed = JSON.parse(plaintext.toString('utf8')) as Partial<VaultPayload>
    if (typeof parsed.secret !== 'string') throw new Error('no secret')
    return { secret: parsed.secret, refreshToken: typeof parsed.refreshToken === 'string' ? parsed.refreshToken : null }
  } catch {
    throw decryptFailed(row, sealed.keyVersion, 'the decrypted payload is not a vault document', ring)
  } finally {
    plaintext.fill(0)
  }
}
