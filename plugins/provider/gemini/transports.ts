import type { Credential, CredentialResolver, StreamChunk } from '../../../kernel/index.js'
import { API_KEY_MISSING, LOGIN_MISSING } from './check.js'
import { codeAssistBase, geminiBaseUrl, googleProject, vertexBaseUrl, type Env, type GeminiAuthMode } from './auth-mode.js'
import { CodeAssistApi } from './code-assist-api.js'
import { toCodeAssistRequest } from './code-assist-request.js'
import { setupCodeAssist, type CodeAssistUser } from './code-assist-setup.js'
import type { GeminiOptions } from './config.js'
import { openGenAiStream, type GenAiTarget } from './genai-client.js'
import { codeAssistModel } from './models.js'
import type { GeminiContent } from './request.js'
import type { GeminiResponse } from './stream.js'

/** Everything one model call sends, already in Gemini's shapes. */
export interface CallPlan {
  model: string
  contents: GeminiContent[]
  systemInstruction?: GeminiContent
  tools?: unknown
  /** Merged generation config. */
  config: Record<string, unknown>
  /** User-Agent and custom headers. */
  headers: Record<string, string>
  env: Env
  signal: AbortSignal
  userPromptId: string
  sessionId: string
}

export interface Transport {
  /** Work before the request that is not silence (Code Assist setup and onboarding polls). */
  prepare?(): Promise<void>
  /** Send the request; resolves with the stream once the response began. */
  open(): Promise<AsyncIterator<GeminiResponse>>
  /** After a 401: renew the credential (once); true when the request should be sent again. */
  renew?(): Promise<boolean>
}

export interface TransportDeps {
  options: GeminiOptions
  credentials: CredentialResolver
  version: string
  /** Code Assist setups, by endpoint, account and project (one per process, as gemini-cli's server). */
  setups: Map<string, Promise<CodeAssistUser>>
  onMalformed(): void
}

type Prepared = { ok: true; transport: Transport } | { ok: false; chunk: Extract<StreamChunk, { type: 'error' }> }

/** gemini-cli's eager refresh window (google-auth-library's 5 minutes). */
const EAGER_REFRESH_MS = 5 * 60_000

const missing = (message: string): Prepared => ({ ok: false, chunk: { type: 'error', code: 'AUTH_CREDENTIAL_MISSING', message } })

function bearerKeyHeader(env: Env, apiKey: string | undefined): Record<string, string> {
  return env.GEMINI_API_KEY_AUTH_MECHANISM === 'bearer' && apiKey ? { Authorization: `Bearer ${apiKey}` } : {}
}

function genAi(target: GenAiTarget, plan: CallPlan, apiKey: string | undefined): Transport {
  const config = { ...plan.config, ...(plan.systemInstruction ? { systemInstruction: plan.systemInstruction } : {}), ...(plan.tools ? { tools: plan.tools } : {}) }
  const headers = { ...plan.headers, ...bearerKeyHeader(plan.env, apiKey) }
  return { open: () => openGenAiStream(target, { model: plan.model, contents: plan.contents, config, headers, signal: plan.signal }) }
}

async function apiKeyTransport(mode: 'api-key' | 'gateway', plan: CallPlan, deps: TransportDeps): Promise<Prepared> {
  const credential = await deps.credentials.resolve({ providerId: 'gemini', modes: ['api_key'] })
  if (!credential && mode === 'api-key') return missing(API_KEY_MISSING)
  const apiKey = credential?.secret.reveal() ?? ''
  const target: GenAiTarget = { kind: mode, apiKey, baseUrl: geminiBaseUrl(deps.options.baseUrl, plan.env), apiVersion: plan.env.GOOGLE_GENAI_API_VERSION || undefined }
  return { ok: true, transport: genAi(target, plan, apiKey) }
}

function vertexTransport(plan: CallPlan, deps: TransportDeps): Prepared {
  const { env } = plan
  const apiKey = env.GOOGLE_API_KEY || undefined
  const target: GenAiTarget = {
    kind: 'vertex',
    apiKey,
    project: apiKey ? undefined : googleProject(env),
    location: apiKey ? undefined : env.GOOGLE_CLOUD_LOCATION,
    accessToken: apiKey ? undefined : env.GOOGLE_CLOUD_ACCESS_TOKEN || undefined,
    baseUrl: vertexBaseUrl(deps.options.vertexBaseUrl, env),
    apiVersion: env.GOOGLE_GENAI_API_VERSION || undefined,
  }
  return { ok: true, transport: genAi(target, plan, apiKey) }
}

const expiresSoon = (credential: Credential) => !!credential.expiresAt && Date.parse(credential.expiresAt) - Date.now() < EAGER_REFRESH_MS

async function codeAssistTransport(plan: CallPlan, deps: TransportDeps): Promise<Prepared> {
  const injected = plan.env.GOOGLE_CLOUD_ACCESS_TOKEN || undefined
  let credential = injected ? null : await deps.credentials.resolve({ providerId: 'gemini', modes: ['oauth'] })
  if (!injected && !credential) return missing(LOGIN_MISSING)
  if (credential && expiresSoon(credential)) credential = (await deps.credentials.refresh(credential, 'expired')) ?? credential
  const base = codeAssistBase(deps.options.codeAssistEndpoint, plan.env)
  const project = googleProject(plan.env)
  const account = injected ? 'GOOGLE_CLOUD_ACCESS_TOKEN' : credential?.id ?? credential?.sourceId ?? 'oauth'
  const key = `${base}|${account}|${project ?? ''}`
  const ca = deps.options.codeAssist
  let renewed = false
  let user: CodeAssistUser | undefined
  const api = () => new CodeAssistApi(base, plan.headers, injected ?? (credential as Credential).secret.reveal(), deps.options.idleTimeoutMs)
  const prepare = async () => {
    let setup = deps.setups.get(key)
    if (!setup) {
      setup = setupCodeAssist(api(), { project, pollMs: ca.onboardPollMs, maxPolls: ca.onboardMaxPolls, startupCalls: ca.startupCalls, version: deps.version, signal: plan.signal })
      deps.setups.set(key, setup)
      setup.catch(() => deps.setups.delete(key))
    }
    user = await setup
  }
  const open = async () => {
    const body = toCodeAssistRequest({ ...plan, model: codeAssistModel(plan.model, ca.modelMappings), project: (user as CodeAssistUser).projectId })
    return mapEvents(await api().stream(body, plan.signal, deps.onMalformed))
  }
  const renew = async () => {
    if (renewed || !credential) return false
    renewed = true
    const next = await deps.credentials.refresh(credential, 'rejected')
    if (next) credential = next
    return next !== null
  }
  return { ok: true, transport: { prepare, open, renew } }
}

function mapEvents(events: AsyncIterator<{ response?: GeminiResponse }>): AsyncIterator<GeminiResponse> {
  return {
    async next() {
      const next = await events.next()
      return next.done ? { done: true, value: undefined } : { done: false, value: next.value.response ?? {} }
    },
  }
}

/** The transport of an auth mode, with its credential resolved (or the error chunk saying what is missing). */
export function prepareTransport(mode: GeminiAuthMode, plan: CallPlan, deps: TransportDeps): Promise<Prepared> {
  if (mode === 'vertex') return Promise.resolve(vertexTransport(plan, deps))
  if (mode === 'code-assist') return codeAssistTransport(plan, deps)
  return apiKeyTransport(mode, plan, deps)
}
