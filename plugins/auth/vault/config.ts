import { z } from 'zod'
import { secretSchema } from '../../../kernel/index.js'

export const configSchema = z
  .object({
    /**
     * The key ring `v2:<base64 of 32 bytes>,v1:<base64>`, written as
     * env('PLATFORM_VAULT_KEYS', { optional: true }). The highest version encrypts; every listed
     * version decrypts. Unset: a key generated on first start into <kernel.dataDir>/vault.key (0600).
     */
    keys: secretSchema.optional(),
  })
  .strict()

export type AuthVaultOptions = z.output<typeof configSchema>
