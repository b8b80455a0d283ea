import { PlatformError } from '../../../kernel/index.js'

/** Error codes of tool-web (listed in the README; never renamed or reused). */
export const WebErrorCode = {
  INVALID_URL: 'TOOL_WEB_INVALID_URL',
  BLOCKED_ADDRESS: 'TOOL_WEB_BLOCKED_ADDRESS',
  DNS_FAILED: 'TOOL_WEB_DNS_FAILED',
  CONNECT_FAILED: 'TOOL_WEB_CONNECT_FAILED',
  TOO_MANY_REDIRECTS: 'TOOL_WEB_TOO_MANY_REDIRECTS',
  HTTP_ERROR: 'TOOL_WEB_HTTP_ERROR',
  UNSUPPORTED_TYPE: 'TOOL_WEB_UNSUPPORTED_TYPE',
  TOO_LARGE: 'TOOL_WEB_TOO_LARGE',
  TIMEOUT: 'TOOL_WEB_TIMEOUT',
  ABORTED: 'TOOL_WEB_ABORTED',
} as const

export type WebErrorCode = (typeof WebErrorCode)[keyof typeof WebErrorCode]

export function webError(code: WebErrorCode, message: string, details?: Record<string, unknown>, cause?: unknown): PlatformError {
  return new PlatformError(code, message, { details, cause, httpStatus: 400 })
}
