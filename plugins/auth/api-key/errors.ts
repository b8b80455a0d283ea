/** Error codes of auth-api-key (listed in README.md; never renamed or reused). */
export const ApiKeyErrorCode = {
  /** A credential source threw something that is not a PlatformError (shown by GET /api/auth/providers). */
  SOURCE_FAILED: 'AUTH_API_KEY_SOURCE_FAILED',
} as const
