import { PlatformError, type Credential, type CredentialQuery, type ModelRequest, type ProviderCallOptions, type ProviderClient } from '../../../kernel/index.js'
import { runCall, type CallPlan } from './call.js'
import type { ClientDeps } from './chat-client.js'
import type { RetryOptions } from './config.js'
import { HttpStatusError, isNetworkError, NetworkError, type ErrorContext } from './errors.js'
import { responsesBody, type ResponsesBodyOptions } from './responses-request.js'
import { mapResponsesStream } from './responses-stream.js'
import { sseMessages } from './sse.js'

export interface ResponsesClientSpec {
  baseUrl: string
  /** The ChatGPT Codex backend (§7.5): its headers and body adjustments. */
  codex: boolean
  headers: Record<string, string>
  errors: ErrorContext
  credentialQueries: CredentialQuery[]
  missingCredential: string
  retry: RetryOptions
  idleTimeoutMs: number
  /** `AgentPlatform/<version>`: llxprt sends the runtime's default User-Agent on this fetch path. */
  userAgent(): string
  bodyOptions(request: ModelRequest, call: ProviderCallOptions): ResponsesBodyOptions
}

function accountIdOf(credential: Credential | null): string | undefined {
  const meta = credential?.meta ?? {}
  const id = meta.accountId ?? meta.account_id ?? meta.chatgptAccountId
  return typeof id === 'string' && id ? id : undefined
}

/**
 * Headers as llxprt's Responses fetch path builds them: `Authorization`, `Content-Type`
 * (`application/json; charset=utf-8`, plain `application/json` for Codex), custom headers, and for
 * Codex `ChatGPT-Account-ID`, `originator: codex_cli_rs` and `session_id`. No SDK headers, no OpenAI-Beta.
 */
export function responsesHeaders(spec: ResponsesClientSpec, credential: Credential | null, request: ModelRequest, sessionId: string): Record<string, string> {
  const headers: Record<string, string> = {
    Authorization: `Bearer ${credential?.secret.reveal() ?? ''}`,
    'Content-Type': spec.codex ? 'application/json' : 'application/json; charset=utf-8',
    'User-Agent': spec.userAgent(),
    ...spec.headers,
    ...((request.extra?.headers as Record<string, string> | undefined) ?? {}),
  }
  if (spec.codex) {
    const accountId = accountIdOf(credential)
    if (!accountId) {
      throw new PlatformError(`${spec.errors.prefix}_CODEX_ACCOUNT_MISSING`, 'The ChatGPT login has no account id (ChatGPT-Account-ID); log in to codex again.')
    }
    headers['ChatGPT-Account-ID'] = accountId
    headers.originator = 'codex_cli_rs'
    if (sessionId) headers.session_id = sessionId
  }
  return headers
}

async function post(url: string, headers: Record<string, string>, body: Blob, signal: AbortSignal): Promise<ReadableStream<Uint8Array>> {
  let response: Response
  try {
    response = await fetch(url, { method: 'POST', headers, body, signal })
  } catch (error) {
    if (isNetworkError(error)) throw new NetworkError((error as Error).message, { cause: (error as Error).cause })
    throw error
  }
  if (!response.ok) throw new HttpStatusError(response.status, response.headers, await response.text().catch(() => ''))
  // No body at all reads as a stream without a terminal event: truncated.
  return response.body ?? new ReadableStream({ start: (controller) => controller.close() })
}

/** The Responses API over plain fetch + eventsource-parser (`openai-responses`, `codex`, and `openai` for GPT-5.6+). */
export function createResponsesClient(spec: ResponsesClientSpec, deps: ClientDeps): ProviderClient {
  const url = `${spec.baseUrl.replace(/\/+$/, '')}/responses`
  return {
    stream(request: ModelRequest, call: ProviderCallOptions) {
      const body = responsesBody(request, spec.bodyOptions(request, call))
      const contentType = spec.codex ? 'application/json' : 'application/json; charset=utf-8'
      const plan: CallPlan<ReadableStream<Uint8Array>> = {
        open: (credential, signal) => post(url, responsesHeaders(spec, credential, request, call.session.id), new Blob([JSON.stringify(body)], { type: contentType }), signal),
        read: (stream) => mapResponsesStream(sseMessages(stream, spec.errors), spec.errors),
      }
      return runCall(plan, { ...spec, credentials: deps.credentials(), logger: deps.logger, onRetry: call.onRetry }, call.signal)
    },
  }
}
