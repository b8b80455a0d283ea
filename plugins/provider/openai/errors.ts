import { parseRetryAfter, PlatformError, type RetryDecision, type StreamChunk } from '../../../kernel/index.js'

/** What a provider call needs to name its errors: the code prefix, a label, and how to fix a bad credential. */
export interface ErrorContext {
  /** Plugin id in UPPER_SNAKE, e.g. PROVIDER_OPENAI. */
  prefix: string
  /** Shown in messages, e.g. `OpenAI (openai)`. */
  label: string
  /** What to do when the credential is rejected. */
  authHint: string
  /** Values that must never appear in a message (the key or token in use). */
  secrets?: string[]
}

/** A non-2xx answer from the provider, read before any output was streamed. */
export class HttpStatusError extends Error {
  constructor(
    readonly status: number,
    readonly headers: { get(name: string): string | null } | undefined,
    readonly body: unknown,
  ) {
    super(`HTTP ${status}`)
    this.name = 'HttpStatusError'
  }

  /** The API's own error object, when the body had one. */
  apiError(): { message?: string; code?: string; type?: string } {
    const body = typeof this.body === 'string' ? safeJson(this.body) : this.body
    const error = (body as { error?: unknown } | undefined)?.error ?? body
    if (typeof error === 'string') return { message: error }
    if (typeof error !== 'object' || error === null) return {}
    const { message, code, type } = error as Record<string, unknown>
    return { message: typeof message === 'string' ? message : undefined, code: typeof code === 'string' ? code : undefined, type: typeof type === 'string' ? type : undefined }
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text)
  } catch {
    return text ? { error: { message: text.slice(0, 300) } } : undefined
  }
}

/** A connection failure (refused, reset, DNS) before or while reading; `cause` holds the original. */
export class NetworkError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.name = 'NetworkError'
  }
}

/** True for the errors fetch/undici raise when the connection fails (not for HTTP statuses). */
export function isNetworkError(error: unknown): boolean {
  if (error instanceof NetworkError) return true
  if (!(error instanceof Error)) return false
  const code = (error as { code?: unknown; cause?: { code?: unknown } }).cause?.code ?? (error as { code?: unknown }).code
  if (typeof code === 'string' && /^(ECONNRESET|ECONNREFUSED|ETIMEDOUT|EPIPE|ENOTFOUND|EAI_AGAIN|UND_ERR_\w+)$/.test(code)) return true
  return error instanceof TypeError && /fetch failed|terminated|network/i.test(error.message)
}

function isQuotaExhausted(error: HttpStatusError): boolean {
  const { code, type } = error.apiError()
  return code === 'insufficient_quota' || type === 'insufficient_quota'
}

/** Retry policy of one model call: 429 (not quota) honouring Retry-After, 5xx and network errors; never other 4xx. */
export function classifyForRetry(error: unknown): RetryDecision {
  if (error instanceof HttpStatusError) {
    const delayMs = parseRetryAfter(error.headers?.get('retry-after'))
    if (error.status === 429 && !isQuotaExhausted(error)) return { retry: true, reason: 'rate limited (429)', delayMs }
    if (error.status >= 500 || error.status === 408) return { retry: true, reason: `server error (${error.status})`, delayMs }
    return { retry: false }
  }
  if (isNetworkError(error)) return { retry: true, reason: 'network error' }
  return { retry: false }
}

function scrub(text: string, context: ErrorContext): string {
  let out = text
  for (const secret of context.secrets ?? []) if (secret.length >= 4) out = out.split(secret).join('[redacted]')
  return out.length > 400 ? `${out.slice(0, 400)}…` : out
}

function statusChunk(error: HttpStatusError, context: ErrorContext): StreamChunk {
  const { prefix, label } = context
  const detail = error.apiError().message
  const said = detail ? `: ${scrub(detail, context)}` : ''
  if (error.status === 401 || error.status === 403) {
    return { type: 'error', code: `${prefix}_AUTH_FAILED`, message: `${label} rejected the credential (HTTP ${error.status}). ${context.authHint}` }
  }
  if (error.status === 429 && isQuotaExhausted(error)) {
    return { type: 'error', code: `${prefix}_QUOTA_EXHAUSTED`, message: `${label} says the account's quota is used up (HTTP 429)${said}. Check the plan and billing, or pick another provider.` }
  }
  if (error.status === 429) {
    return { type: 'error', code: `${prefix}_RATE_LIMITED`, message: `${label} kept rate limiting the request (HTTP 429) after every retry${said}. Wait a little and send again.`, retryable: true }
  }
  if (error.status >= 500) {
    return { type: 'error', code: `${prefix}_SERVER_ERROR`, message: `${label} failed with HTTP ${error.status} after every retry${said}. Try again later.`, retryable: true }
  }
  return { type: 'error', code: `${prefix}_REQUEST_REJECTED`, message: `${label} rejected the request (HTTP ${error.status})${said}. Check the model id and the request options.` }
}

/** Any failure of a call as the error chunk the kernel shows; codes are prefixed by the plugin id. */
export function toErrorChunk(error: unknown, context: ErrorContext): StreamChunk {
  if (error instanceof HttpStatusError) return statusChunk(error, context)
  if (error instanceof PlatformError) return { type: 'error', code: error.code, message: scrub(error.message, context), ...(error.retryable ? { retryable: true } : {}) }
  const message = error instanceof Error ? error.message : String(error)
  if (isNetworkError(error)) {
    const cause = (error as { cause?: { message?: string } }).cause?.message
    return { type: 'error', code: `${context.prefix}_NETWORK_ERROR`, message: `Could not reach ${context.label}: ${scrub(cause ?? message, context)}. Check the base URL and the network.`, retryable: true }
  }
  return { type: 'error', code: `${context.prefix}_STREAM_FAILED`, message: `The call to ${context.label} failed: ${scrub(message, context)}`, retryable: true }
}

/** The typed stream errors every client raises. */
export const streamError = {
  idle: (c: ErrorContext, ms: number) => new PlatformError(`${c.prefix}_STREAM_IDLE`, `${c.label} sent nothing for ${ms} ms and the stream was closed. Send again, or raise idleTimeoutMs.`, { retryable: true, details: { idleMs: ms } }),
  truncated: (c: ErrorContext) => new PlatformError(`${c.prefix}_STREAM_TRUNCATED`, `The stream from ${c.label} ended before the response was complete. Send again.`, { retryable: true }),
  malformed: (c: ErrorContext, what: string) => new PlatformError(`${c.prefix}_STREAM_MALFORMED`, `${c.label} sent an event that is not valid JSON (${what}). Send again; if it repeats, the endpoint is not OpenAI-compatible.`, { retryable: true }),
  toolArguments: (c: ErrorContext, tool: string, snippet: string) =>
    new PlatformError(`${c.prefix}_TOOL_ARGUMENTS_INVALID`, `${c.label} called tool "${tool}" with arguments that are not valid JSON (${JSON.stringify(snippet.slice(0, 80))}). Send again.`, { retryable: true }),
  failed: (c: ErrorContext, detail: string) => new PlatformError(`${c.prefix}_RESPONSE_FAILED`, `${c.label} reported that the response failed: ${detail}`, { retryable: true }),
}
