import type { Principal } from './principal.js'

export type { Principal } from './principal.js'

/** server-http asks this service who a request comes from (when server-auth is enabled). */
export interface ServerAuthService {
  /** Resolve the caller; throws a 401 PlatformError for a missing (when required) or bad token. */
  authenticate(request: { authorization?: string; tokensRequired: boolean }): Promise<Principal>
  /** Requests per minute allowed per token (0 = no limit). */
  rateLimitPerMinute: number
  corsOrigins: string[]
}

declare module '../../../kernel/services.js' {
  interface KernelServices {
    serverAuth: ServerAuthService
  }
}
