import { CredentialPrecedence, type Credential, type CredentialSourceDefinition, type Logger } from '../../../kernel/index.js'
import type { ProviderId } from './adapter.js'
import { errorSummary } from './errors.js'
import type { AuthOauthService } from './services.js'

export const SOURCE_ID = 'auth-oauth'

const tagged = (credential: Credential): Credential => ({ ...credential, source: 'oauth', sourceId: SOURCE_ID })

/**
 * The OAuth credential source (precedence OAUTH, last, as in llxprt §12.1): the stored login of a
 * provider whose OAuth is enabled by policy, refreshed on access when it expires within the
 * provider's skew (30 s llxprt, 5 min gemini-cli), and renewed on a 401 through `refresh`.
 */
export function createOAuthCredentialSource(deps: {
  service: () => AuthOauthService
  store: () => { find(providerId: string, mode: 'oauth', ownerId?: string | null): Promise<Credential | null> }
  skewMs: (provider: ProviderId) => number
  now: () => Date
  logger: Logger
}): CredentialSourceDefinition {
  const enabled = (providerId: string): providerId is ProviderId => deps.service().policies()[providerId as ProviderId]?.enabled === true
  return {
    id: SOURCE_ID,
    precedence: CredentialPrecedence.OAUTH,
    async resolve(query) {
      if (query.modes && !query.modes.includes('oauth')) return null
      if (!enabled(query.providerId)) return null
      const stored = await deps.store().find(query.providerId, 'oauth', query.ownerId)
      if (!stored?.id) return null
      const expires = stored.expiresAt ? Date.parse(stored.expiresAt) : Number.POSITIVE_INFINITY
      const now = deps.now().getTime()
      if (expires > now + deps.skewMs(query.providerId)) return tagged(stored)
      try {
        const renewed = await deps.service().refresh(stored.id, 'expired')
        return renewed ? tagged(renewed) : null
      } catch (error) {
        deps.logger.warn('oauth refresh on access failed', { provider: query.providerId, ...errorSummary(error) })
        return expires > now ? tagged(stored) : null
      }
    },
    async refresh(credential, reason) {
      if (credential.mode !== 'oauth' || !credential.id || !enabled(credential.providerId)) return null
      try {
        const renewed = await deps.service().refresh(credential.id, reason, reason === 'rejected' ? credential.secret.reveal() : undefined)
        return renewed ? tagged(renewed) : null
      } catch (error) {
        deps.logger.warn('oauth refresh after rejection failed', { provider: credential.providerId, reason, ...errorSummary(error) })
        return null
      }
    },
  }
}
