import {
  isPlatformError,
  secretHint,
  type AuthMode,
  type Credential,
  type CredentialResolver,
  type CredentialSource,
  type Logger,
  type ProviderDefinition,
  type Registry,
  type RouteDefinition,
} from '../../../kernel/index.js'
import type { AuthApiKeyOptions } from './config.js'
import { envNamesFor } from './env-names.js'
import { ApiKeyErrorCode } from './errors.js'
import { keyFilePath } from './key-file.js'

/** The credential a mode would use now: where it comes from and a masked hint, never the secret. */
export interface ActiveCredential {
  source: CredentialSource
  sourceId: string | null
  /** Human description: the variable name, `key file <path>`, the vault label, ... */
  label: string | null
  hint: string
  /** Vault row id when stored. */
  credentialId: string | null
  expiresAt: string | null
}

export interface ProviderAuthStatus {
  id: string
  displayName: string
  /** Modes that have a usable credential right now. */
  modes: AuthMode[]
  apiKey: {
    active: ActiveCredential | null
    /** Environment variables read for this provider, in order. */
    envNames: string[]
    /** The configured key file (as written in the config), if any. */
    keyFile: string | null
    keyFilePath: string | null
    /** Whether the config file sets a key for this provider. */
    configKey: boolean
  }
  oauth: { active: ActiveCredential | null }
  /** Sources that failed while resolving (e.g. a stored key that does not decrypt). */
  errors: { mode: AuthMode; code: string; message: string }[]
}

export interface StatusDeps {
  options: AuthApiKeyOptions
  providers: Registry<ProviderDefinition>
  credentials: () => CredentialResolver
  logger: Logger
}

const active = (credential: Credential): ActiveCredential => ({
  source: credential.source,
  sourceId: credential.sourceId ?? null,
  label: credential.label ?? null,
  hint: secretHint(credential.secret.reveal()),
  credentialId: credential.id ?? null,
  expiresAt: credential.expiresAt ?? null,
})

async function statusOf(provider: ProviderDefinition, deps: StatusDeps): Promise<ProviderAuthStatus> {
  const errors: ProviderAuthStatus['errors'] = []
  const probe = async (mode: AuthMode): Promise<ActiveCredential | null> => {
    try {
      const found = await deps.credentials().resolve({ providerId: provider.id, modes: [mode] })
      return found ? active(found) : null
    } catch (error) {
      if (isPlatformError(error)) errors.push({ mode, code: error.code, message: error.message })
      else {
        deps.logger.error('a credential source failed', { provider: provider.id, mode, error: (error as Error).message })
        errors.push({ mode, code: ApiKeyErrorCode.SOURCE_FAILED, message: 'A credential source failed; the server log has the details.' })
      }
      return null
    }
  }
  const [apiKey, oauth] = [await probe('api_key'), await probe('oauth')]
  const keyFile = deps.options.keyFiles[provider.id] ?? null
  return {
    id: provider.id,
    displayName: provider.displayName,
    modes: [...(apiKey ? ['api_key' as const] : []), ...(oauth ? ['oauth' as const] : [])],
    apiKey: {
      active: apiKey,
      envNames: envNamesFor(provider.id, deps.options.env, provider),
      keyFile,
      keyFilePath: keyFile ? keyFilePath(keyFile) : null,
      configKey: Boolean(deps.options.keys[provider.id]),
    },
    oauth: { active: oauth },
    errors,
  }
}

/** Auth status of every registered provider, by id. */
export async function providersStatus(deps: StatusDeps): Promise<ProviderAuthStatus[]> {
  const providers = deps.providers.list().sort((a, b) => a.id.localeCompare(b.id))
  const out: ProviderAuthStatus[] = []
  for (const provider of providers) out.push(await statusOf(provider, deps))
  return out
}

export function providersRoute(deps: StatusDeps): RouteDefinition {
  return {
    id: 'auth-api-key.providers',
    method: 'GET',
    path: '/api/auth/providers',
    handler: async () => ({ body: await providersStatus(deps) }),
  }
}
