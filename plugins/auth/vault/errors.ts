/** Error codes of auth-vault (listed in README.md; never renamed or reused). */
export const VaultErrorCode = {
  /** PLATFORM_VAULT_KEYS (or the key file) is not a key ring `v2:<base64 32 bytes>,v1:<base64>`. */
  KEYS_INVALID: 'AUTH_VAULT_KEYS_INVALID',
  /** The generated key file is readable or writable by group or others. */
  KEY_FILE_INSECURE: 'AUTH_VAULT_KEY_FILE_INSECURE',
  /** The key file could not be read or created. */
  KEY_FILE_FAILED: 'AUTH_VAULT_KEY_FILE_FAILED',
  /** A row's key version is not in the ring, or its authentication tag does not verify. */
  DECRYPT_FAILED: 'AUTH_VAULT_DECRYPT_FAILED',
  /** The store was used before auth-vault started (or after shutdown). */
  NOT_STARTED: 'AUTH_VAULT_NOT_STARTED',
  /** A secret update kept losing the race against other writers of the same row. */
  WRITE_CONFLICT: 'AUTH_VAULT_WRITE_CONFLICT',
  /** POST /api/auth/credentials named a provider no enabled plugin provides. */
  PROVIDER_UNKNOWN: 'AUTH_VAULT_PROVIDER_UNKNOWN',
  /** DELETE /api/auth/credentials/:id for an id that does not exist (shared code of the auth plugins). */
  CREDENTIAL_NOT_FOUND: 'AUTH_CREDENTIAL_NOT_FOUND',
} as const
