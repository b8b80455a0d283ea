import type { CredentialCheck, CredentialResolver, Logger, ModelInfo, ProviderClient } from '../../../kernel/index.js'
import { createAnthropicClient, missingCredentialMessage } from './client.js'
import type { AnthropicOptions } from './config.js'
import { AnthropicErrorCode } from './errors.js'
import { mergeModels, STATIC_MODELS } from './models.js'
import { RateLimitState, type RateLimitInfo } from './rate-limit.js'
import { createSdk, credentialQuery, resolveBaseUrl } from './sdk.js'

/** Service `providerAnthropic`. */
export interface AnthropicService {
  /** The models offered now (built-in or configured, plus any found by `refreshModels`). */
  listModels(): ModelInfo[]
  /** GET /v1/models?beta=true with the resolved credential, merged into the list; best effort. */
  refreshModels(): Promise<ModelInfo[]>
  /** The last `anthropic-ratelimit-*` headers seen. */
  rateLimits(): RateLimitInfo | null
  checkCredential(): Promise<CredentialCheck>
  createClient(logger: Logger): ProviderClient
}

export interface ServiceDeps {
  options: AnthropicOptions
  credentials: () => CredentialResolver
  logger: Logger
  /** Tests only: the fetch the SDK uses. */
  fetch?: typeof fetch
}

const MODEL_LIST_TIMEOUT_MS = 10_000

export function createAnthropicService(deps: ServiceDeps): AnthropicService {
  const { options, logger } = deps
  const limits = new RateLimitState()
  let models: ModelInfo[] = options.models ?? STATIC_MODELS

  async function refreshModels(): Promise<ModelInfo[]> {
    const baseUrl = resolveBaseUrl(options)
    const credential = await deps.credentials().resolve(credentialQuery(baseUrl))
    if (!credential) {
      logger.debug('no Anthropic credential: keeping the built-in model list')
      return models
    }
    try {
      const sdk = createSdk(credential, baseUrl, deps)
      const fetched: Array<{ id: string; display_name?: string }> = []
      for await (const model of sdk.beta.models.list({}, { signal: AbortSignal.timeout(MODEL_LIST_TIMEOUT_MS) })) fetched.push(model)
      models = mergeModels(models, fetched)
      logger.debug('Anthropic model list refreshed', { fetched: fetched.length, total: models.length })
    } catch (error) {
      logger.warn('could not refresh the Anthropic model list; keeping the built-in one', { error: error instanceof Error ? error.message : String(error) })
    }
    return models
  }

  return {
    listModels: () => models,
    refreshModels,
    rateLimits: () => limits.latest,
    async checkCredential() {
      const baseUrl = resolveBaseUrl(options)
      if (await deps.credentials().resolve(credentialQuery(baseUrl))) return { ok: true }
      return { ok: false, code: AnthropicErrorCode.CREDENTIAL_MISSING, message: missingCredentialMessage(baseUrl) }
    },
    createClient: (clientLogger) => createAnthropicClient({ options, credentials: deps.credentials, logger: clientLogger, limits, fetch: deps.fetch }),
  }
}
