import { parseRetryAfter, PlatformError, type StreamChunk } from '../../../kernel/index.js'

/** A failed call, whatever raised it: the SDK's ApiError, a GaxiosError, fetch, or a PlatformError. */
export interface Failure {
  status?: number
  /** The Google error object (`{code, message, status, details}`) when the body had one. */
  google?: GoogleError
  message: string
  retryAfter?: string | null
  /** A network error code (ECONNRESET, ...). */
  networkCode?: string
  platform?: PlatformError
  /** A stream event that is not JSON (the SDK's parser throws a SyntaxError). */
  malformed?: boolean
}

interface GoogleError {
  code?: number
  message?: string
  status?: string
  details?: Array<Record<string, unknown> & { '@type'?: string }>
}

const RETRYABLE_NETWORK = new Set([
  'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN', 'ECONNREFUSED', 'EPROTO',
  'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_SOCKET', 'ERR_STREAM_PREMATURE_CLOSE',
])

/** Longest RetryInfo delay gemini-cli still waits for; a longer one means the quota is spent. */
const MAX_RETRYABLE_DELAY_MS = 300_000

function googleErrorIn(value: unknown): GoogleError | undefined {
  let parsed = value
  if (typeof value === 'string') {
    const start = value.search(/[[{]/)
    if (start < 0) return undefined
    try {
      parsed = JSON.parse(value.slice(start))
    } catch {
      return undefined
    }
  }
  if (Array.isArray(parsed)) parsed = parsed[0]
  const error = (parsed as { error?: unknown } | null)?.error
  return typeof error === 'object' && error !== null ? (error as GoogleError) : undefined
}

function networkCode(error: unknown): string | undefined {
  let current = error as { code?: unknown; cause?: unknown } | undefined
  for (let depth = 0; current && depth < 5; depth++) {
    if (typeof current.code === 'string' && /^[A-Z_]+$/.test(current.code)) return current.code
    current = current.cause as typeof current
  }
  return undefined
}

/** Read what went wrong from any error a Gemini call can raise. */
export function toFailure(error: unknown): Failure {
  if (error instanceof PlatformError) return { message: error.message, platform: error }
  const err = error as { status?: unknown; message?: unknown; response?: { status?: number; data?: unknown; headers?: unknown } }
  const message = typeof err?.message === 'string' ? err.message : String(error)
  const status = err?.response?.status ?? (typeof err?.status === 'number' ? err.status : undefined)
  const headers = err?.response?.headers as { get?: (name: string) => string | null } | Record<string, string> | undefined
  const retryAfter = typeof headers?.get === 'function' ? headers.get('retry-after') : (headers as Record<string, string> | undefined)?.['retry-after']
  const google = googleErrorIn(err?.response?.data) ?? googleErrorIn(message)
  const malformed = error instanceof SyntaxError || undefined
  return { status: status ?? google?.code, google, message: google?.message ?? message, retryAfter: retryAfter ?? null, networkCode: status ? undefined : networkCode(error), malformed }
}

function detail(failure: Failure, suffix: string): Record<string, unknown> | undefined {
  return failure.google?.details?.find((d) => typeof d['@type'] === 'string' && d['@type'].endsWith(suffix))
}

/** `34s`, `1.5s`, `900ms` -> milliseconds. */
function durationMs(value: unknown): number | null {
  const match = typeof value === 'string' ? /^([0-9.]+)(ms|s)$/.exec(value.trim()) : null
  if (!match) return null
  return Math.round(Number(match[1]) * (match[2] === 'ms' ? 1 : 1000))
}

/** Whether a 429 means "spent" rather than "slow down" (gemini-cli's terminal quota cases). */
function quotaSpent(failure: Failure, delay: number | null): boolean {
  if (/limit:\s*0(?!\d|\.\d)/.test(failure.message.toLowerCase())) return true
  const violations = (detail(failure, 'google.rpc.QuotaFailure')?.violations as Array<{ quotaId?: string }> | undefined) ?? []
  if (violations.some((v) => /PerDay|Daily/.test(v.quotaId ?? ''))) return true
  const reason = detail(failure, 'google.rpc.ErrorInfo')?.reason
  if (reason === 'QUOTA_EXHAUSTED' || reason === 'INSUFFICIENT_G1_CREDITS_BALANCE') return true
  return delay !== null && delay > MAX_RETRYABLE_DELAY_MS
}

/** The delay the server asked for: RetryInfo, then "Please retry in Ns", then Retry-After. */
export function serverDelayMs(failure: Failure): number | null {
  const info = durationMs(detail(failure, 'google.rpc.RetryInfo')?.retryDelay)
  if (info !== null) return info
  const hinted = /Please retry in ([0-9.]+(?:ms|s))/.exec(failure.message)
  if (hinted) return durationMs(hinted[1])
  return parseRetryAfter(failure.retryAfter)
}

export type Verdict = { retry: false } | { retry: true; reason: string; delayMs: number | null }

/** gemini-cli's retry rules: 429 (unless the quota is spent), 499 and 5xx, transient network errors. */
export function classify(failure: Failure): Verdict {
  if (failure.platform) return { retry: false }
  const status = failure.status
  if (status === 429 || status === 499 || (status !== undefined && status >= 500 && status < 600)) {
    const delay = serverDelayMs(failure)
    if (status === 429 && quotaSpent(failure, delay)) return { retry: false }
    return { retry: true, reason: `HTTP ${status}`, delayMs: delay }
  }
  if (status !== undefined) return { retry: false }
  if (failure.networkCode && RETRYABLE_NETWORK.has(failure.networkCode)) return { retry: true, reason: failure.networkCode, delayMs: null }
  // gemini-cli retries these by default (retryFetchErrors): the SDK wraps network errors as "fetch failed".
  if (/fetch failed|incomplete json segment/i.test(failure.message)) return { retry: true, reason: 'fetch failed', delayMs: null }
  return { retry: false }
}

/** The error chunk a failed call ends with; `midStream`: the failure came after the response began. */
export function errorChunk(failure: Failure, midStream = false): Extract<StreamChunk, { type: 'error' }> {
  if (midStream && !failure.platform && failure.status === undefined && !failure.malformed) {
    return { type: 'error', code: 'PROVIDER_GEMINI_STREAM_TRUNCATED', message: `The Gemini stream broke off before the answer was complete (${failure.message.slice(0, 200)}); try again.`, retryable: true }
  }
  if (failure.platform) return { type: 'error', code: failure.platform.code, message: failure.platform.message, retryable: failure.platform.retryable }
  const status = failure.status
  const text = failure.message.slice(0, 500)
  if (status === 429) {
    const spent = !classify(failure).retry
    return spent
      ? { type: 'error', code: 'PROVIDER_GEMINI_QUOTA_EXHAUSTED', message: `Gemini quota exhausted: ${text}` }
      : { type: 'error', code: 'PROVIDER_GEMINI_RATE_LIMITED', message: `Gemini is rate limiting this account (retries spent): ${text}`, retryable: true }
  }
  if (status === 401) return { type: 'error', code: 'PROVIDER_GEMINI_UNAUTHORIZED', message: `Gemini rejected the credential (401): ${text}. Check the key, or log in again.` }
  if (status === 403) return { type: 'error', code: 'PROVIDER_GEMINI_FORBIDDEN', message: `Gemini refused the call (403): ${text}` }
  if (status === 404) return { type: 'error', code: 'PROVIDER_GEMINI_MODEL_NOT_FOUND', message: `Gemini does not know this model or endpoint (404): ${text}` }
  if (status === 400) return { type: 'error', code: 'PROVIDER_GEMINI_BAD_REQUEST', message: `Gemini rejected the request (400): ${text}` }
  if (status !== undefined && status >= 500) return { type: 'error', code: 'PROVIDER_GEMINI_SERVER_ERROR', message: `Gemini failed (${status}, retries spent): ${text}`, retryable: true }
  if (status !== undefined) return { type: 'error', code: 'PROVIDER_GEMINI_HTTP_ERROR', message: `Gemini answered ${status}: ${text}` }
  if (/incomplete json segment/i.test(text)) return { type: 'error', code: 'PROVIDER_GEMINI_STREAM_TRUNCATED', message: 'The Gemini stream broke off in the middle of an event; try again.', retryable: true }
  if (failure.malformed) return { type: 'error', code: 'PROVIDER_GEMINI_MALFORMED_CHUNK', message: `Gemini sent a stream event that is not valid JSON: ${text}`, retryable: true }
  return { type: 'error', code: 'PROVIDER_GEMINI_STREAM_FAILED', message: `The Gemini call failed: ${text}`, retryable: true }
}
