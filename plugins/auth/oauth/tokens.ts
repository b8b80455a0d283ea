import { createHash, randomBytes } from 'node:crypto'
import type { Credential, CredentialPatch } from '../../../kernel/index.js'
import { OAuthErrorCode, oauthError } from './errors.js'

/** What a token endpoint gave us, normalised. `meta` holds non-secret facts (accountId, email). */
export interface TokenSet {
  accessToken: string
  refreshToken?: string
  /** ISO time. */
  expiresAt: string
  scopes?: string[]
  meta: Record<string, unknown>
}

/** PKCE S256: verifier = `bytes` random bytes base64url; challenge = base64url(SHA-256(verifier)). */
export function pkcePair(bytes: number): { verifier: string; challenge: string } {
  const verifier = randomBytes(bytes).toString('base64url')
  return { verifier, challenge: challengeOf(verifier) }
}

export function challengeOf(verifier: string): string {
  return createHash('sha256').update(verifier).digest('base64url')
}

export function randomToken(bytes: number, encoding: 'base64url' | 'hex' = 'base64url'): string {
  return randomBytes(bytes).toString(encoding)
}

/** now + expires_in seconds; a missing, zero or invalid expires_in counts as 3600 (llxprt §4.1, §7.4). */
export function expiresAtFrom(expiresIn: unknown, now: Date): string {
  const seconds = typeof expiresIn === 'string' ? Number(expiresIn) : expiresIn
  const valid = typeof seconds === 'number' && Number.isFinite(seconds) && seconds > 0
  return new Date(now.getTime() + (valid ? seconds : 3600) * 1000).toISOString()
}

/** The fields every token response shares; throws when access_token is missing. */
export function baseTokenSet(data: Record<string, unknown> | null, now: Date, providerLabel: string): TokenSet {
  const accessToken = data?.access_token
  if (typeof accessToken !== 'string' || accessToken === '') {
    throw oauthError(OAuthErrorCode.TOKEN_RESPONSE_INVALID, `The ${providerLabel} token endpoint answered without an access_token; try logging in again.`, { httpStatus: 502 })
  }
  const refreshToken = typeof data?.refresh_token === 'string' && data.refresh_token !== '' ? data.refresh_token : undefined
  const scope = typeof data?.scope === 'string' ? data.scope.split(/\s+/).filter(Boolean) : undefined
  return { accessToken, ...(refreshToken ? { refreshToken } : {}), expiresAt: expiresAtFrom(data?.expires_in, now), ...(scope?.length ? { scopes: scope } : {}), meta: {} }
}

/** The payload of a JWT, decoded without checking the signature (as the reference does). */
export function jwtPayload(token: string): Record<string, unknown> | null {
  const parts = token.split('.')
  if (parts.length !== 3) return null
  try {
    const value: unknown = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8'))
    return value && typeof value === 'object' ? (value as Record<string, unknown>) : null
  } catch {
    return null
  }
}

const nonEmpty = (value: unknown): string | undefined => (typeof value === 'string' && value !== '' ? value : undefined)

/**
 * ChatGPT account id from a Codex id_token (§7.4): `https://api.openai.com/auth`.chatgpt_account_id,
 * then that object's account_id, then a root account_id; empty strings are skipped.
 */
export function codexAccountId(payload: Record<string, unknown> | null): string | undefined {
  const auth = payload?.['https://api.openai.com/auth'] as Record<string, unknown> | undefined
  return nonEmpty(auth?.chatgpt_account_id) ?? nonEmpty(auth?.account_id) ?? nonEmpty(payload?.account_id)
}

/** Drop undefined values so a refresh response that omits a fact keeps the stored one. */
export function definedOnly(meta: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(meta).filter(([, value]) => value !== undefined && value !== null && value !== ''))
}

/**
 * The stored credential after a refresh (§12.5): new access token and expiry; the new refresh
 * token, or the old one when none was returned; refreshed facts merged over the old ones.
 */
export function mergeRefreshed(current: Credential, fresh: TokenSet): CredentialPatch {
  return {
    secret: fresh.accessToken,
    refreshToken: fresh.refreshToken ?? current.refreshToken?.reveal() ?? null,
    expiresAt: fresh.expiresAt,
    meta: { ...(current.meta ?? {}), ...definedOnly(fresh.meta) },
    status: 'active',
  }
}
