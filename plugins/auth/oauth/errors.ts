import { PlatformError } from '../../../kernel/index.js'

/** Error codes of auth-oauth (listed in README.md; never renamed or reused). */
export const OAuthErrorCode = {
  PROVIDER_UNKNOWN: 'AUTH_OAUTH_PROVIDER_UNKNOWN',
  PROVIDER_DISABLED: 'AUTH_OAUTH_PROVIDER_DISABLED',
  FLOW_UNSUPPORTED: 'AUTH_OAUTH_FLOW_UNSUPPORTED',
  FLOW_NOT_FOUND: 'AUTH_OAUTH_FLOW_NOT_FOUND',
  FLOW_NOT_PENDING: 'AUTH_OAUTH_FLOW_NOT_PENDING',
  FLOW_EXPIRED: 'AUTH_OAUTH_FLOW_EXPIRED',
  FLOW_BUSY: 'AUTH_OAUTH_FLOW_BUSY',
  STATE_MISMATCH: 'AUTH_OAUTH_STATE_MISMATCH',
  CODE_MISSING: 'AUTH_OAUTH_CODE_MISSING',
  AUTHORIZATION_DENIED: 'AUTH_OAUTH_AUTHORIZATION_DENIED',
  PORT_IN_USE: 'AUTH_OAUTH_PORT_IN_USE',
  CALLBACK_FAILED: 'AUTH_OAUTH_CALLBACK_FAILED',
  TOKEN_EXCHANGE_FAILED: 'AUTH_OAUTH_TOKEN_EXCHANGE_FAILED',
  TOKEN_RESPONSE_INVALID: 'AUTH_OAUTH_TOKEN_RESPONSE_INVALID',
  ACCOUNT_ID_MISSING: 'AUTH_OAUTH_ACCOUNT_ID_MISSING',
  DEVICE_CODE_FAILED: 'AUTH_OAUTH_DEVICE_CODE_FAILED',
  DEVICE_POLL_FAILED: 'AUTH_OAUTH_DEVICE_POLL_FAILED',
  DEVICE_EXPIRED: 'AUTH_OAUTH_DEVICE_EXPIRED',
  NETWORK_FAILED: 'AUTH_OAUTH_NETWORK_FAILED',
  REFRESH_FAILED: 'AUTH_OAUTH_REFRESH_FAILED',
  REFRESH_TOKEN_MISSING: 'AUTH_OAUTH_REFRESH_TOKEN_MISSING',
  REFRESH_LOCK_TIMEOUT: 'AUTH_OAUTH_REFRESH_LOCK_TIMEOUT',
  REVOKE_FAILED: 'AUTH_OAUTH_REVOKE_FAILED',
} as const
export type OAuthErrorCodeValue = (typeof OAuthErrorCode)[keyof typeof OAuthErrorCode]

export interface OAuthErrorOptions {
  httpStatus?: number
  retryable?: boolean
  cause?: unknown
  details?: Record<string, unknown>
}

export function oauthError(code: OAuthErrorCodeValue, message: string, options: OAuthErrorOptions = {}): PlatformError {
  return new PlatformError(code, message, { httpStatus: 400, ...options })
}

/** {code, message} of any error, for flow records and status (never a stack, never a token). */
export function errorSummary(error: unknown): { code: string; message: string } {
  const e = error as { code?: unknown; message?: unknown }
  const code = typeof e?.code === 'string' && /^[A-Z][A-Z0-9_]+$/.test(e.code) ? e.code : OAuthErrorCode.CALLBACK_FAILED
  return { code, message: typeof e?.message === 'string' ? e.message : String(error) }
}
