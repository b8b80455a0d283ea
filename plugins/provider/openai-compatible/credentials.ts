import { CredentialPrecedence, Secret, type Credential, type CredentialSourceDefinition } from '../../../kernel/index.js'
import type { EndpointOptions } from './config.js'

type Endpoint = { id: string } & EndpointOptions

/**
 * Where an endpoint's key comes from: its config `apiKey` (CONFIG precedence) and its `apiKeyEnv`
 * variable (ENV precedence, read at call time). Each answers only for this plugin's endpoint ids;
 * a key stored in the vault (VAULT precedence) still wins over the environment.
 */
export function credentialSources(endpoints: Endpoint[]): CredentialSourceDefinition[] {
  const byId = new Map(endpoints.map((endpoint) => [endpoint.id, endpoint]))
  const credential = (endpoint: Endpoint, secret: Secret, source: Credential['source']): Credential => ({ providerId: endpoint.id, mode: 'api_key', secret, source, label: source === 'env' ? endpoint.apiKeyEnv : 'config' })
  return [
    {
      id: 'provider-openai-compatible-config',
      precedence: CredentialPrecedence.CONFIG,
      async resolve(query) {
        const endpoint = byId.get(query.providerId)
        return endpoint?.apiKey ? credential(endpoint, endpoint.apiKey, 'config') : null
      },
    },
    {
      id: 'provider-openai-compatible-env',
      precedence: CredentialPrecedence.ENV,
      async resolve(query) {
        const endpoint = byId.get(query.providerId)
        const value = endpoint?.apiKeyEnv ? process.env[endpoint.apiKeyEnv]?.trim() : undefined
        return endpoint && value ? credential(endpoint, new Secret(value, endpoint.apiKeyEnv!), 'env') : null
      },
    },
  ]
}
