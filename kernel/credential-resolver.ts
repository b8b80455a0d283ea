import type { Credential, CredentialQuery, CredentialResolver, CredentialSourceDefinition } from './auth.js'
import { currentCallContext } from './call-context.js'
import type { Logger } from './ports/types.js'
import type { Registry } from './registries/index.js'

/** Asks the registered credential sources in precedence order; the first answer wins. */
export function createCredentialResolver(deps: { sources: Registry<CredentialSourceDefinition>; logger: Logger }): CredentialResolver {
  return {
    async resolve(asked: CredentialQuery): Promise<Credential | null> {
      // A call made for a session uses its owner's own credentials first (stored ones; see CredentialStore.find).
      const query = asked.ownerId !== undefined ? asked : { ...asked, ownerId: currentCallContext()?.ownerId ?? null }
      const modes = query.modes ?? ['api_key', 'oauth']
      const sources = deps.sources.list().sort((a, b) => a.precedence - b.precedence || a.id.localeCompare(b.id))
      for (const source of sources) {
        const found = await source.resolve(query)
        if (found && modes.includes(found.mode)) return { ...found, sourceId: found.sourceId ?? source.id }
      }
      return null
    },
    async refresh(credential, reason) {
      const source = credential.sourceId ? deps.sources.get(credential.sourceId) : undefined
      if (!source?.refresh) return null
      const renewed = await source.refresh(credential, reason)
      return renewed ? { ...renewed, sourceId: renewed.sourceId ?? source.id } : null
    },
  }
}
