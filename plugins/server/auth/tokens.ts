import { createHash, randomBytes, timingSafeEqual } from 'node:crypto'

/** The visible start of every token, so leaked ones are easy to find in logs and code. */
export const TOKEN_PREFIX = 'apt_'

/** A new API token: the prefix and 32 random bytes, base64url. Shown once; only its hash is stored. */
export function newToken(): string {
  return TOKEN_PREFIX + randomBytes(32).toString('base64url')
}

/** Tokens are high-entropy random strings: SHA-256 is enough to store them (no password stretching needed). */
export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex')
}

/** Compare two strings in time independent of where they differ (hashes first, so lengths match). */
export function sameSecret(a: string, b: string): boolean {
  const left = createHash('sha256').update(a, 'utf8').digest()
  const right = createHash('sha256').update(b, 'utf8').digest()
  return timingSafeEqual(left, right)
}

/** The part of a token that may be shown in lists (prefix and 6 characters). */
export const tokenHint = (token: string): string => token.slice(0, TOKEN_PREFIX.length + 6)
