import { PlatformError } from '../../../kernel/index.js'
import type { ServerAuthOptions } from './config.js'
import type { AuthStore, Role } from './store.js'
import { hashToken, sameSecret } from './tokens.js'

/** Who is calling: a user with a token, the bootstrap token, or the local admin on loopback. */
export interface Principal {
  /** null for the local admin (no token, loopback) and the bootstrap token. */
  userId: string | null
  name: string
  role: Role
  tokenId: string | null
}

export const LOCAL_ADMIN: Principal = Object.freeze({ userId: null, name: 'local', role: 'admin', tokenId: null })

export const AuthErrorCode = {
  TOKEN_REQUIRED: 'AUTH_TOKEN_REQUIRED',
  TOKEN_INVALID: 'AUTH_TOKEN_INVALID',
  FORBIDDEN: 'AUTH_FORBIDDEN',
  RATE_LIMITED: 'AUTH_RATE_LIMITED',
  USER_INVALID: 'AUTH_USER_INVALID',
  TOKEN_NOT_FOUND: 'AUTH_TOKEN_NOT_FOUND',
} as const

const bearer = (header: string | undefined): string | null => {
  if (!header) return null
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header)
  return match ? match[1] : null
}

/**
 * Resolve a request's principal. Tokens come as `Authorization: Bearer <token>`. With no token the
 * caller is the local admin when tokens are not required (the server listens on loopback only).
 */
export function createAuthenticator(deps: { options: ServerAuthOptions; store: () => AuthStore; now: () => Date; env?: NodeJS.ProcessEnv }) {
  const env = deps.env ?? process.env
  const lastTouched = new Map<string, number>()
  return async function authenticate(request: { authorization?: string; tokensRequired: boolean }): Promise<Principal> {
    const token = bearer(request.authorization)
    if (request.authorization && !token) {
      throw new PlatformError(AuthErrorCode.TOKEN_INVALID, 'The Authorization header must be "Bearer <token>".', { httpStatus: 401 })
    }
    if (!token) {
      if (request.tokensRequired || deps.options.requireTokens) {
        throw new PlatformError(AuthErrorCode.TOKEN_REQUIRED, 'This server needs an API token: send "Authorization: Bearer <token>" (create one with `npm run cli -- tokens create <user> [admin|member]`).', { httpStatus: 401 })
      }
      return LOCAL_ADMIN
    }
    const bootstrap = env[deps.options.bootstrapTokenEnv]
    if (bootstrap && sameSecret(token, bootstrap)) return { userId: null, name: 'bootstrap', role: 'admin', tokenId: null }
    const found = await deps.store().findByHash(hashToken(token))
    if (!found) throw new PlatformError(AuthErrorCode.TOKEN_INVALID, 'The API token is unknown or revoked.', { httpStatus: 401 })
    // Record use at most once a minute per token: not a write per request.
    const now = deps.now().getTime()
    if ((lastTouched.get(found.id) ?? 0) < now - 60_000) {
      lastTouched.set(found.id, now)
      void deps.store().touch(found.id, new Date(now).toISOString()).catch(() => undefined)
    }
    return { userId: found.userId, name: found.userName, role: found.role, tokenId: found.id }
  }
}
export type Authenticate = ReturnType<typeof createAuthenticator>
