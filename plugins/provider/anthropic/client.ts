import { PlatformError, withRetry, type Credential, type CredentialResolver, type Logger, type ModelRequest, type ProviderCallOptions, type ProviderClient, type StreamChunk } from '../../../kernel/index.js'
import type { AnthropicOptions } from './config.js'
import { AnthropicErrorCode, classify, CredentialRenewed, midStreamChunk, toErrorChunk } from './errors.js'
import type { RateLimitState } from './rate-limit.js'
import { buildRequest, isAnthropicHost, OAUTH } from './request.js'
import { createSdk, credentialQuery, isOAuthCredential, resolveBaseUrl } from './sdk.js'
import { EventMapper, type WireEvent } from './stream.js'

export interface ClientDeps {
  options: AnthropicOptions
  /** The kernel's `credentials` service, read at call time. */
  credentials: () => CredentialResolver
  logger: Logger
  limits: RateLimitState
  fetch?: typeof fetch
}

interface OpenStream {
  iterator: AsyncIterator<WireEvent>
  first: IteratorResult<WireEvent>
  oauth: boolean
  controller: AbortController
  release(): void
}

/** Await `promise`, or abort the request and fail with STREAM_IDLE after `ms` of silence. */
async function withIdle<T>(promise: Promise<T>, ms: number, controller: AbortController): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const idle = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      controller.abort()
      reject(new PlatformError(AnthropicErrorCode.STREAM_IDLE, `Anthropic sent nothing for ${ms} ms; the call was stopped. Try again, or raise idleTimeoutMs of provider-anthropic.`, { retryable: true, details: { idleTimeoutMs: ms } }))
    }, ms)
  })
  try {
    return await Promise.race([promise, idle])
  } finally {
    clearTimeout(timer)
  }
}

/** Send one request and wait for its first event (failures up to here may be retried). */
async function openOnce(deps: ClientDeps, request: ModelRequest, call: ProviderCallOptions, baseUrl: string, credential: Credential): Promise<OpenStream> {
  const oauth = isOAuthCredential(credential)
  const built = buildRequest(request, { baseUrl, oauth, options: deps.options })
  const sdk = createSdk(credential, baseUrl, deps)
  const controller = new AbortController()
  const onAbort = () => controller.abort()
  call.signal.addEventListener('abort', onAbort, { once: true })
  if (call.signal.aborted) controller.abort()
  const release = () => {
    call.signal.removeEventListener('abort', onAbort)
    controller.abort()
  }
  try {
    const pending = sdk.messages.create(built.body as never, { headers: built.headers, signal: controller.signal }).withResponse()
    const { data, response } = await withIdle(pending, deps.options.idleTimeoutMs, controller)
    deps.limits.record(response.headers, deps.logger)
    const iterator = (data as unknown as AsyncIterable<WireEvent>)[Symbol.asyncIterator]()
    const first = await withIdle(iterator.next(), deps.options.idleTimeoutMs, controller)
    if (first.done && !call.signal.aborted) {
      throw new PlatformError(AnthropicErrorCode.STREAM_TRUNCATED, 'Anthropic ended the stream before sending any event.', { retryable: true })
    }
    return { iterator, first, oauth, controller, release }
  } catch (error) {
    release()
    throw error
  }
}

type Opened = { ok: true; stream: OpenStream } | { ok: false; error: unknown; attempts: number }

/** Open the stream under the retry policy; a 401 renews the credential once and retries at once. */
async function open(deps: ClientDeps, request: ModelRequest, call: ProviderCallOptions, baseUrl: string, found: Credential): Promise<Opened> {
  let credential = found
  let renewed = false
  let attempts = 0
  const credentials = deps.credentials()
  const run = async () => {
    attempts += 1
    await deps.limits.wait(deps.options.rateLimitThrottle, call.signal, deps.logger)
    try {
      return await openOnce(deps, request, call, baseUrl, credential)
    } catch (error) {
      if ((error as { status?: unknown }).status !== 401 || renewed || call.signal.aborted) throw error
      renewed = true
      const next = await credentials.refresh(credential, 'rejected')
      if (!next) {
        const what = credential.mode === 'oauth' ? 'Claude login' : 'API key'
        throw new PlatformError(AnthropicErrorCode.CREDENTIAL_REJECTED, `Anthropic rejected the ${what} (401) and it could not be renewed. Set a valid ANTHROPIC_API_KEY or log in with Claude again.`)
      }
      credential = next
      throw new CredentialRenewed(error)
    }
  }
  const onRetry = (info: { attempt: number; delayMs: number; reason: string }) => {
    deps.logger.warn('retrying the Anthropic call', info)
    call.onRetry?.(info)
  }
  try {
    return { ok: true, stream: await withRetry(run, { policy: deps.options.retry, classify, signal: call.signal, onRetry }) }
  } catch (error) {
    return { ok: false, error, attempts }
  }
}

async function* pump(deps: ClientDeps, opened: OpenStream, signal: AbortSignal): AsyncGenerator<StreamChunk> {
  const mapper = new EventMapper(opened.oauth ? (name) => (name.startsWith(OAUTH.toolPrefix) ? name.slice(OAUTH.toolPrefix.length) : name) : undefined)
  try {
    let next = opened.first
    while (!next.done) {
      for (const chunk of mapper.map(next.value)) {
        yield chunk
        if (chunk.type === 'error') return
      }
      next = await withIdle(opened.iterator.next(), deps.options.idleTimeoutMs, opened.controller)
    }
    if (signal.aborted || mapper.complete) return
    yield* mapper.pendingUsage()
    yield { type: 'error', code: AnthropicErrorCode.STREAM_TRUNCATED, message: 'Anthropic ended the stream before message_stop; the answer is incomplete.', retryable: true }
  } catch (error) {
    if (signal.aborted) return
    yield* mapper.pendingUsage()
    yield midStreamChunk(error)
  } finally {
    opened.release()
  }
}

async function* streamCall(deps: ClientDeps, request: ModelRequest, call: ProviderCallOptions): AsyncGenerator<StreamChunk> {
  const baseUrl = resolveBaseUrl(deps.options)
  const credential = await deps.credentials().resolve(credentialQuery(baseUrl))
  if (!credential) {
    yield { type: 'error', code: AnthropicErrorCode.CREDENTIAL_MISSING, message: missingCredentialMessage(baseUrl) }
    return
  }
  const opened = await open(deps, request, call, baseUrl, credential)
  if (!opened.ok) {
    if (call.signal.aborted) return
    deps.logger.warn('the Anthropic call failed', { error: opened.error instanceof Error ? opened.error.message : String(opened.error), attempts: opened.attempts })
    yield toErrorChunk(opened.error, opened.attempts)
    return
  }
  yield* pump(deps, opened.stream, call.signal)
}

/** What to do when no credential resolves (names the variables to set). */
export function missingCredentialMessage(baseUrl: string): string {
  if (isAnthropicHost(baseUrl)) return 'No Anthropic credential: set ANTHROPIC_API_KEY, store an Anthropic API key, or log in with a Claude subscription.'
  let host = 'the configured base URL'
  try {
    host = new URL(baseUrl).origin
  } catch {
    // keep the generic wording; never echo a URL that may hold a password
  }
  return `No Anthropic API key for ${host}: set ANTHROPIC_API_KEY or store a key (Claude logins are used only with anthropic.com).`
}

/** The provider client: one streamed Messages API call per model request. */
export function createAnthropicClient(deps: ClientDeps): ProviderClient {
  return { stream: (request, call) => streamCall(deps, request, call) }
}
