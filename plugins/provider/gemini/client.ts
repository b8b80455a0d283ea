import { withRetry, type CredentialResolver, type Logger, type ModelRequest, type ProviderCallOptions, type ProviderClient, type StreamChunk } from '../../../kernel/index.js'
import { decideAuthMode, type Env } from './auth-mode.js'
import type { CodeAssistUser } from './code-assist-setup.js'
import type { GeminiOptions } from './config.js'
import { classify, errorChunk, toFailure } from './errors.js'
import { baseHeaders } from './headers.js'
import { withIdleTimeout } from './idle.js'
import { deepMerge, generationDefaults } from './models.js'
import { toContents, toSystemInstruction, toTools } from './request.js'
import { GeminiStreamMapper, type GeminiResponse } from './stream.js'
import { prepareTransport, type CallPlan, type Transport } from './transports.js'

export interface GeminiClientDeps {
  options: GeminiOptions
  credentials: () => CredentialResolver
  version: () => string
  logger: Logger
  /** The environment read per call (tests pass their own; default process.env). */
  env?: () => Env
}

const asRecord = (value: unknown): Record<string, unknown> | undefined =>
  typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined

function planFor(deps: GeminiClientDeps, request: ModelRequest, call: ProviderCallOptions, env: Env, signal: AbortSignal): CallPlan {
  const extraHeaders = asRecord(request.extra.headers) as Record<string, string> | undefined
  const prompts = request.messages.filter((m) => m.role === 'user').length
  return {
    model: request.model,
    contents: toContents(request.messages, request.model),
    systemInstruction: toSystemInstruction(request.system),
    tools: toTools(request.tools),
    config: deepMerge(generationDefaults(request.model), deps.options.generationConfig, asRecord(request.extra.generationConfig)),
    headers: baseHeaders({ version: deps.version(), model: request.model, env, surface: deps.options.surface, configHeaders: deps.options.headers, extraHeaders }),
    env,
    signal,
    userPromptId: `${call.session.id}########${prompts}`,
    sessionId: call.session.id,
  }
}

/** Open the stream and wait for its first response, with gemini-cli's retries and one renewal after a 401. */
async function openWithRetry(deps: GeminiClientDeps, transport: Transport, call: ProviderCallOptions, closeRequest: () => void) {
  const idle = deps.options.idleTimeoutMs
  return withRetry(
    async () => {
      await transport.prepare?.()
      const iterator = await withIdleTimeout(transport.open(), idle, 'waiting for the response', closeRequest)
      const first = await withIdleTimeout(iterator.next(), idle, 'waiting for the first event', closeRequest)
      return { iterator, first }
    },
    {
      policy: deps.options.retry,
      signal: call.signal,
      classify: async (error) => {
        const failure = toFailure(error)
        if (failure.status === 401) return transport.renew && (await transport.renew()) ? { retry: true, reason: 'credential renewed after 401', delayMs: 0 } : { retry: false }
        return classify(failure)
      },
      onRetry: ({ attempt, delayMs, reason }) => {
        deps.logger.warn('gemini call failed, retrying', { attempt, delayMs, reason })
        call.onRetry?.({ attempt, delayMs, reason })
      },
    },
  )
}

async function* streamTurn(deps: GeminiClientDeps, setups: Map<string, Promise<CodeAssistUser>>, request: ModelRequest, call: ProviderCallOptions): AsyncGenerator<StreamChunk> {
  const env = deps.env?.() ?? process.env
  const decision = decideAuthMode(deps.options.mode, env)
  if (!decision.ok) {
    yield { type: 'error', code: decision.code, message: decision.message }
    return
  }
  const internal = new AbortController()
  const signal = AbortSignal.any([call.signal, internal.signal])
  const closeRequest = () => internal.abort()
  const plan = planFor(deps, request, call, env, signal)
  const onMalformed = () => deps.logger.warn('gemini: skipped a stream event that is not JSON', { sessionId: call.session.id })
  const prepared = await prepareTransport(decision.mode, plan, { options: deps.options, credentials: deps.credentials(), version: deps.version(), setups, onMalformed })
  if (!prepared.ok) {
    yield prepared.chunk
    return
  }
  let counter = 0
  const mapper = new GeminiStreamMapper((name) => `${name}_${Date.now()}_${counter++}`)
  let opened = false
  try {
    const { iterator, first } = await openWithRetry(deps, prepared.transport, call, closeRequest)
    opened = true
    let next: IteratorResult<GeminiResponse> = first
    while (!next.done) {
      for (const chunk of mapper.push(next.value)) {
        if (call.signal.aborted) return
        yield chunk
        if (chunk.type === 'error') return
      }
      next = await withIdleTimeout(iterator.next(), deps.options.idleTimeoutMs, 'streaming', closeRequest)
    }
  } catch (error) {
    if (!call.signal.aborted) yield errorChunk(toFailure(error), opened)
    return
  } finally {
    closeRequest()
  }
  yield* mapper.end()
}

/** The `gemini` provider's client: one instance per kernel (Code Assist setup is cached in it). */
export function createGeminiClient(deps: GeminiClientDeps): ProviderClient {
  const setups = new Map<string, Promise<CodeAssistUser>>()
  return { stream: (request, call) => streamTurn(deps, setups, request, call) }
}
