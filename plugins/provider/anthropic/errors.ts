import { APIConnectionError, APIError } from '@anthropic-ai/sdk'
import { parseRetryAfter, PlatformError, type RetryDecision, type StreamChunk } from '../../../kernel/index.js'

export const AnthropicErrorCode = {
  RATE_LIMITED: 'PROVIDER_ANTHROPIC_RATE_LIMITED',
  OVERLOADED: 'PROVIDER_ANTHROPIC_OVERLOADED',
  SERVER_ERROR: 'PROVIDER_ANTHROPIC_SERVER_ERROR',
  BAD_REQUEST: 'PROVIDER_ANTHROPIC_BAD_REQUEST',
  NOT_FOUND: 'PROVIDER_ANTHROPIC_NOT_FOUND',
  FORBIDDEN: 'PROVIDER_ANTHROPIC_FORBIDDEN',
  HTTP_ERROR: 'PROVIDER_ANTHROPIC_HTTP_ERROR',
  NETWORK: 'PROVIDER_ANTHROPIC_NETWORK_ERROR',
  STREAM_IDLE: 'PROVIDER_ANTHROPIC_STREAM_IDLE',
  STREAM_TRUNCATED: 'PROVIDER_ANTHROPIC_STREAM_TRUNCATED',
  STREAM_MALFORMED: 'PROVIDER_ANTHROPIC_STREAM_MALFORMED',
  STREAM_ERROR: 'PROVIDER_ANTHROPIC_STREAM_ERROR',
  TOOL_INPUT_INVALID: 'PROVIDER_ANTHROPIC_TOOL_INPUT_INVALID',
  CREDENTIAL_MISSING: 'AUTH_CREDENTIAL_MISSING',
  CREDENTIAL_REJECTED: 'AUTH_CREDENTIAL_REJECTED',
} as const

/** Thrown after a 401 once the credential was renewed: retry at once with the new one. */
export class CredentialRenewed extends Error {
  constructor(readonly original: unknown) {
    super('The credential was renewed after a 401.')
  }
}

/** The API's own error type and message from an SDK error (HTTP body or an SSE `error` event). */
export function apiDetail(error: APIError): { type: string; message: string } {
  const body = error.error as { error?: { type?: unknown; message?: unknown }; type?: unknown; message?: unknown } | undefined
  const inner = body?.error ?? body
  const type = typeof inner?.type === 'string' ? inner.type : 'error'
  const message = typeof inner?.message === 'string' ? inner.message : error.message
  return { type, message }
}

const RETRYABLE_TYPES = new Set(['overloaded_error', 'api_error', 'rate_limit_error'])

/** Retry policy (spec §12.7): 429 with Retry-After, overload, 5xx, network and stalls; never 400/404. */
export function classify(error: unknown): RetryDecision {
  if (error instanceof CredentialRenewed) return { retry: true, reason: 'credential renewed after 401', delayMs: 0 }
  if (error instanceof PlatformError) return error.retryable ? { retry: true, reason: error.code } : { retry: false }
  if (error instanceof APIConnectionError) return { retry: true, reason: 'network error' }
  if (!(error instanceof APIError)) return { retry: false }
  const status = error.status
  if (status === 429) return { retry: true, reason: 'rate limited (429)', delayMs: retryAfter(error) }
  if (status === 408 || status === 529 || (status !== undefined && status >= 500)) return { retry: true, reason: `server status ${status}` }
  if (status === undefined && RETRYABLE_TYPES.has(apiDetail(error).type)) return { retry: true, reason: apiDetail(error).type }
  return { retry: false }
}

function retryAfter(error: APIError): number | null {
  const ms = Number(error.headers?.get('retry-after-ms'))
  if (Number.isFinite(ms) && ms >= 0 && error.headers?.get('retry-after-ms')) return ms
  return parseRetryAfter(error.headers?.get('retry-after'))
}

/** The API's message as a sentence (ending in punctuation), so advice can follow it. */
const sentence = (text: string) => (/[.!?]$/.test(text.trim()) ? text.trim() : `${text.trim()}.`)

function httpChunk(error: APIError, attempts: number): StreamChunk {
  const { type, message } = apiDetail(error)
  const status = error.status
  const what = `${status ?? 'stream'} ${type}${attempts > 1 ? `, after ${attempts} attempts` : ''}`
  const said = sentence(message)
  const chunk = (code: string, text: string, retryable = false): StreamChunk => ({ type: 'error', code, message: text, retryable })
  if (status === 401) return chunk(AnthropicErrorCode.CREDENTIAL_REJECTED, `Anthropic rejected the credential (${what}): ${said} Check ANTHROPIC_API_KEY or the stored key, or log in with Claude again.`)
  if (status === 403) return chunk(AnthropicErrorCode.FORBIDDEN, `Anthropic refused the request (${what}): ${said}`)
  if (status === 404) return chunk(AnthropicErrorCode.NOT_FOUND, `Anthropic answered ${what}: ${said} Check the model id.`)
  if (status === 400 || status === 413 || status === 422) return chunk(AnthropicErrorCode.BAD_REQUEST, `Anthropic rejected the request (${what}): ${message}`)
  if (status === 429 || type === 'rate_limit_error') return chunk(AnthropicErrorCode.RATE_LIMITED, `Anthropic rate limit reached (${what}): ${said} Wait and try again.`, true)
  if (status === 529 || type === 'overloaded_error') return chunk(AnthropicErrorCode.OVERLOADED, `Anthropic is overloaded (${what}): ${said} Try again shortly.`, true)
  if (status !== undefined && status >= 500) return chunk(AnthropicErrorCode.SERVER_ERROR, `Anthropic server error (${what}): ${said} Try again shortly.`, true)
  if (status === undefined) return chunk(AnthropicErrorCode.STREAM_ERROR, `Anthropic sent an error event (${what}): ${message}`, RETRYABLE_TYPES.has(type))
  return chunk(AnthropicErrorCode.HTTP_ERROR, `Anthropic answered ${what}: ${message}`)
}

/** A failed call as the error chunk the kernel shows (secrets never appear: SDK messages carry none). */
export function toErrorChunk(error: unknown, attempts: number): StreamChunk {
  if (error instanceof CredentialRenewed) return toErrorChunk(error.original, attempts)
  if (error instanceof PlatformError) return { type: 'error', code: error.code, message: error.message, retryable: error.retryable }
  if (error instanceof APIError && !(error instanceof APIConnectionError)) return httpChunk(error, attempts)
  if (error instanceof SyntaxError) {
    return { type: 'error', code: AnthropicErrorCode.STREAM_MALFORMED, message: `Anthropic sent an event that is not valid JSON (${error.message}); the answer was cut off.`, retryable: true }
  }
  const cause = error instanceof Error ? (error.cause instanceof Error ? `${error.message}: ${error.cause.message}` : error.message) : String(error)
  return { type: 'error', code: AnthropicErrorCode.NETWORK, message: `Could not reach Anthropic (${cause}). Check the network and ANTHROPIC_BASE_URL.`, retryable: true }
}

/** A failure after output was streamed: the stream broke (not retried; partial output is kept). */
export function midStreamChunk(error: unknown): StreamChunk {
  if (error instanceof PlatformError || error instanceof SyntaxError || (error instanceof APIError && !(error instanceof APIConnectionError))) return toErrorChunk(error, 1)
  const cause = error instanceof Error ? error.message : String(error)
  return { type: 'error', code: AnthropicErrorCode.STREAM_TRUNCATED, message: `The connection to Anthropic broke mid-answer (${cause}); the answer is incomplete.`, retryable: true }
}
