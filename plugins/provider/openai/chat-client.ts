import OpenAI from 'openai'
import type { CredentialQuery, CredentialResolver, Logger, ModelRequest, ProviderCallOptions, ProviderClient } from '../../../kernel/index.js'
import { runCall, type CallPlan } from './call.js'
import { chatBody, type ChatBodyOptions } from './chat-request.js'
import { fromSdkError, mapChatStream } from './chat-stream.js'
import { sseMessages } from './sse.js'
import type { RetryOptions } from './config.js'
import type { ErrorContext } from './errors.js'

/** Everything a Chat Completions provider needs (used for `openai` and every OpenAI-compatible endpoint). */
export interface ChatClientSpec {
  baseUrl: string
  /** Extra headers for every request (client defaultHeaders, as llxprt's custom headers). */
  headers: Record<string, string>
  errors: ErrorContext
  /** Asked in order; empty: the endpoint needs no key (an empty Bearer, as llxprt sends for local servers). */
  credentialQueries: CredentialQuery[]
  missingCredential: string
  retry: RetryOptions
  idleTimeoutMs: number
  /** Per-request body options (max_tokens, reasoning_effort). */
  bodyOptions(request: ModelRequest): ChatBodyOptions
}

export interface ClientDeps {
  credentials(): CredentialResolver
  logger: Logger
}

function extraHeaders(request: ModelRequest): Record<string, string> | undefined {
  const headers = request.extra?.headers
  return headers && typeof headers === 'object' ? (headers as Record<string, string>) : undefined
}

/**
 * A Chat Completions client over the openai SDK 5.23.2, as llxprt builds it: a fresh SDK client per
 * call with `maxRetries: 0` (retries are ours), so the SDK's own headers (User-Agent `OpenAI/JS
 * 5.23.2`, `X-Stainless-*`, `Authorization: Bearer`) go on the wire unchanged.
 */
export function createChatClient(spec: ChatClientSpec, deps: ClientDeps): ProviderClient {
  return {
    stream(request: ModelRequest, options: ProviderCallOptions) {
      const body = chatBody(request, spec.bodyOptions(request))
      const plan: CallPlan<ReadableStream<Uint8Array>> = {
        async open(credential, signal) {
          const client = new OpenAI({
            apiKey: credential?.secret.reveal() ?? '',
            baseURL: spec.baseUrl,
            maxRetries: 0,
            logLevel: 'off',
            ...(Object.keys(spec.headers).length > 0 ? { defaultHeaders: spec.headers } : {}),
          })
          try {
            const params = body as unknown as OpenAI.Chat.ChatCompletionCreateParamsStreaming
            // The SDK sends the request and checks the status; the body is read here (its stream parser costs more than the rest of a turn).
            const response = await client.chat.completions.create(params, { signal, headers: extraHeaders(request) }).asResponse()
            return response.body ?? new ReadableStream({ start: (controller) => controller.close() })
          } catch (error) {
            throw fromSdkError(error, spec.errors)
          }
        },
        read: (body) => mapChatStream(sseMessages(body, spec.errors), spec.errors),
      }
      return runCall(plan, { ...spec, credentials: deps.credentials(), logger: deps.logger, onRetry: options.onRetry }, options.signal)
    },
  }
}
