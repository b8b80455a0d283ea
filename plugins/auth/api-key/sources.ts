import {
  CredentialPrecedence,
  Secret,
  type Credential,
  type CredentialQuery,
  type CredentialSourceDefinition,
  type CredentialStore,
  type ProviderDefinition,
  type Registry,
} from '../../../kernel/index.js'
import type { AuthApiKeyOptions } from './config.js'
import { envNamesFor, usableKey } from './env-names.js'
import type { KeyFileReader } from './key-file.js'

export interface SourceDeps {
  options: AuthApiKeyOptions
  /** The credentialStore port (auth-vault's when enabled), resolved at call time. */
  store: () => CredentialStore
  providers: Registry<ProviderDefinition>
  keyFiles: KeyFileReader
  /** The process environment, read at every call (never cached). */
  env: () => Record<string, string | undefined>
}

export const SOURCE_IDS = {
  config: 'auth-api-key.config',
  keyfile: 'auth-api-key.keyfile',
  vault: 'auth-api-key.vault',
  env: 'auth-api-key.env',
} as const

const wantsApiKey = (query: CredentialQuery) => !query.modes || query.modes.includes('api_key')

const apiKey = (providerId: string, secret: Secret, rest: Pick<Credential, 'source' | 'label' | 'meta'>): Credential => ({
  providerId,
  mode: 'api_key',
  secret,
  ...rest,
})

/**
 * A source whose value may change while the server runs (key file, store, environment): after a
 * rejection, asking it again gives a renewed credential only when the key is now a different one.
 */
function withReread(source: CredentialSourceDefinition): CredentialSourceDefinition {
  return {
    ...source,
    async refresh(credential) {
      const again = await source.resolve({ providerId: credential.providerId, modes: ['api_key'] })
      return again && again.secret.reveal() !== credential.secret.reveal() ? again : null
    },
  }
}

/** The four places an API key comes from, in llxprt's order: config, key file, stored key, environment. */
export function createApiKeySources(deps: SourceDeps): CredentialSourceDefinition[] {
  const config: CredentialSourceDefinition = {
    id: SOURCE_IDS.config,
    precedence: CredentialPrecedence.CONFIG,
    async resolve(query) {
      const secret = wantsApiKey(query) ? deps.options.keys[query.providerId] : undefined
      const key = usableKey(secret?.reveal())
      if (!secret || key === null) return null
      return apiKey(query.providerId, new Secret(key, secret.source), { source: 'config', label: `config file (${secret.source})`, meta: {} })
    },
  }
  const keyfile: CredentialSourceDefinition = {
    id: SOURCE_IDS.keyfile,
    precedence: CredentialPrecedence.KEYFILE,
    async resolve(query) {
      const configured = wantsApiKey(query) ? deps.options.keyFiles[query.providerId] : undefined
      if (!configured) return null
      const { key, path } = await deps.keyFiles.read(configured)
      return key === null ? null : apiKey(query.providerId, new Secret(key, `keyfile:${path}`), { source: 'keyfile', label: `key file ${configured}`, meta: { keyFile: path } })
    },
  }
  const vault: CredentialSourceDefinition = {
    id: SOURCE_IDS.vault,
    precedence: CredentialPrecedence.VAULT,
    async resolve(query) {
      return wantsApiKey(query) ? deps.store().find(query.providerId, 'api_key', query.ownerId) : null
    },
  }
  const env: CredentialSourceDefinition = {
    id: SOURCE_IDS.env,
    precedence: CredentialPrecedence.ENV,
    async resolve(query) {
      if (!wantsApiKey(query)) return null
      const values = deps.env()
      for (const name of envNamesFor(query.providerId, deps.options.env, deps.providers.get(query.providerId))) {
        const key = usableKey(values[name])
        if (key !== null) return apiKey(query.providerId, new Secret(key, name), { source: 'env', label: name, meta: { envVar: name } })
      }
      return null
    },
  }
  return [config, withReread(keyfile), withReread(vault), withReread(env)]
}
