import type { CredentialResolver, Logger, ProviderClient, ProviderDefinition } from '../../../kernel/index.js'
import type { ProviderOpenaiService } from '../openai/services.js'
import type { CompatibleOptions, EndpointOptions } from './config.js'

type Endpoint = { id: string } & EndpointOptions

export interface CompatibleRuntime {
  credentials(): CredentialResolver
  chat(): ProviderOpenaiService
}

/** The endpoint as others may see it (no secrets). */
export interface EndpointInfo {
  id: string
  displayName: string
  baseUrl: string
  apiKeyEnv: string | null
  requiresAuth: boolean
  models: string[]
}

const requiresAuth = (endpoint: Endpoint) => endpoint.requiresAuth ?? Boolean(endpoint.apiKeyEnv || endpoint.apiKey)

function missingMessage(endpoint: Endpoint): string {
  const where = [endpoint.apiKeyEnv ? `set ${endpoint.apiKeyEnv}` : null, `give endpoints.${endpoint.id}.apiKey in the provider-openai-compatible config`, 'or store a key'].filter(Boolean)
  return `No API key for ${endpoint.id}: ${where.join(', ')}.`
}

export function endpointInfo(endpoint: Endpoint): EndpointInfo {
  return {
    id: endpoint.id,
    displayName: endpoint.displayName ?? endpoint.id,
    baseUrl: endpoint.baseUrl,
    apiKeyEnv: endpoint.apiKeyEnv ?? null,
    requiresAuth: requiresAuth(endpoint),
    models: endpoint.models.map((m) => (typeof m === 'string' ? m : m.id)),
  }
}

function client(endpoint: Endpoint, options: CompatibleOptions, runtime: CompatibleRuntime, logger: Logger): ProviderClient {
  const label = `${endpoint.displayName ?? endpoint.id} (${endpoint.id})`
  return runtime.chat().createChatClient(
    {
      baseUrl: endpoint.baseUrl,
      headers: endpoint.headers,
      errors: { prefix: 'PROVIDER_OPENAI_COMPATIBLE', label, authHint: endpoint.apiKeyEnv ? `Check ${endpoint.apiKeyEnv} (or the endpoint's apiKey).` : `Check endpoints.${endpoint.id}.apiKey.` },
      credentialQueries: requiresAuth(endpoint) ? [{ providerId: endpoint.id, modes: ['api_key'] }] : [],
      missingCredential: missingMessage(endpoint),
      retry: options.retry,
      idleTimeoutMs: options.idleTimeoutMs,
      bodyOptions: () => ({ maxTokens: endpoint.maxTokens, reasoningEffort: endpoint.reasoningEffort }),
    },
    { logger },
  )
}

/**
 * One Chat Completions provider per endpoint, served by provider-openai's chat client. `apiKeyEnv`
 * names the endpoint's variable to auth-api-key (its status report and env source).
 */
export function endpointDefinition(endpoint: Endpoint, options: CompatibleOptions, runtime: CompatibleRuntime): ProviderDefinition {
  return {
    id: endpoint.id,
    ...(endpoint.apiKeyEnv ? { apiKeyEnv: [endpoint.apiKeyEnv] } : {}),
    displayName: endpoint.displayName ?? endpoint.id,
    listModels: () => endpoint.models.map((m) => (typeof m === 'string' ? { id: m } : m)),
    acceptsUnknownModels: endpoint.acceptUnknownModels ?? endpoint.models.length === 0,
    async checkCredential() {
      if (!requiresAuth(endpoint)) return { ok: true }
      const found = await runtime.credentials().resolve({ providerId: endpoint.id, modes: ['api_key'] })
      return found ? { ok: true } : { ok: false, code: 'AUTH_CREDENTIAL_MISSING', message: missingMessage(endpoint) }
    },
    createClient: ({ logger }) => ({
      stream: (request, call) => client(endpoint, options, runtime, logger).stream(request, call),
    }),
  }
}
