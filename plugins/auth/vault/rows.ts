import type { AuthMode, Credential, CredentialInfo } from '../../../kernel/index.js'
import { Secret } from '../../../kernel/index.js'
import type { Sealed, VaultPayload } from './cipher.js'

/** The non-secret columns, as selected by INFO_COLUMNS. */
export interface InfoRow {
  id: string
  provider_id: string
  mode: AuthMode
  label: string | null
  hint: string
  status: CredentialInfo['status']
  expires_at: string | null
  scopes: string[]
  meta: Record<string, unknown>
  key_version: number
  owner_id: string | null
  created_at: string
  updated_at: string
  last_used_at: string | null
}

/** A full row: the non-secret columns plus the encrypted payload. */
export interface SealedRow extends InfoRow {
  ciphertext: Buffer
  iv: Buffer
  auth_tag: Buffer
}

export const INFO_COLUMNS =
  '"id", "provider_id", "mode", "label", "hint", "status", "expires_at", "scopes", "meta", "key_version", "owner_id", "created_at", "updated_at", "last_used_at"'
export const SEALED_COLUMNS = `${INFO_COLUMNS}, "ciphertext", "iv", "auth_tag"`

const iso = (value: string | Date): string => new Date(value).toISOString()
const isoOrNull = (value: string | Date | null): string | null => (value === null ? null : iso(value))

export function toInfo(row: InfoRow): CredentialInfo {
  return {
    id: row.id,
    providerId: row.provider_id,
    mode: row.mode,
    label: row.label,
    hint: row.hint,
    status: row.status,
    expiresAt: isoOrNull(row.expires_at),
    scopes: row.scopes,
    meta: row.meta,
    ownerId: row.owner_id ?? null,
    keyVersion: row.key_version,
    createdAt: iso(row.created_at),
    updatedAt: iso(row.updated_at),
    lastUsedAt: isoOrNull(row.last_used_at),
  }
}

export const sealedOf = (row: SealedRow): Sealed => ({ ciphertext: row.ciphertext, iv: row.iv, authTag: row.auth_tag, keyVersion: row.key_version })
export const identityOf = (row: InfoRow) => ({ id: row.id, providerId: row.provider_id, mode: row.mode })

/** A decrypted row as the kernel's Credential (secrets wrapped in Secret at once). */
export function toCredential(row: InfoRow, payload: VaultPayload): Credential {
  return {
    id: row.id,
    providerId: row.provider_id,
    mode: row.mode,
    secret: new Secret(payload.secret, `credential:${row.id}`),
    ...(payload.refreshToken ? { refreshToken: new Secret(payload.refreshToken, `credential:${row.id}:refresh`) } : {}),
    expiresAt: isoOrNull(row.expires_at),
    scopes: [...row.scopes],
    source: 'vault',
    label: row.label ?? undefined,
    meta: { ...row.meta },
    ownerId: row.owner_id ?? null,
  }
}
