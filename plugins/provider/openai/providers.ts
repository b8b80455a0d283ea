import type { CredentialCheck, CredentialQuery, CredentialResolver, Logger, ModelRequest, ProviderCallOptions, ProviderClient, ProviderDefinition } from '../../../kernel/index.js'
import { createChatClient } from './chat-client.js'
import type { OpenaiOptions, OpenaiProviderId } from './config.js'
import type { ErrorContext } from './errors.js'
import { openaiModelDefaults, openaiRoute, staticModels } from './models.js'
import { createResponsesClient, type ResponsesClientSpec } from './responses-client.js'

export const OPENAI_DEFAULT_BASE_URL = 'https://api.openai.com/v1'
const PREFIX = 'PROVIDER_OPENAI'

/** What the definitions read at call time (never during register). */
export interface OpenaiRuntime {
  credentials(): CredentialResolver
  version(): string
  logger: Logger
}

/** The configured base URL, else OPENAI_BASE_URL, else api.openai.com (read per call, as the SDK would). */
export function openaiBaseUrl(configured: string | undefined): string {
  return configured ?? (process.env.OPENAI_BASE_URL?.trim() || OPENAI_DEFAULT_BASE_URL)
}

const KEY_HINT = 'Check OPENAI_API_KEY (or the stored OpenAI key).'
const MISSING_KEY = (id: string) => `No OpenAI API key: set OPENAI_API_KEY (or store an OpenAI key) to use the ${id} provider.`
const MISSING_LOGIN = 'No ChatGPT login: sign in with the codex OAuth login (POST /api/auth/oauth/codex/start; a ChatGPT Plus or Pro plan is needed) to use the codex provider.'

const queries: Record<OpenaiProviderId, CredentialQuery[]> = {
  openai: [{ providerId: 'openai', modes: ['api_key'] }],
  // A key stored for `openai` serves `openai-responses` too (same account, same OPENAI_API_KEY).
  'openai-responses': [
    { providerId: 'openai-responses', modes: ['api_key'] },
    { providerId: 'openai', modes: ['api_key'] },
  ],
  codex: [{ providerId: 'codex', modes: ['oauth'] }],
}

const errorsFor = (id: OpenaiProviderId): ErrorContext => ({
  prefix: PREFIX,
  label: id === 'codex' ? 'ChatGPT Codex (codex)' : id === 'openai' ? 'OpenAI (openai)' : 'OpenAI Responses (openai-responses)',
  authHint: id === 'codex' ? 'Log in to codex again (the ChatGPT login was refused even after a refresh).' : KEY_HINT,
})

function checker(id: OpenaiProviderId, runtime: OpenaiRuntime): () => Promise<CredentialCheck> {
  return async () => {
    for (const query of queries[id]) if (await runtime.credentials().resolve(query)) return { ok: true }
    return { ok: false, code: 'AUTH_CREDENTIAL_MISSING', message: id === 'codex' ? MISSING_LOGIN : MISSING_KEY(id) }
  }
}

function responsesSpec(id: OpenaiProviderId, options: OpenaiOptions, runtime: OpenaiRuntime, baseUrl: string): ResponsesClientSpec {
  const section = id === 'codex' ? options.codex : id === 'openai' ? options.openai : options.responses
  return {
    baseUrl,
    codex: id === 'codex',
    headers: section.headers,
    errors: errorsFor(id),
    credentialQueries: queries[id],
    missingCredential: id === 'codex' ? MISSING_LOGIN : MISSING_KEY(id),
    retry: options.retry,
    idleTimeoutMs: options.idleTimeoutMs,
    userAgent: () => `AgentPlatform/${runtime.version()}`,
    bodyOptions: (request: ModelRequest, call: ProviderCallOptions) => {
      const defaults = id === 'openai' ? openaiModelDefaults(request.model) : {}
      const s = section as { reasoningEffort?: string; reasoningSummary?: string; textVerbosity?: string; promptCaching?: boolean; maxOutputTokens?: number; maxTokens?: number }
      return {
        codex: id === 'codex',
        providerId: id,
        reasoningEffort: s.reasoningEffort ?? defaults.reasoningEffort,
        reasoningSummary: s.reasoningSummary,
        textVerbosity: s.textVerbosity,
        maxOutputTokens: s.maxOutputTokens ?? s.maxTokens ?? defaults.maxTokens,
        promptCaching: s.promptCaching ?? true,
        cacheKey: call.session.id,
      }
    },
  }
}

/** `openai`: Chat Completions, except GPT-5.6+ on api.openai.com (or apiMode 'responses'), which use Responses. */
function openaiClient(options: OpenaiOptions, runtime: OpenaiRuntime, logger: Logger): ProviderClient {
  return {
    stream(request, call) {
      const baseUrl = openaiBaseUrl(options.openai.baseUrl)
      if (openaiRoute(request.model, baseUrl, options.openai.apiMode) === 'responses') {
        return createResponsesClient(responsesSpec('openai', options, runtime, baseUrl), { credentials: runtime.credentials, logger }).stream(request, call)
      }
      const chat = createChatClient(
        {
          baseUrl,
          headers: options.openai.headers,
          errors: errorsFor('openai'),
          credentialQueries: queries.openai,
          missingCredential: MISSING_KEY('openai'),
          retry: options.retry,
          idleTimeoutMs: options.idleTimeoutMs,
          bodyOptions: (r) => ({ maxTokens: options.openai.maxTokens ?? openaiModelDefaults(r.model).maxTokens, reasoningEffort: options.openai.reasoningEffort }),
        },
        { credentials: runtime.credentials, logger },
      )
      return chat.stream(request, call)
    },
  }
}

const DISPLAY: Record<OpenaiProviderId, string> = {
  openai: 'OpenAI (Chat Completions)',
  'openai-responses': 'OpenAI (Responses API)',
  codex: 'ChatGPT Codex (subscription login)',
}

/** The provider definitions for the configured ids. */
export function openaiDefinitions(options: OpenaiOptions, runtime: OpenaiRuntime): ProviderDefinition[] {
  return options.providers.map((id) => {
    const section = id === 'codex' ? options.codex : id === 'openai' ? options.openai : options.responses
    return {
      id,
      displayName: DISPLAY[id],
      listModels: () => staticModels(id, section.models),
      acceptsUnknownModels: options.acceptUnknownModels,
      ...(id === 'codex' ? {} : { apiKeyEnv: ['OPENAI_API_KEY'] }),
      checkCredential: checker(id, runtime),
      createClient: ({ logger }) => {
        if (id === 'openai') return openaiClient(options, runtime, logger)
        return {
          stream(request, call) {
            const baseUrl = id === 'codex' ? options.codex.baseUrl : openaiBaseUrl(options.responses.baseUrl)
            return createResponsesClient(responsesSpec(id, options, runtime, baseUrl), { credentials: runtime.credentials, logger }).stream(request, call)
          },
        }
      },
    }
  })
}
