import type { CredentialStore, KeyValue } from '../../../kernel/index.js'
import { PROVIDER_IDS, type OAuthAdapter, type ProviderId } from './adapter.js'
import { errorSummary } from './errors.js'
import { adapterFor } from './flows.js'
import type { OAuthPolicy } from './policy.js'
import { clearFailure, type Refresher } from './refresher.js'
import type { OAuthLogoutResult, OAuthProviderStatus } from './services.js'

export interface StatusDeps {
  adapters: Record<ProviderId, OAuthAdapter>
  policies: Record<ProviderId, OAuthPolicy>
  credentialStore: CredentialStore
  refresher: Refresher
  kv: KeyValue
}

/**
 * Per provider: policy, flows, and the stored login (masked) with its refresh state: the owner's own
 * login when `ownerId` is a user and they have one, else the server-wide one.
 */
export async function oauthStatus(deps: StatusDeps, ownerId: string | null = null): Promise<OAuthProviderStatus[]> {
  return Promise.all(
    PROVIDER_IDS.map(async (provider) => {
      const adapter = deps.adapters[provider]
      const logins = async (owner: string | null) =>
        (await deps.credentialStore.list({ providerId: provider, ownerId: owner })).filter((c) => c.mode === 'oauth').sort((a, b) => (a.updatedAt < b.updatedAt ? 1 : -1))
      const own = ownerId ? await logins(ownerId) : []
      const stored = own.length > 0 ? own : await logins(null)
      const current = stored.find((c) => c.status === 'active') ?? stored[0]
      return {
        provider,
        displayName: adapter.displayName,
        enabled: deps.policies[provider].enabled,
        policy: deps.policies[provider],
        flows: [...adapter.flows],
        loggedIn: current?.status === 'active',
        credential: current
          ? { id: current.id, label: current.label, hint: current.hint, status: current.status, expiresAt: current.expiresAt, scopes: current.scopes, meta: current.meta, updatedAt: current.updatedAt }
          : null,
        refreshError: current ? await deps.refresher.failureState(current.id) : null,
      }
    }),
  )
}

/** Revoke where the provider can (Google), then delete the provider's stored OAuth logins of that owner (null: server-wide). */
export async function oauthLogout(deps: StatusDeps, provider: string, ownerId: string | null = null): Promise<OAuthLogoutResult> {
  const adapter = adapterFor(deps.adapters, provider)
  const stored = (await deps.credentialStore.list({ providerId: adapter.id, ownerId })).filter((c) => c.mode === 'oauth')
  const result: OAuthLogoutResult = { provider: adapter.id, deleted: 0, revoked: adapter.revoke && stored.length ? true : null }
  for (const info of stored) {
    const credential = await deps.credentialStore.get(info.id)
    const token = credential?.refreshToken?.reveal() ?? credential?.secret.reveal()
    if (adapter.revoke && token && info.status !== 'revoked') {
      try {
        await adapter.revoke(token)
      } catch (error) {
        result.revoked = false
        result.revokeError = errorSummary(error)
      }
    }
    if (await deps.credentialStore.delete(info.id)) result.deleted += 1
    await clearFailure(deps.kv, info.id)
  }
  return result
}
