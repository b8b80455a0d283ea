import type { CredentialInfo, CredentialStore } from '../../../kernel/index.js'
import type { OAuthAdapter } from './adapter.js'
import type { FlowRecord } from './flow-store.js'
import type { TokenSet } from './tokens.js'

/**
 * Save a fresh login through the credentialStore port (auth-vault encrypts it), then drop older
 * OAuth credentials of the same provider and owner: one subscription login per provider and user.
 */
export async function storeLogin(store: CredentialStore, adapter: OAuthAdapter, tokens: TokenSet, defaultScopes: string[], ownerId: string | null = null): Promise<CredentialInfo> {
  const who = tokens.meta.email ?? tokens.meta.accountId
  const info = await store.save({
    providerId: adapter.id,
    mode: 'oauth',
    secret: tokens.accessToken,
    refreshToken: tokens.refreshToken ?? null,
    expiresAt: tokens.expiresAt,
    scopes: tokens.scopes ?? defaultScopes,
    label: `${adapter.displayName}${typeof who === 'string' ? ` (${who})` : ''}`,
    meta: tokens.meta,
    ownerId,
  })
  // One login per provider and owner: a member's own login never replaces the server-wide one.
  const older = (await store.list({ providerId: adapter.id, ownerId })).filter((c) => c.mode === 'oauth' && c.id !== info.id)
  for (const credential of older) await store.delete(credential.id)
  return info
}

export function credentialSummary(info: CredentialInfo): NonNullable<FlowRecord['credential']> {
  return { id: info.id, hint: info.hint, expiresAt: info.expiresAt, meta: info.meta }
}
