import { InterruptibleIterator, KernelErrorCode, withRetry, type Credential, type CredentialQuery, type CredentialResolver, type Logger, type RetryDecision, type StreamChunk } from '../../../kernel/index.js'
import type { RetryOptions } from './config.js'
import { classifyForRetry, HttpStatusError, streamError, toErrorChunk, type ErrorContext } from './errors.js'

/** How one model call opens its HTTP stream and reads it. */
export interface CallPlan<Opened> {
  /** Send the request with this credential (null = no auth); throw HttpStatusError on a non-2xx answer. */
  open(credential: Credential | null, signal: AbortSignal): Promise<Opened>
  /** Turn the opened stream into chunks; throw a PlatformError for a broken stream. */
  read(opened: Opened, signal: AbortSignal): AsyncIterable<StreamChunk>
}

export interface CallSettings {
  errors: ErrorContext
  retry: RetryOptions
  idleTimeoutMs: number
  credentials: CredentialResolver
  /** Asked in order, the first answer wins; empty when the endpoint needs no credential. */
  credentialQueries: CredentialQuery[]
  /** Shown as AUTH_CREDENTIAL_MISSING when nothing resolves. */
  missingCredential: string
  logger: Logger
  /** The kernel's retry notice (session status `retrying`, deadline pushed back). */
  onRetry?: (info: { attempt: number; delayMs: number; reason: string }) => void
}

/** An OAuth token this close to expiry is renewed before use (llxprt: 30 s). */
const EXPIRY_SKEW_MS = 30_000

async function acquire(settings: CallSettings): Promise<Credential | null | 'missing'> {
  if (settings.credentialQueries.length === 0) return null
  let found: Credential | null = null
  for (const query of settings.credentialQueries) {
    found = await settings.credentials.resolve(query)
    if (found) break
  }
  if (!found) return 'missing'
  if (found.mode === 'oauth' && found.expiresAt && Date.parse(found.expiresAt) <= Date.now() + EXPIRY_SKEW_MS) {
    return (await settings.credentials.refresh(found, 'expired')) ?? found
  }
  return found
}

/** Yield the items of `source`, failing with `onIdle()` when the gap between two items exceeds `ms`. */
export async function* withIdleTimeout<T>(source: AsyncIterable<T>, ms: number, onIdle: () => Error): AsyncGenerator<T> {
  // One timer per stream: a chunk only moves the deadline (a timer per chunk costs more than the chunk).
  const iterator = new InterruptibleIterator(source[Symbol.asyncIterator]())
  let deadline = performance.now() + ms
  let waiting = false
  let timer = setTimeout(function check() {
    if (!waiting) deadline = Math.max(deadline, performance.now() + ms)
    const left = deadline - performance.now()
    if (left > 0) timer = setTimeout(check, left)
    else iterator.fail(onIdle())
  }, ms)
  try {
    for (;;) {
      waiting = true
      deadline = performance.now() + ms
      let next: IteratorResult<T>
      try {
        next = await iterator.next()
      } finally {
        waiting = false
      }
      if (next.done) return
      yield next.value
    }
  } finally {
    clearTimeout(timer)
    iterator.close()
  }
}

/** Settle `work` within `ms`, else call `onIdle` (which aborts the request) and fail with its error. */
async function within<T>(work: Promise<T>, ms: number, onIdle: () => Error): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const idle = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(onIdle()), ms)
  })
  try {
    return await Promise.race([work, idle])
  } finally {
    clearTimeout(timer)
  }
}

/** The credential in use for a call and whether it was already refreshed after a rejection. */
interface AuthState {
  credential: Credential | null
  refreshed: boolean
}

/**
 * The retry decision with credential handling: 401 -> refresh once and retry with the renewed
 * credential; 403 on an OAuth token -> refresh (for the next call) without retrying, as llxprt
 * (§12.6); everything else by status (classifyForRetry).
 */
function classifier(settings: CallSettings, auth: AuthState, context: ErrorContext): (error: unknown) => Promise<RetryDecision> {
  return async (error) => {
    const status = error instanceof HttpStatusError ? error.status : 0
    if (status === 401 && auth.credential && !auth.refreshed) {
      auth.refreshed = true
      const renewed = await settings.credentials.refresh(auth.credential, 'rejected')
      if (!renewed) return { retry: false }
      auth.credential = renewed
      context.secrets!.push(renewed.secret.reveal())
      return { retry: true, reason: 'credential refreshed after 401', delayMs: 0 }
    }
    if (status === 403 && auth.credential?.mode === 'oauth' && !auth.refreshed) {
      auth.refreshed = true
      await settings.credentials.refresh(auth.credential, 'rejected')
      return { retry: false }
    }
    return classifyForRetry(error)
  }
}

/**
 * One model call: resolve the credential, open the stream with retries (429 honouring Retry-After,
 * 5xx/network with backoff, 401 -> refresh once), then read it under an idle timeout. Failures
 * become one error chunk; the turn's abort (or the consumer stopping) closes the HTTP request.
 */
export async function* runCall<Opened>(plan: CallPlan<Opened>, settings: CallSettings, signal: AbortSignal): AsyncGenerator<StreamChunk> {
  const internal = new AbortController()
  const linked = AbortSignal.any([signal, internal.signal])
  const context: ErrorContext = { ...settings.errors, secrets: [] }
  const idle = () => {
    const error = streamError.idle(context, settings.idleTimeoutMs)
    internal.abort(error)
    return error
  }
  try {
    const acquired = await acquire(settings)
    if (acquired === 'missing') {
      yield { type: 'error', code: KernelErrorCode.AUTH_CREDENTIAL_MISSING, message: settings.missingCredential }
      return
    }
    const auth: AuthState = { credential: acquired, refreshed: false }
    if (acquired) context.secrets!.push(acquired.secret.reveal())
    const opened = await withRetry(() => within(plan.open(auth.credential, linked), settings.idleTimeoutMs, idle), {
      policy: settings.retry,
      signal,
      classify: classifier(settings, auth, context),
      onRetry: ({ attempt, delayMs, reason }) => {
        settings.logger.info('retrying model call', { provider: context.label, attempt, delayMs, reason })
        settings.onRetry?.({ attempt, delayMs, reason })
      },
    })
    yield* withIdleTimeout(plan.read(opened, linked), settings.idleTimeoutMs, idle)
  } catch (error) {
    if (signal.aborted) return
    yield toErrorChunk(error, context)
  } finally {
    internal.abort()
  }
}
