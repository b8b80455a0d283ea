import type { RotationReport } from './rotate.js'

export type { RotationReport } from './rotate.js'

/**
 * The public surface of auth-vault (import type only, from plugins that list it in dependsOn).
 * The credentials themselves are reached through the kernel's `credentialStore` port, which
 * auth-vault replaces.
 */
export interface AuthVaultService {
  /** Key versions in the ring, newest (the one that encrypts) first. Valid after lifecycle.start. */
  keyVersions(): number[]
  /** Where the ring came from: `env` (PLATFORM_VAULT_KEYS) or `file` (<dataDir>/vault.key). */
  keySource(): 'env' | 'file'
  /** Stored credentials by the key version that encrypts them, e.g. `{ "1": 3, "2": 5 }`. */
  countByKeyVersion(): Promise<Record<string, number>>
  /** Re-encrypt every row under the newest key version (one statement: all rows or none). */
  rotate(): Promise<RotationReport>
}

declare module '../../../kernel/services.js' {
  interface KernelServices {
    authVault: AuthVaultService
  }
}
