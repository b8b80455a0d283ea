import { UnauthorizedError } from '@modelcontextprotocol/sdk/client/auth.js'
import { SseError } from '@modelcontextprotocol/sdk/client/sse.js'
import { StreamableHTTPError } from '@modelcontextprotocol/sdk/client/streamableHttp.js'
import { ErrorCode, McpError } from '@modelcontextprotocol/sdk/types.js'
import { isPlatformError, PlatformError } from '../../../kernel/index.js'
import { describeError, McpErrorCode } from './errors.js'

/** A 401 from a remote server (with or without an auth provider plugged in): the server needs an authorization. */
export function isUnauthorized(error: unknown): boolean {
  if (error instanceof UnauthorizedError) return true
  return (error instanceof StreamableHTTPError || error instanceof SseError) && error.code === 401
}

/** The `needs-auth` reason: what the 401 came with (our provider says why), and how to authorize. */
export function needsAuthReason(server: string, error: unknown): string {
  const detail = error instanceof UnauthorizedError && error.message && error.message !== 'Unauthorized' ? ` (${describeError(error)})` : ''
  return `the server answered 401${detail}: authorize it with POST /api/mcp/servers/${server}/auth/start`
}

/** The connection is gone: the stdio process exited, or a remote server stopped answering. */
export function isConnectionLost(error: unknown): boolean {
  if (error instanceof McpError) return error.code === ErrorCode.ConnectionClosed
  if (error instanceof StreamableHTTPError || error instanceof SseError) return true
  // Node's fetch: "fetch failed" with ECONNREFUSED / ECONNRESET / UND_ERR_SOCKET underneath.
  return error instanceof TypeError && /fetch failed|terminated|socket/i.test(error.message)
}

/**
 * An SDK error as a PlatformError that says what happened and what to do. `what` names the request
 * (`tool echo`, `prompt args-prompt`), `timeoutMs` the limit that was applied.
 */
export function toPlatformError(error: unknown, server: string, what: string, timeoutMs: number, signal?: AbortSignal): PlatformError {
  if (isPlatformError(error)) return error
  if (signal?.aborted) {
    return new PlatformError(McpErrorCode.CANCELLED, `The ${what} call to MCP server "${server}" was cancelled; the server was told to stop (notifications/cancelled).`, {
      details: { server },
    })
  }
  if (error instanceof McpError && error.code === ErrorCode.RequestTimeout) {
    return new PlatformError(McpErrorCode.TIMEOUT, `MCP server "${server}" did not answer the ${what} call within ${timeoutMs} ms. Raise servers.${server}.timeouts.callMs if it is just slow.`, {
      httpStatus: 504,
      retryable: true,
      details: { server, timeoutMs },
    })
  }
  if (isConnectionLost(error)) {
    return new PlatformError(
      McpErrorCode.SERVER_DISCONNECTED,
      `MCP server "${server}" went away during the ${what} call (${describeError(error)}): the process exited or the connection dropped. It is reconnecting; try again shortly.`,
      { httpStatus: 503, retryable: true, details: { server } },
    )
  }
  return new PlatformError(McpErrorCode.REQUEST_FAILED, `MCP server "${server}" refused the ${what} call: ${describeError(error)}`, {
    httpStatus: 502,
    details: { server, ...(error instanceof McpError ? { mcpCode: error.code } : {}) },
  })
}
