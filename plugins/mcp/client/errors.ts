import { PlatformError } from '../../../kernel/index.js'

/** Error codes of mcp-client (stable; listed in the README). */
export const McpErrorCode = {
  SERVER_NOT_FOUND: 'MCP_SERVER_NOT_FOUND',
  SERVER_EXISTS: 'MCP_SERVER_EXISTS',
  SERVER_FROM_CONFIG: 'MCP_SERVER_FROM_CONFIG',
  SERVER_UNAVAILABLE: 'MCP_SERVER_UNAVAILABLE',
  SERVER_DISCONNECTED: 'MCP_SERVER_DISCONNECTED',
  STDIO_FROM_API_DISABLED: 'MCP_STDIO_FROM_API_DISABLED',
  SECRET_MISSING: 'MCP_SECRET_MISSING',
  PROMPT_NOT_FOUND: 'MCP_PROMPT_NOT_FOUND',
  PROMPT_ARGUMENTS_INVALID: 'MCP_PROMPT_ARGUMENTS_INVALID',
  RESOURCE_NOT_FOUND: 'MCP_RESOURCE_NOT_FOUND',
  REQUEST_FAILED: 'MCP_REQUEST_FAILED',
  TIMEOUT: 'MCP_TIMEOUT',
  CANCELLED: 'MCP_CANCELLED',
  OAUTH_NOT_REMOTE: 'MCP_OAUTH_NOT_REMOTE',
  OAUTH_REDIRECT_UNKNOWN: 'MCP_OAUTH_REDIRECT_UNKNOWN',
  OAUTH_START_FAILED: 'MCP_OAUTH_START_FAILED',
  OAUTH_FLOW_NOT_FOUND: 'MCP_OAUTH_FLOW_NOT_FOUND',
  OAUTH_FLOW_EXPIRED: 'MCP_OAUTH_FLOW_EXPIRED',
  OAUTH_FLOW_NOT_PENDING: 'MCP_OAUTH_FLOW_NOT_PENDING',
  OAUTH_STATE_MISMATCH: 'MCP_OAUTH_STATE_MISMATCH',
  OAUTH_CODE_MISSING: 'MCP_OAUTH_CODE_MISSING',
  OAUTH_DENIED: 'MCP_OAUTH_DENIED',
  OAUTH_EXCHANGE_FAILED: 'MCP_OAUTH_EXCHANGE_FAILED',
} as const

export function serverNotFound(name: string): PlatformError {
  return new PlatformError(McpErrorCode.SERVER_NOT_FOUND, `No MCP server is named "${name}"; list them with GET /api/mcp/servers.`, {
    httpStatus: 404,
    details: { server: name },
  })
}

export function serverExists(name: string): PlatformError {
  return new PlatformError(McpErrorCode.SERVER_EXISTS, `An MCP server named "${name}" exists already; pick another name or DELETE it first.`, {
    httpStatus: 409,
    details: { server: name },
  })
}

/** The server is not connected (failed, needs auth, disabled, or still connecting after the wait). */
export function serverUnavailable(name: string, state: string, reason?: string): PlatformError {
  const why = reason ? ` (${reason})` : ''
  const hint =
    state === 'needs-auth'
      ? 'It needs an authorization before it can be used.'
      : state === 'disabled'
        ? 'It is disabled in the config file.'
        : 'It reconnects by itself; try again shortly, or restart it with POST /api/mcp/servers/:name/restart.'
  return new PlatformError(McpErrorCode.SERVER_UNAVAILABLE, `The MCP server "${name}" is not connected: it is ${state}${why}. ${hint}`, {
    httpStatus: 503,
    retryable: state !== 'disabled',
    details: { server: name, state },
  })
}

/** A message from an SDK or network error, without stack or request bodies. */
export function describeError(error: unknown): string {
  if (error instanceof Error) return error.message.replace(/\s+/g, ' ').slice(0, 500)
  return String(error).slice(0, 500)
}
