import type { ProviderAuthStatus } from './status.js'

export type { ActiveCredential, ProviderAuthStatus } from './status.js'

/** The public surface of auth-api-key (import type only, from plugins that list it in dependsOn). */
export interface AuthApiKeyService {
  /** Environment variables read for a provider, in order (for messages such as "set ANTHROPIC_API_KEY"). */
  envNames(providerId: string): string[]
  /** What GET /api/auth/providers answers: per provider, the modes usable now and where the key comes from. */
  status(): Promise<ProviderAuthStatus[]>
}

declare module '../../../kernel/services.js' {
  interface KernelServices {
    authApiKey: AuthApiKeyService
  }
}
